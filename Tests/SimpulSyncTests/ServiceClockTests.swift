import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// The PTSP stops and restarts the service clock of a forwarded file; the moved due date reaches the
/// counter as the hub computed it.
@Suite(.timeLimit(.minutes(10)))
struct ServiceClockTests {
    @Test(arguments: HubBackend.nodeStoreOnly) func aStoppedClockMovesTheDueDateAtTheHubAndAtTheCounter(
        backend: HubBackend
    ) throws {
        // Monday 16 March 2026, 08:00 WIB; 18-24 March are Nyepi and Idul Fitri.
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("REK-PAUD")
        // Three working days: 17, 25, 26.
        #expect(p.dueOn == LocalDate(iso: "2026-03-26"))
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        #expect(world.sync(kec).outcome.result == .inSync)

        let hub = world.hub.store
        try hub.perform(.ptspProgress(code: "41", note: "konfirmasi luas lahan"), on: p.number, officer: "Rudi")
        let stopped = try hub.permohonan(p.number)
        #expect(stopped.clockStoppedAt != nil)
        #expect(stopped.dueOn == LocalDate(iso: "2026-03-26"))
        // Stopped files are not late at the hub, whatever the date says.
        world.clock.advance(seconds: 9 * 86_400)
        var late = ForwardedQuery()
        late.due = .terlambat
        #expect(try hub.forwardedCount(late, today: LocalDate(iso: "2026-04-30")!) == 0)

        // Running again on Wednesday 25: 17 and 25 stood still, so the due date moves two working days.
        try hub.perform(.ptspProgress(code: "42", note: nil), on: p.number, officer: "Rudi")
        let resumed = try hub.permohonan(p.number)
        #expect(resumed.clockStoppedAt == nil)
        #expect(resumed.dueOn == LocalDate(iso: "2026-03-30"))
        #expect(try hub.forwardedCount(late, today: LocalDate(iso: "2026-04-30")!) == 1)
        guard case .ptspProgress(let written) = try hub.history(p.number).last?.body else {
            Issue.record("no progress event")
            return
        }
        #expect(written.dueOn == LocalDate(iso: "2026-03-30"))

        #expect(world.sync(kec).outcome.result == .inSync)
        let atCounter = try kec.store.permohonan(p.number)
        #expect(atCounter.dueOn == LocalDate(iso: "2026-03-30"))
        #expect(atCounter.clockStoppedAt == nil)
        #expect(try kec.store.check().foldMatches)
    }

    /// The same stop and restart through the hub's storage, on either backend: the hub counts the moved
    /// due date on the calendar it published (a hub on PostgreSQL holds no other).
    @Test(arguments: HubBackend.allCases) func aStoppedClockCountsOnThePublishedCalendarOnEitherBackend(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let reference = try ConfDirectory.load(Fixture.conf)
        try world.hubStorage.publish(catalog: reference.catalog, calendar: reference.calendar, officer: "Admin TI")
        #expect(try world.hubStorage.calendar() == reference.calendar)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("REK-PAUD")
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        #expect(world.sync(kec).outcome.result == .inSync)

        try world.hubStorage.perform(
            .ptspProgress(code: "41", note: "konfirmasi luas lahan"), on: p.number, officer: "Rudi")
        #expect(try world.hubStorage.permohonan(p.number).clockStoppedAt != nil)
        world.clock.advance(seconds: 9 * 86_400)
        // Running again on Wednesday 25: 17 and 25 stood still, Nyepi and Idul Fitri between them did not
        // count, so the due date moves two working days.
        try world.hubStorage.perform(.ptspProgress(code: "42", note: nil), on: p.number, officer: "Rudi")
        let resumed = try world.hubStorage.permohonan(p.number)
        #expect(resumed.clockStoppedAt == nil)
        #expect(resumed.dueOn == LocalDate(iso: "2026-03-30"))
        // Only the PTSP's steps and decisions go this way; the counter's steps stay the kecamatan's.
        let before = try world.hubStorage.history(p.number)
        #expect(throws: SimpulError.self) {
            try world.hubStorage.perform(.withdraw(reason: "salah"), on: p.number, officer: "Rudi")
        }
        #expect(throws: SimpulError.self) {
            try world.hubStorage.perform(.ptspProgress(code: "10", note: nil), on: p.number, officer: "  ")
        }
        #expect(try world.hubStorage.history(p.number) == before)

        #expect(world.sync(kec).outcome.result == .inSync)
        let atCounter = try kec.store.permohonan(p.number)
        #expect(atCounter.dueOn == LocalDate(iso: "2026-03-30"))
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
        #expect(try kec.store.check().foldMatches)
    }
}
