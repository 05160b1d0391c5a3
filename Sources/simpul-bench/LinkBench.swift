import Foundation
import Logging
import SimpulConcurrency
import SimpulDomain
import SimpulHubServer
import SimpulLinkSimulator
import SimpulStore
import SimpulSync
import SimpulTransport

/// `link`: a kecamatan's unsynced work over a satellite link (64 kbit/s, 600 ms round trip, a new
/// connection costing its handshake's round trip), through the real HTTPS hub, libcurl and the link
/// simulator: the kecamatan pushes its work and pulls back what the PTSP did with it. The busy day and
/// a week of backlog, each clean and with a cut (reset) every 45 s; the day also with a silent drop
/// (bytes stop, no reset) every 10 s of connection, and with its first answer truncated halfway.
enum LinkBench {
    static let bytesPerSecond = 8_000
    static let oneWay = Duration.milliseconds(300)
    static let cutEvery = Duration.seconds(45)
    static let silenceEvery = Duration.seconds(10)
    /// The ideal: every byte at the link's rate, plus this many round trips (connect, TLS, push, pull).
    static let idealRoundTrips = 4
    /// After a failure the agent tries again after a short backoff (`simpul sync --retry-for` and
    /// `simpul serve` use the same `Backoff`, with longer waits by default).
    static let retryMinimum = Duration.seconds(1)
    static let retryMaximum = Duration.seconds(8)

    /// The agent's and libcurl transport's log on stderr at debug level when `SIMPUL_BENCH_TRACE` is set
    /// (to see why a run ended or a request went again), the bench's own logger otherwise.
    static func agentLogger(_ logger: Logger) -> Logger {
        guard ProcessInfo.processInfo.environment["SIMPUL_BENCH_TRACE"] != nil else { return logger }
        var trace = Logger(label: "simpul-bench.link") { StreamLogHandler.standardError(label: $0) }
        trace.logLevel = .debug
        return trace
    }

    enum Disturbance: Equatable {
        case none
        case cuts
        case silences
        /// The first connection's answer ends early with a clean close, halfway through the clean run's bytes down.
        case truncation

        var name: String {
            switch self {
            case .none: "clean"
            case .cuts: "cuts"
            case .silences: "silent"
            case .truncation: "truncated"
            }
        }

        /// The most the run may take against the ideal, and the share of bytes it may send twice.
        var target: (factor: Double, resent: Double) {
            switch self {
            case .none: (1.2, 0)
            case .cuts, .truncation: (1.5, 0.05)
            case .silences: (2.0, 0.10)
            }
        }
    }

    struct Run {
        var workload = ""
        var disturbance = Disturbance.none
        var seconds = 0.0
        var attempts = 0
        var connections = 0
        var cuts = 0
        var silences = 0
        var truncations = 0
        var bytesUp = 0
        var bytesDown = 0
        var requests = 0
        var pushed = 0
        var pulledEvents = 0
        var result = ""
        var events = 0
        var changeSets = 0

        /// Round trips on the link: each request, and each new connection's TCP and TLS handshakes.
        var roundTrips: Int { requests + 2 * connections }
    }

    static func run(day: BusyDay, week: BusyDay, root: String, logger: Logger) async throws -> [Run] {
        var runs: [Run] = []
        for (name, workload) in [("day", day), ("week", week)] {
            var cleanBytesDown = 0
            for disturbance in [Disturbance.none, .cuts, .silences, .truncation]
            where (name == "day" || disturbance == .none || disturbance == .cuts) && chosen(name, disturbance) {
                var run = try await once(
                    day: workload, root: (root as NSString).appendingPathComponent("\(name)-\(disturbance.name)"),
                    disturbance: disturbance, truncateAt: max(1, cleanBytesDown / 2), logger: logger)
                if disturbance == .none { cleanBytesDown = run.bytesDown }
                run.workload = name
                runs.append(run)
            }
        }
        return runs
    }

