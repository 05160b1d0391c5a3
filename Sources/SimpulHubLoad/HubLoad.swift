import Foundation
import Logging
import SimpulDomain
import SimpulHubPostgres
import SimpulStore
import SimpulSync
import SimpulTransport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Many kecamatan syncing their day with one hub at once: the real `simpul-hub serve` in a process of
/// its own on 127.0.0.1 over TLS, each node a real store, `SyncClient` and libcurl `CurlTransport`
/// signing with its own enrolled key.
///
/// Before the clock starts, the hub's store is given its history (the nodes' earlier days, signed by
/// each node) and every node's key; every node's store holds its partition's history and its busy day
/// sealed into signed change sets the hub does not have yet. Then the nodes sync in two waves: a share
/// of them all at once (the power back after an outage, a timer without delay), then the rest on a
/// nightly timer, each at a random delay within a window (systemd's `RandomizedDelaySec`, seeded, the
/// night compressed into the window). At most `concurrency` syncs run at a time on this side.
public enum HubLoad {
    /// The hub store the load runs against.
    public enum Backend: String, Sendable, CaseIterable {
        case sqlite
        case postgres

        /// Why this backend cannot run with `processes` hub processes here, in one line; nil when it can.
        public func refusal(processes: Int, database: String?) -> String? {
            switch self {
            case .sqlite where processes > 1:
                "--processes \(processes): a SQLite hub store is served by one process only (simpul-hub serve "
                    + "holds the store's lock, and a second serve on the same file refuses to start); several hub "
                    + "processes need the PostgreSQL store"
            case .sqlite: nil
            case .postgres where database == nil:
                "--backend postgres: give the PostgreSQL server with --database postgres://user@host:port/db "
                    + "(or SIMPUL_BENCH_POSTGRES_URL); the run makes a database of its own there and drops it"
            case .postgres: nil
            }
        }
    }

    public struct Settings: Sendable {
        public var nodes: Int
        /// Applications of each node's busy day.
        public var permohonan = 300
        /// Events the hub holds before the run, spread over the nodes as their earlier days.
        public var historyEvents = 20_000
        /// Nodes of the first wave, all at once, in percent.
        public var atOncePercent = 20
        /// The nightly timer's random delay: the second wave's starts spread over this many seconds.
        public var windowSeconds = 60.0
        /// Syncs running at once at most on this side.
        public var concurrency = 32
        public var seed: UInt64 = 1
        public var backend = Backend.sqlite
        /// `simpul-hub serve` processes on the one store; the nodes are spread over them as a round-robin
        /// load balancer would spread them (node i to process i mod K).
        public var processes = 1
        /// The PostgreSQL server for `.postgres` (`postgres://user@host:port/db`, password in PGPASSWORD);
        /// the run creates a database of its own there and drops it at the end.
        public var database: String?
        /// The conf folder the hub is initialised with.
        public var confPath: String
        /// The folder holding the built `simpul-hub`.
        public var binaries: String
        /// A scratch folder for the stores, removed by the caller.
        public var root: String

        public init(nodes: Int, confPath: String, binaries: String, root: String) {
            self.nodes = nodes
            self.confPath = confPath
            self.binaries = binaries
            self.root = root
        }
    }

    public struct Wave: Sendable {
        public var name: String
        public var nodes = 0
        public var events = 0
        /// From the wave's first sync start to its last sync end.
        public var seconds = 0.0
        /// How late the syncs started against their timetable (waiting for one of `concurrency`).
        public var lagP95 = 0.0
    }

    public struct Result: Sendable {
        public var nodes = 0
        public var partitions = 0
        /// Events at the hub before the run (history), and the day's events and change sets of all nodes.
        public var hubEventsBefore = 0
        public var dayEvents = 0
        public var dayChangeSets = 0
        public var prepareSeconds = 0.0
        public var waves: [Wave] = []
        public var runSeconds = 0.0
        /// Events the hub gained in the run, from its store after it stopped.
        public var absorbed = 0
        /// Nodes whose every change set the hub holds.
        public var nodesComplete = 0
        public var pushedChangeSets = 0
        public var pulledEvents = 0
        /// Sync runs by how they ended (`in-sync`, `link-failure`...).
        public var outcomes: [String: Int] = [:]
        /// The first few messages of runs that did not end in sync.
        public var messages: [String] = []
        public var latencies: [String: Latencies.Summary] = [:]
        public var failures: [String: Int] = [:]
        public var hubIdleBytes = 0
        public var hubPeakBytes = 0
        public var hubExitStatus: Int32 = 0
        public var hubStoreBytes = 0

