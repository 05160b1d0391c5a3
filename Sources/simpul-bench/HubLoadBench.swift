import Foundation
import Logging
import SimpulHubLoad

/// `hub-load`: N simulated kecamatan sync their busy day with the real `simpul-hub serve` (in a
/// process of its own, TLS on 127.0.0.1) in two waves, some all at once and the rest on a nightly
/// timer; the work is `HubLoad`'s (SimpulHubLoad), this runs it and reports.
enum HubLoadBench {
    static let targetNodes = 500
    static let targetP99PushSeconds = 2.0

    /// One run per backend and process count asked for (SQLite with several processes skipped with its
    /// reason), each reported as it ends, then how their throughputs compare within this one invocation.
    static func runAll(options: Options, root: String, logger: Logger) throws {
        var runs: [(backend: HubLoad.Backend, processes: Int, rate: Double, p99: Double)] = []
        for backend in options.backends {
            for processes in options.processCounts {
                if let refusal = backend.refusal(processes: processes, database: options.database) {
                    let line = "hub-load: \(backend.rawValue) with \(processes) processes skipped: \(refusal)"
                    print(line)
                    continue
                }
                let result = try run(
                    options: options, backend: backend, processes: processes,
                    root: (root as NSString).appendingPathComponent("\(backend.rawValue)-\(processes)"), logger: logger)
                print(report(result, options: options, backend: backend, processes: processes))
                runs.append(
                    (
                        backend, processes, result.runSeconds > 0 ? Double(result.absorbed) / result.runSeconds : 0,
                        (result.latencies["/v2/push"] ?? Latencies.Summary()).p99
                    ))
            }
        }
        // Figures from one invocation: the same machine, build and moment, as ratios against each other.
        var summary: [String] = []
        let sqlite = runs.first { $0.backend == .sqlite && $0.processes == 1 }
        let postgres = runs.filter { $0.backend == .postgres }
        if let sqlite, let one = postgres.first(where: { $0.processes == 1 }), sqlite.rate > 0 {
            let ratio = one.rate / sqlite.rate
            summary.append(
                "hub-load: postgres/sqlite absorbed events/s \(fixed(ratio, 2))x (\(grouped(Int(one.rate))) / "
                    + "\(grouped(Int(sqlite.rate)))); target at least 0.5x \(ratio >= 0.5 ? "met" : "MISSED")")
        }
        if let one = postgres.first(where: { $0.processes == 1 }), one.rate > 0 {
            for more in postgres where more.processes > 1 {
                summary.append(
                    "hub-load: postgres K=\(more.processes)/K=1 absorbed events/s \(fixed(more.rate / one.rate, 2))x; "
                        + "p99 push \(fixed(more.p99 * 1000, 0)) ms against \(fixed(one.p99 * 1000, 0)) ms")
            }
        }
        for line in summary { print(line) }
    }

    static func run(
        options: Options, backend: HubLoad.Backend, processes: Int, root: String, logger: Logger
    ) throws -> HubLoad.Result {
        var settings = HubLoad.Settings(
            nodes: options.nodes, confPath: options.conf,
            binaries: URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path, root: root)
        settings.permohonan = options.permohonan
        settings.historyEvents = options.history
        settings.windowSeconds = options.window
        settings.atOncePercent = options.atOnce
        settings.concurrency = options.concurrency
        settings.seed = options.seed
        settings.backend = backend
        settings.processes = processes
        settings.database = options.database
        do {
            return try HubLoad.run(settings, logger: logger)
        } catch let error as HubLoadError {
            throw BenchError(error.description, exitCode: error.description.hasPrefix("no simpul-hub") ? 69 : 1)
        }
    }

