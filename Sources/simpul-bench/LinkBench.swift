import Foundation
import Logging
import SimpulConcurrency
import SimpulDomain
import SimpulHubServer
import SimpulLinkSimulator
import SimpulStore
import SimpulSync
import SimpulTransport
import Synchronization

/// A real hub serving TLS on 127.0.0.1 in this process, for the scenarios that sync over HTTPS.
final class ServedHub: Sendable {
    let port: Int
    let certificate: String
    private let task: Task<Void, any Error>

    init(handler: any HubRequestHandler, directory: String, logger: Logger) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = try DevCertificate.write(to: directory, host: "localhost")
        certificate = files.certificatePath
        let (bound, reporter) = AsyncStream.makeStream(of: Int.self)
        let server = try HubHTTPServer(
            host: "127.0.0.1", port: 0, tls: files, handler: handler, logger: logger,
            onRunning: { port in
                reporter.yield(port)
                reporter.finish()
            })
        let task = Task {
            // A server that cannot listen ends the stream without a port.
            defer { reporter.finish() }
            try await server.run()
        }
        var ports = bound.makeAsyncIterator()
        guard let port = await ports.next() else {
            task.cancel()
            throw BenchError("the hub server did not start: \(String(describing: await task.result))")
        }
        self.task = task
        self.port = port
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// Counts the requests a hub answers (each is a round trip on the link).
final class CountingHandler: HubRequestHandler {
    let inner: HubService
    private let count = Atomic<Int>(0)

    init(_ inner: HubService) { self.inner = inner }

    func handle(_ request: HTTPRequestMessage) async -> HTTPResponseMessage {
        count.add(1, ordering: .relaxed)
        return await inner.handle(request)
    }

    var requests: Int { count.load(ordering: .relaxed) }
}

/// `link`: the busy day's delta over a satellite link (64 kbit/s, 600 ms round trip, a cut every
/// 45 s), through the real HTTPS hub, libcurl and the link simulator: the kecamatan pushes its day,
/// and pulls back what the PTSP did with it.
enum LinkBench {
    static let bytesPerSecond = 8_000
    static let oneWay = Duration.milliseconds(300)
    static let cutEvery = Duration.seconds(45)
    static let targetFactor = 1.5
    static let targetResent = 0.05
    /// After a cut the agent tries again after a short backoff (`simpul sync --retry-for` and
    /// `simpul serve` use the same `Backoff`, with longer waits by default).
    static let retryMinimum = Duration.seconds(1)
    static let retryMaximum = Duration.seconds(8)

    struct Run {
        var seconds = 0.0
        var attempts = 0
        var cuts = 0
        var bytesUp = 0
        var bytesDown = 0
        var requests = 0
        var pushed = 0
        var pulledEvents = 0
        var result = ""
    }

    struct Result {
        var clean = Run()
        var cut = Run()
        var events = 0
        var changeSets = 0
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

    static func run(day: BusyDay, root: String, logger: Logger) async throws -> Result {
        var result = Result(events: day.events.count, changeSets: day.stored.count)
        result.clean = try await once(
            day: day, root: (root as NSString).appendingPathComponent("clean"), cuts: false, logger: logger)
        result.cut = try await once(
            day: day, root: (root as NSString).appendingPathComponent("cut"), cuts: true, logger: logger)
        return result
    }

    private static func once(day: BusyDay, root: String, cuts: Bool, logger: Logger) async throws -> Run {
        let (kec, service, _) = try delta(day: day, root: root)
        let counting = CountingHandler(service)
        let hub = try await ServedHub(
            handler: counting, directory: (root as NSString).appendingPathComponent("certs"), logger: logger)
        let outcome: Swift.Result<Run, any Error>
        do {
            outcome = .success(
                try await over(
                    hub: hub, counting: counting, kec: kec, service: service, day: day, cuts: cuts, logger: logger))
        } catch {
            outcome = .failure(error)
        }
        await hub.stop()
        return try outcome.get()
    }

