import Foundation
import SimpulStore
import SimpulSync
import SimpulTestSupport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(10))) struct SyncMonitorTests {
    /// A restore pulled in many small answers: after each, the progress says how many events came
    /// and how many the hub still holds for this node, which falls to zero with the last answer.
    @Test(arguments: HubBackend.allCases) func aRestoreReportsWhatRemainsAfterEachPullAnswer(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        for _ in 0..<12 {
            let izin = try kec.register("IZIN-JALAN")
            try kec.processToHandover(izin.number)
        }
        #expect(world.sync(kec, budget: 2048).outcome.result == .inSync)
        let total = try kec.store.eventCount()

        let dir = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: world.clock, node: "33.74.01", directory: dir)
        let identity = try NodeIdentity.create(node: kec.node, directory: dir)
        try store.setHub(HubConfig(url: "in-process", caFile: nil))
        try world.enroll(identity)
        let seen = Mutex<[SyncProgress]>([])
        let monitor = SyncMonitor { progress in seen.withLock { $0.append(progress) } }
        let report = SyncClient(
            store: store, identity: identity, transport: InProcessTransport(hub: world.service),
            logger: Fixture.logger, now: { world.clock.now() }, maxPullBytes: 2048, monitor: monitor
        ).run()
        #expect(report.outcome.result == .inSync, "\(report.outcome)")
        #expect(try store.eventCount() == total)

        let pulls = seen.withLock { $0 }.filter { $0.phase == .pull && $0.pullRemaining != nil }
        #expect(pulls.count > 2, "one report per answer: \(pulls.count)")
        let first = try #require(pulls.first)
        // What the hub holds for this node, by its knowledge taken before the pull; nothing came in since.
        let due = first.pulledEvents + first.pullRemaining!
        var previous = Int.max
        for p in pulls {
            let remaining = try #require(p.pullRemaining)
            #expect(p.pulledEvents + remaining == due)
            #expect(remaining < previous)
            previous = remaining
        }
        #expect(pulls.last?.pullRemaining == 0)
        #expect(pulls.last?.pulledEvents == report.pulled)
        #expect(pulls.dropLast().allSatisfy { $0.pullRemaining! > 0 })
    }
}
