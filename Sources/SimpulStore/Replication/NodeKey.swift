import Foundation
import GRDB
import SimpulDomain

/// A node's public key as enrolled at the hub (or learned from it).
public struct NodeKey: Sendable, Equatable, Codable {
    public var node: String
    public var publicKey: String
    public var fingerprint: String
    public var enrolledAt: Timestamp
    public var revokedAt: Timestamp?
    /// The key the node signs with now; older keys stay to verify what they signed.
    public var active: Bool

    public init(
        node: String, publicKey: String, fingerprint: String, enrolledAt: Timestamp, revokedAt: Timestamp?,
        active: Bool
    ) {
        self.node = node
        self.publicKey = publicKey
        self.fingerprint = fingerprint
        self.enrolledAt = enrolledAt
        self.revokedAt = revokedAt
        self.active = active
    }
}

extension NodeStore {

    /// Enrolls a node's public key; it becomes the node's active key and earlier keys stay only to
    /// verify what they signed. Enrolling clears a revocation.
    public func enroll(node: NodeID, publicKey: String, fingerprint: String) throws(SimpulError) -> NodeKey {
        let at = now()
        return try writeDB("mendaftarkan kunci") { db in
            try db.execute(
                sql: "UPDATE node_key SET active = 0, revoked_at = NULL WHERE node = ?", arguments: [node.rawValue])
            try db.execute(
                sql: """
                    INSERT INTO node_key (fingerprint, node, public_key, enrolled_at, revoked_at, active)
                    VALUES (?, ?, ?, ?, NULL, 1)
                    ON CONFLICT (fingerprint) DO UPDATE SET active = 1, revoked_at = NULL
                    """,
                arguments: [fingerprint, node.rawValue, publicKey, at.description])
            return NodeKey(
                node: node.rawValue, publicKey: publicKey, fingerprint: fingerprint, enrolledAt: at, revokedAt: nil,
                active: true)
        }
    }

    /// Learns keys from the hub (a kecamatan keeps the keys of the writers it receives from).
    public func learn(_ keys: [NodeKey]) throws(SimpulError) {
        try writeDB("menyimpan kunci") { db in try Self.learn(keys, db: db) }
    }

    static func learn(_ keys: [NodeKey], db: Database) throws {
        for k in keys {
            try db.execute(
                sql: """
                    INSERT INTO node_key (fingerprint, node, public_key, enrolled_at, revoked_at, active)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (fingerprint) DO UPDATE SET revoked_at = excluded.revoked_at, active = excluded.active
                    """,
                arguments: [
                    k.fingerprint, k.node, k.publicKey, k.enrolledAt.description, k.revokedAt?.description, k.active,
                ])
        }
    }

    /// Revokes a node: its requests and change sets are refused from now on.
    public func revoke(node: NodeID) throws(SimpulError) {
        let at = now()
        let changed = try writeDB("mencabut node") { db -> Int in
            try db.execute(
                sql: "UPDATE node_key SET revoked_at = ? WHERE node = ? AND revoked_at IS NULL",
                arguments: [at.description, node.rawValue])
            return db.changesCount
        }
        guard changed > 0 else {
            throw SimpulError(.notFound, "node \(node) tidak terdaftar atau sudah dicabut")
        }
    }

    /// Keys of one node, or of every node.
    public func keys(node: String? = nil) throws(SimpulError) -> [NodeKey] {
        try readDB("membaca kunci") { db in
            let rows =
                if let node {
                    try Row.fetchAll(
                        db, sql: "SELECT * FROM node_key WHERE node = ? ORDER BY enrolled_at", arguments: [node])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM node_key ORDER BY node, enrolled_at")
                }
            return try rows.map { row in
                NodeKey(
                    node: row["node"], publicKey: row["public_key"], fingerprint: row["fingerprint"],
                    enrolledAt: try row.timestamp("enrolled_at", in: "node_key"),
                    revokedAt: try row.timestampIfPresent("revoked_at", in: "node_key"), active: row["active"])
            }
        }
    }

}
