import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SimpulDomain
import SimpulStore
import SimpulSync

/// The hub's storage in a PostgreSQL database (docs/postgres.md): the same guarantees as
/// `SQLiteHubStorage` over `NodeStore`, by the same rules (`ChangeSetApply`, `NodeKey.learning`,
/// `RecordFold`). Every method is one transaction; writes to the log take turns on an advisory lock,
/// as SQLite's single writer does; the event table refuses UPDATE, DELETE and TRUNCATE by trigger.
///
/// Its methods block their calling thread on the driver's futures: call them off the event loops,
/// as HubService does on its blocking pool (a call on an event loop is refused, not deadlocked).
public final class PostgresHubStorage: HubStorage {
    public let info: NodeInfo
    let pool: PostgresPool
    let logger: Logger
    let clock: @Sendable () -> Timestamp

    private init(info: NodeInfo, pool: PostgresPool, logger: Logger, clock: @escaping @Sendable () -> Timestamp) {
        self.info = info
        self.pool = pool
        self.logger = logger
        self.clock = clock
    }

    /// Connects, brings the schema up to date, and keeps `hub` as the node this database belongs to
    /// (the first open records it; later opens must name the same node).
    public static func open(
        _ settings: PostgresSettings, hub: NodeInfo, logger: Logger = Logger(label: "simpul.hub.postgres"),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        clock: @escaping @Sendable () -> Timestamp = {
            Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        }
    ) throws(SimpulError) -> PostgresHubStorage {
        let pool = PostgresPool(settings: settings, group: group, logger: logger)
        do throws(SimpulError) {
            try PostgresSchema.migrate(pool, logger: logger)
            let info = try PostgresStorageTransaction.run(pool, "menyimpan identitas hub", logger: logger) { tx in
                let text = try PostgresStorageTransaction.jsonText(hub)
                try tx.execute("INSERT INTO node_info (id, info) VALUES (1, \(text)) ON CONFLICT (id) DO NOTHING")
                let stored = try tx.rows("SELECT info FROM node_info WHERE id = 1").first?.decode(String.self) ?? text
                return try JSONDecoder().decode(NodeInfo.self, from: Data(stored.utf8))
            }
            guard info.node == hub.node else {
                throw SimpulError(
                    .configuration,
                    "database PostgreSQL \(settings.database) milik node \(info.node), bukan \(hub.node)")
            }
            logger.info("postgres hub storage opened", metadata: ["database": "\(settings.database)"])
            return PostgresHubStorage(info: info, pool: pool, logger: logger, clock: clock)
        } catch {
            pool.close()
            throw error
        }
    }

    /// Opens the database `simpul-hub init --database` prepared for `node`, bringing its schema up to
    /// date; a database never prepared, or prepared for another hub, is refused rather than adopted.
    public static func open(
        _ settings: PostgresSettings, node: NodeID, logger: Logger = Logger(label: "simpul.hub.postgres"),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        clock: @escaping @Sendable () -> Timestamp = {
            Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        }
    ) throws(SimpulError) -> PostgresHubStorage {
        let pool = PostgresPool(settings: settings, group: group, logger: logger)
        do throws(SimpulError) {
            try PostgresSchema.migrate(pool, logger: logger)
            let stored = try PostgresStorageTransaction.run(pool, "membaca identitas hub", logger: logger) { tx in
                try tx.rows("SELECT info FROM node_info WHERE id = 1").first?.decode(String.self)
            }
            guard let stored else {
                throw SimpulError(
                    .storeUnavailable,
                    "database PostgreSQL \(settings.database) belum disiapkan untuk hub; jalankan simpul-hub init --database"
                )
            }
            let info: NodeInfo
            do { info = try JSONDecoder().decode(NodeInfo.self, from: Data(stored.utf8)) } catch {
                throw SimpulError(.storeUnavailable, "identitas hub di database \(settings.database) tidak terbaca")
            }
            guard info.node == node else {
                throw SimpulError(
                    .configuration, "database PostgreSQL \(settings.database) milik node \(info.node), bukan \(node)")
            }
            return PostgresHubStorage(info: info, pool: pool, logger: logger, clock: clock)
        } catch {
            pool.close()
            throw error
        }
    }

    /// Closes the idle connections; the storage is not to be used afterwards.
    public func close() { pool.close() }

    func read<T>(_ what: String, _ body: (PostgresStorageTransaction) throws -> T) throws(SimpulError) -> T {
        try PostgresStorageTransaction.run(pool, what, logger: logger, body)
    }

