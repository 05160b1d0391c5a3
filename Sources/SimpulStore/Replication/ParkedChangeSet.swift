import Foundation
import GRDB
import SimpulDomain

/// A change set kept until what it depends on arrives: verified when it came, and applied by the
/// sync policy once it can be.
public struct ParkedChangeSet: Sendable, Equatable {
    public var hash: String
    /// Why it waits (shown to the operator).
    public var reason: String
    /// The signed document, byte for byte.
    public var body: [UInt8]

    public init(hash: String, reason: String, body: [UInt8]) {
        self.hash = hash
        self.reason = reason
        self.body = body
    }
}

/// How much one writer may have waiting in a receiver's parking. A parked change set costs its bytes
/// and a retry whenever what it waits for may have come; without a bound, a stolen laptop with a
/// valid key could fill the hub's disk with change sets that wait for ever (sync-schemas/README.md,
/// "Bounds").
public enum ParkingLimit {
    /// Change sets of one writer parked at once.
    public static let changeSets = 1_000
    /// Bytes of signed documents of one writer parked at once (64 MiB).
    public static let bytes: Int64 = 64 * 1024 * 1024
}

extension NodeStore {
    /// Forgets a parked change set (applied meanwhile, or refused for good).
    public func unpark(hash: String) throws(SimpulError) {
        try writeDB("melepas parkir") { db in
            try db.execute(sql: "DELETE FROM parked WHERE hash = ?", arguments: [hash])
        }
    }

    /// Parked change sets' signed documents, oldest seq first.
    public func parkedBodies() throws(SimpulError) -> [ParkedChangeSet] {
        try readDB("membaca parkir") { db in
            try Row.fetchAll(db, sql: "SELECT hash, reason, body FROM parked ORDER BY partition, node, first_seq").map {
                ParkedChangeSet(hash: $0["hash"], reason: $0["reason"], body: [UInt8]($0["body"] as Data))
            }
        }
    }

    /// The parked change sets whose wait may be over: what each waits for (its writer's previous change
    /// set, or the event `parkWaits` noted) is in the log now. Oldest seq first.
    public func parkedReady() throws(SimpulError) -> [ParkedChangeSet] {
        try readDB("membaca parkir") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.hash, p.reason, p.body FROM parked p
                    LEFT JOIN knowledge k ON k.partition = p.partition AND k.node = COALESCE(p.wait_node, p.node)
                    WHERE COALESCE(k.seq, 0) >= COALESCE(p.wait_seq, p.first_seq - 1)
                    ORDER BY p.partition, p.node, p.first_seq
                    """
            ).map {
                ParkedChangeSet(hash: $0["hash"], reason: $0["reason"], body: [UInt8]($0["body"] as Data))
            }
        }
    }

    /// Notes what a parked change set still waits for after a retry: `node`'s event `seq` in its
    /// partition. It is not retried before that event is held.
    public func parkWaits(hash: String, node: String, seq: UInt64) throws(SimpulError) {
        guard let seq = Int64(exactly: seq) else { return }
        try writeDB("mencatat parkir") { db in
            try db.execute(
                sql: "UPDATE parked SET wait_node = ?, wait_seq = ? WHERE hash = ?", arguments: [node, seq, hash])
        }
    }

    /// How many change sets of `node`, and how many bytes, wait in the parking.
    public func parkedUsage(node: String) throws(SimpulError) -> (changeSets: Int, bytes: Int64) {
        try readDB("membaca parkir") { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(length(body)), 0) AS b FROM parked WHERE node = ?",
                arguments: [node])
            return (row?["n"] ?? 0, row?["b"] ?? 0)
        }
    }
}