    /// Whether the run is measured: all of them, unless `SIMPUL_BENCH_LINK_ONLY` names some (`day-silent,
    /// day-truncated`), to look at one closely; a workload's clean run always goes, being its baseline.
    private static func chosen(_ workload: String, _ disturbance: Disturbance) -> Bool {
        guard let only = ProcessInfo.processInfo.environment["SIMPUL_BENCH_LINK_ONLY"] else { return true }
        let names = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if disturbance == .none { return names.contains { $0.hasPrefix("\(workload)-") } }
        return names.contains("\(workload)-\(disturbance.name)")
    }

    /// A kecamatan holding its day unsynced, and a hub holding only the PTSP's part of it (waiting
    /// for the kecamatan's events it answers), both made from the day's signed change sets: the
    /// delta is the kecamatan's day going up.
    private static func delta(day: BusyDay, root: String) throws -> (NodeStore, HubService, String) {
        let kecDir = (root as NSString).appendingPathComponent("kec")
        let hubDir = (root as NSString).appendingPathComponent("hub")
        let kec = try NodeStore.create(
            directory: kecDir, node: BusyDay.kecamatan, name: "Kecamatan Semarang Tengah", zona: .wib,
            catalog: day.conf.catalog, calendar: day.conf.calendar, wilayah: day.conf.wilayah, now: day.clock.now,
            logger: day.logger)
        try kec.learn(day.keys)
        let hub = try NodeStore.create(
            directory: hubDir, node: BusyDay.hub, name: "DPMPTSP Kota Semarang", zona: .wib,
            catalog: day.conf.catalog, calendar: day.conf.calendar, wilayah: day.conf.wilayah, now: day.clock.now,
            logger: day.logger)
        try hub.learn(day.keys)
        let received = try day.stored.map { try ReceivedChangeSet(body: $0.body) }
        // The kecamatan worked all day with no link: it holds its day and what of the PTSP's its
        // events answered (the decisions it had before the link went), as a replica that synced then.
        _ = try kec.applyRemote(received.map(\.remote))
        // The PTSP's change sets wait at the hub for the kecamatan events they answer.
        _ = try hub.applyRemote(received.filter { $0.changeSet.node == BusyDay.hub.rawValue }.map(\.remote))
        let service = try HubService(store: hub, identity: day.hubIdentity, logger: day.logger, now: day.clock.now)
        return (kec, service, kecDir)
    }

    private static func once(
        day: BusyDay, root: String, disturbance: Disturbance, truncateAt: Int, logger: Logger
    ) async throws -> Run {
        let (kec, service, _) = try delta(day: day, root: root)
        let counting = CountingHandler(service)
        let hub = try await ServedHub(
            handler: counting, directory: (root as NSString).appendingPathComponent("certs"), logger: logger)
        let outcome: Swift.Result<Run, any Error>
        do {
            outcome = .success(
                try await over(
                    hub: hub, counting: counting, kec: kec, service: service, day: day, disturbance: disturbance,
                    truncateAt: truncateAt, logger: logger))
        } catch {
            outcome = .failure(error)
        }
        await hub.stop()
        var run = try outcome.get()
        run.disturbance = disturbance
        run.events = day.events.count
        run.changeSets = day.stored.count
        return run
    }

