import Crypto
import Foundation
import GRDB
import SimpulDomain

/// The hub's tables row by row, exactly as stored, for `simpul-hub migrate`: the copy to PostgreSQL
/// needs the bookkeeping columns (times, owners, waits) that the sync API does not return, and the
/// check after it compares every column on both sides. Both stores answer with these same types.
public enum HubTables {
    public struct Relay: Sendable, Equatable {
        public var relay: String
        public var node: String
        public var since: String

        public init(relay: String, node: String, since: String) {
            self.relay = relay
            self.node = node
            self.since = since
        }
    }

    public struct PeerKnowledge: Sendable, Equatable {
        public var peer: String
        public var partition: String
        public var node: String
        public var seq: Int64

        public init(peer: String, partition: String, node: String, seq: Int64) {
            self.peer = peer
            self.partition = partition
            self.node = node
            self.seq = seq
        }
    }

    public struct Parked: Sendable, Equatable {
        public var hash: String
        public var partition: String
        public var node: String
        public var firstSeq: Int64
        public var body: [UInt8]
        public var reason: String
        public var parkedAt: String
        public var waitNode: String?
        public var waitSeq: Int64?

        public init(
            hash: String, partition: String, node: String, firstSeq: Int64, body: [UInt8], reason: String,
            parkedAt: String, waitNode: String?, waitSeq: Int64?
        ) {
            self.hash = hash
            self.partition = partition
            self.node = node
            self.firstSeq = firstSeq
            self.body = body
            self.reason = reason
            self.parkedAt = parkedAt
            self.waitNode = waitNode
            self.waitSeq = waitSeq
        }
    }

    /// A blob's row without its bytes (read them with `readBlob`).
    public struct Blob: Sendable, Equatable {
        public var sha256: String
        public var size: Int64
        public var received: Int64
        public var complete: Bool
        public var createdAt: String
        public var atHub: String?
        public var owner: String?

        public init(
            sha256: String, size: Int64, received: Int64, complete: Bool, createdAt: String, atHub: String?,
            owner: String?
        ) {
            self.sha256 = sha256
            self.size = size
            self.received = received
            self.complete = complete
            self.createdAt = createdAt
            self.atHub = atHub
            self.owner = owner
        }
    }

    public struct PeerBlob: Sendable, Equatable {
        public var peer: String
        public var sha256: String

        public init(peer: String, sha256: String) {
            self.peer = peer
            self.sha256 = sha256
        }
    }
    /// SHA-256 over a listing of rows, one field at a time, each written with its length (or as
    /// absent), so no two different listings hash alike: `migrate` compares one per table.
    public struct Digest: Sendable {
        private var hasher = SHA256()
        public private(set) var rows = 0

        public init() {}

        public mutating func add(_ fields: [String?]) {
            var line = ""
            for field in fields {
                if let field { line += "\(field.utf8.count):\(field)|" } else { line += "-|" }
            }
            hasher.update(data: Data((line + "\n").utf8))
            rows += 1
        }

        /// Adds a line that is not a row (a count both sides must agree on).
        public mutating func note(_ text: String) {
            hasher.update(data: Data(("#" + text + "\n").utf8))
        }

        public var hex: String { Self.hex(hasher.finalize()) }

        public static func sha256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

        static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
    }

    /// SHA-256 of bytes handed over in pieces (a blob's).
    public struct StreamHash: Sendable {
        private var hasher = SHA256()
        public init() {}
        public mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }
        public var hex: String { Digest.hex(hasher.finalize()) }
    }
}