    static func report(_ r: HubLoad.Result, options: Options, backend: HubLoad.Backend, processes: Int) -> String {
        let push = r.latencies["/v2/push"] ?? Latencies.Summary()
        let pull = r.latencies["/v2/pull"] ?? Latencies.Summary()
        let rate = r.runSeconds > 0 ? Double(r.absorbed) / r.runSeconds : 0
        let allAbsorbed = r.absorbed == r.dayEvents && r.nodesComplete == r.nodes
        let zeroErrors = r.errors == 0 && allAbsorbed
        let p99Met = push.count > 0 && push.p99 < targetP99PushSeconds

        func latency(_ s: Latencies.Summary) -> JSONLine {
            var j = JSONLine()
            j.add("requests", s.count)
            j.add("p50_ms", s.p50 * 1000)
            j.add("p95_ms", s.p95 * 1000)
            j.add("p99_ms", s.p99 * 1000)
            j.add("max_ms", s.max * 1000)
            return j
        }
        var json = JSONLine()
        json.add("scenario", "hub-load")
        json.add("backend", backend.rawValue)
        json.add("processes", processes)
        json.add("seed", Int(options.seed))
        json.add("nodes", r.nodes)
        json.add("partitions", r.partitions)
        json.add("permohonan_per_node", options.permohonan)
        json.add("concurrency", options.concurrency)
        json.add("window_s", options.window)
        json.add("at_once_percent", options.atOnce)
        json.add("hub_events_before", r.hubEventsBefore)
        json.add("day_events", r.dayEvents)
        json.add("day_change_sets", r.dayChangeSets)
        json.add("prepare_s", r.prepareSeconds)
        json.add("run_s", r.runSeconds, decimals: 2)
        json.add("absorbed_events", r.absorbed)
        json.add("absorbed_events_per_s", rate, decimals: 0)
        var waves = JSONLine()
        for w in r.waves {
            var j = JSONLine()
            j.add("nodes", w.nodes)
            j.add("events", w.events)
            j.add("seconds", w.seconds, decimals: 2)
            j.add("events_per_s", w.seconds > 0 ? Double(w.events) / w.seconds : 0, decimals: 0)
            j.add("start_lag_p95_s", w.lagP95, decimals: 2)
            waves.add(w.name.replacingOccurrences(of: " ", with: "_"), j)
        }
        json.add("waves", waves)
        json.add("push", latency(push))
        json.add("pull", latency(pull))
        var routes = JSONLine()
        for (route, s) in r.latencies.sorted(by: { $0.key < $1.key }) { routes.add(route, latency(s)) }
        json.add("routes", routes)
        var outcomes = JSONLine()
        for (k, v) in r.outcomes.sorted(by: { $0.key < $1.key }) { outcomes.add(k, v) }
        json.add("runs", outcomes)
        var failures = JSONLine()
        for (k, v) in r.failures.sorted(by: { $0.key < $1.key }) { failures.add(k, v) }
        json.add("request_failures", failures)
        json.add("errors", r.errors)
        json.add("nodes_complete", r.nodesComplete)
        json.add("pushed_change_sets", r.pushedChangeSets)
        json.add("pulled_events", r.pulledEvents)
        json.add("hub_idle_rss_mb", Double(r.hubIdleBytes) / 1_048_576)
        json.add("hub_peak_rss_mb", Double(r.hubPeakBytes) / 1_048_576)
        json.add("hub_exit_status", Int(r.hubExitStatus))
        json.add("hub_store_mb", Double(r.hubStoreBytes) / 1_048_576)
        json.add("all_absorbed", allAbsorbed)
        json.add("target_nodes", targetNodes)
        json.add("target_p99_push_ms", Int(targetP99PushSeconds * 1000))
        json.add("zero_errors_met", zeroErrors)
        json.add("p99_push_met", p99Met)

        func met(_ ok: Bool) -> String { ok ? "met" : "MISSED" }
        let ms = { (s: Double) in fixed(s * 1000, 1) }
        var lines = [json.text]
        lines.append(
            "hub-load: \(r.nodes) nodes in \(r.partitions) partitions, backend \(backend.rawValue), "
                + "\(processes) hub process\(processes == 1 ? "" : "es"), seed \(options.seed); hub history \(grouped(r.hubEventsBefore)) "
                + "events; the day: \(grouped(r.dayEvents)) events in \(grouped(r.dayChangeSets)) change sets "
                + "(\(options.permohonan) permohonan a node); prepared in \(fixed(r.prepareSeconds, 1)) s")
        lines.append(
            "  \(column("wave", 16, right: false))\(column("nodes", 7))\(column("events", 11))\(column("s", 9))"
                + "\(column("events/s", 10))\(column("lag p95 s", 11))")
        for w in r.waves {
            let perSecond = w.seconds > 0 ? Double(w.events) / w.seconds : 0
            lines.append(
                "  \(column(w.name, 16, right: false))\(column(grouped(w.nodes), 7))\(column(grouped(w.events), 11))"
                    + "\(column(fixed(w.seconds, 1), 9))\(column(grouped(Int(perSecond)), 10))"
                    + "\(column(fixed(w.lagP95, 2), 11))")
        }
        lines.append(
            "  absorbed \(grouped(r.absorbed)) of \(grouped(r.dayEvents)) events in \(fixed(r.runSeconds, 1)) s "
                + "(\(grouped(Int(rate))) events/s); \(r.nodesComplete) of \(r.nodes) nodes complete at the hub")
        lines.append(
            "  \(column("route", 16, right: false))\(column("requests", 9))\(column("p50 ms", 9))\(column("p95 ms", 9))"
                + "\(column("p99 ms", 9))\(column("max ms", 9))")
        for (route, s) in r.latencies.sorted(by: { $0.key < $1.key }) {
            lines.append(
                "  \(column(route, 16, right: false))\(column(grouped(s.count), 9))\(column(ms(s.p50), 9))"
                    + "\(column(ms(s.p95), 9))\(column(ms(s.p99), 9))\(column(ms(s.max), 9))")
        }
        let runs = r.outcomes.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let failed = r.failures.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append(
            "  runs: \(runs); failed requests: \(failed.isEmpty ? "none" : failed); errors \(r.errors) "
                + "(zero \(met(zeroErrors))); p99 push \(ms(push.p99)) ms (< 2,000 \(met(p99Met)))")
        for m in r.messages { lines.append("    \(m)") }
        lines.append(
            "  hub memory: \(fixed(Double(r.hubIdleBytes) / 1_048_576, 1)) MB after start, peak "
                + "\(fixed(Double(r.hubPeakBytes) / 1_048_576, 1)) MB; store \(fixed(Double(r.hubStoreBytes) / 1_048_576, 1)) MB; "
                + "pulled \(grouped(r.pulledEvents)) events (siblings' work in shared partitions)")
        return lines.joined(separator: "\n")
    }
}
