import Foundation
import GRDB
import SimpulDomain

/// A node's public key as enrolled at the hub (or learned from it).
///
/// A key is in one of three states. **Active**: the key the node signs with now. **Retired**: a
/// later enrollment superseded it; it still verifies what it signed before (the change sets up to
/// `retiredThrough`, per partition) and nothing after. **Revoked**: for ever: it signs nothing new, the
/// change sets the hub held when it was revoked stay verifiable (recorded in `retiredThrough`, so the
/// office can be restored), and enrolling the node again does not bring it back.
public struct NodeKey: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Equatable, Codable {
        case active
        case retired
        case revoked
    }

    public var node: String
    public var publicKey: String
    public var fingerprint: String
    public var enrolledAt: Timestamp
    public var revokedAt: Timestamp?
    /// The key the node signs with now; older keys stay to verify what they signed.
    public var active: Bool
    /// When a later enrollment superseded the key.
    public var retiredAt: Timestamp?
    /// Per partition, the writer's last seq the key covers: a retired key verifies change sets
    /// ending at or before it, never a later one. Absent for a key retired before this was recorded.
    public var retiredThrough: [String: UInt64]?
    /// For a hub key: the base64 Ed25519 signature, by the hub key before it, of the endorsement
    /// message (`HubKeys.endorsementMessage`). A node accepts a new hub key only through such a chain
    /// from the key it pinned.
    public var endorsement: String?

    public init(
        node: String, publicKey: String, fingerprint: String, enrolledAt: Timestamp, revokedAt: Timestamp?,
        active: Bool, retiredAt: Timestamp? = nil, retiredThrough: [String: UInt64]? = nil, endorsement: String? = nil
    ) {
        self.node = node
        self.publicKey = publicKey
        self.fingerprint = fingerprint
        self.enrolledAt = enrolledAt
        self.revokedAt = revokedAt
        self.active = active
        self.retiredAt = retiredAt
        self.retiredThrough = retiredThrough
        self.endorsement = endorsement
    }

    public var state: State {
        if revokedAt != nil { return .revoked }
        return active && retiredAt == nil ? .active : .retired
    }

    /// Whether a change set of this key's node ending at `last` in `partition` may be signed by it.
    public func covers(partition: String, last: UInt64) -> Bool {
        switch state {
        case .active: true
        // What it signed before the revocation stays valid (the hub held it then); nothing later.
        case .revoked: retiredThrough.map { last <= $0[partition] ?? 0 } ?? false
        // A key an older store retired without recording how far: what it signed stays valid.
        case .retired: retiredThrough.map { last <= $0[partition] ?? 0 } ?? true
        }
    }
}

extension NodeKey {
    /// This held key after learning what another replica says of it (`offered`), or nil when the
    /// offer is about another key (another node or public key) and is ignored. A revocation is never
    /// undone, a key never moves to another node, and a retired key never becomes active again.
    public func learning(_ offered: NodeKey) -> NodeKey? {
        guard node == offered.node, publicKey == offered.publicKey else { return nil }
        var held = self
        held.revokedAt = held.revokedAt ?? offered.revokedAt
        if held.state == .retired || offered.state != .active {
            held.active = false
            held.retiredAt = held.retiredAt ?? offered.retiredAt ?? offered.revokedAt
            held.retiredThrough = offered.retiredThrough ?? held.retiredThrough
        }
        held.endorsement = held.endorsement ?? offered.endorsement
        return held
    }

    /// Whether enrolling `fingerprint` for `node` may go on, given the key held under that
    /// fingerprint: nil to enroll a new key, the held key when it is already the node's active one;
    /// throws when the key is another node's, revoked or retired.
    public static func enrollment(
        of node: NodeID, fingerprint: String, held: NodeKey?
    ) throws(SimpulError) -> NodeKey? {
        guard let held else { return nil }
        guard held.node == node.rawValue else {
            throw SimpulError(
                .invalidData,
                "kunci \(fingerprint) sudah terdaftar untuk node \(held.node); satu kunci hanya untuk satu node, buat kunci baru untuk \(node)"
            )
        }
        switch held.state {
        case .active: return held
        case .revoked:
            throw SimpulError(
                .invalidData, "kunci \(fingerprint) node \(node) sudah dicabut dan tidak bisa didaftarkan lagi")
        case .retired:
            throw SimpulError(
                .invalidData,
                "kunci \(fingerprint) node \(node) sudah diganti kunci yang lebih baru dan tidak bisa diaktifkan lagi"
            )
        }
    }
}

