import Crypto
import Foundation
import NIOCore
import PostgresNIO
import SimpulDomain
import SimpulStore
import SimpulSync

/// Blobs on PostgreSQL, by the rules of `NodeStore`'s (NodeStore+Blobs.swift, WholeBatch.swift): the
/// same offsets, sizes, hash check, owners and error codes, so that a node cannot tell which store
/// its hub runs on. Blob writes outside a bundle touch no table of the log, so they run in a plain
/// transaction under the blob's own lock (`lockBlob`) and never wait for a push.
extension PostgresHubStorage {
    public func blob(_ sha: String) throws(SimpulError) -> StoredBlob? {
        try read("membaca lampiran") { tx in try tx.blob(sha) }
    }

    public func blobReferences(
        _ sha: String
    ) throws(SimpulError) -> [(partition: String, node: String, size: Int64?)] {
        try read("membaca lampiran") { tx in
            try tx.rows(
                """
                SELECT DISTINCT partition, node, ((data::jsonb) ->> 'size')::BIGINT FROM event
                WHERE type = 'permohonan.attached' AND ((data::jsonb) ->> 'sha256') = \(sha)
                """
            ).map { row in
                let (partition, node, size) = try row.decode((String, String, Int64?).self)
                return (partition: partition, node: node, size: size)
            }
        }
    }

    /// See `NodeStore.appendBlobChunk`: a piece is taken only at the offset reached; the piece that
    /// completes the blob only if the whole hashes to its name, else all of it is discarded (and that
    /// is committed, so the next attempt starts clean); another uploader's partial blob is restarted
    /// at offset 0 and refused anywhere else.
    public func appendBlobChunk(
        sha256 sha: String, offset: Int64, bytes: [UInt8], totalSize: Int64, uploader: String
    ) throws(BlobError) -> StoredBlob {
        guard Attachment.isSHA256(sha) else {
            throw BlobError(.size, "'\(sha)' bukan nama blob (SHA-256 heksadesimal)", received: 0)
        }
        let at = clock()
        enum Outcome {
            case taken(StoredBlob)
            case refused(BlobError)
        }
        let outcome: Outcome
        do {
            outcome = try read("menyimpan lampiran") { tx -> Outcome in
                try tx.lockBlob(sha)
                var held = try tx.blob(sha)
                if let partial = held, !partial.complete, try tx.blobOwner(sha) != uploader {
                    // Another node's partial upload is nothing to resume from: this uploader starts at 0.
                    guard offset == 0 else {
                        return .refused(
                            BlobError(.offset, "blob \(sha.prefix(12)) belum diterima dari node ini", received: 0))
                    }
                    try tx.discardBlob(sha)
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
                    try tx.execute(
                        """
                        INSERT INTO blob (sha256, size, received, complete, created_at, owner)
                        VALUES (\(sha), \(totalSize), 0, FALSE, \(at.description), \(uploader))
                        """)
                }
                try tx.execute(
                    """
                    INSERT INTO blob_chunk (sha256, byte_offset, bytes) VALUES (\(sha), \(offset), \(ByteBuffer(bytes: bytes)))
                    """)
                guard end == totalSize else {
                    try tx.execute("UPDATE blob SET received = \(end) WHERE sha256 = \(sha)")
                    return .taken(
                        StoredBlob(sha256: sha, size: totalSize, received: end, complete: false, atHub: false))
                }
                guard try tx.hashOfChunks(sha) == sha else {
                    try tx.discardBlob(sha)
                    return .refused(
                        BlobError(
                            .hashMismatch,
                            "isi blob \(sha.prefix(12)) tidak cocok dengan SHA-256-nya; yang diterima dibuang",
                            received: 0))
                }
                try tx.execute("UPDATE blob SET received = \(end), complete = TRUE WHERE sha256 = \(sha)")
                return .taken(StoredBlob(sha256: sha, size: totalSize, received: end, complete: true, atHub: false))
            }
        } catch {
            throw BlobError(.store, "blob \(sha.prefix(12)) tidak bisa disimpan", received: 0, cause: error)
        }
        switch outcome {
        case .taken(let blob): return blob
        case .refused(let error): throw error
        }
    }

    public func blobOwner(_ sha: String) throws(SimpulError) -> String? {
        try read("membaca lampiran") { tx in try tx.blobOwner(sha) }
    }

    public func claimBlobs(_ shas: [String], owner node: String) throws(SimpulError) {
        guard !shas.isEmpty else { return }
        try read("mencatat pemilik lampiran") { tx in
            for sha in shas {
                try tx.execute(
                    """
                    UPDATE blob SET owner = \(node) WHERE sha256 = \(sha) AND owner IS NULL AND complete AND EXISTS (
                        SELECT 1 FROM event WHERE type = 'permohonan.attached'
                            AND ((data::jsonb) ->> 'sha256') = blob.sha256 AND node = \(node))
                    """)
            }
        }
    }

    public func readBlob(_ sha: String, offset: Int64, count: Int) throws(SimpulError) -> [UInt8] {
        try read("membaca lampiran") { tx in
            guard let held = try tx.blob(sha), offset >= 0, offset < held.received, count > 0 else { return [] }
            // offset < received and count > 0: only their sum can overflow, and then the end is the blob's.
            let (sum, overflow) = offset.addingReportingOverflow(Int64(count))
            let end = overflow ? held.received : min(held.received, sum)
            var out: [UInt8] = []
            out.reserveCapacity(Int(end - offset))
            // Pieces may have any length, so the read starts at the piece that holds `offset`.
            let rows = try tx.rows(
                """
                SELECT byte_offset, bytes FROM blob_chunk
                WHERE sha256 = \(sha) AND byte_offset < \(end) AND byte_offset >= COALESCE(
                    (SELECT MAX(byte_offset) FROM blob_chunk WHERE sha256 = \(sha) AND byte_offset <= \(offset)), 0)
                ORDER BY byte_offset
                """)
            for row in rows {
                let (start, buffer) = try row.decode((Int64, ByteBuffer).self)
                let bytes = Array(buffer.readableBytesView)
                let from = Int(max(0, offset - start))
                let to = Int(min(Int64(bytes.count), end - start))
                if from < to { out += bytes[from..<to] }
            }
            return out
        }
    }

