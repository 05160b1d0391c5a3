import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

/// `NodeStore.settle`, the one settlement behind `simpul-hub conflicts resolve` and the back office's
/// form: on a real conflict (the counter withdraws a forwarded file while the PTSP decides it), with
/// staff accounts and typed names, and back at the kecamatan after a sync.
@Suite(.timeLimit(.minutes(10))) struct ConflictSettlementTests {
    private struct World {
        let world: SyncWorld
        let kecamatan: Replica
        let number: String
        let conflict: Conflict
    }

    private static func conflicted() throws -> World {
        let world = try SyncWorld()
        let a = try world.kecamatan("33.74.01")
        let pbg = try a.register("PBG-KECIL", nama: "Siti Rahayu")
        try a.store.perform(.forward(note: nil), on: pbg.number, officer: "Loket")
        #expect(world.sync(a).outcome.result == .inSync)
        try a.store.perform(.withdraw(reason: "pemohon pindah rumah"), on: pbg.number, officer: "Loket")
        try world.hub.store.perform(.decide(code: "50", fee: 50_000, note: nil), on: pbg.number, officer: "Kabid")
        #expect(world.sync(a).outcome.result == .inSync)
        let open = try world.hub.store.conflicts(openOnly: true, record: pbg.number)
        try #require(open.count == 1)
        for (username, name, role) in [
            ("rina", "Rina Kusuma", StaffRole.petugas), ("kadis", "Dra. Endang", StaffRole.pimpinan),
        ] {
            _ = try world.hub.store.addAccount(
                StaffRole.self, username: username, name: name, roles: [role], passwordHash: "-", isPIN: false)
        }
        return World(world: world, kecamatan: a, number: pbg.number, conflict: open[0])
    }

    @Test func aPetugasSettlesAnOpenConflictOnceAndTheKecamatanSeesIt() throws {
        let w = try Self.conflicted()
        let hub = w.world.hub.store
        let rina = try #require(try hub.account(StaffRole.self, username: "rina"))
        let event = try hub.settle(
            conflict: w.conflict.id, status: .ditarik, tahap: nil, note: "Pemohon menarik berkasnya", by: .staff(rina))
        #expect(event.officer == "Rina Kusuma (rina)")
        #expect(event.role == StaffRole.petugas.label)
        #expect(event.record == w.number)
        #expect(try hub.conflicts(openOnly: true, record: w.number).isEmpty)
        #expect(try hub.conflicts(openOnly: false, record: w.number).map(\.resolvedBy) == [event.dot])
        #expect(try hub.permohonan(w.number).status == .ditarik)

        // The second settlement of the same conflict is refused, naming who settled it.
        let again = #expect(throws: SimpulError.self) {
            try hub.settle(conflict: w.conflict.id, status: .selesai, tahap: nil, note: "lagi", by: .typed("Budi"))
        }
        #expect(again?.message.contains("sudah diselesaikan oleh Rina Kusuma (rina)") == true)
        #expect(try hub.history(w.number).count(where: { $0.body.type == .settled }) == 1)

        #expect(w.world.sync(w.kecamatan).outcome.result == .inSync)
        #expect(try w.kecamatan.store.conflicts(openOnly: true).isEmpty)
        #expect(try w.kecamatan.store.permohonan(w.number).status == .ditarik)
    }

    @Test func refusalsWriteNothing() throws {
        let w = try Self.conflicted()
        let hub = w.world.hub.store
        let before = try hub.history(w.number).count
        let kadis = try #require(try hub.account(StaffRole.self, username: "kadis"))
        let role = #expect(throws: SimpulError.self) {
            try hub.settle(conflict: w.conflict.id, status: .ditarik, tahap: nil, note: "x", by: .staff(kadis))
        }
        #expect(role?.message.contains("tidak memegang peran \(StaffRole.petugas.label)") == true)
        let unknown = #expect(throws: SimpulError.self) {
            try hub.settle(conflict: "bukan@33.74:1", status: .ditarik, tahap: nil, note: "x", by: .typed("Budi"))
        }
        #expect(unknown?.code == .notFound)
        // A forwarded service's file is never at verifikasi: the workflow names what it may be.
        let tahap = #expect(throws: SimpulError.self) {
            try hub.settle(
                conflict: w.conflict.id, status: .diproses, tahap: .verifikasi, note: "x", by: .typed("Budi"))
        }
        #expect(tahap?.message.contains("penerusan, penyerahan") == true)
        #expect(throws: SimpulError.self) {
            try hub.settle(conflict: w.conflict.id, status: .ditarik, tahap: nil, note: "  ", by: .typed("Budi"))
        }
        #expect(try hub.history(w.number).count == before)
        #expect(try hub.conflicts(openOnly: true, record: w.number).count == 1)
    }

    @Test func theChoicesOfASettlementFollowTheService() throws {
        let catalog = try Fixture.newStore().catalog()
        let pbg = try #require(catalog.service(code: "PBG-KECIL"))
        let sktm = try #require(catalog.service(code: "SKTM"))
        #expect(Workflow.settlementStatuses(for: pbg).contains(.diteruskan))
        #expect(!Workflow.settlementStatuses(for: sktm).contains(.diteruskan))
        #expect(Workflow.settlementTahap(for: pbg) == [.penerusan, .penyerahan])
        #expect(!Workflow.settlementTahap(for: sktm).contains(.penerusan))
        #expect(Workflow.settlementTahap(for: sktm).contains(.verifikasi))
    }
}
