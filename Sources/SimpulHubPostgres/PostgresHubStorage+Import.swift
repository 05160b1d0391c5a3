import Foundation
import NIOCore
import PostgresNIO
import SimpulDomain
import SimpulStore
import SimpulSync

/// What `simpul-hub migrate` needs beyond the hub's sync API: the bookkeeping rows of a SQLite hub
/// written as they were (their times, owners and waits, which the sync API would stamp anew), and
/// every table read back row by row so the copy can be compared column for column. Change sets and
/// keys do not come through here: they enter by the ordinary apply rules (`applyRemote`, `learn`).
extension PostgresHubStorage {
    /// The hub's tables that already hold rows (besides the hub's identity): `migrate` fills only an
    /// empty database, never merges into a used one.
    public func tablesInUse() throws(SimpulError) -> [String] {
        try read("memeriksa isi database") { tx in
            var used: [String] = []
            for table in [
                "event", "changeset", "parked", "node_key", "peer_knowledge", "contact", "relay", "node_report",
                "blob", "peer_blob", "permohonan", "conflict",
            ] {
                let query = PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(table))")
                if try tx.rows(query).first?.decode(Bool.self) == true { used.append(table) }
            }
            return used
        }
    }

    // MARK: - Writing rows as they were

    public func importPeerKnowledge(_ rows: [HubTables.PeerKnowledge]) throws(SimpulError) {
        try read("menyalin knowledge peer") { tx in
            for r in rows {
                try tx.execute(
                    """
                    INSERT INTO peer_knowledge (peer, partition, node, seq) VALUES (\(r.peer), \(r.partition), \(r.node), \(r.seq))
                    """)
            }
        }
    }

    public func importContacts(_ contacts: [Contact]) throws(SimpulError) {
        try read("menyalin kontak") { tx in
            for c in contacts {
                try tx.execute(
                    """
                    INSERT INTO contact (node, last_contact, last_result, refused_in_a_row)
                    VALUES (\(c.node), \(c.lastContact.description), \(c.lastResult), \(Int32(clamping: c.refusedInARow)))
                    """)
            }
        }
    }

    public func importRelays(_ relays: [HubTables.Relay]) throws(SimpulError) {
        try read("menyalin relay") { tx in
            for r in relays {
                try tx.execute("INSERT INTO relay (relay, node, since) VALUES (\(r.relay), \(r.node), \(r.since))")
            }
        }
    }

    /// Parked change sets with their reasons, times and waits: they were verified when they arrived,
    /// and the hub retries them by the same rules once what they wait for comes.
    public func importParked(_ parked: [HubTables.Parked]) throws(SimpulError) {
        try write("menyalin parkir") { tx in
            for p in parked {
                try tx.execute(
                    """
                    INSERT INTO parked (hash, partition, node, first_seq, body, reason, parked_at, wait_node, wait_seq)
                    VALUES (\(p.hash), \(p.partition), \(p.node), \(p.firstSeq), \(ByteBuffer(bytes: p.body)), \(p.reason),
                        \(p.parkedAt), \(p.waitNode), \(p.waitSeq))
                    """)
            }
        }
    }

    /// One blob, its row as it was and its bytes as `piece` hands them over from an offset (an
    /// empty piece ends them), in one transaction: a blob is copied whole or not at all. A complete
    /// blob whose bytes do not hash to its name is refused.
    public func importBlob(
        _ blob: HubTables.Blob, piece: (Int64) throws(SimpulError) -> [UInt8]
    ) throws(SimpulError) {
        try read("menyalin lampiran") { tx in
            try tx.lockBlob(blob.sha256)
            try tx.execute(
                """
                INSERT INTO blob (sha256, size, received, complete, created_at, at_hub, owner)
                VALUES (\(blob.sha256), \(blob.size), \(blob.received), \(blob.complete), \(blob.createdAt), \(blob.atHub),
                    \(blob.owner))
                """)
            var offset: Int64 = 0
            while offset < blob.received {
                let bytes = try piece(offset)
                guard !bytes.isEmpty else { break }
                try tx.execute(
                    """
                    INSERT INTO blob_chunk (sha256, byte_offset, bytes) VALUES (\(blob.sha256), \(offset), \(ByteBuffer(bytes: bytes)))
                    """)
                offset += Int64(bytes.count)
            }
            guard offset == blob.received else {
                throw SimpulError(
                    .invalidData, "lampiran \(blob.sha256.prefix(12)): \(offset) byte terbaca, bukan \(blob.received)")
            }
            if blob.complete, try tx.hashOfChunks(blob.sha256) != blob.sha256 {
                throw SimpulError(.invalidData, "isi lampiran \(blob.sha256.prefix(12)) tidak cocok dengan SHA-256-nya")
            }
        }
    }

    public func importPeerBlobs(_ rows: [HubTables.PeerBlob]) throws(SimpulError) {
        try read("menyalin lampiran peer") { tx in
            for r in rows {
                try tx.execute("INSERT INTO peer_blob (peer, sha256) VALUES (\(r.peer), \(r.sha256))")
            }
        }
    }

    // MARK: - Reading rows back

    /// Up to `limit` events of one writer in one partition after `seq`, every column as stored.
    public func loggedEvents(
        partition: String, node: String, after seq: UInt64, limit: Int
    ) throws(SimpulError) -> [LoggedColumns] {
        try read("membaca event") { tx in
            try tx.rows(
                """
                SELECT \(unescaped: PostgresStorageTransaction.eventColumns) FROM event
                WHERE partition = \(partition) AND node = \(node) AND seq > \(try PostgresStorageTransaction.int(seq))
                ORDER BY seq LIMIT \(Int64(max(0, limit)))
                """
            ).map { row in
                let (partition, node, seq, lamport, record, type, officer, role, at, context, data) = try row.decode(
                    (String, String, Int64, Int64, String, String, String, String, String, String, String).self)
                return LoggedColumns(
                    partition: partition, node: node, seq: UInt64(seq), lamport: UInt64(lamport), record: record,
                    type: type, officer: officer, role: role, at: at, context: context, data: data)
            }
        }
    }

    public func eventCount() throws(SimpulError) -> Int {
        try read("menghitung event") { tx in
            Int(try tx.rows("SELECT COUNT(*) FROM event").first?.decode(Int64.self) ?? 0)
        }
    }

    // Text columns are ordered by byte ("C"), as SQLite orders them, whatever the database's collation.

    public func relays() throws(SimpulError) -> [HubTables.Relay] {
        try read("membaca relay") { tx in
            try tx.rows(#"SELECT relay, node, since FROM relay ORDER BY relay COLLATE "C", node COLLATE "C""#).map {
                let (relay, node, since) = try $0.decode((String, String, String).self)
                return HubTables.Relay(relay: relay, node: node, since: since)
            }
        }
    }

    public func allPeerKnowledge() throws(SimpulError) -> [HubTables.PeerKnowledge] {
        try read("membaca knowledge peer") { tx in
            try tx.rows(
                #"""
                SELECT peer, partition, node, seq FROM peer_knowledge
                ORDER BY peer COLLATE "C", partition COLLATE "C", node COLLATE "C"
                """#
            ).map {
                let (peer, partition, node, seq) = try $0.decode((String, String, String, Int64).self)
                return HubTables.PeerKnowledge(peer: peer, partition: partition, node: node, seq: seq)
            }
        }
    }

    public func parkedRows() throws(SimpulError) -> [HubTables.Parked] {
        try read("membaca parkir") { tx in
            try tx.rows(
                #"""
                SELECT hash, partition, node, first_seq, body, reason, parked_at, wait_node, wait_seq
                FROM parked ORDER BY hash COLLATE "C"
                """#
            ).map {
                let (hash, partition, node, first, body, reason, parkedAt, waitNode, waitSeq) = try $0.decode(
                    (String, String, String, Int64, ByteBuffer, String, String, String?, Int64?).self)
                return HubTables.Parked(
                    hash: hash, partition: partition, node: node, firstSeq: first, body: Array(body.readableBytesView),
                    reason: reason, parkedAt: parkedAt, waitNode: waitNode, waitSeq: waitSeq)
            }
        }
    }

    public func blobRows() throws(SimpulError) -> [HubTables.Blob] {
        try read("membaca lampiran") { tx in
            try tx.rows(
                #"""
                SELECT sha256, size, received, complete, created_at, at_hub, owner FROM blob ORDER BY sha256 COLLATE "C"
                """#
            ).map {
                let (sha, size, received, complete, createdAt, atHub, owner) = try $0.decode(
                    (String, Int64, Int64, Bool, String, String?, String?).self)
                return HubTables.Blob(
                    sha256: sha, size: size, received: received, complete: complete, createdAt: createdAt,
                    atHub: atHub, owner: owner)
            }
        }
    }

    public func peerBlobs() throws(SimpulError) -> [HubTables.PeerBlob] {
        try read("membaca lampiran peer") { tx in
            try tx.rows(#"SELECT peer, sha256 FROM peer_blob ORDER BY peer COLLATE "C", sha256 COLLATE "C""#).map {
                let (peer, sha) = try $0.decode((String, String).self)
                return HubTables.PeerBlob(peer: peer, sha256: sha)
            }
        }
    }
}
