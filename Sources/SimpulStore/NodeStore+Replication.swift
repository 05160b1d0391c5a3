import Foundation
import GRDB
import SimpulCompression
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

/// What applying a received change set did.
public enum ApplyOutcome: Sendable, Equatable {
    /// Its new events are in the log and folded.
    case applied(events: Int)
    /// Everything in it was already held: nothing changed.
    case duplicate
    /// It waits for what it depends on (an earlier change set, or events its events saw).
    case parked(reason: String)
    /// It does not continue its writer's hash chain: it was altered or forged.
    case brokenChain(reason: String)
    /// Its writer signed different contents for the same seqs before.
    case conflicting(reason: String)
}

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

/// Where a kecamatan node syncs to.
public struct HubConfig: Sendable, Equatable, Codable {
    public var url: String
    public var caFile: String?
    public var node: String?
    public var name: String?
    public var publicKey: String?

    public init(url: String, caFile: String?, node: String? = nil, name: String? = nil, publicKey: String? = nil) {
        self.url = url
        self.caFile = caFile
        self.node = node
        self.name = name
        self.publicKey = publicKey
    }
}

/// The agent's record of one sync run.
public struct SyncRun: Sendable, Equatable, Codable {
    public var startedAt: Timestamp
    public var finishedAt: Timestamp
    /// `in-sync`, `link-failure`, `refused`, `rejected`.
    public var result: String
    public var exitCode: Int
    public var pushed: Int
    public var pulled: Int
    public var bytesSent: Int
    public var bytesReceived: Int
    public var message: String

    public init(
        startedAt: Timestamp, finishedAt: Timestamp, result: String, exitCode: Int, pushed: Int, pulled: Int,
        bytesSent: Int, bytesReceived: Int, message: String
    ) {
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.result = result
        self.exitCode = exitCode
        self.pushed = pushed
        self.pulled = pulled
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        self.message = message
    }
}

/// A node's last contact with the hub, for sync health.
public struct Contact: Sendable, Equatable, Codable {
    public var node: String
    public var lastContact: Timestamp
    public var lastResult: String
}

extension NodeStore {
    // MARK: - Knowledge

    /// Per partition, the highest seq held from each writer.
    public func knowledge() throws(SimpulError) -> [String: VersionVector] {
        try read("membaca knowledge") { db in try Self.knowledge(db: db) }
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
        let held = try read("membaca partisi") { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT partition FROM knowledge")
        }
        return Set(held + [node.kabupaten.code]).sorted()
    }

    // MARK: - Change sets

    /// This node's events in a partition after `seq`, in seq order, at most `limit`.
    public func ownEvents(partition: String, after seq: UInt64, limit: Int) throws(SimpulError) -> [Event] {
        try read("membaca event") { db in
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
        try read("membaca partisi") { db in
            try String.fetchAll(
                db, sql: "SELECT partition FROM knowledge WHERE node = ? ORDER BY partition",
                arguments: [info.node.rawValue])
        }
    }

    /// The newest change set of a writer in a partition.
    public func lastChangeSet(partition: String, node: String) throws(SimpulError) -> StoredChangeSet? {
        try read("membaca change set") { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM changeset WHERE partition = ? AND node = ? ORDER BY first_seq DESC LIMIT 1",
                arguments: [partition, node]
            ).map { try Self.changeSet($0, db: db) }
        }
    }