    /// A transaction that writes to the log or the tables folded from it: one at a time.
    func write<T>(_ what: String, _ body: (PostgresStorageTransaction) throws -> T) throws(SimpulError) -> T {
        try PostgresStorageTransaction.run(pool, what, logger: logger) { tx in
            try tx.execute("SELECT pg_advisory_xact_lock(\(PostgresSchema.logLock))")
            return try body(tx)
        }
    }

    // MARK: - Knowledge and change sets

    public func knowledge() throws(SimpulError) -> [String: VersionVector] {
        try read("membaca knowledge") { tx in try tx.knowledge() }
    }

    public func changeSets(
        partition: String, node: String, after seq: UInt64, limit: Int
    ) throws(SimpulError) -> [StoredChangeSet] {
        try read("membaca change set") { tx in
            try tx.storedChangeSets(
                """
                SELECT \(unescaped: PostgresStorageTransaction.changeSetColumns) FROM changeset
                WHERE partition = \(partition) AND node = \(node) AND last_seq > \(try PostgresStorageTransaction.int(seq))
                ORDER BY first_seq LIMIT \(Int64(max(0, limit)))
                """)
        }
    }

    public func lastChangeSet(partition: String, node: String) throws(SimpulError) -> StoredChangeSet? {
        try read("membaca change set") { tx in
            try tx.storedChangeSets(
                """
                SELECT \(unescaped: PostgresStorageTransaction.changeSetColumns) FROM changeset
                WHERE partition = \(partition) AND node = \(node) ORDER BY first_seq DESC LIMIT 1
                """
            ).first
        }
    }

    public func applyRemote(_ batch: [RemoteChangeSet]) throws(SimpulError) -> [ApplyOutcome] {
        let at = clock()
        return try write("menerapkan change set") { tx in
            var outcomes: [ApplyOutcome] = []
            var waiting = try tx.anyParked()
            for cs in batch {
                let outcome = try ChangeSetApply.apply(cs, at: at, tx: tx, parkedMayExist: waiting)
                outcomes.append(outcome)
                if case .parked(let reason) = outcome {
                    try tx.park(cs.stored, reason: reason, at: at)
                    waiting = true
                }
                if case .brokenChain = outcome { break }
                if case .conflicting = outcome { break }
            }
            try tx.foldTouched()
            return outcomes
        }
    }

    public func applyWhole(
        _ batch: [RemoteChangeSet], learning keys: [NodeKey], peer: String?, peerKnowledge: [String: VersionVector],
        blobs: BundleBlobs
    ) throws(SimpulError) -> WholeBatch {
        let at = clock()
        return try write("menerapkan bundle") { tx -> WholeBatch in
            var outcomes = [ApplyOutcome](repeating: .duplicate, count: batch.count)
            var result = WholeBatch(outcomes: [], refused: nil)
            try tx.execute("SAVEPOINT whole")
            var waiting = Array(batch.indices)
            // Each round applies at least one more or ends: at most as many rounds as change sets.
            while !waiting.isEmpty {
                var stillWaiting: [Int] = []
                for i in waiting {
                    let outcome = try ChangeSetApply.apply(batch[i], at: at, tx: tx)
                    outcomes[i] = outcome
                    switch outcome {
                    case .parked: stillWaiting.append(i)
                    case .brokenChain, .conflicting:
                        try tx.execute("ROLLBACK TO SAVEPOINT whole")
                        return WholeBatch(outcomes: Array(outcomes[...i]), refused: i)
                    case .applied, .duplicate: break
                    }
                }
                if stillWaiting.count == waiting.count { break }
                waiting = stillWaiting
            }
            for i in waiting {
                if case .parked(let reason) = outcomes[i] { try tx.park(batch[i].stored, reason: reason, at: at) }
            }
            try tx.foldTouched()
            try tx.learn(keys)
            if let peer { try tx.setPeerKnowledge(peer, peerKnowledge) }
            // Judged once the change sets are in, by the attached events the log then holds.
            try blobs.take(at: at, into: &result, tx: tx)
            if let blob = result.refusedBlob {
                try tx.execute("ROLLBACK TO SAVEPOINT whole")
                return WholeBatch(outcomes: outcomes, refused: nil, refusedBlob: blob)
            }
            try tx.execute("RELEASE SAVEPOINT whole")
            result.outcomes = outcomes
            return result
        }
    }

    // MARK: - Parking

    public func parkedBodies() throws(SimpulError) -> [ParkedChangeSet] {
        try read("membaca parkir") { tx in
            try Self.parked(tx, "SELECT hash, reason, body FROM parked ORDER BY partition, node, first_seq")
        }
    }

