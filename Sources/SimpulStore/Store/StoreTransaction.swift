import Foundation
import GRDB
import SimpulCompression
import SimpulDomain

/// One transaction over a node's store, handed to the closure of `NodeStore.write` or `read`: the
/// primitives over the store's tables that the sync policy (in SimpulSync) composes, so that a
/// whole batch of change sets commits or rolls back as one without the database leaking out.
///
/// It is valid only inside that closure; statements are cached per connection, and the folded
/// state of the records the transaction touches stays in memory until `foldReceived()`.
public final class StoreTransaction {
    let db: Database
    /// This node.
    public let node: NodeID
    private var fold: Projection?

    init(db: Database, node: NodeID) {
        self.db = db
        self.node = node
    }

    var projection: Projection {
        if let fold { return fold }
        let made = Projection(db: db)
        fold = made
        return made
    }

    /// Runs `body` in a savepoint: what it wrote stays when it returns true and is undone when it
    /// returns false or throws.
    public func savepoint(_ body: () throws -> Bool) throws {
        try db.inSavepoint { try body() ? .commit : .rollback }
    }

    // MARK: - Events and knowledge

    /// The highest seq the log holds of a writer in a partition (0 when none).
    public func highestSeq(partition: String, node: String) throws -> UInt64 {
        let statement = try db.cachedStatement(sql: "SELECT MAX(seq) FROM event WHERE partition = ? AND node = ?")
        return UInt64(try Int64.fetchOne(statement, arguments: [partition, node]) ?? 0)
    }

    /// Appends events received from another replica, in seq order of one writer in one partition,
    /// with their signed JSON columns, raises the knowledge to the last of them and takes them for
    /// the fold at `foldReceived()`.
    public func appendReceived(_ events: ArraySlice<ReceivedEvent>) throws {
        guard let last = events.last else { return }
        let insert = try db.cachedStatement(sql: EventLog.insertSQL)
        for e in events { try EventCodec.insert(e.event, at: e.at, context: e.context, data: e.data, with: insert) }
        try Knowledge.include(
            partition: last.event.partition, node: last.event.dot.node, seq: last.event.dot.seq, db: db)
        projection.receive(events.lazy.map(\.event))
    }

    /// Folds the events `appendReceived` took into the materialized tables and writes them.
    public func foldReceived() throws {
        guard let fold else { return }
        try fold.foldReceived()
        try fold.flush()
    }

    /// Per partition, the highest seq held from each writer.
    public func knowledge() throws -> [String: VersionVector] {
        try NodeStore.knowledge(db: db)
    }

    /// This node's events in a partition after `seq`, in seq order, at most `limit`.
    public func ownEvents(partition: String, after seq: UInt64, limit: Int) throws -> [Event] {
        try Row.fetchAll(
            db,
            sql:
                "SELECT \(EventCodec.columns) FROM event WHERE partition = ? AND node = ? AND seq > ? ORDER BY seq LIMIT ?",
            arguments: [partition, node.rawValue, Int64(seq), limit]
        ).map(EventCodec.decode)
    }

    // MARK: - Change sets

    /// Whether a change set with this hash is held.
    public func holdsChangeSet(hash: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM changeset WHERE hash = ?"), arguments: [hash])
            == true
    }

