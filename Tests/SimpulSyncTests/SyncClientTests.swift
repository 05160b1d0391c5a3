import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulSync

@Suite(.timeLimit(.minutes(10))) struct SyncClientTests {
    @Test(arguments: HubBackend.nodeStoreOnly) func aForwardedFileReachesTheHubWithItsHistoryAndTheDecisionComesBack(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("PBG-KECIL", nama: "Ahmad Fauzi")
        try kec.store.perform(.forward(note: "lengkap"), on: p.number, officer: "Sari")
        #expect(world.sync(kec).outcome.result == .inSync)

        let atHub = try world.hubStorage.permohonan(p.number)
        #expect(atHub.status == .diteruskan)
        #expect(
            try world.hubStorage.history(p.number).map(\.body.type) == [.registered, .forwarded])

        let hub = world.hub.store
        try hub.perform(.ptspProgress(code: "10", note: nil), on: p.number, officer: "Rudi (PTSP)")
        try hub.perform(.ptspProgress(code: "40", note: "inspeksi lokasi"), on: p.number, officer: "Rudi (PTSP)")
        try hub.perform(.decide(code: "50", fee: 150_000, note: "PBG terbit"), on: p.number, officer: "Kabid PTSP")
        // The hub may not do the counter's work, and the counter may not decide.
        #expect(throws: SimpulError.self) {
            try hub.perform(.pay(amount: 150_000, receipt: ""), on: p.number, officer: "x")
        }

        #expect(world.sync(kec).outcome.result == .inSync)
        let back = try kec.store.permohonan(p.number)
        #expect(back.status == .diproses)
        #expect(back.tahap == .penyerahan)
        #expect(back.ptspCode == "50")
        #expect(back.fee == 150_000)
        try kec.store.perform(.pay(amount: 150_000, receipt: ""), on: p.number, officer: "Rina")
        try kec.store.perform(.advance(tahap: .penyerahan, note: nil), on: p.number, officer: "Ani")
        #expect(world.sync(kec).outcome.result == .inSync)
        #expect(try world.hubStorage.permohonan(p.number).status == .selesai)
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
    }

    @Test(arguments: HubBackend.nodeStoreOnly)
    func aPublishedCatalogReachesTheKecamatanAndInFlightApplicationsKeepTheirVersion(backend: HubBackend) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let before = try kec.register("IZIN-JALAN")
        var catalog = try world.hub.store.catalog()
        let i = try #require(catalog.services.firstIndex { $0.code == "IZIN-JALAN" })
        catalog.version = 2
        catalog.services[i].version = 2
        catalog.services[i].fee = .formula(rate: 1000, inputs: ["panjang_m", "lebar_m"], unit: "m2")
        let calendar = try WorkingDayCalendar.parse(
            tsv: "tanggal\tjenis\tketerangan\n2027-01-01\tlibur\tTahun Baru 2027 Masehi\n", source: "2027")
        _ = try world.hub.store.publish(catalog: catalog, calendar: calendar, officer: "Admin TI")
        #expect(world.sync(kec).outcome.result == .inSync)
        #expect(try kec.store.catalog().version == 2)
        #expect(try kec.store.calendar().years.contains(2027))
        let after = try kec.register("IZIN-JALAN")
        #expect(try kec.store.permohonan(before.number).fee == 25_000)
        #expect(after.fee == 50_000)
        #expect(after.layanan.version == 2)
    }

    @Test(arguments: HubBackend.nodeStoreOnly)
    func concurrentWithdrawalAndDecisionAreAConflictThatConvergesAndIsSettled(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("PBG-KECIL")
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        world.sync(kec)
        // Offline at the same time: the citizen withdraws at the counter, the PTSP approves.
        try kec.store.perform(.withdraw(reason: "pemohon pindah rumah"), on: p.number, officer: "Sari")
        try world.hub.store.perform(.decide(code: "50", fee: 100_000, note: nil), on: p.number, officer: "Kabid")
        world.sync(kec)

        let atHub = try world.hubStorage.conflicts(openOnly: true)
        let atKec = try kec.store.conflicts(openOnly: true)
        #expect(atHub.count == 1)
        #expect(atHub == atKec)
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
        let conflict = try #require(atHub.first)
        #expect(conflict.record == p.number)
        #expect(!conflict.concurrentWith.isEmpty)

        try world.hub.store.perform(
            .settle(conflicts: [conflict.id], status: .ditarik, tahap: nil, note: "pemohon menarik; izin dibatalkan"),
            on: p.number, officer: "Rekonsiliator")
        world.sync(kec)
        #expect(try world.hubStorage.conflicts(openOnly: true).isEmpty)
        #expect(try kec.store.conflicts(openOnly: true).isEmpty)
        #expect(try kec.store.permohonan(p.number).status == .ditarik)
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
    }

    @Test(arguments: HubBackend.allCases) func aRestoredNodeGetsItsPartitionBackAndContinuesNumbering(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        var numbers: [String] = []
        for _ in 0..<5 { numbers.append(try kec.register("SKTM").number) }
        let izin = try kec.register("IZIN-JALAN")
        try kec.processToHandover(izin.number)
        try kec.store.perform(.pay(amount: 10_000, receipt: ""), on: izin.number, officer: "Rina")
        #expect(world.sync(kec).outcome.result == .inSync)
        let synced = try kec.store.stateDump(partition: "33.74.01")
        let eventsBefore = try kec.store.eventCount()

        // The disk dies. A new machine, a new key, enrolled by the hub admin.
        let dir = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: world.clock, node: "33.74.01", directory: dir)
        let identity = try NodeIdentity.create(node: kec.node, directory: dir)
        try store.setHub(HubConfig(url: "in-process", caFile: nil))
        try world.enroll(identity)
        let restored = Replica(store: store, identity: identity)
        #expect(world.sync(restored).outcome.result == .inSync)
        #expect(try restored.store.stateDump(partition: "33.74.01") == synced)
        #expect(try restored.store.eventCount() == eventsBefore)

        let next = try restored.register("SKTM")
        #expect(next.number == RegistrationNumber(prefix: "01", year: 2026, sequence: 7).text)
        let reg = try restored.store.history(next.number)[0]
        #expect(reg.dot.seq == UInt64(eventsBefore) + 1)
        try restored.processToHandover(izin.number)
        try restored.store.perform(.pay(amount: 15_000, receipt: ""), on: izin.number, officer: "Rina")
        #expect(try restored.store.payments().map(\.receipt) == ["33.74.01/000001", "33.74.01/000002"])
        #expect(world.sync(restored).outcome.result == .inSync)
        #expect(try world.hubMatches(restored.store, partition: "33.74.01"))
    }

    @Test(arguments: HubBackend.allCases) func statusOfSyncRunsIsRecorded(backend: HubBackend) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        try kec.register("SKTM")
        let report = world.sync(kec, budget: 2048)
        #expect(report.outcome.exitCode == 0)
        #expect(report.pushed >= 1)
        let run = try #require(try kec.store.lastSyncRun())
        #expect(run.result == "in-sync")
        #expect(run.pushed == report.pushed)
        #expect(try kec.store.peerKnowledge(SyncClient.hubPeer)["33.74.01"]?["33.74.01"] == 1)
        #expect(try world.hubStorage.contacts().map(\.node) == ["33.74.01"])
    }
}

@Suite(.timeLimit(.minutes(10))) struct SyncClientBatchTests {
    @Test func theOutboxIsPackedUpToTheBudgetWithAtLeastOneChangeSetPerPush() {
        #expect(SyncClient.batches(sizes: [], budget: 10) == [])
        #expect(SyncClient.batches(sizes: [4, 4, 4, 4], budget: 10) == [0..<2, 2..<4])
        #expect(SyncClient.batches(sizes: [30, 4, 4], budget: 10) == [0..<1, 1..<3])
        #expect(SyncClient.batches(sizes: [4, 30, 4], budget: 10) == [0..<1, 1..<2, 2..<3])
        #expect(SyncClient.batches(sizes: [1, 1, 1], budget: 1) == [0..<1, 1..<2, 2..<3])
        let many = SyncClient.batches(sizes: Array(repeating: 1, count: 600), budget: 1 << 20)
        #expect(many.map(\.count) == [256, 256, 88])
    }
}
