import Crypto
import Foundation
import GRDB
import SimpulDomain
import SimpulTestSupport
import Testing

@testable import SimpulStore

/// Swift Testing has an `Attachment` of its own; here it is always the document.
typealias Attachment = SimpulDomain.Attachment

/// Blobs in the store: whole files at the loket, pieces from the network, reads by range, and the
/// attachments they belong to.
@Suite(.timeLimit(.minutes(10))) struct BlobStoreTests {
    /// Bytes that differ from one position and one seed to the next, so a misplaced piece shows.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    static func sha(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    static func file(_ bytes: [UInt8], name: String = "ktp.pdf") throws -> String {
        let dir = Fixture.tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aWholeBlobIsStoredInPiecesAndReadBackByRange() throws {
        let store = try Fixture.newStore()
        let content = Self.bytes(3 * NodeStore.blobChunkBytes + 1_000, seed: 1)
        let stored = try store.putBlob(content)
        #expect(stored.sha256 == Self.sha(content))
        #expect(stored.complete && stored.received == Int64(content.count) && !stored.atHub)
        #expect(try store.blob(stored.sha256) == stored)
        #expect(try store.putBlob(content) == stored)  // storing it again changes nothing
        let pieces = try store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM blob_chunk WHERE sha256 = ?", arguments: [stored.sha256])
        }
        #expect(pieces == 4)
        // Ranges inside a piece, across pieces, at the end and past it.
        for (offset, count) in [
            (0, 10), (65_530, 20), (100_000, 150_000), (content.count - 5, 100), (0, content.count),
        ] {
            let read = try store.readBlob(stored.sha256, offset: Int64(offset), count: count)
            #expect(read == Array(content[offset..<min(offset + count, content.count)]), "\(offset)+\(count)")
        }
        #expect(try store.readBlob(stored.sha256, offset: Int64(content.count), count: 10).isEmpty)
        #expect(try store.verifyBlob(stored.sha256))
        let out = (Fixture.tempDirectory() as NSString).appendingPathExtension("pdf")!
        try store.exportBlob(stored.sha256, to: out)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: out))) == content)
        #expect(try store.blobName(prefix: String(stored.sha256.prefix(10))) == stored.sha256)
    }

    @Test func piecesFromTheNetworkAreTakenOnlyWhereTheCopyEnds() throws {
        let store = try Fixture.newStore()
        let content = Self.bytes(150_000, seed: 2)
        let sha = Self.sha(content)
        let size = Int64(content.count)
        #expect(try store.blob(sha) == nil)
        var status = try store.appendBlobChunk(
            sha256: sha, offset: 0, bytes: Array(content[0..<50_000]), totalSize: size)
        #expect(status.received == 50_000 && !status.complete)
        // Resent, skipped ahead, or claiming another size: refused, with where the copy ends.
        for (offset, length, total, code) in [
            (0, 50_000, size, BlobError.Code.offset), (60_000, 10, size, .offset), (50_000, 10, size + 1, .size),
            (149_999, 2, size, .size), (50_000, 0, size, .size),
        ] {
            let error = try #require(throws: BlobError.self) {
                try store.appendBlobChunk(
                    sha256: sha, offset: Int64(offset), bytes: Self.bytes(length, seed: 9), totalSize: total)
            }
            #expect(error.code == code, "\(offset)+\(length)/\(total)")
            #expect(error.received == 50_000)
        }
        #expect(try store.blob(sha)?.received == 50_000)
        status = try store.appendBlobChunk(
            sha256: sha, offset: 50_000, bytes: Array(content[50_000..<149_000]), totalSize: size)
        #expect(status.received == 149_000)
        #expect(try store.readBlob(sha, offset: 0, count: 200_000) == Array(content[0..<149_000]))
        status = try store.appendBlobChunk(
            sha256: sha, offset: 149_000, bytes: Array(content[149_000...]), totalSize: size)
        #expect(status.complete && status.received == size)
        #expect(try store.readBlob(sha, offset: 0, count: content.count) == content)
        #expect(try store.verifyBlob(sha))
        // A complete blob takes no more pieces.
        let after = try #require(throws: BlobError.self) {
            try store.appendBlobChunk(sha256: sha, offset: 0, bytes: [1], totalSize: size)
        }
        #expect(after.code == .offset && after.received == size)
        #expect(try store.check().integrity == "ok")
    }

    @Test func aBlobThatDoesNotHashToItsNameIsDiscardedWhole() throws {
        let store = try Fixture.newStore()
        let content = Self.bytes(100_000, seed: 3)
        let sha = Self.sha(content)
        var forged = content
        forged[99_999] ^= 0xff
        try store.appendBlobChunk(sha256: sha, offset: 0, bytes: Array(forged[0..<60_000]), totalSize: 100_000)
        let error = try #require(throws: BlobError.self) {
            try store.appendBlobChunk(
                sha256: sha, offset: 60_000, bytes: Array(forged[60_000...]), totalSize: 100_000)
        }
        #expect(error.code == .hashMismatch)
        #expect(error.received == 0)
        #expect(try store.blob(sha) == nil)
        let left = try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM blob_chunk") }
        #expect(left == 0)
        // The right bytes then go in from the start.
        try store.appendBlobChunk(sha256: sha, offset: 0, bytes: content, totalSize: 100_000)
        #expect(try store.blob(sha)?.complete == true)
        #expect(try store.check().integrity == "ok")
    }

    @Test func attachingStoresTheFileAndItsEventTogether() throws {
        let store = try Fixture.newStore()
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let p = try store.register(Fixture.application(sktm), officer: "Sari")
        let content = Self.bytes(200_000, seed: 4)
        let path = try Self.file(content, name: "KTP Siti.PDF")
        let attached = try store.attach(file: path, to: p.number, syarat: "ktp", officer: " Sari ")
        #expect(attached.attachment.sha256 == Self.sha(content))
        #expect(attached.attachment.size == 200_000)
        #expect(attached.attachment.name == "KTP Siti.PDF")
        #expect(attached.attachment.mediaType == "application/pdf")
        #expect(attached.attachment.syarat == "ktp")
        let state = try store.permohonan(p.number)
        #expect(state.attachments == [attached])
        #expect(try store.list(PermohonanFilter()).first?.attachments == [attached])
        let event = try #require(try store.history(p.number).last)
        #expect(event.body.type == .attached && event.role == Peran.loket && event.officer == "Sari")
        #expect(try store.blob(attached.attachment.sha256)?.complete == true)
        #expect(try store.readBlob(attached.attachment.sha256, offset: 0, count: 300_000) == content)
        #expect(try store.pendingUploads().map(\.sha256) == [attached.attachment.sha256])
        #expect(try store.blobReferences(attached.attachment.sha256).map(\.node) == ["33.74.01"])
        try store.markBlobAtHub(attached.attachment.sha256)
        #expect(try store.pendingUploads().isEmpty)
        #expect(try store.blob(attached.attachment.sha256)?.atHub == true)

        // The same bytes again, a closed permohonan, a missing or too large file: refused, nothing stored.
        let events = try store.eventCount()
        let again = try #require(throws: SimpulError.self) {
            try store.attach(
                file: try Self.file(content, name: "salinan.pdf"), to: p.number, syarat: nil, officer: "Sari")
        }
        #expect(again.message.contains("sudah dilampirkan"))
        try store.perform(.reject(reason: "berkas tidak sesuai"), on: p.number, officer: "Budi")
        let other = Self.bytes(1_000, seed: 5)
        let closed = try #require(throws: SimpulError.self) {
            try store.attach(file: try Self.file(other), to: p.number, syarat: nil, officer: "Sari")
        }
        #expect(closed.code == .invalidData)
        #expect(try store.blob(Self.sha(other)) == nil)
        let missing = try #require(throws: SimpulError.self) {
            try store.attach(file: "/tidak/ada/ktp.pdf", to: p.number, syarat: nil, officer: "Sari")
        }
        #expect(missing.code == .notFound)
        let big = try Self.file([], name: "besar.pdf")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
        try handle.truncate(atOffset: UInt64(Attachment.maxBytes) + 1)
        try handle.close()
        let large = try #require(throws: SimpulError.self) {
            try store.attach(file: big, to: p.number, syarat: nil, officer: "Sari")
        }
        #expect(large.code == .invalidData)
        #expect(large.message.contains("terlalu besar"))
        #expect(try store.eventCount() == events + 1)  // only the rejection

        let check = try store.check()
        #expect(check.integrity == "ok")
        #expect(check.foldMatches)
        let incremental = try store.stateDump()
        #expect(incremental.contains("## attachment"))
        #expect(incremental.contains(attached.attachment.sha256))
        try store.rebuild()
        #expect(try store.stateDump() == incremental)
        #expect(try store.permohonan(p.number).attachments == [attached])
    }

    @Test func aStoreFromBeforeAttachmentsGainsThemWhenOpened() throws {
        let clock = TestClock()
        let store = try Fixture.newStore(clock: clock)
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let p = try store.register(Fixture.application(sktm), officer: "Sari")
        let before = try store.stateDump()
        try DatabaseQueue(path: store.path).write { db in
            try db.execute(
                sql: """
                    DROP TABLE attachment;
                    DROP TABLE blob;
                    DROP TABLE blob_chunk;
                    DROP INDEX event_attached;
                    DROP INDEX event_letter;
                    -- v19 and v22 added columns to the table v5 makes: a store from before v5 had none.
                    DELETE FROM grdb_migrations
                        WHERE identifier IN ('v5-attachments', 'v19-issued-documents', 'v22-letters');
                    """)
        }
        let dir = (store.path as NSString).deletingLastPathComponent
        let reopened = try NodeStore.open(directory: dir, now: { clock.now() }, logger: Fixture.logger)
        #expect(try reopened.stateDump() == before)
        let attached = try reopened.attach(
            file: try Self.file(Self.bytes(500, seed: 6)), to: p.number, syarat: nil, officer: "Sari")
        #expect(try reopened.permohonan(p.number).attachments == [attached])
        #expect(try reopened.check().isHealthy)
    }
}
