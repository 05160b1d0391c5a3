import Dispatch
import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import SimpulTransport
import Synchronization
import Testing

@testable import SimpulSync

/// A pull asks for its next answer while it applies the last one, over a real HTTPS hub.
@Suite(.timeLimit(.minutes(10))) struct PullAheadTests {
    /// A restore's replica of `kec`, with nothing yet, not enrolled (its key replaces the node's at the
    /// hub once enrolled).
    private func emptyReplica(of kec: Replica, in world: SyncWorld) throws -> Replica {
        let dir = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: world.clock, node: kec.node.rawValue, directory: dir)
        let identity = try NodeIdentity.create(node: kec.node, directory: dir)
        try store.setHub(HubConfig(url: "set below", caFile: nil))
        return Replica(store: store, identity: identity)
    }

    @Test(arguments: HubBackend.allCases)
    func theNextPullGoesWhileTheLastAnswerIsAppliedAndTheRestoreEndsWithEveryEventOnce(
        backend: HubBackend
    ) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        for _ in 0..<60 { try kec.register("SKTM") }
        let restored = try emptyReplica(of: kec, in: world)
        let (report, pulls) = try await withHTTPSHub(world.service) { port, ca in
            let url = "https://127.0.0.1:\(port)"
            let push = CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger)
            defer { push.closeIdleConnections() }
            let pushed = SyncClient(
                store: kec.store, identity: kec.identity, transport: push, logger: Fixture.logger,
                now: { world.clock.now() }, budget: 4096
            ).run()
            #expect(pushed.outcome.result == .inSync)
            try world.enroll(restored.identity)
            let wire = HoldingTransport(
                CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger), store: restored.store)
            defer { wire.inner.closeIdleConnections() }
            let report = SyncClient(
                store: restored.store, identity: restored.identity, transport: wire, logger: Fixture.logger,
                now: { world.clock.now() }, budget: 4096, maxPullBytes: 16 * 1024
            ).run()
            return (report, wire.pulls.withLock { $0 })
        }
        #expect(report.outcome.result == .inSync, "\(report.outcome)")
        #expect(report.pulled == 60)
        try #require(pulls.count > 2, "\(pulls.count) pull requests")
        // The first answer was held back from the store until the next request came: the agent asked
        // for the second while it had not applied the first.
        #expect(pulls.map(\.whileHeld) == [false, true] + Array(repeating: false, count: pulls.count - 2))
        // Each request asked from where the answer before it ended, never twice from the same place.
        #expect(Set(pulls.map(\.knowledge)).count == pulls.count)
        #expect(try restored.store.eventCount() == kec.store.eventCount())
        #expect(try restored.store.stateDump(partition: "33.74.01") == kec.store.stateDump(partition: "33.74.01"))
        #expect(try restored.store.check().isHealthy)
    }

    @Test(arguments: HubBackend.allCases)
    func anAnswerThatFailsItsChecksEndsTheRunAfterTheAnswerAskedAheadAndTheNextRunResumesThere(
        backend: HubBackend
    ) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        for _ in 0..<40 { try kec.register("SKTM") }
        let restored = try emptyReplica(of: kec, in: world)
        let (first, again, pulls) = try await withHTTPSHub(world.service) { port, ca in
            let url = "https://127.0.0.1:\(port)"
            let push = CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger)
            defer { push.closeIdleConnections() }
            #expect(
                SyncClient(
                    store: kec.store, identity: kec.identity, transport: push, logger: Fixture.logger,
                    now: { world.clock.now() }, budget: 4096
                ).run().outcome.result == .inSync)
            try world.enroll(restored.identity)
            // The second answer has one byte of a change set changed: its hash no longer matches.
            let wire = HoldingTransport(
                CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger), store: nil, garble: 2)
            defer { wire.inner.closeIdleConnections() }
            let first = SyncClient(
                store: restored.store, identity: restored.identity, transport: wire, logger: Fixture.logger,
                now: { world.clock.now() }, budget: 4096, maxPullBytes: 8 * 1024
            ).run()
            let pulls = wire.pulls.withLock { $0 }.count
            let clean = CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger)
            defer { clean.closeIdleConnections() }
            let again = SyncClient(
                store: restored.store, identity: restored.identity, transport: clean, logger: Fixture.logger,
                now: { world.clock.now() }, budget: 4096, maxPullBytes: 8 * 1024
            ).run()
            return (first, again, pulls)
        }
        #expect(first.outcome.result != .inSync, "\(first.outcome)")
        // The first answer stays applied; the third, asked ahead while the second was read, is not.
        #expect(first.pulled > 0)
        #expect(pulls == 3, "\(pulls) pull requests before the run ended")
        #expect(again.outcome.result == .inSync, "\(again.outcome)")
        #expect(first.pulled + again.pulled == (try kec.store.eventCount()))
        #expect(try restored.store.stateDump(partition: "33.74.01") == kec.store.stateDump(partition: "33.74.01"))
    }

    @Test func aChangeSetSaysWhereItSitsWithoutItsEventsBeingRead() throws {
        let world = try SyncWorld(backend: .sqlite)
        let kec = try world.kecamatan("33.74.01")
        for _ in 0..<5 { try kec.register("SKTM") }
        _ = try ChangeSetSealer.sealPending(store: kec.store, identity: kec.identity, budget: 1024)
        let sets = try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100)
        #expect(sets.count > 1)
        for s in sets {
            #expect(
                ChangeSetPlace(document: s.body) == ChangeSetPlace(partition: s.partition, node: s.node, last: s.last))
        }
        let asked = ["33.74.01": VersionVector(), "33.74": VersionVector(["33.74": 3])]
        let next = try #require(ChangeSetPlace.knowledge(asked, after: sets.map(\.body)))
        #expect(next["33.74.01"] == VersionVector(["33.74.01": sets.last!.last]))
        #expect(next["33.74"] == VersionVector(["33.74": 3]))
        // A partition the request did not name stays out of the next one; a document that does not
        // say where it sits stops the asking ahead.
        #expect(
            ChangeSetPlace.knowledge(["33.74": VersionVector()], after: sets.map(\.body)) == ["33.74": VersionVector()])
        #expect(ChangeSetPlace.knowledge(asked, after: [Array("{}".utf8)]) == nil)
        #expect(ChangeSetPlace(document: Array(sets[0].body.dropLast(3))) == nil)
    }
}

