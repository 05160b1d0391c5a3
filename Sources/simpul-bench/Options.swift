import Foundation

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
    /// Writes the zstd dictionary the protocol ships (`--out FILE`), trained on days of other seeds.
    case dictionary
    case all
}

/// The command line: `simpul-bench SCENARIO [--seed N] [--runs N] [--permohonan N] [--conf DIR]`, and
/// `--side kecamatan|hub` for `web`.
struct Options {
    static let usage =
        "usage: simpul-bench apply|bytes|compression|link|restore|web|dictionary|all [--seed N] [--runs N] [--permohonan N]"
        + " [--requests N] [--side kecamatan|hub] [--conf DIR] [--out FILE]"

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
            case "--side":
                guard let side = WebStore.Side(rawValue: value) else {
                    throw BenchError("--side: '\(value)' is not kecamatan or hub", exitCode: 64)
                }
                options.side = side
            default:
                throw BenchError("unknown flag '\(flag)'", exitCode: 64)
            }
        }
        if options.side == .hub && scenario != .web {
            throw BenchError("--side hub: only the web scenario has a hub side", exitCode: 64)
        }
        // The figure for the hub: its queue over 50,000 forwarded files.
        if scenario == .web && options.side == .hub && !permohonanGiven { options.permohonan = 50_000 }
        return options
    }
}