extension NodeStore {
    /// Up to `limit` events of one writer in one partition after `seq`, in seq order, every column
    /// as stored.
    public func loggedEvents(
        partition: String, node: String, after seq: UInt64, limit: Int
    ) throws(SimpulError) -> [LoggedColumns] {
        try readDB("membaca event") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM event WHERE partition = ? AND node = ? AND seq > ? ORDER BY seq LIMIT ?",
                arguments: [partition, node, Int64(clamping: seq), limit]
            ).map { row in
                LoggedColumns(
                    partition: row["partition"], node: row["node"], seq: UInt64(row["seq"] as Int64),
                    lamport: UInt64(row["lamport"] as Int64), record: row["record"], type: row["type"],
                    officer: row["officer"], role: row["role"], at: row["at"], context: row["context"],
                    data: row["data"])
            }
        }
    }

    /// The store's tables with their row counts: `migrate` names those it does not copy.
    public func tableRowCounts() throws(SimpulError) -> [(table: String, rows: Int)] {
        try readDB("membaca daftar tabel") { db in
            let names = try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                        AND name NOT LIKE 'grdb_%' ORDER BY name
                    """)
            return try names.map { name in
                // The name comes from sqlite_master itself, quoted as an identifier.
                let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                return (name, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(quoted)") ?? 0)
            }
        }
    }

    public func relays() throws(SimpulError) -> [HubTables.Relay] {
        try readDB("membaca relay") { db in
            try Row.fetchAll(db, sql: "SELECT relay, node, since FROM relay ORDER BY relay, node").map {
                HubTables.Relay(relay: $0["relay"], node: $0["node"], since: $0["since"])
            }
        }
    }

    /// Every peer's knowledge, in (peer, partition, node) order.
    public func allPeerKnowledge() throws(SimpulError) -> [HubTables.PeerKnowledge] {
        try readDB("membaca knowledge peer") { db in
            try Row.fetchAll(
                db, sql: "SELECT peer, partition, node, seq FROM peer_knowledge ORDER BY peer, partition, node"
            ).map {
                HubTables.PeerKnowledge(peer: $0["peer"], partition: $0["partition"], node: $0["node"], seq: $0["seq"])
            }
        }
    }

    /// The parking with every column, in hash order.
    public func parkedRows() throws(SimpulError) -> [HubTables.Parked] {
        try readDB("membaca parkir") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT hash, partition, node, first_seq, body, reason, parked_at, wait_node, wait_seq
                    FROM parked ORDER BY hash
                    """
            ).map {
                HubTables.Parked(
                    hash: $0["hash"], partition: $0["partition"], node: $0["node"], firstSeq: $0["first_seq"],
                    body: [UInt8]($0["body"] as Data), reason: $0["reason"], parkedAt: $0["parked_at"],
                    waitNode: $0["wait_node"], waitSeq: $0["wait_seq"])
            }
        }
    }

    /// Every blob's row, complete or not, in name order.
    public func blobRows() throws(SimpulError) -> [HubTables.Blob] {
        try readDB("membaca lampiran") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT sha256, size, received, complete, created_at, at_hub, owner FROM blob ORDER BY sha256"
            ).map {
                HubTables.Blob(
                    sha256: $0["sha256"], size: $0["size"], received: $0["received"], complete: $0["complete"],
                    createdAt: $0["created_at"], atHub: $0["at_hub"], owner: $0["owner"])
            }
        }
    }

    public func peerBlobs() throws(SimpulError) -> [HubTables.PeerBlob] {
        try readDB("membaca lampiran") { db in
            try Row.fetchAll(db, sql: "SELECT peer, sha256 FROM peer_blob ORDER BY peer, sha256").map {
                HubTables.PeerBlob(peer: $0["peer"], sha256: $0["sha256"])
            }
        }
    }

    /// The hub's own events not yet sealed in a change set, per partition: `migrate` seals them first
    /// and then checks none is left.
    public func unsealedOwnEvents() throws(SimpulError) -> Int {
        let node = info.node.rawValue
        return try readDB("membaca event") { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM event e WHERE e.node = ? AND e.seq > COALESCE(
                        (SELECT MAX(last_seq) FROM changeset c WHERE c.partition = e.partition AND c.node = e.node), 0)
                    """,
                arguments: [node]) ?? 0
        }
    }
}
