import Foundation
import GRDB
import SimpulDomain
import SimpulLinkSimulator
import SimpulStore
import SimpulSync
import SimpulTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Black-box: the built `simpul serve`, `simpul sync` and `simpul-hub serve` processes, real TLS, the
/// link simulator in between, and real signals.
@Suite(.timeLimit(.minutes(10))) struct AgentCommandTests {
    /// A process of one of the built tools, its output read line by line as it comes.
    final class Tool: Sendable {
        let child: Child
        /// Lines before this one were looked at by an earlier `line` call.
        private let cursor = Mutex(0)

        init(_ name: String, _ arguments: [String]) throws {
            child = try Child(
                AgentCommandTests.binary(name).path, arguments,
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SIMPUL_") })
        }

        /// Waits for the next stdout line (after those earlier calls looked at) that satisfies `match`.
        func line(timeout: Duration = .seconds(60), _ match: (String) -> Bool) -> String? {
            var seen = cursor.withLock { $0 }
            defer { cursor.withLock { $0 = seen } }
            return child.stdout.line(after: &seen, within: timeout, where: match)
        }

        func signal(_ number: Int32) { child.signal(number) }

        /// Waits for the end; the status, or 128 + the signal.
        func wait(timeout: Duration = .seconds(60)) -> Int32? { child.wait(timeout: timeout)?.status }

        var stderr: String { child.stderr.text }

        /// Everything printed so far, line by line.
        var output: [String] { child.stdout.lines }

        /// Waits until stdout is closed (the process has ended and everything is read).
        func drained() { _ = child.stdout.readToEnd(within: .seconds(10)) }
    }

    static func binary(_ name: String) throws -> URL {
        let url = try Simpul.binary().deletingLastPathComponent().appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw HarnessError("\(name) not built next to simpul: run swift build first")
        }
        return url
    }

    static func run(_ name: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let tool = try Tool(name, arguments)
        guard let status = tool.wait() else {
            tool.signal(SIGKILL)
            throw HarnessError("\(name) \(arguments.joined(separator: " ")) did not end")
        }
        tool.drained()
        return (status, tool.output.joined(separator: "\n"), tool.stderr)
    }

    /// A hub process serving TLS on 127.0.0.1, with its data folder and certificate.
    struct Hub {
        let data: String
        let certificate: String
        let port: Int
        let process: Tool

        static func start(in dir: String) throws -> Hub {
            let data = dir + "/hub"
            let certs = dir + "/certs"
            let initRun = try run(
                "simpul-hub", ["init", "--node", "33.74", "--name", "DPMPTSP", "--conf", Simpul.conf, "--data", data])
            guard initRun.status == 0 else { throw HarnessError("hub init: \(initRun.stderr)") }
            guard try run("simpul-hub", ["dev-cert", "--out", certs, "--host", "localhost"]).status == 0 else {
                throw HarnessError("dev-cert failed")
            }
            let process = try Tool(
                "simpul-hub",
                [
                    "serve", "--data", data, "--listen", "127.0.0.1:0", "--tls-cert", certs + "/cert.pem",
                    "--tls-key", certs + "/key.pem",
                ])
            guard let announced = process.line({ $0.contains("mendengarkan di") }),
                let port = announced.split(separator: ":").last.flatMap({ Int($0) })
            else { throw HarnessError("the hub did not announce its port: \(process.stderr)") }
            return Hub(data: data, certificate: certs + "/cert.pem", port: port, process: process)
        }

        func enroll(_ identity: NodeIdentity) throws {
            let r = try run(
                "simpul-hub",
                [
                    "node", "enroll", "--data", data, "--node", identity.node.rawValue, "--public-key",
                    identity.publicKey,
                ])
            guard r.status == 0 else { throw HarnessError("enroll: \(r.stderr)") }
        }

        func stop() -> Int32? {
            process.signal(SIGTERM)
            return process.wait()
        }
    }

    private func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-agent-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A kecamatan data folder written by the library (much faster than hundreds of processes),
    /// then used by the built binaries.
    private func kecamatan(
        at data: String, node: String = "33.74.01", hubURL: String, ca: String, registrations: Int
    ) throws -> NodeIdentity {
        let store = try Fixture.newStore(node: node, directory: data)
        let identity = try NodeIdentity.create(node: NodeID(node)!, directory: data)
        try store.setHub(HubConfig(url: hubURL, caFile: ca))
        let catalog = try store.catalog()
        for i in 0..<registrations {
            let layanan = try #require(catalog.service(code: i % 3 == 0 ? "DOMISILI" : "SKTM"))
            _ = try store.register(Fixture.application(layanan, nama: "Pemohon \(i)"), officer: "Loket")
        }
        return identity
    }

    @Test func serveSyncsSoonAfterALocalChangeHoldsTheLockBacksOffAndStopsOnSIGTERM() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hub = try Hub.start(in: dir)
        let kec = dir + "/kec"
        let identity = try kecamatan(
            at: kec, hubURL: "https://127.0.0.1:\(hub.port)", ca: hub.certificate, registrations: 3)
        try hub.enroll(identity)

        let agent = try Tool(
            "simpul",
            ["serve", "--data", kec, "--settle", "0", "--interval", "3600", "--retry-min", "1", "--retry-max", "2"])
        defer { agent.signal(SIGKILL) }
        // The first sync runs at once and pushes what was there.
        let first = try #require(agent.line { $0.contains("exit ") }, "no sync line: \(agent.stderr)")
        #expect(first.contains("in-sync"), "\(first)")

        // Only one sync at a time on a node: cron's run is refused at once while the agent runs.
        let cron = try Self.run("simpul", ["sync", "--data", kec])
        #expect(cron.status == 69, "\(cron)")
        #expect(cron.stderr.split(separator: "\n").count == 1 && cron.stderr.contains("sinkron lain"), "\(cron.stderr)")

        // An officer registers at the counter; the agent notices and pushes without being asked.
        let created = try Self.run(
            "simpul",
            [
                "permohonan", "create", "--data", kec, "--layanan", "SKTM", "--nik", "3374010101850003", "--nama",
                "Ahmad", "--syarat", "ktp", "--syarat", "kk", "--syarat", "pengantar-rt-rw", "--syarat",
                "pengantar-desa", "--petugas", "Sari",
                "--json",
            ])
        #expect(created.status == 0, "\(created.stderr)")
        let pushed = try #require(agent.line { $0.contains("in-sync") && $0.contains(": 1 change set dikirim") })
        #expect(pushed.contains("exit 0"))
        let atHub = try DatabaseQueue(path: hub.data + "/simpul.sqlite").read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event WHERE partition = '33.74.01'") ?? 0
        }
        #expect(atHub == 4)

        // The link goes down: the agent reports and backs off instead of giving up or spinning.
        #expect(hub.stop() == 0)
        _ = try Self.run(
            "simpul",
            [
                "permohonan", "create", "--data", kec, "--layanan", "SKTM", "--nik", "3374010101850003", "--nama",
                "Budi", "--syarat", "ktp", "--syarat", "kk", "--syarat", "pengantar-rt-rw", "--syarat",
                "pengantar-desa", "--petugas", "Sari",
            ])
        let down = try #require(agent.line { $0.contains("link-failure") })
        #expect(down.contains("exit 75"))
        // Retries wait 0-1 s, then 0-2 s each (full jitter, --retry-min 1 --retry-max 2): about nine
        // attempts in eight seconds, at least three, and more than twenty only with odds under 1e-5.
        // An agent that retried at once would fail hundreds of times against the closed port.
        let window = ContinuousClock.now + .seconds(8)
        var failures = 1
        while case let left = window - .now, left > .zero,
            let next = agent.line(timeout: left, { $0.contains("link-failure") })
        {
            #expect(next.contains("exit 75"), "\(next)")
            failures += 1
        }
        #expect(failures >= 3, "the agent gave up retrying: \(failures) attempts in 8 s")
        #expect(failures <= 20, "the agent does not back off: \(failures) attempts in 8 s")

        // SIGTERM: a clean stop, whatever the agent was doing.
        agent.signal(SIGTERM)
        #expect(agent.wait(timeout: .seconds(30)) == 0, "\(agent.stderr)")
        // The lock went with the agent.
        #expect(try Self.run("simpul", ["sync", "--data", kec]).status == 75)
    }

    @Test func syncKilledAtTwentyRandomMomentsLeavesHealthyStoresAndAFinalSyncLosesAndDuplicatesNothing() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hub = try Hub.start(in: dir)
        defer { _ = hub.stop() }
        // A slow link, so that the kills land inside transfers and between them.
        let link = try LinkSimulator(
            upstreamPort: hub.port,
            plan: .init(up: .init(bytesPerSecond: 16_000), down: .init(bytesPerSecond: 32_000)))
        defer { link.stop() }
        let url = "https://127.0.0.1:\(link.port)"
        let kec = dir + "/kec"
        let identity = try kecamatan(at: kec, hubURL: url, ca: hub.certificate, registrations: 1000)
        try hub.enroll(identity)
        // A second replica of the same kecamatan (a new disk, restored with the office's key backup)
        // pulls it all.
        let restored = dir + "/restored"
        let second = try Fixture.newStore(node: "33.74.01", directory: restored)
        _ = try NodeIdentity.adopt(node: identity.node, keyFile: kec + "/" + NodeIdentity.fileName, directory: restored)
        try second.setHub(HubConfig(url: url, caFile: hub.certificate))

        var rng = SeededGenerator(seed: 0x4B49_4C4C)
        var killed = 0
        for attempt in 0..<20 {
            // Ten kills while the kecamatan pushes, then ten while the restored replica pulls.
            let data = attempt < 10 ? kec : restored
            let before = link.counters
            let target = Int.random(in: 500...6_000, using: &rng)
            let sync = try Tool("simpul", ["sync", "--data", data])
            // The simulator wakes the wait as bytes move; the short timeout notices a process that ended.
            let deadline = ContinuousClock.now + .seconds(60)
            while sync.child.isRunning, ContinuousClock.now < deadline {
                let reached = link.wait(timeout: .milliseconds(100)) { c in
                    (c.bytesUp + c.bytesDown) - (before.bytesUp + before.bytesDown) >= target
                }
                if reached { break }
            }
            sync.signal(SIGKILL)
            let status = sync.wait()
            if status == 128 + SIGKILL {
                killed += 1
            } else {
                #expect(status == 0, "attempt \(attempt) ended \(String(describing: status)): \(sync.stderr)")
            }
            let store = try NodeStore.open(directory: data, now: { TestClock().now() }, logger: Fixture.logger)
            let check = try store.check()
            #expect(check.integrity == "ok", "attempt \(attempt): \(check)")
            #expect(check.foldMatches, "attempt \(attempt)")
        }
        #expect(killed >= 15, "only \(killed) of 20 runs were killed mid-sync")

        link.plan = .init()
        for data in [kec, restored, kec] {
            let final = try Self.run("simpul", ["sync", "--data", data])
            #expect(final.status == 0, "\(final.stdout) \(final.stderr)")
        }
        let source = try NodeStore.open(directory: kec, now: { TestClock().now() }, logger: Fixture.logger)
        let copy = try NodeStore.open(directory: restored, now: { TestClock().now() }, logger: Fixture.logger)
        let hubEvents = try DatabaseQueue(path: hub.data + "/simpul.sqlite").read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event WHERE partition = '33.74.01'") ?? 0
        }
        // 1000 registrations, each exactly once everywhere.
        #expect(try source.eventCount() == 1000)
        #expect(hubEvents == 1000)
        #expect(try copy.eventCount() == 1000)
        #expect(try copy.stateDump(partition: "33.74.01") == source.stateDump(partition: "33.74.01"))
        #expect(try copy.list(PermohonanFilter(limit: 5000)).count == 1000)
    }
}