    public func unpark(hash: String) throws(SimpulError) {
        try write("melepas parkir") { tx in try tx.unpark(hash: hash) }
    }

    public func parkedReady() throws(SimpulError) -> [ParkedChangeSet] {
        try read("membaca parkir") { tx in
            try Self.parked(
                tx,
                """
                SELECT p.hash, p.reason, p.body FROM parked p
                LEFT JOIN knowledge k ON k.partition = p.partition AND k.node = COALESCE(p.wait_node, p.node)
                WHERE COALESCE(k.seq, 0) >= COALESCE(p.wait_seq, p.first_seq - 1)
                ORDER BY p.partition, p.node, p.first_seq
                """)
        }
    }

    private static func parked(_ tx: PostgresStorageTransaction, _ query: PostgresQuery) throws -> [ParkedChangeSet] {
        try tx.rows(query).map { row in
            let (hash, reason, body) = try row.decode((String, String, ByteBuffer).self)
            return ParkedChangeSet(hash: hash, reason: reason, body: Array(body.readableBytesView))
        }
    }

    public func parkWaits(hash: String, node: String, seq: UInt64) throws(SimpulError) {
        guard let seq = Int64(exactly: seq) else { return }
        try write("mencatat parkir") { tx in
            try tx.execute("UPDATE parked SET wait_node = \(node), wait_seq = \(seq) WHERE hash = \(hash)")
        }
    }

    public func parkedUsage(node: String) throws(SimpulError) -> (changeSets: Int, bytes: Int64) {
        try read("membaca parkir") { tx in
            let row = try tx.rows(
                "SELECT COUNT(*), COALESCE(SUM(octet_length(body)), 0)::BIGINT FROM parked WHERE node = \(node)"
            ).first
            guard let row else { return (0, Int64(0)) }
            let (n, b) = try row.decode((Int64, Int64).self)
            return (Int(n), b)
        }
    }

    public func parkedPerWriter() throws(SimpulError) -> [ParkedWriter] {
        try read("membaca parkir") { tx in
            try tx.rows("SELECT node, COUNT(*), MIN(parked_at) FROM parked GROUP BY node ORDER BY node").map { row in
                let (node, n, oldest) = try row.decode((String, Int64, String).self)
                return ParkedWriter(
                    node: node, changeSets: Int(n), oldest: try PostgresStorageTransaction.timestamp(oldest))
            }
        }
    }

    public func checkReady() throws(SimpulError) {
        let version = try read("memeriksa penyimpanan") { tx in try PostgresSchema.version(tx) }
        guard version == PostgresSchema.current else {
            throw SimpulError(.storeUnavailable, "skema penyimpanan belum mutakhir; jalankan ulang program versi ini")
        }
    }

    public func lamportClock() throws(SimpulError) -> UInt64 {
        try read("membaca jam Lamport") { tx in
            UInt64(
                max(
                    0, try tx.rows("SELECT COALESCE(MAX(lamport), 0)::BIGINT FROM event").first?.decode(Int64.self) ?? 0
                ))
        }
    }

    // MARK: - Sealing the hub's own events

    public func ownPartitions() throws(SimpulError) -> [String] {
        try read("membaca partisi") { tx in
            try tx.rows("SELECT partition FROM knowledge WHERE node = \(info.node.rawValue) ORDER BY partition").map {
                try $0.decode(String.self)
            }
        }
    }

    public func ownEvents(partition: String, after seq: UInt64, limit: Int) throws(SimpulError) -> [Event] {
        try read("membaca event") { tx in
            try tx.events(
                """
                SELECT \(unescaped: PostgresStorageTransaction.eventColumns) FROM event
                WHERE partition = \(partition) AND node = \(info.node.rawValue)
                    AND seq > \(try PostgresStorageTransaction.int(seq))
                ORDER BY seq LIMIT \(Int64(max(0, limit)))
                """)
        }
    }

    public func storeOwnChangeSet(_ cs: StoredChangeSet) throws(SimpulError) {
        let at = clock()
        try write("menyimpan change set") { tx in
            let end = try tx.chainEnd(partition: cs.partition, node: cs.node)
            guard ChangeSetApply.continuesOwnChain(cs, node: info.node.rawValue, end: end) else {
                throw SimpulError(.io, "change set \(cs.node) \(cs.first)-\(cs.last) tidak menyambung rantai")
            }
            let held = try tx.highestSeq(partition: cs.partition, node: cs.node)
            guard cs.last <= held else {
                throw SimpulError(.io, "change set \(cs.node) \(cs.first)-\(cs.last) menyebut event yang tidak ada")
            }
            try tx.insertChangeSet(cs, keepBody: true, at: at)
        }
    }

