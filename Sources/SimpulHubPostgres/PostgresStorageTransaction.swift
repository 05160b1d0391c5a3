import Foundation
import Logging
import NIOCore
import PostgresNIO
import SimpulDomain
import SimpulStore
import SimpulSync

/// One transaction over the hub's PostgreSQL database, on one leased connection, for the closure of
/// `run`: the same primitives the SQLite `StoreTransaction` offers the replication policy
/// (`ChangeSetApply`), so both stores decide by one rule.
final class PostgresStorageTransaction {
    let connection: PostgresConnection
    let logger: Logger
    /// Records whose events this transaction appended: their folded state is written again before
    /// it commits.
    private(set) var touched: Set<String> = []

    private init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs `body` in one transaction: everything it does commits together or not at all. A
    /// `SimpulError` it throws passes through; anything else becomes one that names `what`.
    static func run<T>(
        _ pool: PostgresPool, _ what: String, logger: Logger, _ body: (PostgresStorageTransaction) throws -> T
    ) throws(SimpulError) -> T {
        do {
            return try pool.withConnection { connection in
                let tx = PostgresStorageTransaction(connection: connection, logger: logger)
                try tx.execute("BEGIN")
                do {
                    let value = try body(tx)
                    try tx.execute("COMMIT")
                    return value
                } catch {
                    // A connection whose transaction could not be ended is closed, not handed back.
                    do { try tx.execute("ROLLBACK") } catch { try? connection.close().wait() }
                    throw error
                }
            }
        } catch let error as SimpulError {
            throw error
        } catch {
            logger.warning("postgres transaction failed", metadata: ["what": "\(what)"])
            throw SimpulError(.io, "gagal \(what) di PostgreSQL", cause: PostgresFailure(error))
        }
    }

