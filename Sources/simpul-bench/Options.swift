import Foundation
import SimpulHubLoad

/// What to measure.
enum Scenario: String {
    case apply
    case bytes
    case compression
    case link
    /// A cold restore of many events by the `simpul` binary, for its peak memory and duration.
    case restore
    /// The counter's web pages over a store of many permohonan, through a real HTTP client; with
    /// `--side hub`, the PTSP back office's over a hub store of many forwarded files.
    case web
    /// Many kecamatan syncing their busy day at once with a real `simpul-hub serve` process.
    case hubLoad = "hub-load"
    /// Writes the zstd dictionary the protocol ships (`--out FILE`), trained on days of other seeds.
    case dictionary
    case all
}

/// The command line: `simpul-bench SCENARIO [--seed N] [--runs N] [--permohonan N] [--conf DIR]`, and
/// `--side kecamatan|hub` for `web`.
struct Options {
    static let usage =
        "usage: simpul-bench apply|bytes|compression|link|restore|web|hub-load|dictionary|all [--seed N] [--runs N]"
        + " [--permohonan N] [--requests N] [--side kecamatan|hub] [--conf DIR] [--out FILE]"
        + " [--nodes N] [--backend sqlite|postgres|sqlite,postgres] [--processes K|1,2] [--database URL]"
        + " [--history EVENTS] [--window SECONDS]"
        + " [--at-once PERCENT] [--concurrency N]"

    var scenario: Scenario
    var seed: UInt64 = 1
    var runs = 5
    var permohonan = 300
    var conf = "conf"
    var out: String?
    /// Events of the `restore` scenario.
    var events = 1_000_000
    /// Requests per page of the `web` scenario, after its warm-up.
    var requests = 200
    /// Whose pages the `web` scenario measures: the counter's or the hub's back office.
    var side = WebStore.Side.kecamatan
    /// `hub-load`: simulated kecamatan, the hub's store and processes, the hub's history before the run,
    /// the nightly timer's window, the share syncing all at once and the syncs in flight at most.
    var nodes = 50
    var backends = [HubLoad.Backend.sqlite]
    var processCounts = [1]
    /// `hub-load --backend postgres`: the PostgreSQL server (the run makes its own database there).
    var database = ProcessInfo.processInfo.environment["SIMPUL_BENCH_POSTGRES_URL"]
    var history = 20_000
    var window = 60.0
    var atOnce = 20
    var concurrency = 32

