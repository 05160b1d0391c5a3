import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

/// The Camat's monthly report, counted from the log by the month of the office's zone.
@Suite(.timeLimit(.minutes(10)))
struct MonthlyReportTests {
    @Test func aMonthCountsWhatTheCounterReceivedFinishedClosedForwardedAndTook() throws {
        let clock = TestClock()
        let store = try Fixture.newStore(clock: clock)
        let catalog = try store.catalog()
        let izin = try #require(catalog.service(code: "IZIN-JALAN"))
        let sktm = try #require(catalog.service(code: "SKTM"))
        let pbg = try #require(catalog.service(code: "PBG-KECIL"))

        let done = try store.register(Fixture.application(izin), officer: "Sari")
        while try store.permohonan(done.number).tahap != .penyerahan {
            try store.perform(.advance(tahap: nil, note: nil), on: done.number, officer: "Petugas")
        }
        let fee = try #require(done.fee)
        try store.perform(.pay(amount: fee, receipt: ""), on: done.number, officer: "Kasir")
        try store.perform(.advance(tahap: .penyerahan, note: nil), on: done.number, officer: "Ani")
        let withdrawn = try store.register(Fixture.application(sktm), officer: "Sari")
        try store.perform(.withdraw(reason: "pindah"), on: withdrawn.number, officer: "Sari")
        let rejected = try store.register(Fixture.application(sktm), officer: "Sari")
        try store.perform(.reject(reason: "KK palsu"), on: rejected.number, officer: "Budi")
        let forwarded = try store.register(Fixture.application(pbg), officer: "Sari")
        try store.perform(.forward(note: nil), on: forwarded.number, officer: "Sari")
        clock.advance(seconds: 30 * 86_400)
        _ = try store.register(Fixture.application(sktm), officer: "Sari")

        let march = try store.monthlyReport(year: 2026, month: 3)
        #expect(march.rows.map(\.layanan) == ["IZIN-JALAN", "PBG-KECIL", "SKTM"])
        let byCode = Dictionary(uniqueKeysWithValues: march.rows.map { ($0.layanan, $0) })
        let jalan = try #require(byCode["IZIN-JALAN"])
        #expect(jalan.received == 1)
        #expect(jalan.finished == 1)
        #expect(jalan.finishedWithDue == 1)
        #expect(jalan.finishedOnTime == 1)
        #expect(jalan.fees == fee)
        #expect(jalan.payments == 1)
        #expect(byCode["SKTM"]?.received == 2)
        #expect(byCode["SKTM"]?.withdrawn == 1)
        #expect(byCode["SKTM"]?.rejected == 1)
        #expect(byCode["PBG-KECIL"]?.forwarded == 1)
        #expect(march.total.received == 4)
        #expect(march.total.fees == fee)

        let april = try store.monthlyReport(year: 2026, month: 4)
        #expect(april.rows.map(\.layanan) == ["SKTM"])
        #expect(april.total.received == 1)
        #expect(try store.monthlyReport(year: 2026, month: 5).rows.isEmpty)
    }

    @Test func theMonthEndsAtMidnightInTheOfficesZoneNotInUTC() throws {
        // 23:50 WIB on 31 March; an hour later it is April at the office but still March in UTC.
        let clock = TestClock("2026-03-31T16:50:00Z")
        let store = try Fixture.newStore(clock: clock)
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        _ = try store.register(Fixture.application(sktm), officer: "Sari")
        clock.advance(seconds: 3600)
        _ = try store.register(Fixture.application(sktm), officer: "Sari")
        #expect(try store.monthlyReport(year: 2026, month: 3).total.received == 1)
        #expect(try store.monthlyReport(year: 2026, month: 4).total.received == 1)
    }

    @Test(arguments: [(2026, 0), (2026, 13), (1999, 5)])
    func aMonthThatIsNoneIsRefused(year: Int, month: Int) throws {
        let store = try Fixture.newStore()
        #expect(throws: SimpulError.self) { try store.monthlyReport(year: year, month: month) }
    }
}