extension AgentCommandTests {
    /// The value of one sample line of a Prometheus exposition, by its name and labels as printed.
    private func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    private func get(_ url: String) throws -> (status: Int, contentType: String, body: String) {
        let marker = "\n--simpul-test--"
        let (ended, out, err) = try Child.run(
            "/usr/bin/curl", ["-sS", "-w", "\(marker)%{http_code} %{content_type}", url], timeout: .seconds(60))
        #expect(ended.status == 0, "\(String(decoding: err, as: UTF8.self))")
        let parts = String(decoding: out, as: UTF8.self).components(separatedBy: marker)
        let tail = (parts.last ?? "").split(separator: " ", maxSplits: 1).map(String.init)
        return (Int(tail.first ?? "") ?? 0, tail.count > 1 ? tail[1] : "", parts.dropLast().joined(separator: marker))
    }

    /// `simpul serve --metrics`: the agent tells Prometheus how its syncs go, from the store and from
    /// its own schedule, while it syncs and while the link is down.
    @Test func serveExposesItsLastSyncItsBacklogAndItsBackoffAsMetrics() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hub = try Hub.start(in: dir)
        let kec = dir + "/kec"
        let identity = try kecamatan(
            at: kec, hubURL: "https://127.0.0.1:\(hub.port)", ca: hub.certificate, registrations: 3)
        try hub.enroll(identity)

