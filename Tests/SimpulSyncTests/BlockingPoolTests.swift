import Foundation
import SimpulConcurrency
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Synchronization
import Testing

@testable import SimpulSync

/// The blocking pool is bounded, and work that waits for other work of the pool never waits for
/// work the pool has not started. Each test takes every thread of a pool of its own: holding the
/// shared one stopped every in-process hub of the parallel suite (their requests go through it) for
/// as long, and their agents gave up on the silence.
@Suite(.timeLimit(.minutes(10))) struct BlockingPoolTests {
    /// Blocks every thread of `pool` until `release` is called.
    private final class Occupation: Sendable {
        private let gate = DispatchSemaphore(value: 0)
        private let started = DispatchSemaphore(value: 0)
        let pool: BlockingPool
        var threads: Int { pool.threads }

        init(_ pool: BlockingPool) {
            self.pool = pool
            for _ in 0..<pool.threads {
                pool.submit { [started, gate] in
                    started.signal()
                    gate.wait()
                }
            }
            for _ in 0..<threads { started.wait() }
        }

        func release(_ count: Int? = nil) {
            for _ in 0..<(count ?? threads) { gate.signal() }
        }
    }

    @Test func runHandsBackTheResultAndTheTypedError() async throws {
        struct Refusal: Error, Equatable { var code: Int }
        #expect(await BlockingPool.shared.run { 6 * 7 } == 42)
        await #expect(throws: Refusal(code: 7)) {
            try await BlockingPool.shared.run { () throws(Refusal) -> Int in throw Refusal(code: 7) }
        }
    }

    @Test func theSharedPoolHasAThreadPerCoreAndAtLeastTwo() {
        #expect(BlockingPool.shared.threads >= 2)
        #expect(BlockingPool.shared.threads >= ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test func noMoreThanItsThreadsRunAtOnce() async throws {
        let pool = BlockingPool(threads: 2)
        let busy = Occupation(pool)
        let finished = Atomic<Int>(0)
        let extra = Task {
            // Starts only once a thread of the pool is free, that is after one occupier finished.
            await pool.run { finished.load(ordering: .sequentiallyConsistent) }
        }
        finished.add(1, ordering: .sequentiallyConsistent)
        busy.release(1)
        #expect(await extra.value == 1)
        busy.release(busy.threads - 1)
    }

    @Test func aBatchIsVerifiedAndAppliedWhileEveryThreadOfThePoolIsBusy() throws {
        let (world, received) = try batch()
        let replica = try Fixture.newStore(clock: world.clock, node: "33.74.01-7")
        try replica.learn(try world.hubStorage.keys(node: nil))
        let pool = BlockingPool(threads: 2)
        let busy = Occupation(pool)
        defer { busy.release() }
        // The applying thread checks every signature itself: the pool never gets to start one.
        let applied = try SyncClient.apply(received, store: replica, pool: pool)
        #expect(applied == received.reduce(0) { $0 + $1.changeSet.events.count })
        #expect(try replica.eventCount() == applied)
    }

    @Test func aForgedSignatureIsRefusedWhileEveryThreadOfThePoolIsBusy() throws {
        let (world, received) = try batch()
        let replica = try Fixture.newStore(clock: world.clock, node: "33.74.01-7")
        // Keys of another node under the writer's name: every signature fails.
        let stranger = try NodeIdentity.create(node: NodeID("33.74.02")!, directory: Fixture.tempDirectory())
        try replica.learn([
            NodeKey(
                node: "33.74.01", publicKey: stranger.publicKey, fingerprint: received[0].changeSet.key,
                enrolledAt: world.clock.now(), revokedAt: nil, active: true)
        ])
        let pool = BlockingPool(threads: 2)
        let busy = Occupation(pool)
        defer { busy.release() }
        #expect(throws: (any Error).self) { try SyncClient.apply(received, store: replica, pool: pool) }
        #expect(try replica.eventCount() == 0)
    }

    /// A kecamatan's day sealed into several change sets, as received.
    private func batch() throws -> (SyncWorld, [ReceivedChangeSet]) {
        let world = try SyncWorld()
        let kec = try world.kecamatan("33.74.01")
        for _ in 0..<12 { try kec.register("SKTM") }
        try ChangeSetSealer.sealPending(store: kec.store, identity: kec.identity, budget: 2048)
        let stored = try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100)
        #expect(stored.count >= 3)
        return (world, try stored.map { try ReceivedChangeSet(body: $0.body) })
    }
}
