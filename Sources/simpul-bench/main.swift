// simpul-bench: measures the sync path on one busy kecamatan day.
//
//   swift build -c release --product simpul-bench
//   .build/release/simpul-bench apply|bytes|all [--seed N] [--runs N] [--permohonan N] [--conf DIR]
//   .build/release/simpul-bench web [--permohonan N] [--requests N]   (100,000 permohonan by default)
//   .build/release/simpul-bench web --side hub [--permohonan N]       (50,000 forwarded files by default)
//   .build/release/simpul-bench hub-load --nodes N [--backend sqlite|postgres|sqlite,postgres]
//       [--processes K|1,2] [--database postgres://user@host:port/db] [--permohonan N]
//       [--history EVENTS] [--window SECONDS] [--at-once PERCENT] [--concurrency N]
//   hub-load runs once per backend and process count (SQLite with several processes is skipped: its
//   store has one server), prints each run's JSON line and table, then the ratios between them.
//
// Each scenario prints ONE JSON line (it starts with `{`) and then a short human table; `all` prints
// the `apply` line and table, then the `bytes` ones. Stores live in /tmp/simpul-bench-* and are
// removed on exit. Exit 64 on a bad command line, 66 when conf/ is missing, 69 without zstd.
//
// apply JSON keys:
//   scenario, seed, runs, permohonan    what was measured
//   events, change_sets                 the day: every event of partition 33.74.01 and the signed
//                                       change sets holding them (both writers)
//   writers.{node}.{change_sets,events} the same, per writer (the kecamatan and the PTSP hub)
//   events_by_type.{type}               the day's events per event type
//   apply_best_ms, apply_events_per_s   SyncClient.apply of all change sets into a fresh empty
//                                       replica (verify, chain, dependencies, insert, fold), best run
//   raw_best_ms, raw_rows_per_s         the same `event` rows through one prepared statement in one
//                                       transaction into an empty table of the same shape, best run
//   ratio                               apply_events_per_s / raw_rows_per_s
//   decode_ms                           decoding the change sets' wire JSON, which a pull does first
//   apply_with_decode_events_per_s      events / (apply + decode)
//   bytes_apply_best_ms, bytes_apply_events_per_s, bytes_ratio
//                                       SyncClient.apply(documents:) from the change sets' bytes as
//                                       a pull receives them (read, checked and applied, the reads
//                                       on the other core while the store applies), best run, and
//                                       its rate over raw_rows_per_s
//   ratio_min, ratio_median, ratio_max, bytes_ratio_min, bytes_ratio_median, bytes_ratio_max
//                                       the spread: each run's rate over the raw run beside it
//   restore_best_ms, restore_events_per_s  a new store for the node pulling the whole day from the
//                                       hub over the sync protocol, in process, hub work included
//   phases_ms.{phase}                   one instrumented apply, phase by phase
//   records_refolded, events_reread_by_fold  per change set, each record it touches is folded
//                                       again from its whole history: how many times, and how many
//                                       already-held events those folds read back and decode
//   state_matches_hub                   the replica's folded state equals the hub's
//   target_apply_events_per_s, target_ratio, apply_target_met, ratio_target_met
//   day_build_s                         time to play the day (not part of any rate)
//
// bytes JSON keys (sizes in bytes; zstdN = zstd -q -c -N):
//   wire_bytes                          the change sets' signed bodies as stored and sent
//   baseline_bytes                      every event as canonical JSON, one per line
//   payload_bytes                       every event's data alone, one per line
//   wire_stream_zstdN                   the bodies one per line in one zstd stream (pull, bundle)
//   wire_per_change_set_zstdN           each body compressed alone (one /v2/push each), summed
//   baseline_zstdN, payload_zstdN       those JSON lines in one zstd stream
//   payload_per_change_set_zstdN        each change set's payload lines compressed alone, summed
//   metadata_per_event_zstdN            (wire_stream_zstdN - payload_zstdN) / events
//   push_metadata_per_event_zstdN       (wire_per_change_set_zstdN - payload_per_change_set_zstdN) / events
//   target_metadata_per_event, metadata_target_met, push_metadata_target_met
//
// web JSON keys (times in ms, from the client: request sent to last byte read):
//   permohonan, events, change_sets, fill_s, store_bytes   the store and how long filling it took
//   by_status.{status}, open_by_tahap.{tahap}               how its files stand
//   requests_per_page, warmup_per_page                      each page asked for so many times, in turn
//   baseline_p50_ms, baseline_p95_ms                        the static stylesheet without a session:
//                                                           the HTTP round trip alone
//   pages.{page}.{requests,p50_ms,p95_ms,p99_ms,max_ms,bytes,p95_ratio,target_met}
//                                                           bytes: per answer; p95_ratio: over the baseline's
//   target_p95_ms, all_met                                  every page's p95 under 100 ms
//
// web --side hub: the same keys (the target 300 ms), with side, forwarded (files that reached the
// PTSP), kecamatan (how many sent them) and csv_rows (files in the measured export); the pages are
// the dashboard, the queue unfiltered, by one kecamatan, sorted by another column, every file ever
// forwarded sorted by service, one file and a kecamatan's whole export as CSV.
//
// hub-load JSON keys (the real `simpul-hub serve` in a process of its own; times from the client):
//   backend, processes, nodes, partitions       what ran: past 99 nodes the kabupaten's kecamatan codes
//                                               run out and the rest are sub-nodes (33.74.01-1) sharing
//                                               their kecamatan's partition
//   permohonan_per_node, concurrency, window_s, at_once_percent, seed
//   hub_events_before                           the hub's history (the nodes' earlier days)
//   day_events, day_change_sets                 every node's busy day, signed before the clock starts
//   prepare_s                                   making the hub, the nodes' stores and their days
//   run_s, absorbed_events, absorbed_events_per_s  the timed phase, the events the hub gained in it
//   waves.{at_once,nightly_timer}.{nodes,events,seconds,events_per_s,start_lag_p95_s}
//                                               each wave from its first sync start to its last end;
//                                               lag: how late syncs started for want of a free worker
//   push, pull, routes.{route}.{requests,p50_ms,p95_ms,p99_ms,max_ms}   request round trips
//   runs.{result}, request_failures.{kind}, errors   sync runs by outcome, failed requests
//                                               (transport:CODE, http:STATUS); errors: both summed
//   nodes_complete                              nodes whose every change set the hub holds after the run
//   pushed_change_sets, pulled_events
//   hub_idle_rss_mb, hub_peak_rss_mb, hub_exit_status, hub_store_mb
//   all_absorbed, zero_errors_met, p99_push_met (target_p99_push_ms)

