import Foundation
import GRDB
import SimpulDomain
import SimpulStore
import SimpulSync

/// `apply`: how fast a replica takes in a busy day through the real pull-side path, next to the
/// fastest SQLite can store the same rows.
enum ApplyBench {
    static let targetEventsPerSecond = 20_000.0
    static let targetRatio = 0.5

    struct Result {
        var applySeconds: [Double] = []
        var rawSeconds: [Double] = []
        var restoreSeconds: [Double] = []
        /// `SyncClient.apply(documents:)`: reading the received bytes, checking and applying, timed whole.
        var bytesSeconds: [Double] = []
        /// Best of the runs, like the rates.
        var decodeSeconds = 0.0
        var phases: [(name: String, seconds: Double)] = []
        var stateMatches = false
    }

    static func run(day: BusyDay, runs: Int) throws -> Result {
        var result = Result()
        let (first, rows, matches) = try applyOnce(day: day, keepRows: true)
        result.applySeconds.append(first)
        result.stateMatches = matches
        // Alternating them, so that whatever else the machine does in the meantime weighs on all.
        for run in 0..<runs {
            result.rawSeconds.append(try rawInsertOnce(rows))
            if run > 0 { result.applySeconds.append(try applyOnce(day: day, keepRows: false).0) }
            result.bytesSeconds.append(try bytesApplyOnce(day: day))
        }
        result.decodeSeconds = try (0..<runs).map { _ in try timed { try received(day) }.seconds }.min()!
        result.phases = try phases(day: day)
        for _ in 0..<runs { result.restoreSeconds.append(try restoreOnce(day: day)) }
        return result
    }

    /// The timed work, apart so that a profiler can be pointed at it alone.
    @inline(never)
    static func measuredApply(_ sets: [ReceivedChangeSet], store: NodeStore) throws -> Int {
        try SyncClient.apply(sets, store: store)
    }

    /// The timed work from the bytes, apart so that a profiler can be pointed at it alone.
    @inline(never)
    static func measuredBytesApply(_ documents: [[UInt8]], store: NodeStore) throws -> Int {
        try SyncClient.apply(documents: documents, store: store)
    }

    /// Applies every change set into a fresh empty replica from the bytes a pull receives, reading,
    /// checking and applying them through `SyncClient.apply(documents:)`, timed whole.
    private static func bytesApplyOnce(day: BusyDay) throws -> Double {
        let dir = temporaryDirectory("bytes")
        defer { removeDirectory(dir) }
        let store = try day.emptyReplica(directory: dir)
        let documents = day.stored.map(\.body)
        let (applied, seconds) = try timed { try measuredBytesApply(documents, store: store) }
        guard applied == day.events.count else {
            throw BenchError("SyncClient.apply(documents:) applied \(applied) of \(day.events.count) events")
        }
        return seconds
    }

    /// The day's change sets read from their wire bytes, as a pull reads them before applying.
    static func received(_ day: BusyDay) throws -> [ReceivedChangeSet] {
        try day.stored.map { s throws(SyncError) in try ReceivedChangeSet(body: s.body) }
    }

    /// Applies every change set into a fresh empty replica and times `SyncClient.apply` alone.
    private static func applyOnce(day: BusyDay, keepRows: Bool) throws -> (Double, [RawRow], Bool) {
        let dir = temporaryDirectory("apply")
        defer { removeDirectory(dir) }
        let store = try day.emptyReplica(directory: dir)
        let sets = try received(day)
        let (applied, seconds) = try timed { try measuredApply(sets, store: store) }
        guard applied == day.events.count else {
            throw BenchError("SyncClient.apply applied \(applied) of \(day.events.count) events")
        }
        guard keepRows else { return (seconds, [], false) }
        let matches = try store.stateDump(partition: BusyDay.partition) == day.state
        return (seconds, try RawRow.read(path: store.path, order: day.events), matches)
    }

    /// The baseline: the rows `event` ends up holding, inserted with one prepared statement in one
    /// transaction into an empty table of the same shape, with the store's WAL and synchronous=FULL.
    private static func rawInsertOnce(_ rows: [RawRow]) throws -> Double {
        let dir = temporaryDirectory("raw")
        defer { removeDirectory(dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: (dir as NSString).appendingPathComponent("raw.sqlite"), configuration: config)
        try pool.write { db in try db.execute(sql: RawRow.schema) }
        let seconds = try timed {
            try pool.write { db in
                let statement = try db.makeStatement(sql: RawRow.insert)
                for r in rows {
                    try statement.execute(arguments: [
                        r.partition, r.node, r.seq, r.lamport, r.record, r.type, r.officer, r.role, r.at, r.context,
                        r.data,
                    ])
                }
            }
        }.seconds
        let count = try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0 }
        guard count == rows.count else { throw BenchError("raw insert stored \(count) of \(rows.count) rows") }
        return seconds
    }

