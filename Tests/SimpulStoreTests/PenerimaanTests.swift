import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

/// The hub's reconciliation of the kecamatan's receipts.
@Suite(.timeLimit(.minutes(10)))
struct PenerimaanTests {
    @Test func aWritersMissingReceiptNumbersAreNamedAndAnUnbrokenSequenceIsNot() {
        let gaps = Penerimaan.gaps(["33.74.01": [1, 2, 3], "33.74.02": [1, 4, 2, 7], "33.74.03-1": [3]])
        #expect(gaps.map(\.node) == ["33.74.02", "33.74.03-1"])
        #expect(gaps[0].missing == [3, 5, 6])
        #expect(gaps[0].missingCount == 3)
        #expect(gaps[0].highest == 7)
        #expect(gaps[1].missing == [1, 2])
        let long = Penerimaan.gaps(["33.74.04": [100]])
        #expect(long[0].missing.count == 20)
        #expect(long[0].missingCount == 99)
    }

    @Test func aMonthsReceiptsAreSummedPerDayInTheOfficesZone() throws {
        // 23:30 WIB on 16 March: the second payment, an hour later, falls on the 17th.
        let clock = TestClock("2026-03-16T16:00:00Z")
        let store = try Fixture.newStore(clock: clock)
        let izin = try #require(try store.catalog().service(code: "IZIN-JALAN"))
        var fees: [Int64] = []
        for hour in [0, 1] {
            clock.advance(seconds: Int64(hour) * 3600)
            let p = try store.register(Fixture.application(izin), officer: "Sari")
            while try store.permohonan(p.number).tahap != .penyerahan {
                try store.perform(.advance(tahap: nil, note: nil), on: p.number, officer: "Petugas")
            }
            let fee = try #require(p.fee)
            try store.perform(.pay(amount: fee, receipt: ""), on: p.number, officer: "Kasir")
            fees.append(fee)
        }
        let march = try store.penerimaan(year: 2026, month: 3)
        #expect(march.days.map(\.day) == [LocalDate(iso: "2026-03-16")!, LocalDate(iso: "2026-03-17")!])
        #expect(march.days.map(\.total) == fees)
        #expect(march.gaps.isEmpty)
        #expect(march.repeated.isEmpty)
        #expect(try store.penerimaan(year: 2026, month: 4).days.isEmpty)
        #expect(throws: SimpulError.self) { try store.penerimaan(year: 2026, month: 13) }
    }
}