    /// A held change set of the writer that shares a seq with `first...last`.
    public func overlappingChangeSet(
        partition: String, node: String, first: UInt64, last: UInt64
    ) throws -> (first: UInt64, last: UInt64)? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT first_seq, last_seq FROM changeset
                    WHERE partition = ? AND node = ? AND first_seq <= ? AND last_seq >= ?
                    """),
            arguments: [partition, node, Int64(last), Int64(first)]
        ).map { (UInt64($0["first_seq"] as Int64), UInt64($0["last_seq"] as Int64)) }
    }

    /// The hash of the writer's change set that ends at `seq`.
    public func changeSetHash(partition: String, node: String, endingAt seq: UInt64) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT hash FROM changeset WHERE partition = ? AND node = ? AND last_seq = ?"),
            arguments: [partition, node, Int64(seq)])
    }

    /// Where the writer's chain ends in a partition: its newest change set's last seq and hash.
    public func chainEnd(partition: String, node: String) throws -> (last: UInt64, hash: String)? {
        try Row.fetchOne(
            db,
            sql:
                "SELECT last_seq, hash FROM changeset WHERE partition = ? AND node = ? ORDER BY first_seq DESC LIMIT 1",
            arguments: [partition, node]
        ).map { (UInt64($0["last_seq"] as Int64), $0["hash"]) }
    }

    /// Records a change set whose events are in the log. When `keepBody` is false its document is
    /// written again from the log when asked for (the caller has checked that this gives back
    /// exactly `cs.body`); otherwise the document is kept too, compressed.
    public func insertChangeSet(_ cs: StoredChangeSet, keepBody: Bool, at: Timestamp) throws {
        let kept = keepBody ? Zstd.compress(cs.body, level: NodeStore.bodyLevel) : []
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

    /// A writer's change sets holding seqs after `seq`, oldest first, as kept: the first one may
    /// start before `seq + 1` when a replica's knowledge falls inside it.
    public func keptChangeSets(
        partition: String, node: String, after seq: UInt64, limit: Int
    ) throws
        -> [KeptChangeSet]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM changeset WHERE partition = ? AND node = ? AND last_seq > ?
                ORDER BY first_seq LIMIT ?
                """,
            arguments: [partition, node, Int64(seq), limit]
        ).map(Self.kept)
    }

    /// The newest change set of a writer in a partition, as kept.
    public func lastKeptChangeSet(partition: String, node: String) throws -> KeptChangeSet? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM changeset WHERE partition = ? AND node = ? ORDER BY first_seq DESC LIMIT 1",
            arguments: [partition, node]
        ).map(Self.kept)
    }

    private static func kept(_ row: Row) throws -> KeptChangeSet {
        var cs = StoredChangeSet(
            partition: row["partition"], node: row["node"], first: UInt64(row["first_seq"] as Int64),
            last: UInt64(row["last_seq"] as Int64), hash: row["hash"], prev: row["prev"], key: row["key"],
            signature: row["signature"], body: [])
        let bytes: Int = row["bytes"]
        let kept = [UInt8](row["body"] as Data)
        if kept.isEmpty { return KeptChangeSet(changeSet: cs, bytes: bytes, kept: false) }
        if Zstd.isFrame(kept) {
            do { cs.body = try Zstd.decompress(kept, limit: bytes) } catch {
                throw SimpulError(
                    .io, "change set \(cs.node) \(cs.first)-\(cs.last) rusak di penyimpanan", cause: error)
            }
        } else {
            cs.body = kept
        }
        return KeptChangeSet(changeSet: cs, bytes: bytes, kept: true)
    }

    /// A writer's events `first...last` in a partition as the log holds them, in seq order.
    public func loggedEvents(partition: String, node: String, first: UInt64, last: UInt64) throws -> [LoggedEvent] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT at, context, data, lamport, officer, record, role, seq, type FROM event
                    WHERE partition = ? AND node = ? AND seq BETWEEN ? AND ? ORDER BY seq
                    """),
            arguments: [partition, node, Int64(first), Int64(last)]
        ).map { row in
            // By position, in the SELECT's order: a lookup by name folds the name's case on every
            // row, which cost more than the rest of a pull answer at the hub.
            LoggedEvent(
                at: row[0], context: row[1], data: row[2], lamport: UInt64(row[3] as Int64), officer: row[4],
                record: row[5], role: row[6], seq: UInt64(row[7] as Int64), type: row[8])
        }
    }

    // MARK: - Parking

    /// Whether any change set waits in the parking.
    public func anyParked() throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM parked)") ?? true
    }

    /// Keeps a change set until what it depends on arrives.
    public func park(_ cs: StoredChangeSet, reason: String, at: Timestamp) throws {
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

    /// Forgets a parked change set.
    public func unpark(hash: String) throws {
        try db.cachedStatement(sql: "DELETE FROM parked WHERE hash = ?").execute(arguments: [hash])
    }

    // MARK: - Keys and peers

    /// Keeps keys learned from the hub (or carried by a bundle).
    public func learn(_ keys: [NodeKey]) throws {
        try NodeStore.learn(keys, db: db)
    }

    /// Raises what a peer is known to hold.
    public func setPeerKnowledge(_ peer: String, _ knowledge: [String: VersionVector]) throws {
        try NodeStore.setPeerKnowledge(peer, knowledge, db: db)
    }

    // MARK: - Blobs

    /// What the store holds of a blob.
    public func blob(_ sha: String) throws -> StoredBlob? {
        try NodeStore.blob(sha, db: db)
    }

    /// The sizes that `permohonan.attached` events in the log (of `writer`, when given) name for a blob.
    public func attachedSizes(sha256 sha: String, writer: String?) throws -> [Int64] {
        try Int64.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT DISTINCT json_extract(data, '$.size') FROM event
                    WHERE type = 'permohonan.attached' AND json_extract(data, '$.sha256') = ? AND (? IS NULL OR node = ?)
                    """),
            arguments: [sha, writer, writer])
    }

    /// Stores bytes whose SHA-256 is `sha` as a complete blob, unless it is held complete already.
    public func storeCompleteBlob(sha256 sha: String, bytes: [UInt8], at: Timestamp) throws {
        _ = try NodeStore.insertComplete(sha: sha, size: Int64(bytes.count), at: at, db: db) { emit in
            for start in stride(from: 0, to: bytes.count, by: NodeStore.blobChunkBytes) {
                try emit(Array(bytes[start..<min(start + NodeStore.blobChunkBytes, bytes.count)]))
            }
        }
    }

    /// Replaces the blobs a peer is to be told the store holds.
    public func replacePeerBlobs(peer: String, with shas: [String]) throws {
        try db.execute(sql: "DELETE FROM peer_blob WHERE peer = ?", arguments: [peer])
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO peer_blob (peer, sha256) VALUES (?, ?)")
        for sha in shas { try insert.execute(arguments: [peer, sha]) }
    }

    /// Marks a complete blob as held at the hub; returns whether it was not marked before.
    public func markBlobAtHub(_ sha: String, at: Timestamp) throws -> Bool {
        try db.cachedStatement(
            sql: "UPDATE blob SET at_hub = ? WHERE sha256 = ? AND complete = 1 AND at_hub IS NULL"
        ).execute(arguments: [at.description, sha])
        return db.changesCount > 0
    }
}