    // MARK: - Keys

    public func keys(node: String?) throws(SimpulError) -> [NodeKey] {
        try read("membaca kunci") { tx in
            let columns = PostgresStorageTransaction.keyColumns
            let rows =
                if let node {
                    try tx.rows(
                        "SELECT \(unescaped: columns) FROM node_key WHERE node = \(node) ORDER BY enrolled_at")
                } else {
                    try tx.rows("SELECT \(unescaped: columns) FROM node_key ORDER BY node, enrolled_at")
                }
            return try rows.map(PostgresStorageTransaction.key)
        }
    }

    public func learn(_ keys: [NodeKey]) throws(SimpulError) {
        try write("menyimpan kunci") { tx in try tx.learn(keys) }
    }

    public func enroll(node: NodeID, publicKey: String, fingerprint: String) throws(SimpulError) -> NodeKey {
        let at = clock()
        return try write("mendaftarkan kunci") { tx in
            let held = try tx.rows(
                "SELECT \(unescaped: PostgresStorageTransaction.keyColumns) FROM node_key WHERE fingerprint = \(fingerprint)"
            ).first.map(PostgresStorageTransaction.key)
            if let active = try NodeKey.enrollment(of: node, fingerprint: fingerprint, held: held) { return active }
            let through = try PostgresStorageTransaction.json(tx.lastSeqs(node: node.rawValue))
            try tx.execute(
                """
                UPDATE node_key SET active = FALSE, retired_at = \(at.description), retired_through = \(through)
                WHERE node = \(node.rawValue) AND revoked_at IS NULL AND retired_at IS NULL
                """)
            let key = NodeKey(
                node: node.rawValue, publicKey: publicKey, fingerprint: fingerprint, enrolledAt: at, revokedAt: nil,
                active: true)
            try tx.insertKey(key)
            return key
        }
    }

    public func revoke(node: NodeID) throws(SimpulError) {
        let at = clock()
        let changed = try write("mencabut node") { tx -> Int in
            // What the hub holds of the node was accepted before the revocation: it stays verifiable.
            let through = try PostgresStorageTransaction.json(tx.lastSeqs(node: node.rawValue))
            return try tx.changed(
                """
                UPDATE node_key SET revoked_at = \(at.description), retired_through = COALESCE(retired_through, \(through))
                WHERE node = \(node.rawValue) AND revoked_at IS NULL
                """)
        }
        guard changed > 0 else { throw SimpulError(.notFound, "node \(node) tidak terdaftar atau sudah dicabut") }
    }

    // MARK: - Peers and contacts

    public func setPeerKnowledge(_ peer: String, _ knowledge: [String: VersionVector]) throws(SimpulError) {
        try write("menyimpan knowledge peer") { tx in try tx.setPeerKnowledge(peer, knowledge) }
    }

    public func peerKnowledge(_ peer: String) throws(SimpulError) -> [String: VersionVector] {
        try read("membaca knowledge peer") { tx in
            var result: [String: [String: UInt64]] = [:]
            for row in try tx.rows("SELECT partition, node, seq FROM peer_knowledge WHERE peer = \(peer)") {
                let (partition, node, seq) = try row.decode((String, String, Int64).self)
                result[partition, default: [:]][node] = UInt64(seq)
            }
            return result.mapValues { VersionVector($0) }
        }
    }

    public func recordContact(node: String, result: String, refused: Bool) throws(SimpulError) {
        let at = clock()
        try read("mencatat kontak") { tx in
            try tx.execute(
                """
                INSERT INTO contact (node, last_contact, last_result, refused_in_a_row)
                VALUES (\(node), \(at.description), \(result), \(refused ? Int32(1) : Int32(0)))
                ON CONFLICT (node) DO UPDATE SET last_contact = excluded.last_contact, last_result = excluded.last_result,
                    refused_in_a_row = CASE WHEN \(refused) THEN contact.refused_in_a_row + 1 ELSE 0 END
                """)
        }
    }

