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
        #expect(postgres.stderr.contains("PostgreSQL hub store is not built yet"))
        let processes = try bench(["hub-load", "--nodes", "2", "--processes", "2", "--conf", Simpul.conf])
        #expect(processes.status == 64)
        #expect(processes.stderr.contains("one process only"))
        #expect(processes.stdout.isEmpty)
    }
}