        let agent = try Tool(
            "simpul",
            [
                "serve", "--data", kec, "--settle", "0", "--interval", "3600", "--retry-min", "1", "--retry-max", "2",
                "--metrics", "127.0.0.1:0",
            ])
        defer { agent.signal(SIGKILL) }
        let announced = try #require(agent.line { $0.hasPrefix("metrik agen di ") }, "\(agent.stderr)")
        let metrics = String(announced.dropFirst("metrik agen di ".count))
        #expect(metrics.hasPrefix("http://127.0.0.1:") && metrics.hasSuffix("/metrics"))
        let first = try #require(agent.line { $0.contains("exit ") }, "no sync line: \(agent.stderr)")
        #expect(first.contains("in-sync"), "\(first)")

        let synced = try get(metrics)
        #expect(synced.status == 200)
        #expect(synced.contentType.hasPrefix("text/plain; version=0.0.4"))
        let text = synced.body
        #expect(sample(text, #"simpul_agent_last_sync_result{result="in-sync"}"#) == 1, "\(text)")
        #expect(sample(text, #"simpul_agent_last_sync_result{result="link-failure"}"#) == 0)
        #expect(sample(text, "simpul_agent_last_sync_exit_code") == 0)
        #expect(sample(text, "simpul_agent_events_waiting") == 0)
        #expect(sample(text, #"simpul_agent_link{state="up"}"#) == 1)
        #expect(sample(text, "simpul_agent_backoff_failures") == 0)
        #expect((sample(text, #"simpul_agent_syncs_total{result="in-sync"}"#) ?? 0) >= 1)
        #expect(sample(text, "simpul_agent_store_up") == 1)
        #expect((sample(text, "simpul_agent_last_sync_age_seconds") ?? -1) >= 0)
        // The next periodic sync is an hour away (--interval 3600).
        let next = try #require(sample(text, "simpul_agent_next_sync_seconds"))
        #expect(next > 3000 && next <= 3600, "\(next)")
        #expect(!text.contains("3374010101"), "no NIK in the metrics")