    /// Syncs the kecamatan with `hub` through the simulated link until they are in step.
    private static func over(
        hub: ServedHub, counting: CountingHandler, kec: NodeStore, service: HubService, day: BusyDay, cuts: Bool,
        logger: Logger
    ) async throws -> Run {
        let link = LinkSimulator.Link(bytesPerSecond: bytesPerSecond, delay: oneWay)
        let simulator = try LinkSimulator(
            upstreamPort: hub.port, plan: .init(link: link, cutEvery: cuts ? cutEvery : nil))
        defer { simulator.stop() }
        try kec.setHub(HubConfig(url: "https://127.0.0.1:\(simulator.port)", caFile: hub.certificate))

        var run = Run()
        var backoff = Backoff(minimum: retryMinimum, maximum: retryMaximum)
        var rng = SplitMix64(seed: 45)
        let started = ContinuousClock.now
        while true {
            run.attempts += 1
            let transport = CurlTransport(
                baseURL: "https://127.0.0.1:\(simulator.port)", caFile: hub.certificate, logger: logger)
            let client = SyncClient(
                store: kec, identity: day.kecamatanIdentity, transport: transport, logger: logger,
                now: day.clock.now)
            let report = await BlockingPool.shared.run {
                let report = client.run()
                transport.closeIdleConnections()
                return report
            }
            run.pushed += report.pushed
            run.pulledEvents += report.pulled
            run.result = report.outcome.result.rawValue
            if report.outcome.result != .linkFailure || run.attempts >= 200 { break }
            let wait = backoff.fail(using: &rng)
            try await Task.sleep(for: wait)
        }
        let elapsed = ContinuousClock.now - started
        run.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let counters = simulator.counters
        run.cuts = counters.cuts
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

    static func report(_ r: Result, day: BusyDay, options: Options) -> String {
        let rtt = Double(oneWay.components.seconds) * 2 + Double(oneWay.components.attoseconds) * 2 / 1e18
        // Ideal: every byte of the clean run at the link's rate, plus one round trip per request and
        // one for the TLS handshake of the connection.
        let ideal =
            Double(r.clean.bytesUp + r.clean.bytesDown) / Double(bytesPerSecond)
            + Double(r.clean.requests + 1) * rtt
        let factor = r.cut.seconds / ideal
        let resent = Double(r.cut.bytesUp + r.cut.bytesDown - r.clean.bytesUp - r.clean.bytesDown)
        let resentShare = resent / Double(r.clean.bytesUp + r.clean.bytesDown)

        var json = JSONLine()
        json.add("scenario", "link")
        json.add("seed", Int(options.seed))
        json.add("permohonan", day.permohonan)
        json.add("events", r.events)
        json.add("change_sets", r.changeSets)
        json.add("bandwidth_bytes_per_s", bytesPerSecond)
        json.add("rtt_ms", rtt * 1000, decimals: 0)
        json.add("cut_every_s", Int(cutEvery.components.seconds))
        for (name, run) in [("clean", r.clean), ("cut", r.cut)] {
            var entry = JSONLine()
            entry.add("seconds", run.seconds, decimals: 2)
            entry.add("attempts", run.attempts)
            entry.add("cuts", run.cuts)
            entry.add("bytes_up", run.bytesUp)
            entry.add("bytes_down", run.bytesDown)
            entry.add("requests", run.requests)
            entry.add("change_sets_pushed", run.pushed)
            entry.add("events_pulled", run.pulledEvents)
            json.add(name, entry)
        }
        json.add("ideal_seconds", ideal, decimals: 2)
        json.add("factor_vs_ideal", factor, decimals: 3)
        json.add("resent_bytes", Int(resent))
        json.add("resent_share", resentShare, decimals: 4)
        json.add("target_factor", targetFactor, decimals: 2)
        json.add("target_resent_share", targetResent, decimals: 2)
        json.add("factor_target_met", factor <= targetFactor)
        json.add("resent_target_met", resentShare <= targetResent)

        func met(_ ok: Bool) -> String { ok ? "met" : "MISSED" }
        var lines = [json.text]
        lines.append(
            "link: \(day.permohonan) permohonan, \(grouped(r.events)) events in \(r.changeSets) change sets, "
                + "\(bytesPerSecond * 8 / 1000) kbit/s, \(Int(rtt * 1000)) ms round trip, a cut every "
                + "\(cutEvery.components.seconds) s; retry after \(retryMinimum.components.seconds)-"
                + "\(retryMaximum.components.seconds) s (full jitter)")
        lines.append(
            "  \(column("run", 10, right: false))\(column("seconds", 10))\(column("attempts", 10))\(column("cuts", 6))"
                + "\(column("bytes up", 11))\(column("bytes down", 12))\(column("requests", 10))")
        for (name, run) in [("no cuts", r.clean), ("cuts", r.cut)] {
            lines.append(
                "  \(column(name, 10, right: false))\(column(fixed(run.seconds, 1), 10))\(column("\(run.attempts)", 10))"
                    + "\(column("\(run.cuts)", 6))\(column(grouped(run.bytesUp), 11))"
                    + "\(column(grouped(run.bytesDown), 12))\(column("\(run.requests)", 10))")
        }
        lines.append(
            "  ideal \(fixed(ideal, 1)) s (bytes at 64 kbit/s + a round trip per request); with cuts "
                + "\(fixed(factor, 2))x the ideal (<= 1.5 \(met(factor <= targetFactor))), re-sent "
                + "\(grouped(Int(resent))) B = \(fixed(resentShare * 100, 2))% (<= 5% \(met(resentShare <= targetResent)))"
        )
        return lines.joined(separator: "\n")
    }
}