    /// A writer's change sets holding seqs after `seq`, oldest first: the first one may start before
    /// `seq + 1` when a replica's knowledge falls inside it.
    public func changeSets(
        partition: String, node: String, after seq: UInt64, limit: Int
    ) throws(SimpulError)
        -> [StoredChangeSet]
    {
        try read("membaca change set") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM changeset WHERE partition = ? AND node = ? AND last_seq > ?
                    ORDER BY first_seq LIMIT ?
                    """,
                arguments: [partition, node, Int64(seq), limit]
            ).map { try Self.changeSet($0, db: db) }
        }
    }

    /// A writer's change sets holding seqs after `seq`, oldest first: where each starts and its size,
    /// without reading the documents.
    public func changeSetSizes(
        partition: String, node: String, after seq: UInt64
    ) throws(SimpulError) -> [(first: UInt64, last: UInt64, bytes: Int)] {
        try read("membaca change set") { db in
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
        try read("menghitung change set") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM changeset") ?? 0 }
    }

    private static func changeSet(_ row: Row, db: Database) throws -> StoredChangeSet {
        var cs = StoredChangeSet(
            partition: row["partition"], node: row["node"], first: UInt64(row["first_seq"] as Int64),
            last: UInt64(row["last_seq"] as Int64), hash: row["hash"], prev: row["prev"], key: row["key"],
            signature: row["signature"], body: [])
        let kept = [UInt8](row["body"] as Data)
        if kept.isEmpty {
            cs.body = try document(cs, events: logged(cs, db: db))
        } else if Zstd.isFrame(kept) {
            do { cs.body = try Zstd.decompress(kept, limit: row["bytes"]) } catch {
                throw SimpulError(
                    .io, "change set \(cs.node) \(cs.first)-\(cs.last) rusak di penyimpanan", cause: error)
            }
        } else {
            cs.body = kept
        }
        guard cs.body.count == row["bytes"] as Int else {
            throw SimpulError(.io, "change set \(cs.node) \(cs.first)-\(cs.last) tidak utuh di penyimpanan")
        }
        return cs
    }

    /// A change set's events as the log holds them.
    private static func logged(_ cs: StoredChangeSet, db: Database) throws -> [ChangeSetDocument.Event] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT at, context, data, lamport, officer, record, role, seq, type FROM event
                    WHERE partition = ? AND node = ? AND seq BETWEEN ? AND ? ORDER BY seq
                    """),
            arguments: [cs.partition, cs.node, Int64(cs.first), Int64(cs.last)]
        ).map { row in
            ChangeSetDocument.Event(
                at: row["at"], context: row["context"], data: row["data"], lamport: UInt64(row["lamport"] as Int64),
                officer: row["officer"], record: row["record"], role: row["role"], seq: UInt64(row["seq"] as Int64),
                type: row["type"])
        }
    }

    static func header(_ cs: StoredChangeSet) -> ChangeSetDocument.Header {
        ChangeSetDocument.Header(
            partition: cs.partition, node: cs.node, first: cs.first, last: cs.last, prev: cs.prev, key: cs.key,
            hash: cs.hash, signature: cs.signature)
    }

    private static func document(_ cs: StoredChangeSet, events: [ChangeSetDocument.Event]) -> [UInt8] {
        ChangeSetDocument.write(header(cs), events: events)
    }

    /// Change set documents the log cannot give back byte for byte are kept, compressed.
    static let bodyLevel: Int32 = 3

    /// Records a change set whose events are in the log. Its document is written again from the log
    /// when asked for; only when that would not give back exactly these bytes is it kept as well.
    private static func insert(
        _ cs: StoredChangeSet, events: [ChangeSetDocument.Event], at: Timestamp, db: Database
    ) throws {
        try insert(cs, rebuildable: ChangeSetDocument.matches(cs.body, header(cs), events: events), at: at, db: db)
    }

    private static func insert(_ cs: StoredChangeSet, rebuildable: Bool, at: Timestamp, db: Database) throws {
        let kept = rebuildable ? [] : Zstd.compress(cs.body, level: bodyLevel)
        try db.cachedStatement(
            sql: """
                INSERT INTO changeset (partition, node, first_seq, last_seq, hash, prev, key, signature, bytes, body,
                    stored_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                cs.partition, cs.node, Int64(cs.first), Int64(cs.last), cs.hash, cs.prev, cs.key, cs.signature,
                cs.body.count, Data(kept), at.description,
            ])
    }

    /// Records a change set this node sealed from its own events; it must continue the chain.
    public func storeOwnChangeSet(_ cs: StoredChangeSet) throws(SimpulError) {
        let at = now()
        try write("menyimpan change set") { db in
            let previous = try Row.fetchOne(
                db,
                sql:
                    "SELECT last_seq, hash FROM changeset WHERE partition = ? AND node = ? ORDER BY first_seq DESC LIMIT 1",
                arguments: [cs.partition, cs.node])
            let lastSeq = previous.map { UInt64($0["last_seq"] as Int64) } ?? 0
            guard cs.node == info.node.rawValue, cs.first == lastSeq + 1, cs.prev == previous?["hash"] else {
                throw SimpulError(.io, "change set \(cs.node) \(cs.first)-\(cs.last) tidak menyambung rantai")
            }
            try Self.insert(cs, events: try Self.logged(cs, db: db), at: at, db: db)
        }
    }

    /// Applies verified change sets from other replicas, in order, in one transaction: each is
    /// applied whole or not at all, idempotently, and only when what it depends on is present;
    /// otherwise it is parked (kept in the store) and nothing of it is applied. The first change set
    /// that breaks its writer's chain or contradicts one held ends the batch: it is refused, and
    /// what came before it in the batch is kept.
    ///
    /// - Returns: one outcome per change set attempted, in order.
    public func applyRemote(_ batch: [RemoteChangeSet]) throws(SimpulError) -> [ApplyOutcome] {
        try applyRemote(batch, admit: { _ in }).outcomes
    }

    /// `applyRemote(_:)`, asking `admit` before each change set whether it may be applied (its
    /// signature checked, say). The first refusal ends the batch: what came before it is kept,
    /// and the refusal is returned beside the outcomes.
    ///
    /// - Returns: also `waiting`: whether change sets wait in the store's parking (this batch's or
    ///   earlier ones) that what was applied may have unblocked.
    public func applyRemote<E: Error>(
        _ batch: [RemoteChangeSet], admit: (Int) throws(E) -> Void
    ) throws(SimpulError) -> (outcomes: [ApplyOutcome], refusal: E?, waiting: Bool) {
        let at = now()
        return try write("menerapkan change set") { db -> ([ApplyOutcome], E?, Bool) in
            let projection = Projection(db: db)
            var outcomes: [ApplyOutcome] = []
            var refusal: E?
            // Usually nothing waits: then no change set needs taking out of the parking.
            var waiting = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM parked)") ?? true
            for (i, cs) in batch.enumerated() {
                do throws(E) { try admit(i) } catch {
                    refusal = error
                    break
                }
                let outcome = try Self.applyRemote(cs, at: at, projection: projection, db: db, parkedMayExist: waiting)
                outcomes.append(outcome)
                if case .parked(let reason) = outcome {
                    try Self.park(cs.stored, reason: reason, at: at, db: db)
                    waiting = true
                }
                if case .brokenChain = outcome { break }
                if case .conflicting = outcome { break }
            }
            try projection.foldReceived()
            try projection.flush()
            return (outcomes, refusal, waiting)
        }
    }

    /// Applies a verified change set from another replica (see `applyRemote(_:)` for a batch).
    public func applyRemote(_ cs: RemoteChangeSet) throws(SimpulError) -> ApplyOutcome {
        try applyRemote([cs])[0]
    }

    static func applyRemote(
        _ remote: RemoteChangeSet, at: Timestamp, projection: Projection, db: Database, parkedMayExist: Bool = true
    ) throws -> ApplyOutcome {
        let cs = remote.stored
        let sameHash = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM changeset WHERE hash = ?"), arguments: [cs.hash])
        if sameHash == true { return .duplicate }
        let overlapping = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT first_seq, last_seq FROM changeset
                    WHERE partition = ? AND node = ? AND first_seq <= ? AND last_seq >= ?
                    """),
            arguments: [cs.partition, cs.node, Int64(cs.last), Int64(cs.first)])
        if let o = overlapping {
            return .conflicting(
                reason:
                    "change set \(cs.node) \(cs.first)-\(cs.last) bertentangan dengan change set \(o["first_seq"] as Int64)-\(o["last_seq"] as Int64) yang sudah ada dengan isi berbeda"
            )
        }
        let maxSeq = try db.cachedStatement(sql: "SELECT MAX(seq) FROM event WHERE partition = ? AND node = ?")
        let held = try Int64.fetchOne(maxSeq, arguments: [cs.partition, cs.node]) ?? 0
        if cs.first > UInt64(held) + 1 {
            return .parked(
                reason: "menunggu event \(cs.node) seq \(held + 1)-\(cs.first - 1) di partisi \(cs.partition)")
        }
        if cs.first > 1 {
            let prev = try String.fetchOne(
                db.cachedStatement(
                    sql: "SELECT hash FROM changeset WHERE partition = ? AND node = ? AND last_seq = ?"),
                arguments: [cs.partition, cs.node, Int64(cs.first - 1)])
            guard let prev else {
                return .parked(reason: "menunggu change set \(cs.node) yang berakhir di seq \(cs.first - 1)")
            }
            guard cs.prev == prev else {
                return .brokenChain(
                    reason:
                        "rantai hash putus: change set \(cs.node) \(cs.first)-\(cs.last) tidak menyambung change set sebelumnya"
                )
            }
        } else if cs.prev != nil {
            return .brokenChain(reason: "rantai hash putus: change set pertama \(cs.node) tidak boleh punya pendahulu")
        }
        // Events come in seq order from cs.first: those after what is held are the new ones.
        let fresh = remote.events[min(Int(max(UInt64(held) + 1, cs.first) - cs.first), remote.events.count)...]
        // What this change set's events saw of other writers must be here already.
        var needed: [String: UInt64] = [:]
        for e in fresh {
            for (node, seq) in e.event.context.entries where node != cs.node && seq > needed[node] ?? 0 {
                needed[node] = seq
            }
        }
        for (node, seq) in needed.sorted(by: { $0.key < $1.key }) {
            let have = try Int64.fetchOne(maxSeq, arguments: [cs.partition, node]) ?? 0
            if UInt64(have) < seq {
                return .parked(reason: "menunggu event \(node):\(seq) di partisi \(cs.partition)")
            }
        }
        let insertEvent = try db.cachedStatement(sql: EventLog.insertSQL)
        for e in fresh { try EventCodec.insert(e.event, at: e.at, context: e.context, data: e.data, with: insertEvent) }
        if let last = fresh.last {
            try Knowledge.include(partition: cs.partition, node: cs.node, seq: last.event.dot.seq, db: db)
        }
        try insert(cs, rebuildable: remote.rebuildable, at: at, db: db)
        projection.receive(fresh.lazy.map(\.event))
        if parkedMayExist {
            try db.cachedStatement(sql: "DELETE FROM parked WHERE hash = ?").execute(arguments: [cs.hash])
        }
        return fresh.isEmpty ? .duplicate : .applied(events: fresh.count)
    }

    /// Keeps a change set until what it depends on arrives.
    static func park(_ cs: StoredChangeSet, reason: String, at: Timestamp, db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO parked (hash, partition, node, first_seq, body, reason, parked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (hash) DO UPDATE SET reason = excluded.reason
                """
        ).execute(arguments: [
            cs.hash, cs.partition, cs.node, Int64(cs.first), Data(cs.body), reason, at.description,
        ])
    }

    /// Forgets a parked change set (applied meanwhile, or refused for good).
    public func unpark(hash: String) throws(SimpulError) {
        try write("melepas parkir") { db in try db.execute(sql: "DELETE FROM parked WHERE hash = ?", arguments: [hash])
        }
    }

    /// Parked change sets' signed documents, oldest seq first.
    public func parkedBodies() throws(SimpulError) -> [(hash: String, reason: String, body: [UInt8])] {
        try read("membaca parkir") { db in
            try Row.fetchAll(db, sql: "SELECT hash, reason, body FROM parked ORDER BY partition, node, first_seq").map {
                (hash: $0["hash"], reason: $0["reason"], body: [UInt8]($0["body"] as Data))
            }
        }
    }

    // MARK: - Keys

    /// Enrolls a node's public key; it becomes the node's active key and earlier keys stay only to
    /// verify what they signed. Enrolling clears a revocation.
    public func enroll(node: NodeID, publicKey: String, fingerprint: String) throws(SimpulError) -> NodeKey {
        let at = now()
        return try write("mendaftarkan kunci") { db in
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
        try write("menyimpan kunci") { db in try Self.learn(keys, db: db) }
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
        let changed = try write("mencabut node") { db -> Int in
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
        try read("membaca kunci") { db in
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

    // MARK: - Hub, peers, runs, contacts

    public func setHub(_ hub: HubConfig) throws(SimpulError) {
        try write("menyimpan hub") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO hub (id, url, ca_file, node, name, public_key) VALUES (1, ?, ?, ?, ?, ?)",
                arguments: [hub.url, hub.caFile, hub.node, hub.name, hub.publicKey])
        }
    }

    public func hubConfig() throws(SimpulError) -> HubConfig? {
        try read("membaca hub") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM hub WHERE id = 1").map {
                HubConfig(
                    url: $0["url"], caFile: $0["ca_file"], node: $0["node"], name: $0["name"],
                    publicKey: $0["public_key"])
            }
        }
    }

    /// Remembers what a peer acknowledged holding.
    public func setPeerKnowledge(_ peer: String, _ knowledge: [String: VersionVector]) throws(SimpulError) {
        try write("menyimpan knowledge peer") { db in try Self.setPeerKnowledge(peer, knowledge, db: db) }
    }

    static func setPeerKnowledge(_ peer: String, _ knowledge: [String: VersionVector], db: Database) throws {
        for (partition, vv) in knowledge {
            for (node, seq) in vv.entries {
                try db.execute(
                    sql: """
                        INSERT INTO peer_knowledge (peer, partition, node, seq) VALUES (?, ?, ?, ?)
                        ON CONFLICT (peer, partition, node) DO UPDATE SET seq = MAX(seq, excluded.seq)
                        """,
                    arguments: [peer, partition, node, Int64(seq)])
            }
        }
    }

    public func peerKnowledge(_ peer: String) throws(SimpulError) -> [String: VersionVector] {
        try read("membaca knowledge peer") { db in
            var result: [String: [String: UInt64]] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT partition, node, seq FROM peer_knowledge WHERE peer = ?", arguments: [peer])
            {
                result[row["partition"], default: [:]][row["node"]] = UInt64(row["seq"] as Int64)
            }
            return result.mapValues { VersionVector($0) }
        }
    }

    public func recordSyncRun(_ run: SyncRun) throws(SimpulError) {
        try write("mencatat sync") { db in
            try db.execute(
                sql: """
                    INSERT INTO sync_run (started_at, finished_at, result, exit_code, pushed, pulled, bytes_sent,
                        bytes_received, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    run.startedAt.description, run.finishedAt.description, run.result, run.exitCode, run.pushed,
                    run.pulled, run.bytesSent, run.bytesReceived, run.message,
                ])
        }
    }

    public func lastSyncRun() throws(SimpulError) -> SyncRun? {
        try read("membaca sync") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sync_run ORDER BY id DESC LIMIT 1").map {
                SyncRun(
                    startedAt: try $0.timestamp("started_at", in: "sync_run"),
                    finishedAt: try $0.timestamp("finished_at", in: "sync_run"), result: $0["result"],
                    exitCode: $0["exit_code"], pushed: $0["pushed"], pulled: $0["pulled"], bytesSent: $0["bytes_sent"],
                    bytesReceived: $0["bytes_received"], message: $0["message"])
            }
        }
    }

    public func recordContact(node: String, result: String) throws(SimpulError) {
        let at = now()
        try write("mencatat kontak") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO contact (node, last_contact, last_result) VALUES (?, ?, ?)",
                arguments: [node, at.description, result])
        }
    }

    public func contacts() throws(SimpulError) -> [Contact] {
        try read("membaca kontak") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM contact ORDER BY node").map {
                Contact(
                    node: $0["node"], lastContact: try $0.timestamp("last_contact", in: "contact"),
                    lastResult: $0["last_result"])
            }
        }
    }

    // MARK: - Conflicts and reference data

    public func conflicts(openOnly: Bool) throws(SimpulError) -> [Conflict] {
        try read("membaca konflik") { db in
            let sql = "SELECT body FROM conflict \(openOnly ? "WHERE resolved = 0" : "") ORDER BY record, id"
            return try String.fetchAll(db, sql: sql).map {
                try JSONDecoder().decode(Conflict.self, from: Data($0.utf8))
            }
        }
    }

    /// The hub publishes a catalog (and holiday calendars) to every kecamatan as events in the global
    /// partition.
    public func publish(
        catalog: LayananCatalog, calendar: WorkingDayCalendar?, officer: String
    ) throws(SimpulError)
        -> [Event]
    {
        let officer = try Self.officerName(officer)
        let global = info.node.kabupaten.code
        guard info.node.isHub else {
            throw SimpulError(.invalidData, "hanya hub yang menerbitkan katalog untuk semua kecamatan")
        }
        let current = try self.catalog()
        let published = try read("membaca katalog") { db in
            try Int.fetchOne(db, sql: "SELECT MAX(version) FROM catalog WHERE published = 1") ?? 0
        }
        guard catalog.version > published || (published == 0 && catalog.version >= current.version) else {
            throw SimpulError(
                .invalidData,
                "version: katalog versi \(catalog.version) tidak lebih baru dari versi terbit \(published)")
        }
        let at = now()
        return try write("menerbitkan katalog") { db in
            var events = [
                try append(
                    record: "katalog/v\(catalog.version)", partition: global, context: VersionVector(),
                    officer: officer,
                    role: Peran.adminHub, at: at, body: .catalogPublished(catalog), db: db)
            ]
            if let calendar {
                let years = calendar.years.sorted().map(String.init).joined(separator: ",")
                events.append(
                    try append(
                        record: "kalender/\(years)", partition: global, context: VersionVector(), officer: officer,
                        role: Peran.adminHub, at: at, body: .calendarPublished(CalendarPublication(calendar)), db: db))
            }
            return events
        }
    }
}