        /// Runs that did not end in sync, plus requests that failed (some of which the agent retried).
        public var errors: Int {
            outcomes.filter { $0.key != SyncOutcome.Result.inSync.rawValue }.values.reduce(0, +)
                + failures.values.reduce(0, +)
        }
    }

    /// A node ready to sync: its store's folder and what it is to push.
    struct Prepared: Sendable {
        var node: LoadNode
        var directory: String
        var dayEvents: Int
        var dayChangeSets: Int
        /// Its last sequence number, which the hub must hold after the run.
        var lastSeq: UInt64
        /// Its place among the nodes: which hub process it syncs with.
        var index: Int
    }

    static func now() -> Timestamp { Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)) }

    static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    public static func run(_ settings: Settings, logger: Logger) throws -> Result {
        var result = Result()
        let hubBinary = (settings.binaries as NSString).appendingPathComponent("simpul-hub")
        guard FileManager.default.isExecutableFile(atPath: hubBinary) else {
            throw HubLoadError("no simpul-hub next to simpul-bench: build it (swift build --product simpul-hub)")
        }
        try FileManager.default.createDirectory(atPath: settings.root, withIntermediateDirectories: true)
        let started = DispatchTime.now().uptimeNanoseconds
        let hubDir = (settings.root as NSString).appendingPathComponent("hub")
        let certs = (settings.root as NSString).appendingPathComponent("certs")
        var database: LoadDatabase?
        if settings.backend == .postgres {
            guard let server = settings.database else { throw HubLoadError("--backend postgres needs --database") }
            database = try LoadDatabase.create(server: server, scratch: settings.root)
        }
        defer { database?.drop(scratch: settings.root) }
        try ChildProcess.run(
            [
                hubBinary, "init", "--node", LoadNode.hub.rawValue, "--name", "DPMPTSP Kota Semarang", "--conf",
                settings.confPath, "--data", hubDir,
            ] + (database.map { ["--database", $0.url] } ?? []), scratch: settings.root)
        try ChildProcess.run([hubBinary, "dev-cert", "--out", certs, "--host", "localhost"], scratch: settings.root)
        let prepared = try prepare(settings, hubDir: hubDir, database: database, result: &result, logger: logger)
        result.prepareSeconds = seconds(since: started)

        var hubs: [ChildProcess] = []
        var urls: [String] = []
        for k in 0..<max(1, settings.processes) {
            let stderrPath = (settings.root as NSString).appendingPathComponent("hub-\(k).stderr")
            let hub = try ChildProcess(
                [
                    hubBinary, "serve", "--data", hubDir, "--listen", "127.0.0.1:0", "--tls-cert",
                    certs + "/cert.pem", "--tls-key", certs + "/key.pem",
                ], captureStdout: true, stderrPath: stderrPath)
            guard let url = hub.line(after: "mendengarkan di ") else {
                for h in hubs + [hub] { h.signal(SIGKILL) }
                for h in hubs + [hub] { _ = h.wait() }
                let said = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
                throw HubLoadError(
                    "simpul-hub serve did not start: \(said.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            hubs.append(hub)
            urls.append(url)
        }
        result.hubIdleBytes = hubs.reduce(0) { $0 + ($1.residentBytes() ?? 0) }
        let hubKey = try NodeIdentity.load(node: LoadNode.hub, directory: hubDir)
        let target = Target(
            hubs: urls.map {
                HubConfig(
                    url: $0, caFile: certs + "/cert.pem", node: LoadNode.hub.rawValue, name: "DPMPTSP Kota Semarang",
                    publicKey: hubKey.publicKey)
            })

        // The waves: the first share all at once, the rest on the timer.
        var rng = LoadRandom(seed: settings.seed ^ 0x5741_5645)
        let order = prepared.indices.shuffled(using: &rng)
        let atOnce = min(prepared.count, (prepared.count * settings.atOncePercent + 99) / 100)
        let latencies = Latencies()
        let outcomes = Mutex<[String: Int]>([:])
        let messages = Mutex<[String]>([])
        let totals = Mutex((pushed: 0, pulled: 0))
        let runStarted = DispatchTime.now().uptimeNanoseconds
        let waves: [(String, [Int], [Double])] = [
            ("at once", Array(order.prefix(atOnce)), Array(repeating: 0, count: atOnce)),
            (
                "nightly timer", Array(order.dropFirst(atOnce)),
                (atOnce..<order.count).map { _ in Double.random(in: 0..<max(0.001, settings.windowSeconds), using: &rng)
                }
            ),
        ]
        for (name, members, offsets) in waves where !members.isEmpty {
            var wave = runWave(
                members.map { prepared[$0] }, offsets: offsets, concurrency: settings.concurrency, target: target,
                latencies: latencies, logger: logger
            ) { run, node in
                outcomes.withLock { $0[run.result, default: 0] += 1 }
                totals.withLock {
                    $0.pushed += run.pushed
                    $0.pulled += run.pulled
                }
                if run.result != SyncOutcome.Result.inSync.rawValue {
                    messages.withLock {
                        if $0.count < 5 { $0.append("\(node.id): \(run.message)") }
                    }
                }
            }
            wave.name = name
            wave.events = members.reduce(0) { $0 + prepared[$1].dayEvents }
            result.waves.append(wave)
        }
        result.runSeconds = seconds(since: runStarted)
        let peaks = hubs.map { $0.peakResidentBytes() ?? 0 }
        for hub in hubs { hub.signal(SIGTERM) }
        result.hubPeakBytes = 0
        for (hub, peak) in zip(hubs, peaks) {
            let ended = hub.wait()
            result.hubPeakBytes += max(peak, ended.maxRSSBytes)
            if ended.status != 0 { result.hubExitStatus = ended.status }
        }
        result.outcomes = outcomes.withLock { $0 }
        result.messages = messages.withLock { $0 }
        (result.pushedChangeSets, result.pulledEvents) = totals.withLock { $0 }
        result.latencies = latencies.summaries()
        result.failures = latencies.failureCounts()

        // What the hub holds, read from its store once it stopped.
        let store = try openHub(hubDir, database: database, logger: logger)
        defer { (store as? PostgresHubStorage)?.close() }
        result.absorbed = try eventCount(store) - result.hubEventsBefore
        let knowledge = try store.knowledge()
        result.nodesComplete =
            prepared.filter { p in
                (knowledge[p.node.partition]?[p.node.id.rawValue] ?? 0) == p.lastSeq
            }.count
        if let database {
            result.hubStoreBytes = database.size(scratch: settings.root)
        } else {
            let attributes = try? FileManager.default.attributesOfItem(
                atPath: (hubDir as NSString).appendingPathComponent(NodeStore.fileName))
            result.hubStoreBytes = (attributes?[.size] as? Int) ?? 0
        }
        return result
    }

    /// The hub's store as the run's setup and its count read it, on the backend the hub was made with.
    static func openHub(_ hubDir: String, database: LoadDatabase?, logger: Logger) throws -> any HubStorage {
        guard let database else {
            return SQLiteHubStorage(try NodeStore.open(directory: hubDir, now: now, logger: logger))
        }
        return try PostgresHubStorage.open(try PostgresSettings(url: database.url), node: LoadNode.hub, logger: logger)
    }

    /// Events the hub holds: counted rows on SQLite; on PostgreSQL the sum of its knowledge, the same
    /// number since every writer's chain is held without gaps.
    static func eventCount(_ store: any HubStorage) throws -> Int {
        if let sqlite = store as? SQLiteHubStorage { return try sqlite.store.eventCount() }
        return try store.knowledge().values.reduce(0) { sum, vector in
            sum + vector.entries.values.reduce(0) { $0 + Int($1) }
        }
    }

    /// Where the nodes sync to: node i to `hubs[i mod K]`.
    struct Target: Sendable {
        var hubs: [HubConfig]
    }

    /// Makes the nodes, their keys, history and busy days; enrolls them at the hub and gives it the
    /// history; leaves each node's store holding its partition's history and its own day unsynced.
    static func prepare(
        _ settings: Settings, hubDir: String, database: LoadDatabase?, result: inout Result, logger: Logger
    ) throws -> [Prepared] {
        let conf = try ConfDirectory.load(settings.confPath)
        let nodes = (0..<settings.nodes).map { LoadNode.make(index: $0, seed: settings.seed) }
        result.nodes = nodes.count
        let enrolledAt = now()
        let hubIdentity = try NodeIdentity.load(node: LoadNode.hub, directory: hubDir)
        let hubKey = NodeKey(
            node: LoadNode.hub.rawValue, publicKey: hubIdentity.publicKey, fingerprint: hubIdentity.fingerprint,
            enrolledAt: enrolledAt, revokedAt: nil, active: true)

        // The busy day is the last working day before today; the history runs on the days before it.
        var busy = LocalDate(daysSinceEpoch: Int(Date().timeIntervalSince1970 / 86_400) - 1)
        while !conf.calendar.isWorkingDay(busy) { busy = busy.adding(days: -1) }
        let perNode = settings.historyEvents / max(1, nodes.count)
        let (works, histories, writers) = try histories(
            nodes, conf: conf, seed: settings.seed, perNode: perNode, busy: busy)
        let day = busy
        result.partitions = writers.count

        do {
            let hub = try openHub(hubDir, database: database, logger: logger)
            defer { (hub as? PostgresHubStorage)?.close() }
            for node in nodes {
                _ = try NodeEnrollment.enroll(node.id.rawValue, publicKey: node.identity.publicKey, storage: hub)
            }
            for partition in histories.keys.sorted() {
                try apply(histories[partition]!, to: hub, what: "history of \(partition) at the hub")
            }
            result.hubEventsBefore = try eventCount(hub)
        }

        let nodesDir = (settings.root as NSString).appendingPathComponent("nodes")
        let prepared = Mutex<[Prepared?]>(Array(repeating: nil, count: nodes.count))
        let failure = Mutex<(any Error)?>(nil)
        // Making a store waits on the disk (its migrations and inserts commit with synchronous=FULL)
        // more than it computes: more threads than cores.
        parallel(nodes.count, threads: 12) { i in
            guard failure.withLock({ $0 == nil }) else { return }
            do {
                var work = works[i]
                let node = work.node
                let made = try work.day(day, permohonan: settings.permohonan)
                let directory = (nodesDir as NSString).appendingPathComponent(node.id.rawValue)
                let store = try NodeStore.create(
                    directory: directory, node: node.id, name: "Kecamatan \(node.id)", zona: .wib,
                    catalog: conf.catalog, calendar: conf.calendar, wilayah: conf.wilayah, now: now, logger: logger)
                try store.learn([hubKey] + writers[node.partition]!.map { $0.key(enrolledAt: enrolledAt) })
                try apply(
                    histories[node.partition]! + made.documents, to: store, what: "the store of \(node.id)")
                prepared.withLock {
                    $0[i] = Prepared(
                        node: node, directory: directory, dayEvents: made.events, dayChangeSets: made.documents.count,
                        lastSeq: work.seq, index: i)
                }
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        let all = prepared.withLock { $0 }.compactMap { $0 }
        result.dayEvents = all.reduce(0) { $0 + $1.dayEvents }
        result.dayChangeSets = all.reduce(0) { $0 + $1.dayChangeSets }
        return all
    }

    /// Runs `body` for 0..<count on `threads` threads of their own, and returns when all are done.
    static func parallel(_ count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let next = Atomic<Int>(0)
        let group = DispatchGroup()
        for _ in 0..<max(1, min(threads, count)) {
            group.enter()
            Thread.detachNewThread {
                while case let i = next.wrappingAdd(1, ordering: .relaxed).oldValue, i < count { body(i) }
                group.leave()
            }
        }
        group.wait()
    }

    /// Each node's history of about `perNode` events, by partition, with the generators that go on
    /// from there and the writers of each partition.
    static func histories(
        _ nodes: [LoadNode], conf: ConfDirectory, seed: UInt64, perNode: Int, busy: LocalDate
    ) throws -> ([NodeWork], [String: [[UInt8]]], [String: [LoadNode]]) {
        var works: [NodeWork] = []
        var histories: [String: [[UInt8]]] = [:]
        var writers: [String: [LoadNode]] = [:]
        for node in nodes {
            var work = NodeWork(node: node, catalog: conf.catalog, calendar: conf.calendar, seed: seed)
            histories[node.partition, default: []] += try work.history(events: perNode, before: busy)
            writers[node.partition, default: []].append(node)
            works.append(work)
        }
        return (works, histories, writers)
    }

    /// Applies signed change sets as a pull does (without checking the signatures: they were just made).
    static func apply(_ documents: [[UInt8]], to store: some ReplicaStorage, what: String) throws {
        guard !documents.isEmpty else { return }
        let sets = try documents.map { d throws(SyncError) in try ReceivedChangeSet(body: d).remote }
        let outcomes = try store.applyRemote(sets)
        guard outcomes.count == sets.count,
            outcomes.allSatisfy({ if case .applied = $0 { true } else { false } })
        else {
            throw HubLoadError("\(what): not every generated change set applied: \(outcomes.prefix(3))")
        }
    }

    /// Runs one wave: node `i` starts `offsets[i]` seconds after the wave starts, or as soon after as
    /// one of `concurrency` workers is free.
    static func runWave(
        _ nodes: [Prepared], offsets: [Double], concurrency: Int, target: Target, latencies: Latencies,
        logger: Logger, done: @escaping @Sendable (NodeRun, LoadNode) -> Void
    ) -> Wave {
        let order = nodes.indices.sorted { offsets[$0] < offsets[$1] }
        let next = Atomic<Int>(0)
        let lags = Mutex<[Double]>([])
        let ends = Mutex<(first: UInt64, last: UInt64)>((.max, 0))
        let start = DispatchTime.now().uptimeNanoseconds
        let group = DispatchGroup()
        let work: @Sendable () -> Void = {
            while true {
                let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard k < order.count else { return }
                let i = order[k]
                let due = start + UInt64(offsets[i] * 1e9)
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now { Thread.sleep(forTimeInterval: Double(due - now) / 1e9) }
                let began = DispatchTime.now().uptimeNanoseconds
                lags.withLock { $0.append(Double(began - min(began, due)) / 1e9) }
                let report = sync(nodes[i], target: target, latencies: latencies, logger: logger)
                let finished = DispatchTime.now().uptimeNanoseconds
                ends.withLock { $0 = (min($0.first, began), max($0.last, finished)) }
                done(report, nodes[i].node)
            }
        }
        for _ in 0..<max(1, min(concurrency, nodes.count)) {
            group.enter()
            Thread.detachNewThread {
                work()
                group.leave()
            }
        }
        group.wait()
        let (first, last) = ends.withLock { $0 }
        return Wave(
            name: "", nodes: nodes.count, events: 0, seconds: last > first ? Double(last - first) / 1e9 : 0,
            lagP95: Latencies.summary(lags.withLock { $0 }).p95)
    }

    /// How one node's sync ended.
    struct NodeRun: Sendable {
        /// `SyncOutcome.Result`'s name, or `store` when the node's own store failed.
        var result: String
        var message: String
        var pushed = 0
        var pulled = 0
    }

    /// One node's sync, as `simpul sync` runs it: its store, its key, libcurl with its own TLS sessions.
    static func sync(_ p: Prepared, target: Target, latencies: Latencies, logger: Logger) -> NodeRun {
        let store: NodeStore
        do {
            store = try NodeStore.open(directory: p.directory, now: now, logger: logger)
            try store.setHub(target.hubs[p.index % target.hubs.count])
        } catch {
            return NodeRun(result: "store", message: "the node's store: \(error)")
        }
        let hub = target.hubs[p.index % target.hubs.count]
        let curl = CurlTransport(
            baseURL: hub.url, caFile: hub.caFile,
            userAgent: "\(SyncClient.agentVersion) (\(p.node.id))", sessions: TLSSessionCache(), logger: logger)
        let client = SyncClient(
            store: store, identity: p.node.identity, transport: TimedTransport(curl, latencies: latencies),
            logger: logger, now: now)
        let report = client.run()
        curl.finish()
        return NodeRun(
            result: report.outcome.result.rawValue, message: report.outcome.message, pushed: report.pushed,
            pulled: report.pulled)
    }
}
