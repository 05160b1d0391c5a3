import Foundation
import SimpulDomain
import SimpulHubServer
import SimpulLinkSimulator
import SimpulStore
import SimpulSync
import SimpulTestSupport
import SimpulTransport
import Synchronization
import Testing

/// Links that drop: a real hub serving TLS, the real libcurl agent, and the link simulator between
/// them cutting connections in the middle of the sync.
@Suite(.timeLimit(.minutes(10))) struct LinkDropTests {
    /// Passes requests to the hub and remembers every change set pushed and what the hub made of it.
    final class CountingHandler: HubRequestHandler {
        let service: HubService
        private let pushes = Mutex<[(hash: String, result: String)]>([])

        init(_ service: HubService) { self.service = service }

        func handle(_ request: HTTPRequestMessage) async -> HTTPResponseMessage {
            let response = await service.handle(request)
            if request.path == "/v2/push", response.status == 200,
                let body = try? BodyCoding.decodeRequest(
                    request.body, encoding: request.headers["content-encoding"], limit: 64 * 1024 * 1024),
                let documents = try? PushRequest.documents(body),
                let answer = try? Canonical.decode(PushBatchResponse.self, from: response.body)
            {
                for (document, result) in zip(documents, answer.results) {
                    if let hash = try? Canonical.decode(SignedChangeSet.self, from: document).hash {
                        pushes.withLock { $0.append((hash, result.result)) }
                    }
                }
            }
            return response
        }

        var received: [(hash: String, result: String)] { pushes.withLock { $0 } }
    }

    /// A kecamatan with a day of counter work sealed into change sets of `budget` bytes.
    private func busyKecamatan(
        registrations: Int, budget: Int, backend: HubBackend, limits: HubLimits = HubLimits()
    ) throws -> (SyncWorld, Replica) {
        let world = try SyncWorld(backend: backend, limits: limits)
        let kec = try world.kecamatan("33.74.01")
        for i in 0..<registrations { try kec.register(i % 3 == 0 ? "DOMISILI" : "SKTM", nama: "Pemohon \(i)") }
        try ChangeSetSealer.sealPending(store: kec.store, identity: kec.identity, budget: budget)
        return (world, kec)
    }

    /// Serves `handler` over HTTPS on 127.0.0.1 with the simulator in front, and runs `body` on a
    /// thread of its own (libcurl blocks) with the simulator's address.
    private func throughSimulator<T: Sendable>(
        _ handler: any HubRequestHandler, plan: LinkSimulator.Plan,
        _ body: @escaping @Sendable (_ url: String, _ caFile: String, _ link: LinkSimulator) throws -> T
    ) async throws -> T {
        try await withHTTPSHub(handler) { port, ca in
            let link = try LinkSimulator(upstreamPort: port, plan: plan)
            defer { link.stop() }
            return try body("https://127.0.0.1:\(link.port)", ca, link)
        }
    }

    private func agent(
        _ world: SyncWorld, _ kec: Replica, url: String, caFile: String, silenceSeconds: Double = 5
    ) -> (SyncClient, CurlTransport) {
        let transport = CurlTransport(
            baseURL: url, caFile: caFile, silenceSeconds: silenceSeconds, logger: Fixture.logger)
        let client = SyncClient(
            store: kec.store, identity: kec.identity, transport: transport, logger: Fixture.logger,
            now: { world.clock.now() }, pushBudget: 1, pushWindow: 1)
        return (client, transport)
    }

    /// Syncs until in sync (at most `attempts` runs), a new connection each run, as cron would. One push
    /// in flight at a time, so that a drop costs at most one unit (with a window of two, two).
    private func syncUntilDone(
        _ world: SyncWorld, _ kec: Replica, url: String, caFile: String, attempts: Int, silenceSeconds: Double = 5
    ) -> [SyncReport] {
        var reports: [SyncReport] = []
        for _ in 0..<attempts {
            let (client, transport) = agent(world, kec, url: url, caFile: caFile, silenceSeconds: silenceSeconds)
            let report = client.run()
            transport.closeIdleConnections()
            reports.append(report)
            if report.outcome.result != .linkFailure { break }
        }
        return reports
    }

    @Test(arguments: HubBackend.allCases)
    func aSyncCutFiveTimesFinishesWithEveryEventOnceResendingAtMostOneUnitPerCut(backend: HubBackend) async throws {
        let registrations = 300
        let budget = 16 * 1024

        // The same work without cuts, for the bytes an uninterrupted sync sends.
        let (cleanWorld, cleanKec) = try busyKecamatan(registrations: registrations, budget: budget, backend: backend)
        let cleanUp = try await throughSimulator(CountingHandler(cleanWorld.service), plan: .init()) {
            url, ca, link in
            let reports = self.syncUntilDone(cleanWorld, cleanKec, url: url, caFile: ca, attempts: 1)
            #expect(reports.last?.outcome.result == .inSync)
            return link.counters.bytesUp
        }

        let (world, kec) = try busyKecamatan(registrations: registrations, budget: budget, backend: backend)
        let units = try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 1000)
        #expect(units.count >= 15, "\(units.count) change sets")
        let largestUnit = units.map { BodyCoding.encodeRequest($0.body).body.count }.max() ?? 0
        let handler = CountingHandler(world.service)
        // Each of the first eight connections is cut a little further into the upload than the last
        // (a new connection spends about 2 KB on its TLS handshake and the knowledge exchange).
        var faults: [Int: LinkSimulator.Fault] = [:]
        for k in 1...8 { faults[k] = .cut(afterBytes: 2_600 + k * 400, in: .up) }
        let (reports, counters) = try await throughSimulator(handler, plan: .init(faults: faults)) { url, ca, link in
            (self.syncUntilDone(world, kec, url: url, caFile: ca, attempts: 20), link.counters)
        }

        #expect(counters.cuts >= 5, "\(counters.cuts) cuts, clean \(cleanUp) B up, \(counters)")
        #expect(reports.last?.outcome.result == .inSync, "\(reports.map(\.outcome))")
        #expect(reports.dropLast().allSatisfy { $0.outcome.exitCode == 75 })
        // Every event is at the hub once, and the hub's state is the kecamatan's.
        #expect(try world.hubEventCount() == kec.store.eventCount())
        #expect(try world.hubStorage.knowledge()["33.74.01"] == kec.store.knowledge()["33.74.01"])
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
        // Nothing acknowledged was sent again: a change set reaches the hub twice only when the answer
        // to its push was lost in a cut, at most one per cut.
        let received = handler.received
        #expect(Set(received.map(\.hash)).count == units.count)
        #expect(received.count - units.count <= counters.cuts)
        #expect(received.filter { $0.result == "applied" }.count == units.count)
        // In bytes: what the cuts cost over an uninterrupted sync is at most one unit per cut, plus a
        // TLS handshake and the knowledge request of each new connection.
        let resent = counters.bytesUp - cleanUp
        let perCut = largestUnit + 4_096
        #expect(
            resent <= counters.cuts * perCut, "re-sent \(resent) B over \(counters.cuts) cuts, unit \(largestUnit) B")
    }

    @Test(arguments: HubBackend.allCases)
    func aPullCutInTheMiddleResumesAfterTheLastAnswerApplied(backend: HubBackend) async throws {
        let registrations = 200
        let (world, source) = try busyKecamatan(registrations: registrations, budget: 8 * 1024, backend: backend)
        // The hub gets everything first; then a new replica of the same kecamatan restores through cuts.
        let pushed = try await throughSimulator(world.service, plan: .init()) { url, ca, _ in
            self.syncUntilDone(world, source, url: url, caFile: ca, attempts: 1)
        }
        #expect(pushed.last?.outcome.result == .inSync)
        let directory = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: world.clock, node: "33.74.01", directory: directory)
        let identity = try NodeIdentity.create(node: source.node, directory: directory)
        try world.enroll(identity)
        try store.setHub(HubConfig(url: "set by the test", caFile: nil))
        let restored = Replica(store: store, identity: identity)

        var faults: [Int: LinkSimulator.Fault] = [:]
        for k in 1...8 { faults[k] = .cut(afterBytes: 3_000 + k * 700, in: .down) }
        let (reports, counters) = try await throughSimulator(world.service, plan: .init(faults: faults)) {
            url, ca, link in
            var reports: [SyncReport] = []
            for _ in 0..<20 {
                let transport = CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger)
                let report = SyncClient(
                    store: restored.store, identity: restored.identity, transport: transport, logger: Fixture.logger,
                    now: { world.clock.now() }, maxPullBytes: 4 * 1024
                ).run()
                transport.closeIdleConnections()
                reports.append(report)
                if report.outcome.result != .linkFailure { break }
            }
            return (reports, link.counters)
        }
        #expect(counters.cuts >= 5, "\(counters)")
        #expect(reports.last?.outcome.result == .inSync)
        // Each answer applied stays applied: the events pulled over all runs add up to the partition,
        // none twice.
        #expect(reports.reduce(0) { $0 + $1.pulled } == (try source.store.eventCount()))
        #expect(try restored.store.stateDump(partition: "33.74.01") == source.store.stateDump(partition: "33.74.01"))
        #expect(try restored.store.check().isHealthy)
    }

    @Test(arguments: [LinkSimulator.Direction.up, .down])
    func aSilentDropIsGivenUpOnByTheSilenceDeadlineAndTheRequestGoesAgain(
        direction: LinkSimulator.Direction
    )
        async throws
    {
        let (world, kec) = try busyKecamatan(registrations: 120, budget: 8 * 1024, backend: .sqlite)
        let handler = CountingHandler(world.service)
        // A connection goes dark in the middle of the push (up) or of the answers (down): bytes stop and
        // no reset comes. Every new connection costs a round trip before its first byte. The silence is
        // handed out in turn, so it comes at that point even if the loaded parallel suite made the agent
        // give up on an earlier connection.
        let plan = LinkSimulator.Plan(
            faultsInTurn: [.silence(afterBytes: direction == .up ? 9_000 : 4_000, in: direction)],
            connectionSetup: .milliseconds(50))
        let (reports, counters) = try await throughSimulator(handler, plan: plan) { url, ca, link in
            // libcurl's low-speed limit is out of reach: only the silence deadline can end the dark connection.
            let transport = CurlTransport(
                baseURL: url, caFile: ca, lowSpeedTimeSeconds: 3_600, silenceSeconds: 1, logger: Fixture.logger)
            let report = SyncClient(
                store: kec.store, identity: kec.identity, transport: transport, logger: Fixture.logger,
                now: { world.clock.now() }, pushBudget: 1, pushWindow: 1
            ).run()
            transport.closeIdleConnections()
            return ([report], link.counters)
        }
        #expect(counters.silences == 1, "\(counters.perConnection)")
        #expect(counters.cuts == 0)
        // The request in flight went again on a new connection, in the same run. At least two, not exactly:
        // with the deadline at 1 s, a healthy connection on a machine loaded by the parallel suite can
        // also sit silent that long and be replaced; the one injected silence is counted above.
        #expect(counters.connections >= 2)
        #expect(counters.perConnection.dropLast().allSatisfy { $0.state == .closed }, "\(counters.perConnection)")
        #expect(reports.map(\.outcome.result) == [.inSync], "\(reports.map(\.outcome))")
        #expect(try world.hubEventCount() == kec.store.eventCount())
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
        let received = handler.received
        #expect(received.filter { $0.result == "applied" }.count == Set(received.map(\.hash)).count)
    }

    @Test func anAnswerThatGoesSilentIsAStalledTransferNamedSilent() async throws {
        let world = try SyncWorld(backend: .sqlite)
        let error = try await throughSimulator(world.service, plan: .init()) { url, ca, link -> TransportError? in
            let get = HTTPRequestMessage(method: "GET", path: "/v2/hub")
            // One clean answer on a full handshake shows what the second connection carries. No session is
            // resumed: the process-wide cache is shared with every other test running at the same time and
            // may have evicted this hub's session, which would move the silence into the handshake.
            let clean = CurlTransport(baseURL: url, caFile: ca, sessions: nil, logger: Fixture.logger)
            _ = try clean.send(get)
            clean.closeIdleConnections()
            let whole = link.counters.perConnection[0].bytesDown
            link.updatePlan { $0.faults[2] = .silence(afterBytes: whole - 100, in: .down) }
            let transport = CurlTransport(
                baseURL: url, caFile: ca, lowSpeedTimeSeconds: 3_600, silenceSeconds: 1, sessions: nil,
                logger: Fixture.logger)
            defer { transport.closeIdleConnections() }
            do {
                _ = try transport.send(get)
                return nil
            } catch {
                return error as? TransportError
            }
        }
        let failure = try #require(error as TransportError?)
        #expect(failure.code == .stalled)
        #expect(failure.message.contains("link silent"), "\(failure.message)")
    }

    @Test func aSilentDropDuringTheRetryDoesNotEndTheRunAndResendsOnlyTheUnitInFlight() async throws {
        let (world, kec) = try busyKecamatan(registrations: 120, budget: 8 * 1024, backend: .sqlite)
        let units = try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 1000)
        let largestUnit = units.map { BodyCoding.encodeRequest($0.body).body.count }.max() ?? 0
        let handler = CountingHandler(world.service)
        // A connection goes dark in the middle of a push; so does the next, which carries the same request
        // again: the drop comes during the retry. Handed out in turn, as above.
        let plan = LinkSimulator.Plan(
            faultsInTurn: [.silence(afterBytes: 9_000, in: .up), .silence(afterBytes: 3_000, in: .up)],
            connectionSetup: .milliseconds(50))
        let (reports, counters) = try await throughSimulator(handler, plan: plan) { url, ca, link in
            let transport = CurlTransport(
                baseURL: url, caFile: ca, lowSpeedTimeSeconds: 3_600, silenceSeconds: 1, logger: Fixture.logger)
            let report = SyncClient(
                store: kec.store, identity: kec.identity, transport: transport, logger: Fixture.logger,
                now: { world.clock.now() }, pushBudget: 1, pushWindow: 1
            ).run()
            transport.closeIdleConnections()
            return ([report], link.counters)
        }
        #expect(counters.silences == 2, "\(counters.perConnection)")
        // One run: the request went a third time on a third connection (a further one for every connection
        // the loaded parallel suite held silent past the 1 s deadline).
        #expect(counters.connections >= 3)
        let drops = counters.connections - 1
        #expect(reports.map(\.outcome.result) == [.inSync], "\(reports.map(\.outcome))")
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
        let received = handler.received
        #expect(Set(received.map(\.hash)).count == units.count)
        #expect(received.filter { $0.result == "applied" }.count == units.count)
        // At most the unit in flight reached the hub twice per drop.
        #expect(received.count - units.count <= drops)
        // In bytes: each drop cost at most the unit in flight, a resumed handshake and the headers.
        let pushedUp = units.reduce(0) { $0 + BodyCoding.encodeRequest($1.body).body.count }
        #expect(counters.bytesUp <= pushedUp + units.count * 1_200 + drops * (largestUnit + 4_096), "\(counters)")
    }

    @Test func aTruncatedAnswerIsSentAgainWithinTheSameRunWithTwoPushesInFlight() async throws {
        let (world, kec) = try busyKecamatan(
            registrations: 120, budget: 8 * 1024, backend: .sqlite, limits: HubLimits(maxSkewSeconds: 86_400))
        let units = try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 1000)
        // Each of the first connections ends an answer early with a clean close (FIN) somewhere in the
        // pushes: an answer cut short, or a kept-alive connection that libcurl finds dead and sends the
        // same signed request on again by itself (the hub answers 409 `replayed`).
        // (The first connection's full handshake and hub info take about 3 KB down; a resumed one a
        // few hundred bytes, each push answer about 200.)
        let faults: [Int: LinkSimulator.Fault] = [
            1: .truncate(afterBytes: 3_400), 2: .truncate(afterBytes: 1_000), 3: .truncate(afterBytes: 900),
        ]
        let handler = CountingHandler(world.service)
        let plan = LinkSimulator.Plan(
            link: .init(bytesPerSecond: 200_000, delay: .milliseconds(5)), faults: faults,
            connectionSetup: .milliseconds(20))
        let (report, counters) = try await throughSimulator(handler, plan: plan) { url, ca, link in
            let transport = CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger)
            let report = SyncClient(
                store: kec.store, identity: kec.identity, transport: transport, logger: Fixture.logger,
                now: { world.clock.now() }, pushBudget: 1, pushWindow: 2
            ).run()
            transport.closeIdleConnections()
            return (report, link.counters)
        }
        #expect(counters.truncations >= 2, "\(counters.perConnection)")
        // The run did not end at the truncation: it went on and ended in sync.
        #expect(report.outcome.result == .inSync, "\(report.outcome)")
        #expect(try world.hubStorage.parkedBodies().isEmpty)
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
        let received = handler.received
        #expect(Set(received.map(\.hash)).count == units.count)
        // None applied twice (one that overtook its predecessor was parked, then applied when it came).
        let applied = received.filter { $0.result == "applied" }.map(\.hash)
        #expect(applied.count == Set(applied).count)
        #expect(try world.hubEventCount() == kec.store.eventCount())
        // Only units in flight at a truncation went twice: at most the two in flight per truncation.
        #expect(received.count - units.count <= 2 * counters.truncations, "\(received.count) for \(units.count)")
    }

    @Test func aTruncatedAnswerIsALinkFailureAndTheNextRunAppliesEachEventOnce() async throws {
        let (world, source) = try busyKecamatan(registrations: 150, budget: 8 * 1024, backend: .sqlite)
        let pushed = try await throughSimulator(world.service, plan: .init()) { url, ca, _ in
            self.syncUntilDone(world, source, url: url, caFile: ca, attempts: 1)
        }
        #expect(pushed.last?.outcome.result == .inSync)
        let directory = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: world.clock, node: "33.74.01", directory: directory)
        let identity = try NodeIdentity.create(node: source.node, directory: directory)
        try world.enroll(identity)
        try store.setHub(HubConfig(url: "set by the test", caFile: nil))
        let restored = Replica(store: store, identity: identity)
        // Each of the first three connections ends its answer early with a clean close (FIN), as a proxy
        // or a modem that gives up might: the body is shorter than its length says.
        var faults: [Int: LinkSimulator.Fault] = [:]
        // (The whole restore brings about 7.5 KB down on a new connection, the pull answer most of it.)
        for k in 1...3 { faults[k] = .truncate(afterBytes: 4_000 + k * 700) }
        let (reports, counters) = try await throughSimulator(world.service, plan: .init(faults: faults)) {
            url, ca, link in
            (self.syncUntilDone(world, restored, url: url, caFile: ca, attempts: 10), link.counters)
        }
        #expect(counters.truncations >= 2, "\(counters.perConnection)")
        #expect(reports.dropLast().allSatisfy { $0.outcome.result == .linkFailure }, "\(reports.map(\.outcome))")
        #expect(reports.last?.outcome.result == .inSync)
        #expect(reports.reduce(0) { $0 + $1.pulled } == (try source.store.eventCount()))
        #expect(try restored.store.stateDump(partition: "33.74.01") == source.store.stateDump(partition: "33.74.01"))
    }

    @Test func aReconnectResumesTheTLSSessionInsteadOfAFullHandshake() async throws {
        let world = try SyncWorld(backend: .sqlite)
        let counters = try await throughSimulator(world.service, plan: .init(connectionSetup: .milliseconds(20))) {
            url, ca, link in
            // Two transports, as two runs of `simpul sync --retry-for` make: the second connection still
            // finds the first one's session. A cache of the test's own, as the process-wide one keeps
            // only the latest few sessions and other tests' hubs would push this one out.
            let sessions = TLSSessionCache()
            for _ in 0..<2 {
                let transport = CurlTransport(baseURL: url, caFile: ca, sessions: sessions, logger: Fixture.logger)
                let answer = try transport.send(HTTPRequestMessage(method: "GET", path: "/v2/hub"))
                #expect(answer.status == 200)
                transport.closeIdleConnections()
            }
            return link.counters
        }
        let connections = counters.perConnection
        try #require(connections.count == 2, "\(counters)")
        // The same answer both times; the resumed handshake leaves out the certificate chain.
        #expect(connections[1].bytesDown < connections[0].bytesDown - 300, "\(connections)")
    }

    @Test func aDropInTheMiddleOfARunIsSentAgainAtOnceOnANewConnection() async throws {
        let (world, kec) = try busyKecamatan(registrations: 120, budget: 8 * 1024, backend: .sqlite)
        let handler = CountingHandler(world.service)
        let plan = LinkSimulator.Plan(faults: [1: .cut(afterBytes: 9_000, in: .up)], connectionSetup: .milliseconds(50))
        let (reports, counters) = try await throughSimulator(handler, plan: plan) { url, ca, link in
            (self.syncUntilDone(world, kec, url: url, caFile: ca, attempts: 3), link.counters)
        }
        // One run: the push cut short went again on a second connection, without a new run.
        #expect(reports.map(\.outcome.result) == [.inSync], "\(reports.map(\.outcome))")
        #expect(counters.cuts == 1)
        #expect(counters.connections == 2)
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
        let received = handler.received
        #expect(received.filter { $0.result == "applied" }.count == Set(received.map(\.hash)).count)
    }

    @Test func twoPushesInFlightArriveInAnyOrderAndTheHubEndsWithEveryChangeSetOnce() async throws {
        // The test clock moves a minute per reading: with two requests at the hub at once, the readings
        // of one come between the other's signing and its check, so the skew allowed is a day.
        let (world, kec) = try busyKecamatan(
            registrations: 120, budget: 8 * 1024, backend: .sqlite, limits: HubLimits(maxSkewSeconds: 86_400))
        let units = try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 1000)
        let handler = CountingHandler(world.service)
        // A slow link, so that the two workers' requests overlap at the hub.
        let plan = LinkSimulator.Plan(link: .init(bytesPerSecond: 200_000, delay: .milliseconds(5)))
        let (report, counters) = try await throughSimulator(handler, plan: plan) { url, ca, link in
            let transport = CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger)
            let report = SyncClient(
                store: kec.store, identity: kec.identity, transport: transport, logger: Fixture.logger,
                now: { world.clock.now() }, pushBudget: 1, pushWindow: 2
            ).run()
            transport.closeIdleConnections()
            return (report, link.counters)
        }
        #expect(report.outcome.result == .inSync, "\(report.outcome)")
        #expect(report.pushed == units.count)
        #expect(counters.connections == 2)
        // Each change set went once; one that overtook its predecessor waited parked and was applied
        // when that one came.
        let received = handler.received
        #expect(received.count == units.count)
        #expect(Set(received.map(\.hash)).count == units.count)
        #expect(try world.hubStorage.parkedBodies().isEmpty)
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
    }
}
