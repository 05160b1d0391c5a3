import SimpulDomain
import SimpulSync
import Testing

@Suite(.timeLimit(.minutes(10))) struct NonceCacheTests {
    static let window: Int64 = 300_000
    static let t0 = Timestamp(iso: "2026-03-16T01:00:00.000Z")!

    static func at(_ seconds: Int64) -> Timestamp { Timestamp(milliseconds: t0.milliseconds + seconds * 1000) }

    @Test func aNonceIsFreshOnceAndReplayedWithinTheWindow() {
        var cache = NonceCache(windowMilliseconds: Self.window)
        #expect(cache.check(node: "33.74.01", nonce: "a", date: Self.t0, now: Self.t0) == .fresh)
        #expect(cache.check(node: "33.74.01", nonce: "a", date: Self.t0, now: Self.at(10)) == .replayed)
        #expect(cache.check(node: "33.74.01", nonce: "a", date: Self.t0, now: Self.at(300)) == .replayed)
        // Another node may happen on the same nonce.
        #expect(cache.check(node: "33.74.02", nonce: "a", date: Self.t0, now: Self.at(10)) == .fresh)
    }

    @Test func aNonceIsKeptUntilItsDatePlusTheWindowHasPassed() {
        var cache = NonceCache(windowMilliseconds: Self.window)
        // Dated ahead of the hub's clock: kept until that date plus the window.
        #expect(cache.check(node: "n", nonce: "a", date: Self.at(200), now: Self.t0) == .fresh)
        #expect(cache.check(node: "n", nonce: "a", date: Self.at(200), now: Self.at(499)) == .replayed)
        cache.purge(now: Self.at(501))
        #expect(cache.count(node: "n") == 0)
    }

    @Test func aNodeIsBoundedAndFreedAsItsNoncesExpire() {
        var cache = NonceCache(windowMilliseconds: Self.window, perNode: 3)
        for n in ["a", "b", "c"] {
            #expect(cache.check(node: "n", nonce: n, date: Self.t0, now: Self.t0) == .fresh)
        }
        #expect(cache.check(node: "n", nonce: "d", date: Self.t0, now: Self.at(1)) == .full)
        #expect(cache.check(node: "m", nonce: "d", date: Self.t0, now: Self.at(1)) == .fresh)
        #expect(cache.count(node: "n") == 3)
        // Once the first three have expired there is room again.
        #expect(cache.check(node: "n", nonce: "d", date: Self.at(301), now: Self.at(301)) == .fresh)
        #expect(cache.count(node: "n") == 1)
    }
}