        // The hub goes away and an officer registers: the backlog grows and the agent backs off.
        #expect(hub.stop() == 0)
        let created = try Self.run(
            "simpul",
            [
                "permohonan", "create", "--data", kec, "--layanan", "SKTM", "--nik", "3374010101850003", "--nama",
                "Budi", "--syarat", "ktp", "--syarat", "kk", "--syarat", "pengantar-rt-rw", "--syarat",
                "pengantar-desa", "--petugas", "Sari",
            ])
        #expect(created.status == 0, "\(created.stderr)")
        _ = try #require(agent.line { $0.contains("link-failure") }, "\(agent.stderr)")
        let down = try get(metrics).body
        #expect(sample(down, #"simpul_agent_last_sync_result{result="link-failure"}"#) == 1, "\(down)")
        #expect(sample(down, "simpul_agent_last_sync_exit_code") == 75)
        #expect(sample(down, #"simpul_agent_link{state="down"}"#) == 1)
        #expect((sample(down, "simpul_agent_backoff_failures") ?? 0) >= 1)
        #expect((sample(down, #"simpul_agent_syncs_total{result="link-failure"}"#) ?? 0) >= 1)
        #expect(sample(down, "simpul_agent_events_waiting") == 1)

        #expect(try get(metrics.replacingOccurrences(of: "/metrics", with: "/healthz")).status == 200)
        #expect(try get(metrics.replacingOccurrences(of: "/metrics", with: "/v2/hub")).status == 404)
        agent.signal(SIGTERM)
        #expect(agent.wait(timeout: .seconds(30)) == 0, "\(agent.stderr)")
    }

    @Test func metricsInPlainHTTPAwayFromLoopbackAreRefused() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let kec = dir + "/kec"
        _ = try kecamatan(at: kec, hubURL: "https://127.0.0.1:9", ca: "/nonexistent", registrations: 0)
        let r = try Self.run("simpul", ["serve", "--data", kec, "--metrics", "0.0.0.0:0"])
        #expect(r.status == 64, "\(r)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("\"0.0.0.0\""), "\(r.stderr)")
        let bad = try Self.run("simpul", ["serve", "--data", kec, "--metrics", "metrik"])
        #expect(bad.status == 64, "\(bad)")
        #expect(bad.stderr.contains("metrics: 'metrik' harus berbentuk HOST:PORT"), "\(bad.stderr)")
    }
}
