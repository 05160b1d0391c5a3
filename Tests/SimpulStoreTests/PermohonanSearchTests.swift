import Foundation
import GRDB
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

/// The counter's queries: an officer's work queue by due date, and search by number, NIK, name,
/// service, status and dates.
@Suite(.timeLimit(.minutes(10)))
struct PermohonanSearchTests {
    @Test func theWorkQueueListsTheStepsTakenOldestDueFirstAndTheKasirSeesWhatIsOwed() throws {
        let clock = TestClock()
        let store = try Fixture.newStore(clock: clock)
        let catalog = try store.catalog()
        // REKLAME-INS takes 3 working days, SKTM 0: the SKTM registered later is due first.
        let reklame = try store.register(
            Fixture.application(try #require(catalog.service(code: "REKLAME-INS"))), officer: "Sari")
        clock.advance(seconds: 60)
        let sktm = try store.register(Fixture.application(try #require(catalog.service(code: "SKTM"))), officer: "Sari")
        let paud = try store.register(
            Fixture.application(try #require(catalog.service(code: "REK-PAUD"))), officer: "Sari")

        let verifikasi = try store.workQueue(steps: [.verifikasi], unpaid: false)
        #expect(verifikasi.map(\.number) == [sktm.number, reklame.number])
        #expect(try store.workQueueCount(steps: [.verifikasi], unpaid: false) == 2)
        #expect(try store.workQueue(steps: [.penerusan], unpaid: false).map(\.number) == [paud.number])
        #expect(try store.workQueue(steps: [], unpaid: false).isEmpty)
        // The reklame owes its fee from registration: the kasir sees it, and only it.
        #expect(try store.workQueue(steps: [], unpaid: true).map(\.number) == [reklame.number])
        #expect(try store.workQueueCount(steps: [.verifikasi], unpaid: true) == 2)
    }

    @Test func searchFindsByEveryCriterionAndTreatsWildcardsAsText() throws {
        let clock = TestClock()
        let store = try Fixture.newStore(clock: clock)
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let first = try store.register(Fixture.application(sktm, nama: "Bambang Wijaya"), officer: "Sari")
        clock.advance(seconds: 86_400)
        let other = Pemohon(nik: try NIK(validating: "3374011205900002"), nama: "Sri 100% Rahayu")
        let second = try store.register(
            Application(layanan: "DOMISILI", pemohon: other, syarat: ["pengantar-desa", "ktp-kk"], isian: [:]),
            officer: "Sari")
        try store.perform(.withdraw(reason: "pindah"), on: second.number, officer: "Sari")

        #expect(try store.search(PermohonanSearch(number: first.number)).map(\.number) == [first.number])
        #expect(try store.search(PermohonanSearch(nik: "3374011205900002")).map(\.number) == [second.number])
        #expect(try store.search(PermohonanSearch(name: "bambang")).map(\.number) == [first.number])
        #expect(try store.search(PermohonanSearch(name: "100%")).map(\.number) == [second.number])
        #expect(try store.search(PermohonanSearch(name: "1_0")).isEmpty)
        #expect(try store.search(PermohonanSearch(layanan: "SKTM")).map(\.number) == [first.number])
        #expect(try store.search(PermohonanSearch(status: .ditarik)).map(\.number) == [second.number])
        let day2 = try #require(LocalDate(iso: "2026-03-17"))
        #expect(try store.search(PermohonanSearch(from: day2)).map(\.number) == [second.number])
        #expect(try store.search(PermohonanSearch(to: day2.adding(days: -1))).map(\.number) == [first.number])
        #expect(try store.search(PermohonanSearch()).map(\.number) == [second.number, first.number])
        #expect(try store.search(PermohonanSearch(limit: 1, offset: 1)).map(\.number) == [first.number])
    }

    @Test func aStoreFromBeforeTheNIKColumnIsFoundByNIKAfterOpening() throws {
        let store = try Fixture.newStore()
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let p = try store.register(Fixture.application(sktm), officer: "Sari")
        let dir = (store.path as NSString).deletingLastPathComponent
        // As a v11 store had it: no NIK column, v12 not applied.
        try DatabaseQueue(path: store.path).write { db in
            try db.execute(
                sql: """
                    DROP INDEX permohonan_nik;
                    DROP INDEX permohonan_due;
                    DROP INDEX permohonan_registered;
                    ALTER TABLE permohonan DROP COLUMN nik;
                    DELETE FROM grdb_migrations WHERE identifier = 'v12-permohonan-nik';
                    """)
        }
        let reopened = try NodeStore.open(directory: dir, now: { Timestamp(milliseconds: 0) }, logger: Fixture.logger)
        #expect(try reopened.search(PermohonanSearch(nik: Fixture.nik.digits)).map(\.number) == [p.number])
        #expect(try reopened.permohonan(p.number) == p)
    }
}
