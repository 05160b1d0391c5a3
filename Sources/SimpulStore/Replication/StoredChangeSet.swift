import Foundation
import GRDB
import SimpulDomain

/// A change set as the store keeps it: its place in its writer's chain and the signed document,
/// which the store treats as opaque bytes so it travels on exactly as it was signed.
public struct StoredChangeSet: Sendable, Equatable {
    public var partition: String
    public var node: String
    public var first: UInt64
    public var last: UInt64
    public var hash: String
    public var prev: String?
    public var key: String
    /// The writer's signature over the hash (base64).
    public var signature: String
    /// The signed document, byte for byte.
    public var body: [UInt8]

    public init(
        partition: String, node: String, first: UInt64, last: UInt64, hash: String, prev: String?, key: String,
        signature: String, body: [UInt8]
    ) {
        self.partition = partition
        self.node = node
        self.first = first
        self.last = last
        self.hash = hash
        self.prev = prev
        self.key = key
        self.signature = signature
        self.body = body
    }
}

extension NodeStore {
    // MARK: - Knowledge

    /// Per partition, the highest seq held from each writer.
    public func knowledge() throws(SimpulError) -> [String: VersionVector] {
        try readDB("membaca knowledge") { db in try Self.knowledge(db: db) }
    }

    static func knowledge(db: Database) throws -> [String: VersionVector] {
        var result: [String: [String: UInt64]] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT partition, node, seq FROM knowledge")) {
            result[row["partition"], default: [:]][row["node"]] = UInt64(row["seq"] as Int64)
        }
        return result.mapValues { VersionVector($0) }
    }

    /// The partitions this node replicates: a kecamatan its own and the kabupaten's global one; the
    /// hub every partition it holds plus the global one.
    public func replicatedPartitions() throws(SimpulError) -> [String] {
        let node = info.node
        if !node.isHub { return [node.homePartition, node.kabupaten.code].sorted() }
        let held = try readDB("membaca partisi") { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT partition FROM knowledge")
        }
        return Set(held + [node.kabupaten.code]).sorted()
    }

    // MARK: - Change sets

    /// This node's events in a partition after `seq`, in seq order, at most `limit`.
    public func ownEvents(partition: String, after seq: UInt64, limit: Int) throws(SimpulError) -> [Event] {
        try readDB("membaca event") { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT \(EventCodec.columns) FROM event WHERE partition = ? AND node = ? AND seq > ? ORDER BY seq LIMIT ?",
                arguments: [partition, info.node.rawValue, Int64(seq), limit]
            ).map(EventCodec.decode)
        }
    }

    /// The partitions this node has written events in.
    public func ownPartitions() throws(SimpulError) -> [String] {
        try readDB("membaca partisi") { db in
            try String.fetchAll(
                db, sql: "SELECT partition FROM knowledge WHERE node = ? ORDER BY partition",
                arguments: [info.node.rawValue])
        }
    }

    /// A writer's change sets holding seqs after `seq`, oldest first: where each starts and its size,
    /// without reading the documents.
    public func changeSetSizes(
        partition: String, node: String, after seq: UInt64
    ) throws(SimpulError) -> [(first: UInt64, last: UInt64, bytes: Int)] {
        try readDB("membaca change set") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT first_seq, last_seq, bytes FROM changeset WHERE partition = ? AND node = ? AND last_seq > ?
                    ORDER BY first_seq
                    """,
                arguments: [partition, node, Int64(seq)]
            ).map { (UInt64($0["first_seq"] as Int64), UInt64($0["last_seq"] as Int64), $0["bytes"]) }
        }
    }

    /// Every change set held, oldest first per writer (for exports and restores).
    public func changeSetCount() throws(SimpulError) -> Int {
        try readDB("menghitung change set") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM changeset") ?? 0 }
    }

    /// Change set documents the log cannot give back byte for byte are kept, compressed.
    static let bodyLevel: Int32 = 3
}
