import Foundation
import SimpulDomain
import SimpulStore
import SimpulSync
import SimpulTestSupport
import Synchronization
import Testing

@testable import SimpulHubPostgres

/// Two hub processes on one PostgreSQL database, as behind a load balancer: each its own storage (its
/// own connections) and its own `HubService`, one database between them.
@Suite(.timeLimit(.minutes(10)), TestPostgres.serverGiven) struct SeveralHubProcessesTests {
    @Test func oneNodesPushesRacingThroughTwoProcessesKeepTheChainAndApplyEachOnce() throws {
        let database = try TestDatabase()
        defer { database.drop() }
        let clock = TestClock()
        let hub = try TwoProcesses(database, clock: clock)
        defer { hub.close() }
        let (first, second, services) = (hub.first, hub.second, hub.services)

        let nodeDir = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: clock, node: "33.74.01", directory: nodeDir)
        let identity = try NodeIdentity.create(node: NodeID("33.74.01")!, directory: nodeDir)
        _ = try first.enroll(node: identity.node, publicKey: identity.publicKey, fingerprint: identity.fingerprint)
        let node = Replica(store: store, identity: identity)
        for i in 0..<40 { try node.register("SKTM", nama: "Pemohon \(i)") }
        // One change set per registration or so: a long chain whose links can arrive in any order.
        try ChangeSetSealer.sealPending(store: node.store, identity: node.identity, budget: 1)
        let sets = try node.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 10_000)
        try #require(sets.count >= 20)

        // Every change set twice, once through each process, all at once in a shuffled order.
        var rng = SeededGenerator(seed: 0x5052_4F43)
        let sends = (sets.indices.map { ($0, 0) } + sets.indices.map { ($0, 1) }).shuffled(using: &rng)
        let results = Mutex([String](repeating: "", count: sends.count))
        DispatchQueue.concurrentPerform(iterations: sends.count) { i in
            let (index, process) = sends[i]
            var request = HTTPRequestMessage(
                method: "POST", path: "/v2/push", body: PushRequest.encode([sets[index].body]))
            let result: String
            do {
                try RequestSignature.sign(&request, identity: node.identity, at: clock.now())
                let answer = services[process].respond(request)
                result =
                    answer.status == 200
                    ? (try Canonical.decode(PushBatchResponse.self, from: answer.body).results.first?.result ?? "none")
                    : "status \(answer.status)"
            } catch {
                result = "error \(error)"
            }
            results.withLock { $0[i] = result }
        }
        let answered = results.withLock { $0 }
        #expect(answered.allSatisfy { ["applied", "parked", "duplicate"].contains($0) }, "\(answered)")

        // Each change set held once, in its chain's order, the events all there, nothing left parked,
        // and both processes read the same.
        let held = try first.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 10_000)
        #expect(held == sets)
        #expect(try database.count("SELECT COUNT(*) FROM changeset WHERE node = '33.74.01'") == Int64(sets.count))
        #expect(
            try database.count("SELECT COUNT(*) FROM event WHERE node = '33.74.01'")
                == Int64(sets.last.map { $0.last } ?? 0))
        #expect(try first.parkedBodies().isEmpty)
        let knowledge = try node.store.knowledge().filter { $0.key == "33.74.01" }
        #expect(try first.knowledge() == knowledge)
        #expect(try second.knowledge() == knowledge)
        let numbers = try node.store.list(PermohonanFilter(limit: 1_000)).map(\.number).sorted()
        #expect(try first.list(PermohonanFilter(limit: 1_000)).map(\.number).sorted() == numbers)
        for number in numbers.prefix(5) {
            #expect(try second.permohonan(number) == node.store.permohonan(number))
        }
    }

    @Test func aRequestOneProcessTookIsRefusedAsAReplayByTheOtherUntilItsTimeHasPassed() throws {
        let database = try TestDatabase()
        defer { database.drop() }
        let clock = TestClock(stepSeconds: 0)
        let hub = try TwoProcesses(database, clock: clock, limits: HubLimits(maxSkewSeconds: 300))
        defer { hub.close() }
        let (first, services) = (hub.first, hub.services)
        let nodeDir = Fixture.tempDirectory()
        let identity = try NodeIdentity.create(node: NodeID("33.74.01")!, directory: nodeDir)
        _ = try first.enroll(node: identity.node, publicKey: identity.publicKey, fingerprint: identity.fingerprint)
        func signed() throws -> HTTPRequestMessage {
            var request = HTTPRequestMessage(
                method: "POST", path: "/v2/knowledge", headers: ["content-type": SyncProtocol.jsonContentType],
                body: try Canonical.encode(KnowledgeRequest(partitions: ["33.74.01"])))
            try RequestSignature.sign(&request, identity: identity, at: clock.now())
            return request
        }
        func code(_ answer: HTTPResponseMessage) -> String? {
            (try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])?["code"] as? String
        }

        // A captured request sent again through the other process, either way round.
        for (taker, replayedTo) in [(0, 1), (1, 0)] {
            let request = try signed()
            let taken = services[taker].respond(request)
            #expect(taken.status == 200, "\(String(decoding: taken.body, as: UTF8.self))")
            let again = services[replayedTo].respond(request)
            #expect(again.status == 409)
            #expect(code(again) == "replayed")
        }
        #expect(try database.count("SELECT COUNT(*) FROM request_nonce WHERE node = '33.74.01'") == 2)

        // Once the skew window has passed, the node's old nonces are let go as the next request is taken.
        clock.advance(seconds: 301)
        #expect(services[1].respond(try signed()).status == 200)
        #expect(try database.count("SELECT COUNT(*) FROM request_nonce WHERE node = '33.74.01'") == 1)
    }
}

/// One hub's two processes on one database: each its own storage (its own connections) and its own
/// `HubService`; the first storage records the hub's identity.
private struct TwoProcesses {
    let first: PostgresHubStorage
    let second: PostgresHubStorage
    let services: [HubService]

    init(_ database: TestDatabase, clock: TestClock, limits: HubLimits = HubLimits()) throws {
        let dir = Fixture.tempDirectory()
        let hubStore = try Fixture.newStore(clock: clock, node: "33.74", directory: dir)
        let identity = try NodeIdentity.create(node: NodeID("33.74")!, directory: dir)
        first = try PostgresHubStorage.open(
            database.settings, hub: hubStore.info, logger: Fixture.logger, clock: { clock.now() })
        do {
            second = try PostgresHubStorage.open(
                database.settings, node: NodeID("33.74")!, logger: Fixture.logger, clock: { clock.now() })
        } catch {
            first.close()
            throw error
        }
        services = try [first, second].map {
            try HubService(
                storage: $0, identity: identity, logger: Fixture.logger, now: { clock.now() }, limits: limits)
        }
    }

    func close() {
        first.close()
        second.close()
    }
}
