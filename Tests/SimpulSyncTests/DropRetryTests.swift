import Testing

@testable import SimpulSync

/// The run's decision after a request's connection dropped, without a network.
@Suite(.timeLimit(.minutes(10))) struct DropRetryTests {
    @Test func aDroppedRequestGoesAgainUntilItHasDroppedMaxAttemptsTimesInARow() {
        var retry = DropRetry(maxAttempts: 4, maxDropsWithoutAnswer: 100)
        #expect(retry.dropped(attempt: 1) == .again)
        #expect(retry.dropped(attempt: 2) == .again)
        #expect(retry.dropped(attempt: 3) == .again)
        guard case .giveUp = retry.dropped(attempt: 4) else {
            Issue.record("the fourth drop in a row of one request must end the run")
            return
        }
    }

    @Test func aDropDuringARetryDoesNotEndTheRunWhileAnswersComeBetweenDrops() {
        var retry = DropRetry()
        // The link drops every few requests for a long run: each request drops once or twice and then
        // gets through, so the run never gives up.
        for _ in 0..<50 {
            #expect(retry.dropped(attempt: 1) == .again)
            #expect(retry.dropped(attempt: 2) == .again)
            retry.answered()
            #expect(retry.dropsWithoutAnswer == 0)
        }
    }

    @Test func dropsOfTwoRequestsInFlightWithNoAnswerAddUpToTheRunsBudget() {
        var retry = DropRetry(maxAttempts: 4, maxDropsWithoutAnswer: 5)
        // Two pushes in flight, each dropped twice: four drops, none answered.
        for attempt in 1...2 {
            #expect(retry.dropped(attempt: attempt) == .again)
            #expect(retry.dropped(attempt: attempt) == .again)
        }
        // The fifth drop with no answer in between: the link is down, not dropping.
        guard case .giveUp(let reason) = retry.dropped(attempt: 3) else {
            Issue.record("five drops without an answer must end the run")
            return
        }
        #expect(reason.contains("5"))
    }

    @Test func aBudgetOfOneAttemptNeverSendsAgain() {
        var retry = DropRetry(maxAttempts: 1)
        #expect(retry.dropped(attempt: 1) != .again)
    }
}

extension DropRetryTests {
    @Test func aLinkThatDoesNotConnectBeforeAnyAnswerEndsTheRunButAfterOneItIsADrop() {
        var fresh = DropRetry()
        #expect(fresh.failedToConnect(attempt: 1) != .again)
        var retry = DropRetry()
        retry.answered()
        // A silent drop froze the connection the retry was opening: that is the same drop.
        #expect(retry.dropped(attempt: 1) == .again)
        #expect(retry.failedToConnect(attempt: 2) == .again)
        #expect(retry.failedToConnect(attempt: 3) == .again)
        #expect(retry.failedToConnect(attempt: 4) != .again)
    }
}