    public func attachedBlobs(partition: String, node: String, after seq: UInt64) throws(SimpulError) -> [String] {
        try read("membaca lampiran") { tx in
            // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
            try tx.rows(
                """
                SELECT DISTINCT ((data::jsonb) ->> 'sha256') COLLATE "C" FROM event
                WHERE type = 'permohonan.attached' AND partition = \(partition) AND node = \(node)
                    AND seq > \(Int64(clamping: seq))
                ORDER BY 1
                """
            ).map { try $0.decode(String.self) }
        }
    }

    public func blobReceipt(for peer: String) throws(SimpulError) -> [String] {
        try read("membaca lampiran") { tx in
            try tx.rows(
                """
                SELECT p.sha256 FROM peer_blob p JOIN blob b ON b.sha256 = p.sha256 AND b.complete
                WHERE p.peer = \(peer) ORDER BY p.sha256 COLLATE "C"
                """
            ).map { try $0.decode(String.self) }
        }
    }
}

extension PostgresStorageTransaction: BundleBlobTransaction {
    /// Until the transaction ends, no other transaction checks or writes the pieces of this blob.
    func lockBlob(_ sha: String) throws {
        try execute("SELECT pg_advisory_xact_lock(\(PostgresSchema.blobLockClass), hashtext(\(sha)))")
    }

    func blob(_ sha: String) throws -> StoredBlob? {
        try rows("SELECT size, received, complete, at_hub FROM blob WHERE sha256 = \(sha)").first.map { row in
            let (size, received, complete, atHub) = try row.decode((Int64, Int64, Bool, String?).self)
            return StoredBlob(sha256: sha, size: size, received: received, complete: complete, atHub: atHub != nil)
        }
    }

    func blobOwner(_ sha: String) throws -> String? {
        try rows("SELECT owner FROM blob WHERE sha256 = \(sha)").first?.decode(String?.self) ?? nil
    }

    /// Forgets a blob and its pieces (they go with it: `ON DELETE CASCADE`).
    func discardBlob(_ sha: String) throws {
        try execute("DELETE FROM blob WHERE sha256 = \(sha)")
    }

    /// The lowercase hex SHA-256 of a blob's pieces in order, read a few at a time so that a large
    /// blob is never all in memory.
    func hashOfChunks(_ sha: String) throws -> String {
        var hasher = SHA256()
        var next: Int64 = 0
        while true {
            let page = try rows(
                """
                SELECT byte_offset, bytes FROM blob_chunk WHERE sha256 = \(sha) AND byte_offset >= \(next)
                ORDER BY byte_offset LIMIT 16
                """)
            guard !page.isEmpty else { break }
            for row in page {
                let (start, bytes) = try row.decode((Int64, ByteBuffer).self)
                hasher.update(data: Array(bytes.readableBytesView))
                next = start + 1
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The sizes that `permohonan.attached` events in the log (of `writer`, when given) name for a blob.
    func attachedSizes(sha256 sha: String, writer: String?) throws -> [Int64] {
        try rows(
            """
            SELECT DISTINCT ((data::jsonb) ->> 'size')::BIGINT FROM event
            WHERE type = 'permohonan.attached' AND ((data::jsonb) ->> 'sha256') = \(sha)
                AND (\(writer)::TEXT IS NULL OR node = \(writer))
            """
        ).compactMap { try $0.decode(Int64?.self) }
    }

    /// Stores bytes whose SHA-256 is `sha` (`BundleBlobs.take` checked it) as a complete blob with no
    /// owner yet, replacing a partial one; a blob held complete is left as it is.
    func storeCompleteBlob(sha256 sha: String, bytes: [UInt8], at: Timestamp) throws {
        try lockBlob(sha)
        if try blob(sha)?.complete == true { return }
        try discardBlob(sha)
        let size = Int64(bytes.count)
        try execute(
            """
            INSERT INTO blob (sha256, size, received, complete, created_at) VALUES (\(sha), \(size), \(size), TRUE,
                \(at.description))
            """)
        for start in stride(from: 0, to: bytes.count, by: NodeStore.blobChunkBytes) {
            let piece = bytes[start..<min(start + NodeStore.blobChunkBytes, bytes.count)]
            try execute(
                """
                INSERT INTO blob_chunk (sha256, byte_offset, bytes) VALUES (\(sha), \(Int64(start)), \(ByteBuffer(bytes: piece)))
                """)
        }
    }

    func replacePeerBlobs(peer: String, with shas: [String]) throws {
        try execute("DELETE FROM peer_blob WHERE peer = \(peer)")
        for sha in shas {
            try execute("INSERT INTO peer_blob (peer, sha256) VALUES (\(peer), \(sha)) ON CONFLICT DO NOTHING")
        }
    }

    /// Marks a complete blob as held at the hub; returns whether it was not marked before.
    func markBlobAtHub(_ sha: String, at: Timestamp) throws -> Bool {
        try changed(
            "UPDATE blob SET at_hub = \(at.description) WHERE sha256 = \(sha) AND complete AND at_hub IS NULL") > 0
    }
}