    public func recordNonce(node: String, nonce: String, keepUntil: Int64, now: Int64) throws(SimpulError) -> Bool {
        try read("mencatat nonce") { tx in
            // The node's nonces past their time go first, so that the table holds only live ones and a nonce
            // seen long ago is taken as new. Two processes inserting the same nonce at once: the second
            // waits on the key until the first commits, then finds the conflict.
            try tx.execute("DELETE FROM request_nonce WHERE node = \(node) AND keep_until < \(now)")
            return try !tx.rows(
                """
                INSERT INTO request_nonce (node, nonce, keep_until) VALUES (\(node), \(nonce), \(keepUntil))
                ON CONFLICT (node, nonce) DO NOTHING RETURNING 1
                """
            ).isEmpty
        }
    }

    public func contacts() throws(SimpulError) -> [Contact] {
        try read("membaca kontak") { tx in
            try tx.rows("SELECT node, last_contact, last_result, refused_in_a_row FROM contact ORDER BY node").map {
                row in
                let (node, last, result, refused) = try row.decode((String, String, String, Int32).self)
                return Contact(
                    node: node, lastContact: try PostgresStorageTransaction.timestamp(last), lastResult: result,
                    refusedInARow: Int(refused))
            }
        }
    }

    public func registerRelay(_ relay: String, for node: String) throws(SimpulError) {
        let at = clock()
        try read("mencatat relay") { tx in
            try tx.execute(
                "INSERT INTO relay (relay, node, since) VALUES (\(relay), \(node), \(at.description)) ON CONFLICT DO NOTHING"
            )
        }
    }

    public func isRelay(_ relay: String, for node: String) throws(SimpulError) -> Bool {
        try read("membaca relay") { tx in
            try !tx.rows("SELECT 1 FROM relay WHERE relay = \(relay) AND node = \(node)").isEmpty
        }
    }

    public func recordNodeReport(_ report: NodeReport) throws(SimpulError) {
        try read("mencatat laporan node") { tx in
            let text = try PostgresStorageTransaction.jsonText(report)
            try tx.execute(
                """
                INSERT INTO node_report (node, report) VALUES (\(report.node), \(text))
                ON CONFLICT (node) DO UPDATE SET report = excluded.report
                """)
        }
    }

    public func nodeReports() throws(SimpulError) -> [NodeReport] {
        try read("membaca laporan node") { tx in
            try tx.rows("SELECT report FROM node_report ORDER BY node").map { row in
                try JSONDecoder().decode(NodeReport.self, from: Data(try row.decode(String.self).utf8))
            }
        }
    }

    // MARK: - Folded state

    public func conflicts(openOnly: Bool) throws(SimpulError) -> [Conflict] {
        try read("membaca konflik") { tx in
            try tx.rows(
                "SELECT body FROM conflict WHERE NOT (\(openOnly) AND resolved) ORDER BY partition, record, id"
            ).map { row in try JSONDecoder().decode(Conflict.self, from: Data(try row.decode(String.self).utf8)) }
        }
    }

    public func permohonan(_ number: String) throws(SimpulError) -> Permohonan {
        let state = try read("membaca permohonan") { tx in
            try tx.rows("SELECT state FROM permohonan WHERE number = \(number)").first.map { row in
                try JSONDecoder().decode(Permohonan.self, from: Data(try row.decode(String.self).utf8))
            }
        }
        guard let state else { throw Self.notFound(number) }
        return state
    }

    public func list(_ filter: PermohonanFilter) throws(SimpulError) -> [Permohonan] {
        try read("membaca daftar permohonan") { tx in
            try tx.rows(
                """
                SELECT state FROM permohonan
                WHERE (\(filter.status?.rawValue)::TEXT IS NULL OR status = \(filter.status?.rawValue))
                    AND (\(filter.tahap?.rawValue)::TEXT IS NULL OR tahap = \(filter.tahap?.rawValue))
                    AND (\(filter.layanan)::TEXT IS NULL OR layanan = \(filter.layanan))
                ORDER BY registered_at DESC, number DESC LIMIT \(Int64(max(0, filter.limit)))
                """
            ).map { row in try JSONDecoder().decode(Permohonan.self, from: Data(try row.decode(String.self).utf8)) }
        }
    }

    public func history(_ number: String) throws(SimpulError) -> [Event] {
        let events = try read("membaca riwayat") { tx in
            try tx.events(
                """
                SELECT \(unescaped: PostgresStorageTransaction.eventColumns) FROM event WHERE record = \(number)
                ORDER BY lamport, node, seq
                """
            ).filter(EventCodec.belongsToRecord)
        }
        guard !events.isEmpty else { throw Self.notFound(number) }
        return events
    }

    static func notFound(_ number: String) -> SimpulError {
        SimpulError(.notFound, "permohonan \(number) tidak ada di penyimpanan node ini")
    }
}
