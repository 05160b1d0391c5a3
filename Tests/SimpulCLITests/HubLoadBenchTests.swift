import Foundation
import SimpulDomain
import SimpulTestSupport
import Testing

/// `simpul-bench hub-load` with a handful of nodes and small days, the built programs end to end: the
/// bench starts the real `simpul-hub serve` (TLS on 127.0.0.1, a port from the OS) and every node's
/// day must arrive whole, without one failed request.
@Suite("simpul-bench hub-load", .timeLimit(.minutes(10)))
struct HubLoadBenchTests {
    private func bench(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let (ended, out, err) = try Child.run(
            try RealHub.binary("simpul-bench"), arguments, environment: RealHub.environment(),
            timeout: .seconds(400))
        return (ended.status, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test func everyNodesDayIsAbsorbedWithoutErrors() throws {
        // The timer's window of 0 s starts every node at once: nothing waits on the clock.
        let run = try bench([
            "hub-load", "--nodes", "3", "--permohonan", "6", "--history", "60", "--window", "0", "--concurrency", "3",
            "--conf", Simpul.conf,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let line = try #require(run.stdout.split(separator: "\n").first, "no report: \(run.stderr)")
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
        func int(_ key: String) -> Int? {
            if case .number(let n)? = report[key] { Int(n) } else { nil }
        }
        func bool(_ key: String) -> Bool? {
            if case .bool(let b)? = report[key] { b } else { nil }
        }
        #expect(report["scenario"] == .string("hub-load"))
        #expect(int("nodes") == 3)
        #expect(int("partitions") == 3)
        let day = try #require(int("day_events"))
        #expect(day >= 3 * 6 * 2, "each of 6 applications makes two events at least")
        #expect(int("absorbed_events") == day)
        #expect(int("hub_events_before") ?? 0 >= 60)
        #expect(int("nodes_complete") == 3)
        #expect(int("errors") == 0)
        #expect(report["runs"] == .object(["in-sync": .number(3)]))
        #expect(report["request_failures"] == .object([:]))
        #expect(bool("all_absorbed") == true)
        #expect(bool("zero_errors_met") == true)
        if case .object(let push)? = report["push"], case .number(let requests)? = push["requests"] {
            #expect(requests >= 3)
        } else {
            Issue.record("no push figures: \(line)")
        }
        if case .number(let peak)? = report["hub_peak_rss_mb"] { #expect(peak > 1) }
        #expect(int("hub_exit_status") == 0)
    }

    @Test func refusesWhatItCannotRun() throws {
        let postgres = try bench(["hub-load", "--nodes", "2", "--backend", "postgres", "--conf", Simpul.conf])
        #expect(postgres.status == 69)
        #expect(postgres.stderr.contains("--database"))
        let processes = try bench(["hub-load", "--nodes", "2", "--processes", "2", "--conf", Simpul.conf])
        #expect(processes.status == 64)
        #expect(processes.stderr.contains("one process only"))
        #expect(processes.stdout.isEmpty)
    }

    /// Both backends and one and two hub processes in one invocation: every run absorbs every node's
    /// day without an error, SQLite with two processes is skipped with its reason, and the comparison
    /// lines follow.
    @Test(PostgresServer.given) func runsEachBackendAndProcessCountAndComparesThem() throws {
        let server = try #require(PostgresServer.url)
        let run = try bench([
            "hub-load", "--nodes", "4", "--permohonan", "5", "--history", "40", "--window", "0", "--concurrency", "4",
            "--backend", "sqlite,postgres", "--processes", "1,2", "--database", server, "--conf", Simpul.conf,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let reports = try lines.filter { $0.hasPrefix("{") }.map {
            try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
        }
        let ran = reports.map { report -> String in
            if case .string(let backend)? = report["backend"], case .number(let k)? = report["processes"] {
                return "\(backend)-\(Int(k))"
            }
            return "?"
        }
        #expect(ran == ["sqlite-1", "postgres-1", "postgres-2"])
        for report in reports {
            #expect(report["errors"] == .number(0))
            #expect(report["all_absorbed"] == .bool(true))
            #expect(report["nodes_complete"] == .number(4))
        }
        #expect(lines.contains { $0.contains("sqlite with 2 processes skipped") && $0.contains("one process only") })
        #expect(lines.contains { $0.hasPrefix("hub-load: postgres/sqlite absorbed events/s") })
        #expect(lines.contains { $0.hasPrefix("hub-load: postgres K=2/K=1 absorbed events/s") })
    }
}
