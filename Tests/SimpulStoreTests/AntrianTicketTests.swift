import Dispatch
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Synchronization
import Testing

/// The waiting room's queue: numbers per day and group, calls to desks, the waits it records.
@Suite(.timeLimit(.minutes(10)))
struct AntrianTicketTests {
    @Test func ticketsAreNumberedPerDayAndGroupAndSayHowManyWaitAhead() throws {
        let clock = TestClock()
        let store = try Fixture.newStore(clock: clock)
        let taken = try [AntrianGroup.nonPerizinan, .nonPerizinan, .perizinan, .nonPerizinan].map {
            try store.takeTicket($0)
        }
        #expect(taken.map(\.ticket.code) == ["N-001", "N-002", "P-001", "N-003"])
        #expect(taken.map(\.ahead) == [0, 1, 0, 2])
        // The store's clock starts at 08:00 WIB on Monday 16 March 2026.
        #expect(taken.allSatisfy { $0.ticket.day == LocalDate(iso: "2026-03-16") })

        clock.advance(seconds: 86_400)
        let tomorrow = try store.takeTicket(.nonPerizinan).ticket
        #expect(tomorrow.code == "N-001")
        #expect(tomorrow.day == LocalDate(iso: "2026-03-17"))
        // Yesterday's visitors who were never called are not called today.
        let called = try #require(try store.callNext(groups: [.nonPerizinan], desk: "Loket 1", officer: "Sari"))
        #expect(called.id == tomorrow.id)
        #expect(try store.callNext(groups: [.nonPerizinan, .perizinan], desk: "Loket 1", officer: "Sari") == nil)
        #expect(
            try store.antrianDay(LocalDate(iso: "2026-03-16")!).map(\.code) == ["N-001", "N-002", "P-001", "N-003"])
    }

    @Test func aDeskCallsTheLongestWaitingOfItsGroupsAndTheWaitEndsAtTheFirstCall() throws {
        let store = try Fixture.newStore()
        let n1 = try store.takeTicket(.nonPerizinan).ticket
        let p1 = try store.takeTicket(.perizinan).ticket
        let i1 = try store.takeTicket(.informasi).ticket
        let first = try #require(
            try store.callNext(groups: [.perizinan, .informasi], desk: " Loket 2 ", officer: "Budi"))
        #expect(first.id == p1.id)
        #expect(first.desk == "Loket 2")
        #expect(first.calledBy == "Budi")
        #expect(first.waitSeconds == (first.calledAt!.milliseconds - p1.takenAt.milliseconds) / 1000)
        #expect(first.waitSeconds! > 0)
        let second = try #require(
            try store.callNext(groups: Set(AntrianGroup.allCases), desk: "Meja informasi", officer: "Ani"))
        #expect(second.id == n1.id)

        // Nobody came forward: Loket 2 calls P-001 again; the screen shows it first, its wait is unchanged.
        let again = try #require(try store.recall(desk: "Loket 2"))
        #expect(again.id == p1.id)
        #expect(again.calledAt == first.calledAt)
        #expect(again.waitSeconds == first.waitSeconds)
        #expect(again.lastCalledAt! > first.lastCalledAt!)
        let board = try store.antrianBoard()
        #expect(board.called.map(\.code) == ["P-001", "N-001"])
        #expect(board.waiting == [.informasi: 1])
        #expect(try store.antrianTicket(id: i1.id)?.calledAt == nil)
        #expect(try store.recall(desk: "Loket 9") == nil)
    }

    @Test func twoDesksCallingAtOnceNeverGetTheSameTicket() throws {
        let store = try Fixture.newStore()
        for _ in 0..<40 { _ = try store.takeTicket(.nonPerizinan) }
        let called = Mutex<[Int64]>([])
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            do {
                if let t = try store.callNext(groups: [.nonPerizinan], desk: "Loket \(i % 2 + 1)", officer: "Petugas") {
                    called.withLock { $0.append(t.id) }
                }
            } catch {
                failures.withLock { $0 += 1 }
            }
        }
        let ids = called.withLock { $0 }
        #expect(failures.withLock { $0 } == 0)
        #expect(ids.count == 40)
        #expect(Set(ids).count == 40)
        #expect(try store.callNext(groups: [.nonPerizinan], desk: "Loket 1", officer: "Petugas") == nil)
    }

    @Test(arguments: ["", "   ", "Loket\n1", String(repeating: "L", count: 41)])
    func aDeskMustBeNamed(desk: String) throws {
        let store = try Fixture.newStore()
        let ticket = try store.takeTicket(.perizinan).ticket
        let error = try #require(throws: SimpulError.self) {
            try store.callNext(groups: [.perizinan], desk: desk, officer: "Sari")
        }
        #expect(error.message.hasPrefix("meja"))
        #expect(try store.antrianTicket(id: ticket.id)?.calledAt == nil)
        #expect(throws: SimpulError.self) { try store.callNext(groups: [], desk: "Loket 1", officer: "Sari") }
    }
}
