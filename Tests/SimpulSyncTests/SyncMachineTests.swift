import SimpulSync
import Testing

@Suite struct SyncMachineTests {
    @Test func pushesEveryChangeSetInOrderThenPullsUntilComplete() {
        var m = SyncMachine()
        #expect(m.start() == .fetchKnowledge)
        #expect(m.handle(.knowledge(outbox: 2)) == .push(index: 0))
        #expect(m.handle(.pushed) == .push(index: 1))
        #expect(m.handle(.pushed) == .pull)
        #expect(m.handle(.pulled(applied: 5, complete: false)) == .pull)
        guard case .finish(let outcome) = m.handle(.pulled(applied: 3, complete: true)) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.result == .inSync)
        #expect(outcome.exitCode == 0)
        #expect(m.pushed == 2)
        #expect(m.pulled == 8)
    }

    @Test func nothingToPushGoesStraightToPull() {
        var m = SyncMachine()
        _ = m.start()
        #expect(m.handle(.knowledge(outbox: 0)) == .pull)
    }

    @Test func failuresMapToTheDocumentedExitCodes() {
        let cases: [(SyncFailure, Int32)] = [
            (.link("connection refused"), 75),
            (.garbled("html page"), 75),
            (.problem(status: 503, code: "store", detail: "x"), 75),
            (.problem(status: 401, code: "not-enrolled", detail: "x"), 77),
            (.problem(status: 403, code: "revoked", detail: "x"), 77),
            (.problem(status: 422, code: "hash-mismatch", detail: "x"), 65),
            (.problem(status: 400, code: "malformed", detail: "x"), 65),
            (.invalidData("bad signature from hub"), 65),
        ]
        for (failure, code) in cases {
            var m = SyncMachine()
            _ = m.start()
            guard case .finish(let outcome) = m.handle(.failed(failure)) else {
                Issue.record("expected finish for \(failure)")
                continue
            }
            #expect(outcome.exitCode == code, "\(failure)")
        }
    }

    @Test func pullsThatBringNothingTwiceStopInsteadOfLooping() {
        var m = SyncMachine()
        _ = m.start()
        _ = m.handle(.knowledge(outbox: 0))
        #expect(m.handle(.pulled(applied: 0, complete: false)) == .pull)
        guard case .finish(let outcome) = m.handle(.pulled(applied: 0, complete: false)) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.exitCode == 65)
    }
}
