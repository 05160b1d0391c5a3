import Crypto
import Foundation
import GRDB
import SimpulDomain

/// Blobs live in the store's SQLite file: a document and the event that attaches it commit in one
/// transaction, `PRAGMA integrity_check` covers them, and a backup of the file is a backup of both.
/// Each blob is kept as pieces (`blob_chunk`) so that no read or write holds a whole scan in memory.
extension NodeStore {
    /// The size of the pieces a local file is stored in, and of the chunks the agent uploads.
    public static let blobChunkBytes = 64 * 1024

    /// Lowercase hex SHA-256 of some bytes: a blob's name.
    public static func sha256Hex(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Writing

    /// Stores bytes as a complete blob and returns it; storing a blob already held changes nothing.
    @discardableResult
    public func putBlob(_ bytes: [UInt8]) throws(SimpulError) -> StoredBlob {
        guard !bytes.isEmpty else { throw SimpulError(.invalidData, "file: kosong (0 byte)") }
        let sha = Self.sha256Hex(bytes)
        let at = now()
        return try writeDB("menyimpan lampiran") { db in
            try Self.insertComplete(sha: sha, size: Int64(bytes.count), at: at, db: db) { emit in
                for start in stride(from: 0, to: bytes.count, by: Self.blobChunkBytes) {
                    try emit(Array(bytes[start..<min(start + Self.blobChunkBytes, bytes.count)]))
                }
            }
        }
    }

    /// Writes a blob whose hash is known, its pieces coming from `pieces`, unless it is held
    /// complete already; what was held of it before is replaced. The pieces must hash to `sha`.
    static func insertComplete(
        sha: String, size: Int64, at: Timestamp, db: Database,
        pieces: (_ emit: ([UInt8]) throws -> Void) throws -> Void
    ) throws -> StoredBlob {
        if let held = try blob(sha, db: db), held.complete { return held }
        try db.execute(sql: "DELETE FROM blob_chunk WHERE sha256 = ?", arguments: [sha])
        try db.execute(sql: "DELETE FROM blob WHERE sha256 = ?", arguments: [sha])
        let insert = try db.cachedStatement(
            sql: "INSERT INTO blob_chunk (sha256, byte_offset, bytes) VALUES (?, ?, ?)")
        var hasher = SHA256()
        var offset: Int64 = 0
        try pieces { piece in
            hasher.update(data: piece)
            try insert.execute(arguments: [sha, offset, Data(piece)])
            offset += Int64(piece.count)
        }
        guard offset == size, hex(hasher.finalize()) == sha else {
            throw SimpulError(.io, "file berubah saat dibaca (isi tidak cocok lagi dengan hash-nya); lampirkan ulang")
        }
        try db.execute(
            sql: "INSERT INTO blob (sha256, size, received, complete, created_at) VALUES (?, ?, ?, 1, ?)",
            arguments: [sha, size, size, at.description])
        return StoredBlob(sha256: sha, size: size, received: size, complete: true, atHub: false)
    }

    /// Appends a piece of a blob that arrives over the network. A piece is taken only at the offset
    /// the store has reached, so a resent piece is refused rather than stored twice. The piece that
    /// completes the blob is taken only if the whole hashes to the blob's name; otherwise everything
    /// held of the blob is discarded, so the next attempt starts clean.
    ///
    /// `uploader` (at the hub: the node sending) becomes the blob's owner. A piece at offset 0 from
    /// another uploader than the one a partial blob came from starts the blob over for it, so a node
    /// that names someone else's blob cannot block the real owner by starting an upload it cannot end.
    @discardableResult
    public func appendBlobChunk(
        sha256 sha: String, offset: Int64, bytes: [UInt8], totalSize: Int64, uploader: String? = nil
    ) throws(BlobError) -> StoredBlob {
        guard Attachment.isSHA256(sha) else {
            throw BlobError(.size, "'\(sha)' bukan nama blob (SHA-256 heksadesimal)", received: 0)
        }
        let at = now()
        enum Outcome {
            case taken(StoredBlob)
            case refused(BlobError)
        }
        let outcome: Outcome
        do {
            outcome = try pool.write { db -> Outcome in
                var held = try Self.blob(sha, db: db)
                if let uploader, let partial = held, !partial.complete, try Self.blobOwner(sha, db: db) != uploader {
                    // Another node's partial upload is nothing to resume from: this uploader starts at 0.
                    guard offset == 0 else {
                        return .refused(
                            BlobError(.offset, "blob \(sha.prefix(12)) belum diterima dari node ini", received: 0))
                    }
                    try db.execute(sql: "DELETE FROM blob_chunk WHERE sha256 = ?", arguments: [sha])
                    try db.execute(sql: "DELETE FROM blob WHERE sha256 = ?", arguments: [sha])
                    held = nil
                }
                let end: Int64
                switch BlobChunkRule.admit(
                    sha: sha, held: held, offset: offset, byteCount: bytes.count, totalSize: totalSize)
                {
                case .success(let fits): end = fits
                case .failure(let refusal): return .refused(refusal)
                }
                if held == nil {
                    try db.execute(
                        sql: """
                            INSERT INTO blob (sha256, size, received, complete, created_at, owner)
                            VALUES (?, ?, 0, 0, ?, ?)
                            """,
                        arguments: [sha, totalSize, at.description, uploader])
                }
                try db.cachedStatement(sql: "INSERT INTO blob_chunk (sha256, byte_offset, bytes) VALUES (?, ?, ?)")
                    .execute(arguments: [sha, offset, Data(bytes)])
                let now = end
                guard now == totalSize else {
                    try db.execute(sql: "UPDATE blob SET received = ? WHERE sha256 = ?", arguments: [now, sha])
                    return .taken(
                        StoredBlob(sha256: sha, size: totalSize, received: now, complete: false, atHub: false))
                }
                var hasher = SHA256()
                let cursor = try Row.fetchCursor(
                    db, sql: "SELECT bytes FROM blob_chunk WHERE sha256 = ? ORDER BY byte_offset", arguments: [sha])
                while let row = try cursor.next() { hasher.update(data: row["bytes"] as Data) }
                guard Self.hex(hasher.finalize()) == sha else {
                    // Committed, not rolled back: the bytes are wrong and must not be resumed from.
                    try db.execute(sql: "DELETE FROM blob_chunk WHERE sha256 = ?", arguments: [sha])
                    try db.execute(sql: "DELETE FROM blob WHERE sha256 = ?", arguments: [sha])
                    return .refused(
                        BlobError(
                            .hashMismatch,
                            "isi blob \(sha.prefix(12)) tidak cocok dengan SHA-256-nya; yang diterima dibuang",
                            received: 0))
                }
                try db.execute(
                    sql: "UPDATE blob SET received = ?, complete = 1 WHERE sha256 = ?", arguments: [now, sha])
                return .taken(StoredBlob(sha256: sha, size: totalSize, received: now, complete: true, atHub: false))
            }
        } catch {
            throw BlobError(.store, "blob \(sha.prefix(12)) tidak bisa disimpan", received: 0, cause: error)
        }
        switch outcome {
        case .taken(let blob): return blob
        case .refused(let error): throw error
        }
    }

    /// At the hub: the node whose upload or bundle brought the blob's bytes (see `appendBlobChunk`).
    public func blobOwner(_ sha: String) throws(SimpulError) -> String? {
        try readDB("membaca lampiran") { db in try Self.blobOwner(sha, db: db) }
    }

    static func blobOwner(_ sha: String, db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT owner FROM blob WHERE sha256 = ?", arguments: [sha])
    }

    /// At the hub: makes `node` the owner of complete blobs that have none (blobs a bundle of the node
    /// carried).
    public func claimBlobs(_ shas: [String], owner node: String) throws(SimpulError) {
        guard !shas.isEmpty else { return }
        try writeDB("mencatat pemilik lampiran") { db in
            for sha in shas {
                try db.execute(
                    sql: """
                        UPDATE blob SET owner = ? WHERE sha256 = ? AND owner IS NULL AND complete = 1 AND EXISTS (
                            SELECT 1 FROM event WHERE type = 'permohonan.attached'
                                AND json_extract(data, '$.sha256') = blob.sha256 AND node = ?)
                        """,
                    arguments: [node, sha, node])
            }
        }
    }

    /// Remembers that the hub holds a blob complete.
    public func markBlobAtHub(_ sha: String) throws(SimpulError) {
        let at = now()
        try writeDB("mencatat lampiran di hub") { db in
            try db.execute(
                sql: "UPDATE blob SET at_hub = ? WHERE sha256 = ? AND at_hub IS NULL", arguments: [at.description, sha])
        }
    }

    /// Forgets a blob: a copy found damaged is no use to anyone and must not be sent.
    public func discardBlob(_ sha: String) throws(SimpulError) {
        try writeDB("membuang lampiran") { db in
            try db.execute(sql: "DELETE FROM blob_chunk WHERE sha256 = ?", arguments: [sha])
            try db.execute(sql: "DELETE FROM blob WHERE sha256 = ?", arguments: [sha])
        }
    }

    // MARK: - Reading

    /// What the store holds of a blob, or nil when it holds nothing of it.
    public func blob(_ sha: String) throws(SimpulError) -> StoredBlob? {
        try readDB("membaca lampiran") { db in try Self.blob(sha, db: db) }
    }

    static func blob(_ sha: String, db: Database) throws -> StoredBlob? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT size, received, complete, at_hub FROM blob WHERE sha256 = ?"),
            arguments: [sha]
        ).map {
            StoredBlob(
                sha256: sha, size: $0["size"], received: $0["received"], complete: $0["complete"],
                atHub: ($0["at_hub"] as String?) != nil)
        }
    }

    /// Up to `count` bytes of a blob from `offset`, within what the store holds.
    public func readBlob(_ sha: String, offset: Int64, count: Int) throws(SimpulError) -> [UInt8] {
        try readDB("membaca lampiran") { db in
            guard let held = try Self.blob(sha, db: db), offset >= 0, offset < held.received, count > 0 else {
                return []
            }
            // offset < received and count > 0: only their sum can overflow, and then the end is the blob's.
            let (sum, overflow) = offset.addingReportingOverflow(Int64(count))
            let end = overflow ? held.received : min(held.received, sum)
            var out: [UInt8] = []
            out.reserveCapacity(Int(end - offset))
            // Pieces may have any length, so the read starts at the piece that holds `offset`.
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT byte_offset, bytes FROM blob_chunk
                        WHERE sha256 = ? AND byte_offset < ? AND byte_offset >= COALESCE(
                            (SELECT MAX(byte_offset) FROM blob_chunk WHERE sha256 = ? AND byte_offset <= ?), 0)
                        ORDER BY byte_offset
                        """),
                arguments: [sha, end, sha, offset])
            for row in rows {
                let start: Int64 = row["byte_offset"]
                let bytes = [UInt8](row["bytes"] as Data)
                let from = Int(max(0, offset - start))
                let to = Int(min(Int64(bytes.count), end - start))
                if from < to { out += bytes[from..<to] }
            }
            return out
        }
    }

    /// Writes a complete blob to a file, piece by piece, checking its hash on the way; the file
    /// appears only once the whole blob is written and verified.
    @discardableResult
    public func exportBlob(_ sha: String, to path: String) throws(SimpulError) -> StoredBlob {
        guard let held = try blob(sha), held.complete else {
            throw SimpulError(.notFound, "lampiran \(sha.prefix(12)) belum lengkap di penyimpanan ini")
        }
        let url = URL(fileURLWithPath: path)
        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).sebagian")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
            throw SimpulError(.io, "file \(path) tidak bisa ditulis")
        }
        do {
            let handle = try FileHandle(forWritingTo: partial)
            defer { try? handle.close() }
            var hasher = SHA256()
            try pool.read { db in
                let cursor = try Row.fetchCursor(
                    db, sql: "SELECT bytes FROM blob_chunk WHERE sha256 = ? ORDER BY byte_offset", arguments: [sha])
                while let row = try cursor.next() {
                    let data = row["bytes"] as Data
                    hasher.update(data: data)
                    try handle.write(contentsOf: data)
                }
            }
            try handle.synchronize()
            guard Self.hex(hasher.finalize()) == sha else {
                try? FileManager.default.removeItem(at: partial)
                throw SimpulError(
                    .io, "lampiran \(sha.prefix(12)) rusak di penyimpanan: isinya tidak cocok dengan hash")
            }
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(at: partial, to: url)
        } catch let error as SimpulError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw SimpulError(.io, "file \(path) tidak bisa ditulis", cause: error)
        }
        return held
    }

    /// Whether the bytes held of a complete blob still hash to its name.
    public func verifyBlob(_ sha: String) throws(SimpulError) -> Bool {
        try readDB("memeriksa lampiran") { db in
            guard let held = try Self.blob(sha, db: db), held.complete else { return false }
            var hasher = SHA256()
            var count: Int64 = 0
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT bytes FROM blob_chunk WHERE sha256 = ? ORDER BY byte_offset", arguments: [sha])
            while let row = try cursor.next() {
                let data = row["bytes"] as Data
                hasher.update(data: data)
                count += Int64(data.count)
            }
            return count == held.size && Self.hex(hasher.finalize()) == sha
        }
    }

    /// The full name of the one blob this store holds whose name starts with `prefix`.
    public func blobName(prefix: String) throws(SimpulError) -> String {
        let p = prefix.lowercased()
        guard p.count >= 8, p.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw SimpulError(.usage, "sha256: '\(prefix)' harus paling sedikit 8 digit heksadesimal")
        }
        let names = try readDB("membaca lampiran") { db in
            try String.fetchAll(
                db, sql: "SELECT sha256 FROM blob WHERE sha256 >= ? AND sha256 < ? ORDER BY sha256 LIMIT 2",
                arguments: [p, p + "g"])
        }
        guard let first = names.first else {
            throw SimpulError(.notFound, "lampiran \(p) tidak ada di penyimpanan ini")
        }
        guard names.count == 1 else {
            throw SimpulError(.usage, "sha256: awalan \(p) cocok dengan lebih dari satu lampiran; tulis lebih panjang")
        }
        return first
    }

    // MARK: - Attachments and their events

    /// The partitions, writers and declared sizes of the `permohonan.attached` events in the log that name a blob.
    /// These, not the fold, decide who may send or read it: an event the fold set aside is still
    /// the writer's word that the document exists.
    public func blobReferences(
        _ sha: String
    ) throws(SimpulError) -> [(partition: String, node: String, size: Int64?)] {
        try readDB("membaca lampiran") { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT DISTINCT partition, node, json_extract(data, '$.size') AS size FROM event
                        WHERE type = 'permohonan.attached' AND json_extract(data, '$.sha256') = ?
                        """),
                arguments: [sha]
            ).map { (partition: $0["partition"], node: $0["node"], size: $0["size"]) }
        }
    }

    /// Blobs this node attached and holds complete that the hub has not confirmed yet, oldest first.
    public func pendingUploads() throws(SimpulError) -> [StoredBlob] {
        try readDB("membaca lampiran") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT b.sha256, b.size FROM blob b
                    WHERE b.complete = 1 AND b.at_hub IS NULL AND EXISTS (
                        SELECT 1 FROM event e
                        WHERE e.type = 'permohonan.attached' AND json_extract(e.data, '$.sha256') = b.sha256
                            AND e.node = ?)
                    ORDER BY b.created_at, b.sha256
                    """,
                arguments: [info.node.rawValue]
            ).map {
                StoredBlob(sha256: $0["sha256"], size: $0["size"], received: $0["size"], complete: true, atHub: false)
            }
        }
    }

    /// Blobs named by `permohonan.attached` events in `partitions` that this store does not hold
    /// complete, oldest event first: what a node fetches from the hub after a pull (a restored store,
    /// a sub-node's attachment). `size` is the size the event names, `received` what is held already,
    /// where a download that broke off resumes.
    public func missingBlobs(partitions: [String]) throws(SimpulError) -> [StoredBlob] {
        guard !partitions.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: partitions.count).joined(separator: ", ")
        return try readDB("membaca lampiran") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT json_extract(e.data, '$.sha256') AS sha256, MIN(json_extract(e.data, '$.size')) AS size,
                        COALESCE(MAX(b.received), 0) AS received
                    FROM event e LEFT JOIN blob b ON b.sha256 = json_extract(e.data, '$.sha256')
                    WHERE e.type = 'permohonan.attached' AND e.partition IN (\(marks))
                        AND COALESCE(b.complete, 0) = 0
                    GROUP BY json_extract(e.data, '$.sha256')
                    ORDER BY MIN(e.at), sha256
                    """,
                arguments: StatementArguments(partitions)
            ).map {
                StoredBlob(
                    sha256: $0["sha256"], size: $0["size"], received: $0["received"], complete: false, atHub: false)
            }
        }
    }

    /// The blobs named by `permohonan.attached` events of `node` in `partition` after `seq`: those a
    /// reply bundle carrying these events can carry too.
    public func attachedBlobs(partition: String, node: String, after seq: UInt64) throws(SimpulError) -> [String] {
        try readDB("membaca lampiran") { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT json_extract(data, '$.sha256') FROM event
                    WHERE type = 'permohonan.attached' AND partition = ? AND node = ? AND seq > ?
                    ORDER BY 1
                    """,
                arguments: [partition, node, Int64(clamping: seq)])
        }
    }

    /// At the hub: the blobs that `peer`'s last bundle with attachments carried and the hub holds
    /// complete, which its next reply confirms.
    public func blobReceipt(for peer: String) throws(SimpulError) -> [String] {
        try readDB("membaca lampiran") { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT p.sha256 FROM peer_blob p JOIN blob b ON b.sha256 = p.sha256 AND b.complete = 1
                    WHERE p.peer = ? ORDER BY p.sha256
                    """,
                arguments: [peer])
        }
    }

    /// Attaches a scanned document at the loket: the file's bytes become a blob and a
    /// `permohonan.attached` event names it, in one transaction. The file is read twice, once to
    /// name it and once to store it, so that memory stays bounded whatever its size. A file already
    /// attached whose bytes this store lacks only brings the bytes back.
    public func attach(
        file path: String, to number: String, syarat: String?, officer: String
    ) throws(SimpulError) -> AttachedFile {
        try attach(file: path, to: number, syarat: syarat, by: .typed(officer))
    }

    /// Attaches as an actor: an account must hold the loket's role, checked in the transaction that
    /// records the attachment (or brings its bytes back).
    ///
    /// With `issuedNumber`, at the hub: the document the PTSP issued on a forwarded, approved file (a PDF),
    /// by an account holding the PTSP petugas's role; it travels back to the counter like any scan.
    public func attach(
        file path: String, to number: String, syarat: String?, issuedNumber: String? = nil, by actor: Actor
    ) throws(SimpulError) -> AttachedFile {
        if case .typed(let name) = actor { _ = try Self.officerName(name) }
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw SimpulError(.notFound, "file: \(path) tidak ada")
        }
        let size: Int64
        do {
            size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        } catch {
            throw SimpulError(.io, "file: \(path) tidak bisa dibaca", cause: error)
        }
        if size > Attachment.maxBytes {
            throw SimpulError(
                .invalidData,
                "file: \(url.lastPathComponent) terlalu besar (\(Attachment.sizeText(size))); lampiran paling besar \(Attachment.sizeText(Attachment.maxBytes))"
            )
        }
        let sha = try Self.hashFile(url)
        let name = url.lastPathComponent
        let draft = Attachment(
            sha256: sha, size: size, name: name, mediaType: Attachment.mediaType(forFileName: name),
            syarat: syarat.flatMap { $0.isEmpty ? nil : $0 }, issuedNumber: issuedNumber)
        let at = now()
        let node = info.node
        enum Outcome {
            case recorded(Event)
            case restored(AttachedFile)
        }
        let outcome = try writeDB("melampirkan file") { db -> Outcome in
            guard let state = try Projection.load(number, db: db) else { throw Projection.notFound(number) }
            let who =
                issuedNumber == nil
                ? try self.attribution(
                    actor, required: .loket, task: OfficerRole.attachmentTask, typedRole: Peran.loket, db: db)
                : try self.attribution(
                    actor, required: nil, staffRequired: .petugas, task: "melampirkan dokumen terbit PTSP",
                    typedRole: Peran.ptsp, db: db)
            // The document is attached already but its bytes are not here (a restored store, a copy
            // found damaged and dropped): the same file brings them back without a second event.
            if let held = state.attachments.first(where: { $0.attachment.sha256 == sha }),
                try Self.blob(sha, db: db)?.complete != true
            {
                _ = try Self.insertComplete(sha: sha, size: size, at: at, db: db) { emit in
                    try Self.readFile(url) { try emit($0) }
                }
                return .restored(held)
            }
            let body = try Workflow.attach(draft, on: state)
            if let refusal = EventAuthorization.refusal(body: body, author: node, partition: state.partition) {
                throw SimpulError(.invalidData, refusal.message)
            }
            _ = try Self.insertComplete(sha: sha, size: size, at: at, db: db) { emit in
                try Self.readFile(url) { try emit($0) }
            }
            return .recorded(
                try self.append(
                    record: number, partition: state.partition, context: state.seen, officer: who.officer,
                    role: who.role, at: at, body: body, db: db))
        }
        let event: Event
        switch outcome {
        case .restored(let held):
            logger.info("attachment bytes restored", metadata: ["number": "\(number)", "sha256": "\(sha.prefix(12))"])
            return held
        case .recorded(let e): event = e
        }
        guard case .attached(let attachment) = event.body else {
            throw SimpulError(.io, "event lampiran \(event.dot) tidak tercatat sebagai lampiran")
        }
        logger.info(
            "attachment recorded",
            metadata: ["number": "\(number)", "sha256": "\(sha.prefix(12))", "bytes": "\(size)"])
        return AttachedFile(attachment: attachment, dot: event.dot)
    }

    private static func hashFile(_ url: URL) throws(SimpulError) -> String {
        var hasher = SHA256()
        do { try readFile(url) { hasher.update(data: $0) } } catch let error as SimpulError { throw error } catch {
            throw SimpulError(.io, "file: \(url.path) tidak bisa dibaca", cause: error)
        }
        return hex(hasher.finalize())
    }

    /// Reads a file in pieces of `blobChunkBytes`.
    private static func readFile(_ url: URL, _ body: ([UInt8]) throws -> Void) throws {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw SimpulError(.io, "file: \(url.path) tidak bisa dibaca", cause: error)
        }
        defer { try? handle.close() }
        while let data = try handle.read(upToCount: blobChunkBytes), !data.isEmpty { try body([UInt8](data)) }
    }
}