    /// Syncs the kecamatan with `hub` through the simulated link until they are in step.
    private static func over(
        hub: ServedHub, counting: CountingHandler, kec: NodeStore, service: HubService, day: BusyDay,
        disturbance: Disturbance, truncateAt: Int, logger: Logger
    ) async throws -> Run {
        let link = LinkSimulator.Link(bytesPerSecond: bytesPerSecond, delay: oneWay)
        let simulator = try LinkSimulator(
            upstreamPort: hub.port,
            plan: .init(
                link: link, faults: disturbance == .truncation ? [1: .truncate(afterBytes: truncateAt)] : [:],
                cutEvery: disturbance == .cuts ? cutEvery : nil,
                silenceEvery: disturbance == .silences ? silenceEvery : nil, connectionSetup: oneWay * 2))
        defer { simulator.stop() }
        try kec.setHub(HubConfig(url: "https://127.0.0.1:\(simulator.port)", caFile: hub.certificate))

        var run = Run()
        var backoff = Backoff(minimum: retryMinimum, maximum: retryMaximum)
        var rng = SplitMix64(seed: 45)
        // The schedule started with the simulator; starting the sync half a period later puts the drops
        // at 0.5, 1.5, 2.5... periods into it, so a sync shorter than a period still meets one.
        switch disturbance {
        case .cuts: try await Task.sleep(for: cutEvery / 2)
        case .silences: try await Task.sleep(for: silenceEvery / 2)
        case .none, .truncation: break
        }
        let started = ContinuousClock.now
        let logger = agentLogger(logger)
        // One transport for the whole run, as `simpul sync --retry-for` keeps: its connections and TLS
        // sessions may be reused across the retries.
        let transport = CurlTransport(
            baseURL: "https://127.0.0.1:\(simulator.port)", caFile: hub.certificate, logger: logger)
        while true {
            run.attempts += 1
            let client = SyncClient(
                store: kec, identity: day.kecamatanIdentity, transport: transport, logger: logger,
                now: day.clock.now)
            let report = await BlockingPool.shared.run { client.run() }
            run.pushed += report.pushed
            run.pulledEvents += report.pulled
            run.result = report.outcome.result.rawValue
            if report.outcome.result != .linkFailure || run.attempts >= 200 { break }
            // As `simpul sync --retry-for`: a run that moved the sync on resets the backoff.
            if report.pushed > 0 || report.pulled > 0 || report.pulledChangeSets > 0 { backoff.succeed() }
            let wait = backoff.fail(using: &rng)
            try await Task.sleep(for: wait)
        }
        transport.closeIdleConnections()
        let elapsed = ContinuousClock.now - started
        run.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let counters = simulator.counters
        run.connections = counters.connections
        run.cuts = counters.cuts
        run.silences = counters.silences
        run.truncations = counters.truncations
        run.bytesUp = counters.bytesUp
        run.bytesDown = counters.bytesDown
        run.requests = counting.requests
        guard run.result == SyncOutcome.Result.inSync.rawValue,
            try service.store.knowledge()[BusyDay.partition] == kec.knowledge()[BusyDay.partition]
        else {
            throw BenchError(
                "link run ended \(run.result) without the kecamatan and the hub in step: hub "
                    + "\(try service.store.knowledge()[BusyDay.partition] ?? VersionVector()), kecamatan "
                    + "\(try kec.knowledge()[BusyDay.partition] ?? VersionVector()), parked \(try service.store.parkedBodies().count)"
            )
        }
        return run
    }

    static var rtt: Double { Double(oneWay.components.seconds) * 2 + Double(oneWay.components.attoseconds) * 2 / 1e18 }

    /// Every byte of the workload's clean run at the link's rate, plus four round trips.
    static func ideal(_ clean: Run) -> Double {
        Double(clean.bytesUp + clean.bytesDown) / Double(bytesPerSecond) + Double(idealRoundTrips) * rtt
    }