/// A change set as the `changeset` table keeps it: its document is there (`kept`) or is to be
/// written again from the log's events.
public struct KeptChangeSet: Sendable {
    /// With `body` empty when not kept.
    public var changeSet: StoredChangeSet
    /// The document's size.
    public var bytes: Int
    public var kept: Bool
}

/// One event's members as the log holds them (`context` and `data` as canonical JSON).
public struct LoggedEvent: Sendable {
    public var at: String
    public var context: String
    public var data: String
    public var lamport: UInt64
    public var officer: String
    public var record: String
    public var role: String
    public var seq: UInt64
    public var type: String

    public init(
        at: String, context: String, data: String, lamport: UInt64, officer: String, record: String, role: String,
        seq: UInt64, type: String
    ) {
        self.at = at
        self.context = context
        self.data = data
        self.lamport = lamport
        self.officer = officer
        self.record = record
        self.role = role
        self.seq = seq
        self.type = type
    }
}

extension NodeStore {
    /// Runs `body` in one write transaction: everything it does commits together or not at all.
    public func write<T>(_ what: String, _ body: (StoreTransaction) throws -> T) throws(SimpulError) -> T {
        let node = info.node
        return try writeDB(what) { db in try body(StoreTransaction(db: db, node: node)) }
    }

    /// Runs `body` in one read transaction: it sees one snapshot of the store.
    public func read<T>(_ what: String, _ body: (StoreTransaction) throws -> T) throws(SimpulError) -> T {
        let node = info.node
        return try readDB(what) { db in try body(StoreTransaction(db: db, node: node)) }
    }

    /// The current time as the store's clock gives it (tests set it).
    public var clock: Timestamp { now() }
}