    /// The steps `SyncClient.apply` takes, timed one by one on another fresh replica, to show where
    /// the time goes. Reading the wire bytes, which a pull does before `apply`, comes first.
    private static func phases(day: BusyDay) throws -> [(name: String, seconds: Double)] {
        let dir = temporaryDirectory("phases")
        defer { removeDirectory(dir) }
        let store = try day.emptyReplica(directory: dir)
        let read = try timed { try received(day) }
        let keys = try store.keys()
        let verify = try timed {
            for r in read.value {
                try r.verify(
                    key: { fp in keys.first { $0.fingerprint == fp && $0.node == r.changeSet.node } }, clock: 0)
            }
        }
        let apply = try timed { try store.applyRemote(read.value.map(\.remote)) }
        guard apply.value.allSatisfy({ if case .applied = $0 { true } else { false } }) else {
            throw BenchError("not every change set applied: \(apply.value)")
        }
        // With dependencies in order nothing parks; this is the bookkeeping apply does around the drain.
        let drain = try timed {
            _ = try store.knowledge()
            _ = try store.parkedBodies()
            _ = try store.knowledge()
        }.seconds
        return [
            ("read wire bytes (before apply)", read.seconds),
            ("verify: hash, signature, roles", verify.seconds),
            ("applyRemote (checks, insert, fold)", apply.seconds),
            ("knowledge + parked (drain)", drain),
        ]
    }

    /// A real restore: a new store for the same node pulls the whole partition from the hub through
    /// the sync protocol in process (the hub's work included).
    private static func restoreOnce(day: BusyDay) throws -> Double {
        let dir = temporaryDirectory("restore")
        defer { removeDirectory(dir) }
        let store = try NodeStore.create(
            directory: dir, node: BusyDay.kecamatan, name: "Kecamatan Semarang Tengah", zona: .wib,
            catalog: day.conf.catalog, calendar: day.conf.calendar, wilayah: day.conf.wilayah, now: day.clock.now,
            logger: day.logger)
        try store.setHub(HubConfig(url: "in-process", caFile: nil))
        let client = SyncClient(
            store: store, identity: day.kecamatanIdentity, transport: InProcessTransport(hub: day.service),
            logger: day.logger, now: day.clock.now)
        let (report, seconds) = timed { client.run() }
        let held = try store.eventCount()
        guard report.outcome.result == .inSync, held == day.events.count else {
            throw BenchError(
                "restore ended \(report.outcome.result.rawValue) with \(held) of \(day.events.count) events: "
                    + report.outcome.message)
        }
        return seconds
    }

