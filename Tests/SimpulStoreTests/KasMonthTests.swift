import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

/// The kasir's cash book: closings read the node's own receipts of a day in the office's zone,
/// deposits are set against them, and both are events that a rebuild projects the same way.
@Suite(.timeLimit(.minutes(10)))
struct KasMonthTests {
    /// Two paid permohonan: one at 23:30 WIB on 16 March, one an hour later, on the 17th.
    private func twoPaid() throws -> (store: NodeStore, clock: TestClock, fees: [Int64]) {
        let clock = TestClock("2026-03-16T16:30:00Z")
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
        return (store, clock, fees)
    }

    @Test func aClosingCountsTheDaysReceiptsInTheOfficesZone() throws {
        let (store, _, fees) = try twoPaid()
        let sixteenth = LocalDate(iso: "2026-03-16")!
        let closing = try store.closeKas(day: sixteenth, by: .typed("Kasir"))
        #expect(closing.kind == .tutup)
        #expect(closing.receipts == 1)
        #expect(closing.amount == fees[0])
        #expect(closing.firstReceipt == "33.74.01/000001")
        #expect(closing.lastReceipt == "33.74.01/000001")

        // Today (the 17th) by default.
        let today = try store.closeKas(by: .typed("Kasir"))
        #expect(today.day == LocalDate(iso: "2026-03-17")!)
        #expect(today.amount == fees[1])
        #expect(today.firstReceipt == "33.74.01/000002")

        let events = try store.history("KAS/01/2026-03-16")
        #expect(events.map(\.body.type) == [.kasClosed])
        #expect(events.first?.officer == "Kasir")
        #expect(events.first?.role == Peran.kasir)
    }

    @Test func aLaterClosingReplacesAnEarlierOneAndDepositsAreSetAgainstReceipts() throws {
        let (store, clock, fees) = try twoPaid()
        let day = LocalDate(iso: "2026-03-17")!
        try store.closeKas(day: day, by: .typed("Kasir"))
        clock.advance(seconds: 600)
        try store.closeKas(day: day, by: .typed("Kasir"))
        try store.depositKas(amount: fees[0], reference: "STS-0042/2026", note: "setor pagi", by: .typed("Kasir"))

        let book = try store.kasMonth(year: 2026, month: 3, partition: "33.74.01")
        #expect(book.days.map(\.day) == [LocalDate(iso: "2026-03-16")!, day])
        let seventeenth = try #require(book.days.last)
        #expect(seventeenth.earlierClosings == 1)
        #expect(seventeenth.closingMatches == true)
        #expect(book.days.first?.closing == nil)
        #expect(book.days.first?.closingMatches == nil)
        #expect(book.deposits.map(\.reference) == ["STS-0042/2026"])
        #expect(book.deposits.map(\.note) == ["setor pagi"])
        let totals = try #require(book.totals["33.74.01"])
        #expect(totals.received == fees[0] + fees[1])
        #expect(totals.deposited == fees[0])
        #expect(totals.outstanding == fees[1])

        // The second closing saw the first: its context covers it.
        let events = try store.history("KAS/01/2026-03-17")
        #expect(events.count == 3)
        #expect(events[1].context.covers(events[0].dot))

        // The projection is what a rebuild from the log gives.
        #expect(try store.check().foldMatches)
        let before = try store.stateDump()
        #expect(try store.rebuild() > 0)
        #expect(try store.stateDump() == before)
        #expect(try store.kasMonth(year: 2026, month: 4).days.isEmpty)
    }

    @Test func aClosingAfterMoreReceiptsNoLongerMatches() throws {
        let (store, _, _) = try twoPaid()
        let day = LocalDate(iso: "2026-03-17")!
        try store.closeKas(day: day, by: .typed("Kasir"))
        let izin = try #require(try store.catalog().service(code: "IZIN-JALAN"))
        let p = try store.register(Fixture.application(izin), officer: "Sari")
        while try store.permohonan(p.number).tahap != .penyerahan {
            try store.perform(.advance(tahap: nil, note: nil), on: p.number, officer: "Petugas")
        }
        try store.perform(.pay(amount: try #require(p.fee), receipt: ""), on: p.number, officer: "Kasir")
        let book = try store.kasMonth(year: 2026, month: 3)
        #expect(book.days.last?.receipts == 2)
        #expect(book.days.last?.closingMatches == false)
    }

    @Test func refusedEntriesWriteNothing() throws {
        let (store, _, _) = try twoPaid()
        let before = try store.eventCount()
        #expect(throws: SimpulError.self) {
            try store.closeKas(day: LocalDate(iso: "2026-03-18")!, by: .typed("Kasir"))
        }
        #expect(throws: SimpulError.self) { try store.depositKas(amount: 0, reference: "X", by: .typed("Kasir")) }
        #expect(throws: SimpulError.self) { try store.depositKas(amount: 10, reference: " ", by: .typed("Kasir")) }
        #expect(throws: SimpulError.self) { try store.depositKas(amount: 10, reference: "X", by: .typed("")) }
        #expect(throws: SimpulError.self) { try store.kasMonth(year: 2026, month: 0) }
        #expect(try store.eventCount() == before)
    }
}