    /// Parses the arguments after the program name; the error is the one-line reason.
    static func parse(_ arguments: [String]) throws(BenchError) -> Options {
        var rest = arguments[...]
        guard let first = rest.popFirst() else { throw BenchError("missing scenario", exitCode: 64) }
        guard let scenario = Scenario(rawValue: first) else {
            throw BenchError("unknown scenario '\(first)'", exitCode: 64)
        }
        var options = Options(scenario: scenario)
        // The web pages are measured over years of files, not over one day's.
        if scenario == .web { options.permohonan = 100_000 }
        var permohonanGiven = false
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value", exitCode: 64) }
            switch flag {
            case "--seed":
                guard let n = UInt64(value) else {
                    throw BenchError("--seed: '\(value)' is not a number", exitCode: 64)
                }
                options.seed = n
            case "--runs":
                guard let n = Int(value), (1...100).contains(n) else {
                    throw BenchError("--runs: '\(value)' is not a number from 1 to 100", exitCode: 64)
                }
                options.runs = n
            case "--permohonan":
                guard let n = Int(value), (1...100_000).contains(n) else {
                    throw BenchError("--permohonan: '\(value)' is not a number from 1 to 100000", exitCode: 64)
                }
                options.permohonan = n
                permohonanGiven = true
            case "--conf":
                options.conf = value
            case "--out":
                options.out = value
            case "--events":
                guard let n = Int(value), (1_000...50_000_000).contains(n) else {
                    throw BenchError("--events: '\(value)' is not a number from 1000 to 50000000", exitCode: 64)
                }
                options.events = n
            case "--requests":
                guard let n = Int(value), (1...100_000).contains(n) else {
                    throw BenchError("--requests: '\(value)' is not a number from 1 to 100000", exitCode: 64)
                }
                options.requests = n
            case "--nodes":
                guard let n = Int(value), (1...LoadNode.maxNodes).contains(n) else {
                    throw BenchError("--nodes: '\(value)' is not a number from 1 to \(LoadNode.maxNodes)", exitCode: 64)
                }
                options.nodes = n
            case "--backend":
                let backends = value.split(separator: ",").map { HubLoad.Backend(rawValue: String($0)) }
                guard !backends.isEmpty, backends.count <= 2, backends.allSatisfy({ $0 != nil }) else {
                    throw BenchError("--backend: '\(value)' is not sqlite, postgres or sqlite,postgres", exitCode: 64)
                }
                options.backends = backends.compactMap { $0 }
            case "--processes":
                let counts = value.split(separator: ",").map { Int($0) }
                guard !counts.isEmpty, counts.count <= 4,
                    counts.allSatisfy({ $0.map { (1...16).contains($0) } ?? false })
                else {
                    throw BenchError(
                        "--processes: '\(value)' is not a number from 1 to 16 (or a list: 1,2)", exitCode: 64)
                }
                options.processCounts = counts.compactMap { $0 }
            case "--database":
                options.database = value
            case "--history":
                guard let n = Int(value), (0...10_000_000).contains(n) else {
                    throw BenchError("--history: '\(value)' is not a number from 0 to 10000000", exitCode: 64)
                }
                options.history = n
            case "--window":
                guard let s = Double(value), (0...86_400).contains(s) else {
                    throw BenchError("--window: '\(value)' is not a number of seconds from 0 to 86400", exitCode: 64)
                }
                options.window = s
            case "--at-once":
                guard let n = Int(value), (0...100).contains(n) else {
                    throw BenchError("--at-once: '\(value)' is not a percentage from 0 to 100", exitCode: 64)
                }
                options.atOnce = n
            case "--concurrency":
                guard let n = Int(value), (1...1_000).contains(n) else {
                    throw BenchError("--concurrency: '\(value)' is not a number from 1 to 1000", exitCode: 64)
                }
                options.concurrency = n
            case "--side":
                guard let side = WebStore.Side(rawValue: value) else {
                    throw BenchError("--side: '\(value)' is not kecamatan or hub", exitCode: 64)
                }
                options.side = side
            default:
                throw BenchError("unknown flag '\(flag)'", exitCode: 64)
            }
        }
        let hubLoadFlags = [
            "--nodes", "--backend", "--processes", "--database", "--history", "--window", "--at-once", "--concurrency",
        ]
        if scenario != .hubLoad, let flag = arguments.first(where: hubLoadFlags.contains) {
            throw BenchError("\(flag): only the hub-load scenario takes it", exitCode: 64)
        }
        if scenario == .hubLoad {
            // A list may hold combinations that cannot run (SQLite with several processes): those are
            // skipped with their reason; only when none can run, or one backend can run with none, is it refused.
            for backend in options.backends {
                let refusals = options.processCounts.map { backend.refusal(processes: $0, database: options.database) }
                if let refusal = refusals.compactMap({ $0 }).first, refusals.allSatisfy({ $0 != nil }) {
                    throw BenchError(refusal, exitCode: backend == .postgres ? 69 : 64)
                }
            }
        }
        if options.side == .hub && scenario != .web {
            throw BenchError("--side hub: only the web scenario has a hub side", exitCode: 64)
        }
        // The figure for the hub: its queue over 50,000 forwarded files.
        if scenario == .web && options.side == .hub && !permohonanGiven { options.permohonan = 50_000 }
        // The node day is about 2,700 events; the catalog's flows make about six an application.
        if scenario == .hubLoad && !permohonanGiven { options.permohonan = 440 }
        return options
    }
}
