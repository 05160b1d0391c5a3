import Dispatch
import Foundation
import Synchronization
import Testing

@testable import SimpulSync

@Suite(.timeLimit(.minutes(10))) struct InFlightLimitTests {
    @Test func eachNodeGetsItsOwnSlotsAndAReturnedSlotIsFreeAgain() {
        let limit = InFlightLimit(limit: 2)
        #expect(limit.enter("33.74.01") && limit.enter("33.74.01"))
        #expect(!limit.enter("33.74.01"))
        #expect(limit.enter("33.74.02"))
        limit.leave("33.74.01")
        #expect(limit.count("33.74.01") == 1)
        #expect(limit.enter("33.74.01"))
        #expect(!limit.enter("33.74.01"))
    }

    /// Many threads racing for one node's slots: never more than the limit inside at once.
    @Test func racingRequestsNeverExceedTheLimit() {
        let limit = InFlightLimit(limit: 3)
        let inside = Atomic<Int>(0)
        let highest = Atomic<Int>(0)
        let admitted = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 2_000) { _ in
            guard limit.enter("33.74.01") else { return }
            let now = inside.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
            _ = highest.max(now, ordering: .sequentiallyConsistent)
            admitted.wrappingAdd(1, ordering: .relaxed)
            inside.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            limit.leave("33.74.01")
        }
        #expect(highest.load(ordering: .sequentiallyConsistent) <= 3)
        #expect(admitted.load(ordering: .relaxed) > 0)
        #expect(limit.count("33.74.01") == 0)
    }
}