extension NodeStore {

    /// Enrolls a node's public key; it becomes the node's active key, and its active key before is
    /// retired, covering the change sets the store holds of the node. A revoked key stays revoked:
    /// enrolling never clears a revocation. A key (its fingerprint) belongs to one node for ever, and
    /// a retired or revoked key is never enrolled again.
    public func enroll(node: NodeID, publicKey: String, fingerprint: String) throws(SimpulError) -> NodeKey {
        let at = now()
        return try writeDB("mendaftarkan kunci") { db in
            let held = try Row.fetchOne(
                db, sql: "SELECT * FROM node_key WHERE fingerprint = ?", arguments: [fingerprint]
            ).map(NodeKeys.decode)
            if let active = try NodeKey.enrollment(of: node, fingerprint: fingerprint, held: held) { return active }
            try NodeKeys.retireActive(node: node.rawValue, at: at, db: db)
            let key = NodeKey(
                node: node.rawValue, publicKey: publicKey, fingerprint: fingerprint, enrolledAt: at, revokedAt: nil,
                active: true)
            try NodeKeys.insert(key, db: db)
            return key
        }
    }

    /// Records a new key of this hub, endorsed by the one before, and retires the one before (see
    /// `simpul-hub key rotate`).
    public func rotateOwnKey(
        publicKey: String, fingerprint: String, endorsement: String
    ) throws(SimpulError)
        -> NodeKey
    {
        let at = now()
        let node = info.node.rawValue
        return try writeDB("mengganti kunci hub") { db in
            guard
                try Row.fetchOne(db, sql: "SELECT 1 FROM node_key WHERE fingerprint = ?", arguments: [fingerprint])
                    == nil
            else { throw SimpulError(.invalidData, "kunci \(fingerprint) sudah tercatat") }
            try NodeKeys.retireActive(node: node, at: at, db: db)
            let key = NodeKey(
                node: node, publicKey: publicKey, fingerprint: fingerprint, enrolledAt: at, revokedAt: nil,
                active: true,
                endorsement: endorsement)
            try NodeKeys.insert(key, db: db)
            return key
        }
    }

    /// Learns keys from the hub (a kecamatan keeps the keys of the writers it receives from). What
    /// the hub says of a key's state is taken, except that a revocation is never undone, a key
    /// never moves to another node, and a retired key never becomes active again.
    public func learn(_ keys: [NodeKey]) throws(SimpulError) {
        try writeDB("menyimpan kunci") { db in try Self.learn(keys, db: db) }
    }

    static func learn(_ keys: [NodeKey], db: Database) throws {
        for k in keys {
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM node_key WHERE fingerprint = ?", arguments: [k.fingerprint])
            else {
                try NodeKeys.insert(k, db: db)
                continue
            }
            guard let held = try NodeKeys.decode(row).learning(k) else { continue }
            try db.execute(
                sql: """
                    UPDATE node_key SET revoked_at = ?, active = ?, retired_at = ?, retired_through = ?, endorsement = ?
                    WHERE fingerprint = ?
                    """,
                arguments: [
                    held.revokedAt?.description, held.active, held.retiredAt?.description,
                    try NodeKeys.json(held.retiredThrough), held.endorsement, held.fingerprint,
                ])
        }
    }