/// A transport that keeps the store from applying the first pull answer (by holding its write lock)
/// until the agent's next pull request arrives, and records each pull request and whether it came
/// while that answer was held; with `garble`, it changes one byte of a change set in that pull answer.
final class HoldingTransport: SyncTransport {
    struct Pull: Sendable {
        var knowledge: [String: VersionVector]
        var whileHeld: Bool
    }

    let inner: CurlTransport
    let store: NodeStore?
    let garble: Int?
    let pulls = Mutex<[Pull]>([])
    private let holding = Mutex<DispatchSemaphore?>(nil)

    init(_ inner: CurlTransport, store: NodeStore?, garble: Int? = nil) {
        self.inner = inner
        self.store = store
        self.garble = garble
    }

    var host: String { inner.host }

    func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage {
        try sendCounted(request).0
    }

    func sendCounted(
        _ request: HTTPRequestMessage
    ) throws(TransportError) -> (HTTPResponseMessage, sent: Int, received: Int) {
        guard request.path == "/v2/pull" else { return try inner.sendCounted(request) }
        let body = try? BodyCoding.decodeRequest(
            request.body, encoding: request.headers["content-encoding"], limit: 1 << 20)
        let asked = (try? Canonical.decode(PullRequest.self, from: body ?? [])).map(\.knowledge) ?? [:]
        let released = holding.withLock { held in
            defer { held = nil }
            held?.signal()
            return held != nil
        }
        let number = pulls.withLock {
            $0.append(Pull(knowledge: asked, whileHeld: released))
            return $0.count
        }
        var (response, sent, received) = try inner.sendCounted(request)
        if number == garble, let i = Self.hashDigit(in: response.body) {
            response.body[i] = response.body[i] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        }
        // Only the first answer: it comes while nothing else is written, so the lock taken is the one
        // its own apply waits for. (Later answers come while the one before is being applied.)
        if number == 1, let store, let answer = try? PullResponse(decoding: response.body), !answer.complete {
            hold(store)
        }
        return (response, sent, received)
    }

    /// Takes the store's write lock on a thread of its own until the next pull request releases it
    /// (or a minute passes, so that an agent that never asks ahead fails the test instead of hanging).
    private func hold(_ store: NodeStore) {
        let release = DispatchSemaphore(value: 0)
        let taken = DispatchSemaphore(value: 0)
        holding.withLock { $0 = release }
        Thread.detachNewThread {
            _ = try? store.write("menahan jawaban") { _ in
                taken.signal()
                _ = release.wait(timeout: .now() + 60)
            }
        }
        taken.wait()
    }

    /// A digit of the first change set's hash in a pull answer.
    static func hashDigit(in body: [UInt8]) -> Int? {
        let marker = Array(#"},"hash":""#.utf8)
        guard body.count > marker.count else { return nil }
        for i in 0...(body.count - marker.count) where body[i..<(i + marker.count)].elementsEqual(marker) {
            return i + marker.count + 5
        }
        return nil
    }

    func finish() { inner.finish() }
}
