import Foundation
import SimpulDomain
import SimpulHubServer
import SimpulStore
import SimpulSync
import SimpulTestSupport
import SimpulTransport
import Testing

/// A real hub serving TLS on 127.0.0.1 (Hummingbird, a dev certificate) and real kecamatan agents
/// syncing through libcurl, verifying the hub's certificate.
@Suite(.timeLimit(.minutes(10))) struct HTTPSSyncTests {
    /// Runs `body` with the world's hub served over HTTPS; returns after the server stopped.
    private func withHTTPSHub<T: Sendable>(
        _ world: SyncWorld, _ body: @escaping @Sendable (_ url: String, _ caFile: String) throws -> T
    ) async throws -> T {
        try await SimpulIntegrationTests.withHTTPSHub(world.service) { port, ca in
            try body("https://127.0.0.1:\(port)", ca)
        }
    }

    private func agent(_ world: SyncWorld, _ replica: Replica, url: String, caFile: String?) -> SyncClient {
        SyncClient(
            store: replica.store, identity: replica.identity,
            transport: CurlTransport(baseURL: url, caFile: caFile, logger: Fixture.logger), logger: Fixture.logger,
            now: { world.clock.now() }, budget: 4096, maxPullBytes: 16 * 1024)
    }

    @Test(arguments: HubBackend.allCases) func aForwardedFileGoesToThePTSPAndItsDecisionComesBackOverHTTPS(
        backend: HubBackend
    ) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let other = try world.kecamatan("33.74.02")
        let p = try kec.register("PBG-KECIL", nama: "Ahmad Fauzi")
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        for _ in 0..<40 { try kec.register("SKTM") }
        try other.register("DOMISILI")

        let reports = try await withHTTPSHub(world) { url, ca in
            var out: [SyncReport] = []
            out.append(self.agent(world, kec, url: url, caFile: ca).run())
            out.append(self.agent(world, other, url: url, caFile: ca).run())
            try world.hubStorage.perform(.decide(code: "50", fee: 75_000, note: nil), on: p.number, officer: "Kabid")
            out.append(self.agent(world, kec, url: url, caFile: ca).run())
            return out
        }
        #expect(reports.allSatisfy { $0.outcome.result == .inSync }, "\(reports.map(\.outcome))")
        #expect(reports[0].pushed > 1)  // 4 KB budget: several change sets, each acknowledged on its own
        #expect(reports[2].pulled == 1)
        #expect(try kec.store.permohonan(p.number).tahap == .penyerahan)
        #expect(try kec.store.permohonan(p.number).fee == 75_000)
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
        // A kecamatan never receives another kecamatan's partition.
        #expect(try kec.store.knowledge()["33.74.02"] == nil)
        #expect(try world.hubStorage.knowledge()["33.74.02"] == other.store.knowledge()["33.74.02"])
    }

    /// The kasir's closing and deposit travel to the hub like any change, and the hub sets them
    /// against the receipts it holds.
    @Test(arguments: HubBackend.nodeStoreOnly) func theKasirsClosingAndDepositReachTheHubOverHTTPS(
        backend: HubBackend
    ) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("PBG-KECIL")
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        let day = world.clock.now().localDate(offsetMinutes: kec.store.info.zona.offsetMinutes)
        let reports = try await withHTTPSHub(world) { url, ca in
            var out = [self.agent(world, kec, url: url, caFile: ca).run()]
            try world.hub.store.perform(.decide(code: "50", fee: 75_000, note: nil), on: p.number, officer: "Kabid")
            out.append(self.agent(world, kec, url: url, caFile: ca).run())
            try kec.store.perform(.pay(amount: 75_000, receipt: ""), on: p.number, officer: "Wati")
            try kec.store.closeKas(by: .typed("Wati"))
            try kec.store.depositKas(amount: 50_000, reference: "BPD-7781", by: .typed("Wati"))
            out.append(self.agent(world, kec, url: url, caFile: ca).run())
            return out
        }
        #expect(reports.allSatisfy { $0.outcome.result == .inSync }, "\(reports.map(\.outcome))")
        let book = try world.hub.store.kasMonth(year: day.year, month: day.month)
        let row = try #require(book.days.first { $0.partition == "33.74.01" })
        #expect(row.receipts == 1)
        #expect(row.closing?.amount == 75_000)
        #expect(row.closing?.officer == "Wati")
        #expect(row.closingMatches == true)
        #expect(book.deposits.map(\.reference) == ["BPD-7781"])
        #expect(book.totals["33.74.01"]?.outstanding == 25_000)
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
    }

    @Test(arguments: HubBackend.allCases) func aRestoreOverHTTPSPullsInBoundedAnswersUntilComplete(
        backend: HubBackend
    ) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        for _ in 0..<60 { try kec.register("SKTM") }
        let dir = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: world.clock, node: "33.74.01", directory: dir)
        let identity = try NodeIdentity.create(node: kec.node, directory: dir)
        try store.setHub(HubConfig(url: "set below", caFile: nil))
        let restored = Replica(store: store, identity: identity)
        let (report, pulls) = try await withHTTPSHub(world) { url, ca in
            #expect(self.agent(world, kec, url: url, caFile: ca).run().outcome.result == .inSync)
            try world.enroll(identity)
            let wire = WireLog(CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger))
            defer { wire.inner.closeIdleConnections() }
            let report = SyncClient(
                store: restored.store, identity: restored.identity, transport: wire, logger: Fixture.logger,
                now: { world.clock.now() }, budget: 4096, maxPullBytes: 16 * 1024
            ).run()
            return (report, wire.log.withLock { $0.filter { $0.path == "/v2/pull" } })
        }
        #expect(report.outcome.result == .inSync)
        #expect(report.pulled == 60)
        // 60 registrations in change sets of at most 4 KB do not fit one 16 KB answer: several pulls,
        // each answer bounded (one change set may go over the mark), the last one complete.
        #expect(pulls.count > 1, "\(pulls.count) pull requests")
        #expect(pulls.allSatisfy { $0.status == 200 })
        #expect(pulls.allSatisfy { $0.responseBody <= 16 * 1024 + 8 * 1024 }, "\(pulls.map(\.responseBody))")
        #expect(try restored.store.stateDump(partition: "33.74.01") == kec.store.stateDump(partition: "33.74.01"))
    }

    @Test(arguments: HubBackend.allCases) func theAgentRefusesAHubItCannotVerifyAndReportsALinkFailure(
        backend: HubBackend
    ) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        try kec.register("SKTM")
        let report = try await withHTTPSHub(world) { url, _ in
            // No CA given: the dev certificate is not in the system trust store.
            self.agent(world, kec, url: url, caFile: nil).run()
        }
        #expect(report.outcome.result == .linkFailure)
        #expect(report.outcome.exitCode == 75)
        #expect(try world.hubEventCount() == 0)
    }

    @Test(arguments: HubBackend.allCases) func aRevokedNodeIsRefusedOverHTTPSWithExit77(
        backend: HubBackend
    ) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        try kec.register("SKTM")
        let reports = try await withHTTPSHub(world) { url, ca in
            let first = self.agent(world, kec, url: url, caFile: ca).run()
            try world.hubStorage.revoke(node: kec.node)
            try kec.register("SKTM")
            return [first, self.agent(world, kec, url: url, caFile: ca).run()]
        }
        #expect(reports[0].outcome.exitCode == 0)
        #expect(reports[1].outcome.exitCode == 77)
        #expect(reports[1].outcome.message.contains("dicabut"))
        #expect(try world.hubEventCount() == 1)
    }
}
