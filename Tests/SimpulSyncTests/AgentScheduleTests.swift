import SimpulTestSupport
import Testing

@testable import SimpulSync

/// The agent's timing decisions, on a clock the test moves by hand.
@Suite(.timeLimit(.minutes(10))) struct AgentScheduleTests {
    let t0 = ContinuousClock.now
    let settings = AgentSchedule.Settings(
        interval: .seconds(900), settle: .seconds(10), retryMinimum: .seconds(30), retryMaximum: .seconds(3600))

    @Test func backoffGrowsWithFullJitterUpToItsCapAndResetsOnSuccess() {
        var rng = SeededGenerator(seed: 7)
        var b = Backoff(minimum: .seconds(30), maximum: .seconds(3600))
        var ceilings: [Duration] = []
        for _ in 0..<12 {
            let ceiling = b.ceiling
            ceilings.append(ceiling)
            let wait = b.fail(using: &rng)
            #expect(wait >= .zero && wait <= ceiling)
        }
        #expect(ceilings.prefix(4) == [.seconds(30), .seconds(60), .seconds(120), .seconds(240)])
        #expect(ceilings.last == .seconds(3600))
        b.succeed()
        #expect(b.failures == 0)
        #expect(b.ceiling == .seconds(30))
    }

    @Test func fullJitterSpreadsTheWaitsOverTheWholeRange() {
        var rng = SeededGenerator(seed: 1)
        var waits: [Duration] = []
        for _ in 0..<400 {
            var b = Backoff(minimum: .seconds(100), maximum: .seconds(100))
            waits.append(b.fail(using: &rng))
        }
        #expect(waits.contains { $0 < .seconds(10) })
        #expect(waits.contains { $0 > .seconds(90) })
    }

    @Test func theFirstSyncRunsAtOnceThenOnTheInterval() {
        var rng = SeededGenerator(seed: 3)
        var s = AgentSchedule(settings: settings, now: t0)
        #expect(s.next == t0)
        s.finished(.inSync, at: t0 + .seconds(4), using: &rng)
        #expect(s.link == .up)
        #expect(s.next == t0 + .seconds(904))
    }

    @Test func aLocalChangeWhileTheLinkIsUpSyncsAfterTheSettleTime() {
        var rng = SeededGenerator(seed: 3)
        var s = AgentSchedule(settings: settings, now: t0)
        s.finished(.inSync, at: t0, using: &rng)
        s.localChange(at: t0 + .seconds(100))
        #expect(s.next == t0 + .seconds(110))
        // A second change does not push it further away.
        s.localChange(at: t0 + .seconds(105))
        #expect(s.next == t0 + .seconds(110))
    }

    @Test func whileTheLinkIsDownTheBackoffStandsAndLocalChangesDoNotHammer() {
        var rng = SeededGenerator(seed: 5)
        var s = AgentSchedule(settings: settings, now: t0)
        var at = t0
        var previousCeiling = Duration.zero
        for n in 1...8 {
            s.finished(.linkFailure, at: at, using: &rng)
            #expect(s.link == .down)
            #expect(s.failures == n)
            let wait = s.next - at
            let ceiling = min(Duration.seconds(30) * (1 << (n - 1)), .seconds(3600))
            #expect(wait <= ceiling && ceiling >= previousCeiling)
            previousCeiling = ceiling
            let before = s.next
            s.localChange(at: at + .milliseconds(1))
            #expect(s.next == before)
            at = s.next
        }
        // The link is back: at once on the interval again, and the backoff starts over.
        s.finished(.inSync, at: at, using: &rng)
        #expect(s.failures == 0)
        #expect(s.next == at + .seconds(900))
        s.finished(.linkFailure, at: at, using: &rng)
        #expect(s.next - at <= .seconds(30))
    }

    @Test(arguments: [SyncOutcome.Result.refused, .rejected])
    func aRefusalIsNotRetriedInALoop(result: SyncOutcome.Result) {
        var rng = SeededGenerator(seed: 9)
        var s = AgentSchedule(settings: settings, now: t0)
        s.finished(result, at: t0, using: &rng)
        #expect(s.link == .refused)
        #expect(s.next == t0 + .seconds(900))
        s.localChange(at: t0 + .seconds(1))
        #expect(s.next == t0 + .seconds(900))
    }

    @Test func aCancelledRunEndsAsALinkFailureToTryLater() {
        var m = SyncMachine()
        _ = m.start()
        _ = m.handle(.knowledge(outbox: 3))
        guard case .finish(let outcome) = m.handle(.cancelled) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.exitCode == 75)
        #expect(outcome.message.contains("dihentikan"))
    }
}
