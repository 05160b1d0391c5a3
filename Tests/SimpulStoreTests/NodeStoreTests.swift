import Foundation
import GRDB
import Logging
import SimpulDomain
import SimpulTestSupport
import Testing

@testable import SimpulStore

@Suite(.timeLimit(.minutes(10))) struct NodeStoreTests {
    @Test func registrationNumbersAreDenseAndCarryTheNodePrefix() throws {
        let store = try Fixture.newStore()
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let numbers = try (1...3).map { _ in try store.register(Fixture.application(sktm), officer: "Sari").number }
        let expected = (1...3).map { RegistrationNumber(prefix: "01", year: 2026, sequence: $0).text }
        #expect(numbers == expected)
        for n in numbers { #expect(throws: Never.self) { try RegistrationNumber(parsing: n) } }
    }

    @Test func subNodeNumbersDifferFromTheKecamatanNode() throws {
        let store = try Fixture.newStore(node: "33.74.01-2")
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let p = try store.register(Fixture.application(sktm), officer: "Sari")
        #expect(p.number.hasPrefix("012-26-00001-"))
        #expect(p.partition == "33.74.01")
    }

    @Test func eventsCarryDenseDotsLamportClocksAndTheRecordContext() throws {
        let store = try Fixture.newStore()
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let a = try store.register(Fixture.application(sktm), officer: "Sari")
        let b = try store.register(Fixture.application(sktm), officer: "Sari")
        try store.perform(.advance(tahap: .verifikasi, note: nil), on: a.number, officer: "Budi")
        try store.perform(.advance(tahap: .operatorStep, note: nil), on: a.number, officer: "Dewi")
        let history = try store.history(a.number)
        #expect(history.map(\.dot.seq) == [1, 3, 4])
        #expect(history.map(\.lamport) == [1, 3, 4])
        #expect(history.allSatisfy { $0.partition == "33.74.01" && $0.dot.node == "33.74.01" })
        // Each event's context is what its writer saw of this record: exactly the events before it.
        #expect(history[0].context.isEmpty)
        #expect(history[1].context == VersionVector(["33.74.01": 1]))
        #expect(history[2].context == VersionVector(["33.74.01": 3]))
        #expect(history.map(\.role) == [Peran.loket, Tahap.verifikasi.role, Tahap.operatorStep.role])
        #expect(try store.history(b.number).map(\.dot.seq) == [2])
    }

    @Test func receiptNumbersAreGapFreeEvenWhenAPaymentIsRefused() throws {
        let store = try Fixture.newStore()
        let izin = try #require(try store.catalog().service(code: "IZIN-JALAN"))
        var numbers: [String] = []
        for _ in 0..<2 {
            let p = try store.register(Fixture.application(izin), officer: "Sari")
            for tahap in [
                Tahap.verifikasi, .cekLapangan, .operatorStep, .validasiKasi, .validasiSekcam, .pengesahanCamat,
            ] {
                try store.perform(.advance(tahap: tahap, note: nil), on: p.number, officer: "X")
            }
            numbers.append(p.number)
        }
        #expect(throws: SimpulError.self) {
            try store.perform(.pay(amount: 999_999, receipt: ""), on: numbers[0], officer: "Rina")
        }
        try store.perform(.pay(amount: 10_000, receipt: ""), on: numbers[0], officer: "Rina")
        try store.perform(.pay(amount: 25_000, receipt: ""), on: numbers[1], officer: "Rina")
        try store.perform(.pay(amount: 15_000, receipt: ""), on: numbers[0], officer: "Rina")
        #expect(try store.payments().map(\.receipt) == ["33.74.01/000001", "33.74.01/000002", "33.74.01/000003"])
        #expect(try store.permohonan(numbers[0]).outstanding == 0)
    }

    @Test func aRefusedCommandLeavesTheStoreUnchanged() throws {
        let store = try Fixture.newStore()
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let p = try store.register(Fixture.application(sktm), officer: "Sari")
        let before = try store.stateDump()
        let events = try store.eventCount()
        let error = try #require(throws: SimpulError.self) {
            try store.perform(.advance(tahap: .penyerahan, note: nil), on: p.number, officer: "Ani")
        }
        #expect(error.code == .invalidData)
        #expect(error.message.contains("langkah yang boleh"))
        #expect(try store.stateDump() == before)
        #expect(try store.eventCount() == events)
    }

    @Test func theEventLogRefusesUpdatesAndDeletes() throws {
        let store = try Fixture.newStore()
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        _ = try store.register(Fixture.application(sktm), officer: "Sari")
        let queue = try DatabaseQueue(path: store.path)
        #expect(throws: DatabaseError.self) {
            try queue.write { try $0.execute(sql: "UPDATE event SET officer = 'x'") }
        }
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM event") } }
        #expect(try store.eventCount() == 1)
    }

    @Test func reopeningKeepsEverythingAndTheSchemaIsVersioned() throws {
        let clock = TestClock()
        let store = try Fixture.newStore(clock: clock)
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let p = try store.register(Fixture.application(sktm), officer: "Sari")
        let dir = (store.path as NSString).deletingLastPathComponent
        let again = try NodeStore.open(directory: dir, now: { clock.now() }, logger: Fixture.logger)
        #expect(again.info.node.rawValue == "33.74.01")
        #expect(try again.permohonan(p.number) == p)
        let migrations = try DatabaseQueue(path: store.path).read {
            try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(
            migrations == [
                "v1-event-log", "v2-replication", "v3-columnar-state", "v4-changeset-signature", "v5-attachments",
                "v6-bundle-blobs", "v7-knowledge", "v8-key-states", "v9-bounds-blob-owner-relay-parking",
                "v10-contact-refusals", "v11-officer-accounts", "v12-permohonan-nik", "v13-staff-accounts",
                "v14-printed-papers", "v15-permohonan-owing", "v16-antrian", "v17-file-access", "v18-service-clock",
                "v19-issued-documents", "v20-node-reports", "v21-kas", "v22-letters", "v23-skm-pengaduan",
            ])
    }

    @Test func aStoreWrittenBeforeTheColumnarStateOpensWithItsStateRefoldedFromTheLog() throws {
        let clock = TestClock()
        let store = try Fixture.newStore(clock: clock)
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let first = try store.register(Fixture.application(sktm), officer: "Sari")
        let second = try store.register(Fixture.application(sktm), officer: "Sari")
        try store.perform(.advance(tahap: nil, note: nil), on: first.number, officer: "Budi")
        try store.perform(.withdraw(reason: "pemohon pindah"), on: second.number, officer: "Sari")
        let before = try store.stateDump()
        let advanced = try store.permohonan(first.number)
        // Put the file back as a v2 store had it: the old permohonan table, v3 and what came after it
        // to that table (v12's NIK column, v15's index, v18's clock column) not applied.
        let dir = (store.path as NSString).deletingLastPathComponent
        try DatabaseQueue(path: store.path).write { db in
            try db.execute(
                sql: """
                    DROP TABLE permohonan;
                    CREATE TABLE permohonan (number TEXT PRIMARY KEY, partition TEXT NOT NULL, state TEXT NOT NULL);
                    INSERT INTO permohonan VALUES ('stale', '33.74.01', '{}');
                    DELETE FROM grdb_migrations WHERE identifier IN ('v3-columnar-state', 'v12-permohonan-nik', 'v15-permohonan-owing', 'v18-service-clock');
                    """)
        }
        let reopened = try NodeStore.open(directory: dir, now: { clock.now() }, logger: Fixture.logger)
        #expect(try reopened.stateDump() == before)
        #expect(try reopened.permohonan(first.number) == advanced)
        #expect(try reopened.list(PermohonanFilter()).map(\.number).sorted() == [first.number, second.number].sorted())
        #expect(try reopened.check().foldMatches)
    }

    @Test func createRefusesAnExistingStoreAndOpenRefusesAMissingOne() throws {
        let store = try Fixture.newStore()
        let dir = (store.path as NSString).deletingLastPathComponent
        let reference = try ConfDirectory.load(Fixture.conf)
        let error = try #require(throws: SimpulError.self) {
            try NodeStore.create(
                directory: dir, node: NodeID("33.74.02")!, name: "Lain", zona: .wib, catalog: reference.catalog,
                calendar: reference.calendar, wilayah: reference.wilayah, now: { TestClock().now() },
                logger: Fixture.logger)
        }
        #expect(error.code == .storeUnavailable)
        #expect(
            try NodeStore.open(directory: dir, now: { TestClock().now() }, logger: Fixture.logger).info.node.rawValue
                == "33.74.01")
        let missing = try #require(throws: SimpulError.self) {
            try NodeStore.open(directory: Fixture.tempDirectory(), now: { TestClock().now() }, logger: Fixture.logger)
        }
        #expect(missing.code == .storeUnavailable)
    }

    @Test func aNewCatalogVersionLeavesApplicationsInFlightOnTheirVersion() throws {
        let store = try Fixture.newStore()
        var catalog = try store.catalog()
        let izin = try #require(catalog.service(code: "IZIN-JALAN"))
        let before = try store.register(Fixture.application(izin), officer: "Sari")
        let i = try #require(catalog.services.firstIndex { $0.code == "IZIN-JALAN" })
        catalog.services[i].fee = .formula(rate: 750, inputs: ["panjang_m", "lebar_m"], unit: "m2")
        catalog.services[i].version = 2
        #expect(throws: SimpulError.self) { try store.loadCatalog(catalog) }  // same catalog version
        catalog.version += 1
        try store.loadCatalog(catalog)
        let after = try store.register(Fixture.application(izin), officer: "Sari")
        #expect(try store.permohonan(before.number).fee == 25_000)
        #expect(try store.permohonan(before.number).layanan.version == 1)
        #expect(after.fee == 37_500)
        #expect(after.layanan.version == 2)
        #expect(after.catalogVersion == catalog.version)
    }

    @Test func loadingACalendarReplacesOnlyTheYearsItCovers() throws {
        let store = try Fixture.newStore()
        let next = try WorkingDayCalendar.parse(
            tsv: "tanggal\tjenis\tketerangan\n2027-01-01\tlibur\tTahun Baru 2027 Masehi\n", source: "2027.tsv")
        try store.loadCalendar(next)
        let calendar = try store.calendar()
        #expect(calendar.years == [2026, 2027])
        #expect(!calendar.isWorkingDay(LocalDate(iso: "2027-01-01")!))
        #expect(!calendar.isWorkingDay(LocalDate(iso: "2026-08-17")!))
    }
}
