import Foundation
import GRDB
import SimpulDomain

#if canImport(Glibc)
import Glibc
#endif

/// What `NodeStore.backup(to:)` wrote: a copy of the store that opens on its own.
public struct StoreBackup: Sendable, Codable, Equatable {
    public var path: String
    public var node: String
    public var bytes: Int64
    public var events: Int
}

extension NodeStore {
    /// Copies the store to `path` with SQLite's online backup, page by page while the agent or the hub
    /// keeps writing, so the copy is one consistent moment of the store. The copy is written beside
    /// `path` under another name, checked (`PRAGMA integrity_check`), synced, and only then linked at
    /// `path`: a cut backup never leaves a file that looks whole, and an existing file is never replaced.
    public func backup(to path: String) throws(SimpulError) -> StoreBackup {
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else { throw SimpulError(.usage, "out: folder \(directory) tidak ada") }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw SimpulError(.usage, "out: \(path) sudah ada; cadangan tidak menimpa berkas")
        }
        let partial = path + ".partial-\(getpid())"
        // Created here with mode 0600 and O_EXCL, so the copy of citizens' data is never readable by others.
        let fd = Glibc.open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SimpulError(.io, "out: \(partial) tidak bisa dibuat (errno \(errno))") }
        close(fd)
        var linked = false
        defer {
            unlink(partial)
            if !linked { unlink(path + "-journal") }
        }
        let summary: (node: String, events: Int) = try Self.run("membuat cadangan") {
            let target = try DatabaseQueue(path: partial)
            try pool.backup(to: target)
            // The source is in WAL mode; the copy stands alone as one file, readable wherever it is put.
            try target.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            let result = try target.read { db -> (String, String, Int) in
                let check = try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
                let node = try String.fetchOne(db, sql: "SELECT node FROM node_info") ?? ""
                let events = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0
                return (check, node, events)
            }
            try target.close()
            guard result.0 == "ok" else {
                throw SimpulError(.io, "cadangan \(partial) tidak utuh: \(result.0)")
            }
            return (result.1, result.2)
        }
        try Self.syncFile(partial)
        guard link(partial, path) == 0 else {
            throw SimpulError(.io, "out: \(path) tidak bisa ditulis (errno \(errno))")
        }
        linked = true
        try Self.syncFile(directory.isEmpty ? "." : directory)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        logger.notice("store backed up", metadata: ["path": "\(path)", "events": "\(summary.events)"])
        return StoreBackup(path: path, node: summary.node, bytes: bytes, events: summary.events)
    }

    private static func syncFile(_ path: String) throws(SimpulError) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SimpulError(.io, "\(path) tidak bisa dibuka untuk sinkron ke disk (errno \(errno))")
        }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw SimpulError(.io, "\(path) tidak bisa disinkronkan ke disk (errno \(errno))") }
    }
}