    static func report(_ r: Result, day: BusyDay, options: Options) -> String {
        let events = day.events.count
        let apply = r.applySeconds.min()!
        let raw = r.rawSeconds.min()!
        let restore = r.restoreSeconds.min()!
        let applyRate = Double(events) / apply
        let rawRate = Double(events) / raw
        let ratio = applyRate / rawRate
        let withDecodeRate = Double(events) / (apply + r.decodeSeconds)
        let bytes = r.bytesSeconds.min()!
        let bytesRate = Double(events) / bytes
        // The spread over the runs: each apply run against the raw run just before it.
        let ratios = zip(r.applySeconds, r.rawSeconds).map { $1 / $0 }.sorted()
        let bytesRatios = zip(r.bytesSeconds, r.rawSeconds).map { $1 / $0 }.sorted()

        var json = JSONLine()
        json.add("scenario", "apply")
        json.add("seed", Int(options.seed))
        json.add("runs", options.runs)
        json.add("permohonan", day.permohonan)
        json.add("events", events)
        json.add("change_sets", day.changeSets.count)
        var writers = JSONLine()
        for (writer, w) in day.writers.sorted(by: { $0.key < $1.key }) {
            var entry = JSONLine()
            entry.add("change_sets", w.changeSets)
            entry.add("events", w.events)
            writers.add(writer, entry)
        }
        json.add("writers", writers)
        var types = JSONLine()
        let byType = Dictionary(grouping: day.events, by: \.body.type.rawValue).mapValues(\.count)
        for (type, n) in byType.sorted(by: { $0.key < $1.key }) { types.add(type, n) }
        json.add("events_by_type", types)
        json.add("apply_best_ms", apply * 1000, decimals: 2)
        json.add("apply_events_per_s", applyRate, decimals: 0)
        json.add("raw_best_ms", raw * 1000, decimals: 2)
        json.add("raw_rows_per_s", rawRate, decimals: 0)
        json.add("ratio", ratio, decimals: 4)
        json.add("decode_ms", r.decodeSeconds * 1000, decimals: 2)
        json.add("apply_with_decode_events_per_s", withDecodeRate, decimals: 0)
        json.add("bytes_apply_best_ms", bytes * 1000, decimals: 2)
        json.add("bytes_apply_events_per_s", bytesRate, decimals: 0)
        json.add("bytes_ratio", bytesRate / rawRate, decimals: 4)
        json.add("ratio_min", ratios.first!, decimals: 4)
        json.add("ratio_median", ratios[ratios.count / 2], decimals: 4)
        json.add("ratio_max", ratios.last!, decimals: 4)
        json.add("bytes_ratio_min", bytesRatios.first!, decimals: 4)
        json.add("bytes_ratio_median", bytesRatios[bytesRatios.count / 2], decimals: 4)
        json.add("bytes_ratio_max", bytesRatios.last!, decimals: 4)
        json.add("restore_best_ms", restore * 1000, decimals: 2)
        json.add("restore_events_per_s", Double(events) / restore, decimals: 0)
        var phases = JSONLine()
        for p in r.phases { phases.add(p.name, p.seconds * 1000, decimals: 2) }
        json.add("phases_ms", phases)
        json.add("records_refolded", day.refolds)
        json.add("events_reread_by_fold", day.eventsReread)
        json.add("state_matches_hub", r.stateMatches)
        json.add("target_apply_events_per_s", Int(targetEventsPerSecond))
        json.add("target_ratio", targetRatio, decimals: 2)
        json.add("apply_target_met", applyRate >= targetEventsPerSecond)
        json.add("ratio_target_met", ratio >= targetRatio)
        json.add("day_build_s", day.buildSeconds, decimals: 2)

        func met(_ ok: Bool) -> String { ok ? "met" : "MISSED" }
        let ms = { (s: Double) in fixed(s * 1000, 1) }
        var lines = [json.text]
        lines.append(
            "apply: \(day.permohonan) permohonan, \(grouped(events)) events in \(day.changeSets.count) change sets "
                + "(\(day.syncs) syncs), seed \(options.seed), best of \(options.runs)")
        lines.append(
            "  \(column("path", 40, right: false))\(column("ms", 10))\(column("events/s", 12))  target")
        lines.append(
            "  \(column("SyncClient.apply into empty replica", 40, right: false))\(column(ms(apply), 10))"
                + "\(column(grouped(Int(applyRate)), 12))  >= 20,000 \(met(applyRate >= targetEventsPerSecond))")
        lines.append(
            "  \(column("raw SQLite insert, 1 stmt, 1 txn", 40, right: false))\(column(ms(raw), 10))"
                + "\(column(grouped(Int(rawRate)), 12))")
        lines.append(
            "  \(column("ratio apply/raw", 40, right: false))\(column("", 10))\(column(fixed(ratio, 4), 12))"
                + "  >= 0.5 \(met(ratio >= targetRatio))")
        lines.append(
            "  \(column("read wire bytes, then apply", 40, right: false))\(column(ms(apply + r.decodeSeconds), 10))"
                + "\(column(grouped(Int(withDecodeRate)), 12))")
        lines.append(
            "  \(column("apply(documents:): bytes in, applied", 40, right: false))\(column(ms(bytes), 10))"
                + "\(column(grouped(Int(bytesRate)), 12))")
        lines.append(
            "  ratio to raw, run by run (min / median / max): apply \(fixed(ratios.first!, 2)) / "
                + "\(fixed(ratios[ratios.count / 2], 2)) / \(fixed(ratios.last!, 2)), bytes in \(fixed(bytesRatios.first!, 2)) / "
                + "\(fixed(bytesRatios[bytesRatios.count / 2], 2)) / \(fixed(bytesRatios.last!, 2))")
        lines.append(
            "  \(column("restore over sync protocol (in process)", 40, right: false))\(column(ms(restore), 10))"
                + "\(column(grouped(Int(Double(events) / restore)), 12))")
        lines.append("  phases of one instrumented apply (ms):")
        for p in r.phases { lines.append("    \(column(p.name, 38, right: false))\(column(ms(p.seconds), 10))") }
        lines.append(
            "  fold: \(grouped(day.refolds)) record refolds, re-reading \(grouped(day.eventsReread)) "
                + "events already held")
        lines.append("  replica state equals the hub's: \(r.stateMatches ? "yes" : "NO")")
        return lines.joined(separator: "\n")
    }
}

/// One row of the `event` table, with the exact text the store wrote.
struct RawRow {
    var partition: String
    var node: String
    var seq: Int64
    var lamport: Int64
    var record: String
    var type: String
    var officer: String
    var role: String
    var at: String
    var context: String
    var data: String

    /// The store's own `event` table and insert, so the baseline inserts exactly the same rows.
    static let schema = EventLog.tableSQL
    static let insert = EventLog.insertSQL

    /// Reads the rows a replica stored, in the order the events were applied.
    static func read(path: String, order: [Event]) throws -> [RawRow] {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        let rows = try queue.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT partition, node, seq, lamport, record, type, officer, role, at, context, data FROM event")
        }
        var byDot: [Dot: RawRow] = [:]
        for row in rows {
            let r = RawRow(
                partition: row["partition"], node: row["node"], seq: row["seq"], lamport: row["lamport"],
                record: row["record"], type: row["type"], officer: row["officer"], role: row["role"], at: row["at"],
                context: row["context"], data: row["data"])
            byDot[Dot(node: r.node, seq: UInt64(r.seq))] = r
        }
        return try order.map { e in
            guard let r = byDot[e.dot] else { throw BenchError("event \(e.dot) is missing from the replica") }
            return r
        }
    }
}