    func execute(_ query: PostgresQuery) throws {
        _ = try connection.query(query, logger: logger).wait()
    }

    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        Array(try connection.query(query, logger: logger).wait())
    }

    /// How many rows an UPDATE or DELETE changed.
    func changed(_ query: PostgresQuery) throws -> Int {
        try connection.query(query, logger: logger).wait().metadata.rows ?? 0
    }

    // MARK: - Log

    func knowledge() throws -> [String: VersionVector] {
        var result: [String: [String: UInt64]] = [:]
        for row in try rows("SELECT partition, node, seq FROM knowledge") {
            let (partition, node, seq) = try row.decode((String, String, Int64).self)
            result[partition, default: [:]][node] = UInt64(seq)
        }
        return result.mapValues { VersionVector($0) }
    }

    static let eventColumns = "partition, node, seq, lamport, record, type, officer, role, at, context, data"

    func events(_ query: PostgresQuery) throws -> [Event] {
        try rows(query).map { row in
            let (partition, node, seq, lamport, record, type, officer, role, at, context, data) = try row.decode(
                (String, String, Int64, Int64, String, String, String, String, String, String, String).self)
            return try EventCodec.decode(
                LoggedColumns(
                    partition: partition, node: node, seq: UInt64(seq), lamport: UInt64(lamport), record: record,
                    type: type, officer: officer, role: role, at: at, context: context, data: data))
        }
    }

    // MARK: - Change sets

    func chainEnd(partition: String, node: String) throws -> (last: UInt64, hash: String)? {
        try rows(
            """
            SELECT last_seq, hash FROM changeset WHERE partition = \(partition) AND node = \(node)
            ORDER BY first_seq DESC LIMIT 1
            """
        ).first.map { row in
            let (last, hash) = try row.decode((Int64, String).self)
            return (UInt64(last), hash)
        }
    }

    func storedChangeSets(_ query: PostgresQuery) throws -> [StoredChangeSet] {
        try rows(query).map { row in
            let (partition, node, first, last, hash, prev, key, signature, bytes, body) = try row.decode(
                (String, String, Int64, Int64, String, String?, String, String, Int32, ByteBuffer).self)
            let document = Array(body.readableBytesView)
            guard document.count == Int(bytes) else {
                throw SimpulError(.io, "change set \(node) \(first)-\(last) tidak utuh di penyimpanan")
            }
            return StoredChangeSet(
                partition: partition, node: node, first: UInt64(first), last: UInt64(last), hash: hash, prev: prev,
                key: key, signature: signature, body: document)
        }
    }

    static let changeSetColumns = "partition, node, first_seq, last_seq, hash, prev, key, signature, bytes, body"

    // MARK: - Parking

    func anyParked() throws -> Bool {
        try rows("SELECT EXISTS (SELECT 1 FROM parked)").first?.decode(Bool.self) ?? true
    }

    func park(_ cs: StoredChangeSet, reason: String, at: Timestamp) throws {
        try execute(
            """
            INSERT INTO parked (hash, partition, node, first_seq, body, reason, parked_at)
            VALUES (\(cs.hash), \(cs.partition), \(cs.node), \(try Self.int(cs.first)), \(ByteBuffer(bytes: cs.body)),
                \(reason), \(at.description))
            ON CONFLICT (hash) DO UPDATE SET reason = excluded.reason
            """)
    }

    // MARK: - Keys and peers

    func learn(_ keys: [NodeKey]) throws {
        for k in keys {
            guard
                let row = try rows(
                    "SELECT \(unescaped: Self.keyColumns) FROM node_key WHERE fingerprint = \(k.fingerprint)"
                ).first
            else {
                try insertKey(k)
                continue
            }
            guard let held = try Self.key(row).learning(k) else { continue }
            try execute(
                """
                UPDATE node_key SET revoked_at = \(held.revokedAt?.description), active = \(held.active),
                    retired_at = \(held.retiredAt?.description), retired_through = \(try Self.json(held.retiredThrough)),
                    endorsement = \(held.endorsement)
                WHERE fingerprint = \(held.fingerprint)
                """)
        }
    }

    func insertKey(_ k: NodeKey) throws {
        try execute(
            """
            INSERT INTO node_key (fingerprint, node, public_key, enrolled_at, revoked_at, active, retired_at,
                retired_through, endorsement)
            VALUES (\(k.fingerprint), \(k.node), \(k.publicKey), \(k.enrolledAt.description), \(k.revokedAt?.description),
                \(k.active), \(k.retiredAt?.description), \(try Self.json(k.retiredThrough)), \(k.endorsement))
            """)
    }

    static let keyColumns =
        "fingerprint, node, public_key, enrolled_at, revoked_at, active, retired_at, retired_through, endorsement"

    static func key(_ row: PostgresRow) throws -> NodeKey {
        let (fingerprint, node, publicKey, enrolledAt, revokedAt, active, retiredAt, through, endorsement) =
            try row.decode((String, String, String, String, String?, Bool, String?, String?, String?).self)
        return NodeKey(
            node: node, publicKey: publicKey, fingerprint: fingerprint, enrolledAt: try timestamp(enrolledAt),
            revokedAt: try revokedAt.map(timestamp), active: active, retiredAt: try retiredAt.map(timestamp),
            retiredThrough: try through.map { try JSONDecoder().decode([String: UInt64].self, from: Data($0.utf8)) },
            endorsement: endorsement)
    }

    /// Per partition, the highest seq of `node`'s change sets held.
    func lastSeqs(node: String) throws -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for row in try rows("SELECT partition, MAX(last_seq) FROM changeset WHERE node = \(node) GROUP BY partition") {
            let (partition, last) = try row.decode((String, Int64).self)
            out[partition] = UInt64(last)
        }
        return out
    }

    func setPeerKnowledge(_ peer: String, _ knowledge: [String: VersionVector]) throws {
        for (partition, vv) in knowledge {
            for (node, seq) in vv.entries {
                guard let seq = Int64(exactly: seq) else {
                    throw SimpulError(.invalidData, "knowledge \(partition) \(node): seq di luar batas")
                }
                try execute(
                    """
                    INSERT INTO peer_knowledge (peer, partition, node, seq) VALUES (\(peer), \(partition), \(node), \(seq))
                    ON CONFLICT (peer, partition, node) DO UPDATE SET seq = GREATEST(peer_knowledge.seq, excluded.seq)
                    """)
            }
        }
    }

    // MARK: - Folded state

    /// Folds again every record this transaction appended events to, and writes its state and
    /// conflicts; the fold itself is the domain's (`RecordFold`), the one every replica runs.
    func foldTouched() throws {
        for record in touched.sorted() {
            let events = try self.events(
                "SELECT \(unescaped: Self.eventColumns) FROM event WHERE record = \(record) ORDER BY lamport, node, seq"
            ).filter(EventCodec.belongsToRecord)
            let (state, conflicts) = RecordFold.fold(events)
            try execute("DELETE FROM conflict WHERE record = \(record)")
            for c in conflicts {
                try execute(
                    """
                    INSERT INTO conflict (id, record, partition, resolved, body)
                    VALUES (\(c.id), \(c.record), \(c.partition), \(c.resolvedBy != nil), \(try Self.jsonText(c)))
                    """)
            }
            guard let state else { continue }
            try execute(
                """
                INSERT INTO permohonan (number, partition, status, tahap, layanan, registered_at, state)
                VALUES (\(state.number), \(state.partition), \(state.status.rawValue), \(state.tahap?.rawValue),
                    \(state.layanan.code), \(state.registeredAt.description), \(try Self.jsonText(state)))
                ON CONFLICT (number) DO UPDATE SET partition = excluded.partition, status = excluded.status,
                    tahap = excluded.tahap, layanan = excluded.layanan, registered_at = excluded.registered_at,
                    state = excluded.state
                """)
        }
        touched = []
    }

    // MARK: - Values

    static func int(_ value: UInt64) throws -> Int64 {
        guard let v = Int64(exactly: value) else { throw SimpulError(.invalidData, "seq \(value) di luar batas") }
        return v
    }

    static func timestamp(_ text: String) throws -> Timestamp {
        guard let t = Timestamp(iso: text) else { throw SimpulError(.io, "waktu \(text) rusak di penyimpanan") }
        return t
    }

    static func json(_ through: [String: UInt64]?) throws -> String? {
        guard let through else { return nil }
        return try jsonText(through)
    }

    static func jsonText<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension PostgresStorageTransaction: ChangeSetApplyTransaction {
    func holdsChangeSet(hash: String) throws -> Bool {
        try !rows("SELECT 1 FROM changeset WHERE hash = \(hash)").isEmpty
    }

    func overlappingChangeSet(
        partition: String, node: String, first: UInt64, last: UInt64
    ) throws -> (first: UInt64, last: UInt64)? {
        try rows(
            """
            SELECT first_seq, last_seq FROM changeset
            WHERE partition = \(partition) AND node = \(node) AND first_seq <= \(try Self.int(last))
                AND last_seq >= \(try Self.int(first))
            LIMIT 1
            """
        ).first.map { row in
            let (f, l) = try row.decode((Int64, Int64).self)
            return (UInt64(f), UInt64(l))
        }
    }

    func highestSeq(partition: String, node: String) throws -> UInt64 {
        let seq = try rows("SELECT seq FROM knowledge WHERE partition = \(partition) AND node = \(node)").first?
            .decode(Int64.self)
        return UInt64(seq ?? 0)
    }

    func changeSetHash(partition: String, node: String, endingAt seq: UInt64) throws -> String? {
        try rows(
            """
            SELECT hash FROM changeset WHERE partition = \(partition) AND node = \(node) AND last_seq = \(try Self.int(seq))
            """
        ).first?.decode(String.self)
    }

    func appendReceived(_ events: ArraySlice<ReceivedEvent>) throws {
        guard let last = events.last else { return }
        for e in events {
            let event = e.event
            try execute(
                """
                INSERT INTO event (partition, node, seq, lamport, record, type, officer, role, at, context, data)
                VALUES (\(event.partition), \(event.dot.node), \(try Self.int(event.dot.seq)), \(try Self.int(event.lamport)),
                    \(event.record), \(event.body.type.rawValue), \(event.officer), \(event.role), \(e.at), \(e.context),
                    \(e.data))
                """)
            touched.insert(event.record)
        }
        try execute(
            """
            INSERT INTO knowledge (partition, node, seq)
            VALUES (\(last.event.partition), \(last.event.dot.node), \(try Self.int(last.event.dot.seq)))
            ON CONFLICT (partition, node) DO UPDATE SET seq = GREATEST(knowledge.seq, excluded.seq)
            """)
    }

    /// PostgreSQL keeps every document whole (its TOAST compresses large values), so the choice the
    /// SQLite store makes to write some again from the log does not arise here.
    func insertChangeSet(_ cs: StoredChangeSet, keepBody: Bool, at: Timestamp) throws {
        try execute(
            """
            INSERT INTO changeset (partition, node, first_seq, last_seq, hash, prev, key, signature, bytes, body, stored_at)
            VALUES (\(cs.partition), \(cs.node), \(try Self.int(cs.first)), \(try Self.int(cs.last)), \(cs.hash), \(cs.prev),
                \(cs.key), \(cs.signature), \(Int32(cs.body.count)), \(ByteBuffer(bytes: cs.body)), \(at.description))
            """)
    }

    func unpark(hash: String) throws {
        try execute("DELETE FROM parked WHERE hash = \(hash)")
    }
}