    static func report(_ runs: [Run], options: Options) -> String {
        var json = JSONLine()
        json.add("scenario", "link")
        json.add("seed", Int(options.seed))
        json.add("bandwidth_bytes_per_s", bytesPerSecond)
        json.add("rtt_ms", rtt * 1000, decimals: 0)
        json.add("cut_every_s", Int(cutEvery.components.seconds))
        json.add("silence_every_s", Int(silenceEvery.components.seconds))
        var lines: [String] = []
        lines.append(
            "link: \(bytesPerSecond * 8 / 1000) kbit/s, \(Int(rtt * 1000)) ms round trip (a new connection costs one "
                + "more), a cut every \(cutEvery.components.seconds) s or a silent drop every "
                + "\(silenceEvery.components.seconds) s (the first half a period in), or the first answer truncated "
                + "halfway; retry after \(retryMinimum.components.seconds)-"
                + "\(retryMaximum.components.seconds) s (full jitter); ideal = bytes at the link's rate + "
                + "\(idealRoundTrips) round trips")
        lines.append(
            "  \(column("run", 12, right: false))\(column("events", 8))\(column("seconds", 9))\(column("ideal", 7))"
                + "\(column("factor", 8))\(column("tries", 6))\(column("conns", 6))\(column("drops", 6))"
                + "\(column("bytes up", 10))\(column("bytes down", 11))\(column("requests", 9))\(column("RTs", 5))"
                + "\(column("resent", 8))  target")
        for run in runs {
            guard let clean = runs.first(where: { $0.workload == run.workload && $0.disturbance == .none }) else {
                continue
            }
            let ideal = ideal(clean)
            let factor = run.seconds / ideal
            let resent = max(0, run.bytesUp + run.bytesDown - clean.bytesUp - clean.bytesDown)
            let share = Double(resent) / Double(clean.bytesUp + clean.bytesDown)
            let target = run.disturbance.target
            let met = factor <= target.factor && (run.disturbance == .none || share <= target.resent)
            let drops = run.cuts + run.silences + run.truncations
            var entry = JSONLine()
            entry.add("events", run.events)
            entry.add("change_sets", run.changeSets)
            entry.add("seconds", run.seconds, decimals: 2)
            entry.add("ideal_seconds", ideal, decimals: 2)
            entry.add("factor_vs_ideal", factor, decimals: 3)
            entry.add("attempts", run.attempts)
            entry.add("connections", run.connections)
            entry.add("cuts", run.cuts)
            entry.add("silent_drops", run.silences)
            entry.add("truncations", run.truncations)
            entry.add("bytes_up", run.bytesUp)
            entry.add("bytes_down", run.bytesDown)
            entry.add("requests", run.requests)
            entry.add("round_trips", run.roundTrips)
            entry.add("resent_bytes", resent)
            entry.add("resent_share", share, decimals: 4)
            if run.disturbance == .silences && run.silences > 0 {
                entry.add("seconds_per_silent_drop", (run.seconds - clean.seconds) / Double(run.silences), decimals: 1)
            }
            entry.add("target_met", met)
            json.add("\(run.workload)_\(run.disturbance.name)", entry)
            var targetText = "<= \(fixed(target.factor, 1))x"
            if run.disturbance != .none { targetText += ", resent <= \(Int(target.resent * 100))%" }
            lines.append(
                "  \(column("\(run.workload) \(run.disturbance.name)", 12, right: false))\(column(grouped(run.events), 8))"
                    + "\(column(fixed(run.seconds, 1), 9))\(column(fixed(ideal, 1), 7))\(column(fixed(factor, 2) + "x", 8))"
                    + "\(column("\(run.attempts)", 6))\(column("\(run.connections)", 6))\(column("\(drops)", 6))"
                    + "\(column(grouped(run.bytesUp), 10))\(column(grouped(run.bytesDown), 11))"
                    + "\(column("\(run.requests)", 9))\(column("\(run.roundTrips)", 5))"
                    + "\(column(fixed(share * 100, 1) + "%", 8))  \(targetText) \(met ? "met" : "MISSED")")
            if run.disturbance == .silences && run.silences > 0 {
                lines.append(
                    "    one silent drop cost \(fixed((run.seconds - clean.seconds) / Double(run.silences), 1)) s "
                        + "(<= 10 s beyond the bytes it loses is the target)")
            }
        }
        return ([json.text] + lines).joined(separator: "\n")
    }
}