    /// Revokes a node: every key of it, for ever; its requests and change sets are refused from now on.
    public func revoke(node: NodeID) throws(SimpulError) {
        let at = now()
        let changed = try writeDB("mencabut node") { db -> Int in
            // What the store holds of the node was accepted before the revocation: it stays verifiable,
            // so the office can be restored from the hub; nothing signed later is.
            let through = try NodeKeys.json(NodeKeys.lastSeqs(node: node.rawValue, db: db))
            try db.execute(
                sql: """
                    UPDATE node_key SET revoked_at = ?, retired_through = COALESCE(retired_through, ?)
                    WHERE node = ? AND revoked_at IS NULL
                    """,
                arguments: [at.description, through, node.rawValue])
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
            return try rows.map(NodeKeys.decode)
        }
    }

    /// The receiver's Lamport clock: the largest Lamport value in its log (0 when empty).
    public func lamportClock() throws(SimpulError) -> UInt64 {
        try readDB("membaca jam Lamport") { db in
            UInt64(max(0, try Int64.fetchOne(db, sql: "SELECT MAX(lamport) FROM event") ?? 0))
        }
    }
}

/// The `node_key` rows.
enum NodeKeys {
    static func decode(_ row: Row) throws -> NodeKey {
        let through: [String: UInt64]? = try (row["retired_through"] as String?).map {
            try JSONDecoder().decode([String: UInt64].self, from: Data($0.utf8))
        }
        return NodeKey(
            node: row["node"], publicKey: row["public_key"], fingerprint: row["fingerprint"],
            enrolledAt: try row.timestamp("enrolled_at", in: "node_key"),
            revokedAt: try row.timestampIfPresent("revoked_at", in: "node_key"), active: row["active"],
            retiredAt: try row.timestampIfPresent("retired_at", in: "node_key"), retiredThrough: through,
            endorsement: row["endorsement"])
    }

    static func json(_ through: [String: UInt64]?) throws -> String? {
        guard let through else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(through), as: UTF8.self)
    }

    static func insert(_ k: NodeKey, db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO node_key (fingerprint, node, public_key, enrolled_at, revoked_at, active, retired_at,
                    retired_through, endorsement)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                k.fingerprint, k.node, k.publicKey, k.enrolledAt.description, k.revokedAt?.description, k.active,
                k.retiredAt?.description, try json(k.retiredThrough), k.endorsement,
            ])
    }

    /// Per partition, the highest seq of `node`'s change sets held (signed by `key`, or by any key).
    static func lastSeqs(node: String, key: String? = nil, db: Database) throws -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        let filter = key == nil ? "" : " AND key = ?"
        let arguments: StatementArguments = key.map { [node, $0] } ?? [node]
        for row in try Row.fetchAll(
            db,
            sql: "SELECT partition, MAX(last_seq) AS last FROM changeset WHERE node = ?\(filter) GROUP BY partition",
            arguments: arguments)
        {
            out[row["partition"]] = UInt64(row["last"] as Int64)
        }
        return out
    }

    /// Retires the node's active key (not a revoked one), covering the change sets held of the node.
    static func retireActive(node: String, at: Timestamp, db: Database) throws {
        let through = try json(lastSeqs(node: node, db: db))
        try db.execute(
            sql: """
                UPDATE node_key SET active = 0, retired_at = ?, retired_through = ?
                WHERE node = ? AND revoked_at IS NULL AND retired_at IS NULL
                """,
            arguments: [at.description, through, node])
    }

    /// Keys an older store marked inactive become retired: when the next key of their node was
    /// enrolled, covering the change sets they signed.
    static func retireLegacy(db: Database) throws {
        let rows = try Row.fetchAll(
            db, sql: "SELECT fingerprint, node, enrolled_at FROM node_key WHERE active = 0 AND revoked_at IS NULL")
        for row in rows {
            let node: String = row["node"]
            let fingerprint: String = row["fingerprint"]
            let next = try String.fetchOne(
                db, sql: "SELECT MIN(enrolled_at) FROM node_key WHERE node = ? AND enrolled_at > ?",
                arguments: [node, row["enrolled_at"] as String])
            try db.execute(
                sql: "UPDATE node_key SET retired_at = ?, retired_through = ? WHERE fingerprint = ?",
                arguments: [
                    next ?? (row["enrolled_at"] as String), try json(lastSeqs(node: node, key: fingerprint, db: db)),
                    fingerprint,
                ])
        }
    }
}