import Foundation
import Logging
import SimpulStore

func fail(_ error: BenchError) -> Never {
    let usage = error.exitCode == 64 ? " (\(Options.usage))" : ""
    FileHandle.standardError.write(Data("simpul-bench: \(error.message)\(usage)\n".utf8))
    exit(error.exitCode)
}

func main() async {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "-h" || arguments.first == "--help" {
        print(Options.usage)
        return
    }
    let options: Options
    do throws(BenchError) { options = try Options.parse(arguments) } catch { fail(error) }

    let confFile = (options.conf as NSString).appendingPathComponent("layanan.json")
    guard FileManager.default.fileExists(atPath: confFile) else {
        fail(
            BenchError(
                "no \(confFile); run from the repository root or pass --conf DIR", exitCode: 66))
    }
    let zstd: ZstdTool?
    let usesTool = options.scenario == .bytes || options.scenario == .all
    do throws(BenchError) { zstd = usesTool ? try ZstdTool.locate() : nil } catch { fail(error) }

    // The bench measures the store, not its logging.
    let logger = Logger(label: "simpul-bench", factory: { _ in SwiftLogNoOpLogHandler() })
    let root = temporaryDirectory("day")
    defer { removeDirectory(root) }
    do {
        let conf = try ConfDirectory.load(options.conf)
        if options.scenario == .dictionary {
            guard let out = options.out else { throw BenchError("dictionary needs --out FILE", exitCode: 64) }
            try CompressionBench.writeDictionary(conf: conf, options: options, root: root, logger: logger, to: out)
            return
        }
        if options.scenario == .hubLoad {
            try HubLoadBench.runAll(
                options: options, root: (root as NSString).appendingPathComponent("hub-load"), logger: logger)
            return
        }
        if options.scenario == .web && options.side == .hub {
            let result = try await HubWebBench.run(
                conf: conf, options: options, root: (root as NSString).appendingPathComponent("hub-web"), logger: logger
            )
            print(HubWebBench.report(result, options: options))
            return
        }
        if options.scenario == .web {
            let result = try await WebBench.run(
                conf: conf, options: options, root: (root as NSString).appendingPathComponent("web"), logger: logger)
            print(WebBench.report(result, options: options))
            return
        }
        let day = try BusyDay.play(
            conf: conf, seed: options.seed, permohonan: options.permohonan, root: root, logger: logger)
        let scenario = options.scenario
        if scenario == .apply || scenario == .all {
            let result = try ApplyBench.run(day: day, runs: options.runs)
            print(ApplyBench.report(result, day: day, options: options))
        }
        if let zstd {
            let result = try BytesBench.run(day: day, zstd: zstd)
            print(BytesBench.report(result, day: day, options: options))
        }
        if scenario == .restore {
            let result = try await RestoreBench.run(
                day: day, events: options.events, root: (root as NSString).appendingPathComponent("restore"),
                conf: options.conf, logger: logger)
            print(RestoreBench.report(result, options: options))
        }
        if scenario == .link || scenario == .all {
            // A week of backlog: seven days' applications, synced at once.
            let week = try BusyDay.play(
                conf: conf, seed: options.seed, permohonan: options.permohonan * 7,
                root: (root as NSString).appendingPathComponent("week"), logger: logger)
            let runs = try await LinkBench.run(
                day: day, week: week, root: (root as NSString).appendingPathComponent("link"), logger: logger)
            print(LinkBench.report(runs, options: options))
        }
        if scenario == .compression || scenario == .all {
            let other = (root as NSString).appendingPathComponent("training")
            let training = try BusyDay.play(
                conf: conf, seed: options.seed &+ 1, permohonan: options.permohonan, root: other, logger: logger)
            let result = try CompressionBench.run(day: day, trainingDay: training, runs: options.runs)
            print(CompressionBench.report(result, day: day, options: options))
        }
    } catch let error as BenchError {
        removeDirectory(root)
        fail(error)
    } catch {
        removeDirectory(root)
        fail(BenchError("\(error)"))
    }
}

await main()
