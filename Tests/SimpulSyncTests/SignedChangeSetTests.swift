import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// Tamper tests: every way a change set can be wrong is refused with its own reason, and nothing of
/// it reaches the hub's store.
@Suite(.timeLimit(.minutes(10))) struct SignedChangeSetTests {
    /// A kecamatan with two sealed change sets, and a hub that has not seen them.
    private func setUp(_ backend: HubBackend) throws -> (SyncWorld, Replica, [SignedChangeSet]) {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        for _ in 0..<6 { try kec.register("SKTM") }
        try ChangeSetSealer.sealPending(store: kec.store, identity: kec.identity, budget: 1500)
        let sets = try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100).map {
            try Canonical.decode(SignedChangeSet.self, from: $0.body)
        }
        #expect(sets.count >= 2)
        return (world, kec, sets)
    }

    private func push(
        _ body: [UInt8], as replica: Replica, to world: SyncWorld, wrapped: Bool = true
    ) throws -> (Int, Problem?) {
        var request = HTTPRequestMessage(
            method: "POST", path: "/v2/push", body: wrapped ? PushRequest.encode([body]) : body)
        try RequestSignature.sign(&request, identity: replica.identity, at: world.clock.now())
        let response = world.service.respond(request)
        return (response.status, try? Canonical.decode(Problem.self, from: response.body))
    }

    /// The events the hub holds, every writer in every partition (seqs are dense from 1, so a
    /// writer's highest is its count).
    private func hubEvents(_ world: SyncWorld) throws -> Int {
        try world.hubStorage.knowledge().values.reduce(0) { $0 + $1.entries.values.reduce(0) { $0 + Int($1) } }
    }

    @Test(arguments: HubBackend.allCases) func aValidChangeSetIsAppliedOnceAndADuplicateChangesNothing(
        backend: HubBackend
    ) throws {
        let (world, kec, sets) = try setUp(backend)
        let (status, _) = try push(try sets[0].encoded(), as: kec, to: world)
        #expect(status == 200)
        let after = try hubEvents(world)
        #expect(after == sets[0].changeSet.events.count)
        let (again, _) = try push(try sets[0].encoded(), as: kec, to: world)
        #expect(again == 200)
        #expect(try hubEvents(world) == after)
    }

    @Test(arguments: HubBackend.allCases) func aPushOfSeveralAnswersEachInOrderAndStopsAtTheFirstRefused(
        backend: HubBackend
    ) throws {
        let (world, kec, sets) = try setUp(backend)
        let forger = try NodeIdentity.create(node: kec.node, directory: Fixture.tempDirectory())
        var forged = sets[1]
        let digest = try #require([UInt8](hex: forged.hash))
        forged.signature = Data(try forger.sign(digest)).base64EncodedString()
        // The first is kept, the forged second refuses the rest: the answer says how many stay.
        var request = HTTPRequestMessage(
            method: "POST", path: "/v2/push",
            body: PushRequest.encode([try sets[0].encoded(), try forged.encoded(), try sets[1].encoded()]))
        try RequestSignature.sign(&request, identity: kec.identity, at: world.clock.now())
        let refused = world.service.respond(request)
        #expect(refused.status == 422)
        let problem = try Canonical.decode(Problem.self, from: refused.body)
        #expect(problem.code == "bad-signature")
        #expect(problem.acknowledged == 1)
        #expect(try hubEvents(world) == sets[0].changeSet.events.count)
        // Sent again whole, each gets its own result, in order.
        var whole = HTTPRequestMessage(
            method: "POST", path: "/v2/push",
            body: PushRequest.encode(try sets.map { try $0.encoded() }))
        try RequestSignature.sign(&whole, identity: kec.identity, at: world.clock.now())
        let answer = world.service.respond(whole)
        #expect(answer.status == 200)
        let results = try Canonical.decode(PushBatchResponse.self, from: answer.body).results
        #expect(results.map(\.result) == ["duplicate"] + Array(repeating: "applied", count: sets.count - 1))
        #expect(results.map(\.first) == sets.map(\.changeSet.first))
    }

    @Test(arguments: HubBackend.allCases) func aPushOfNoneOrMoreThanTheMostIsMalformed(backend: HubBackend) throws {
        let (world, kec, sets) = try setUp(backend)
        let (empty, problem) = try push(Array(#"{"changeSets":[]}"#.utf8), as: kec, to: world, wrapped: false)
        #expect(empty == 400)
        #expect(problem?.code == "malformed")
        let one = try sets[0].encoded()
        let (tooMany, _) = try push(
            PushRequest.encode(Array(repeating: one, count: PushRequest.maxChangeSets + 1)), as: kec, to: world,
            wrapped: false)
        #expect(tooMany == 400)
        #expect(try hubEvents(world) == 0)
    }

    @Test(arguments: HubBackend.allCases) func aFlippedByteIsRefused(backend: HubBackend) throws {
        let (world, kec, sets) = try setUp(backend)
        var bytes = try sets[0].encoded()
        let needle = Array("Siti".utf8)
        let at = try #require(bytes.firstRange(of: needle)?.lowerBound)
        bytes[at] ^= 0x01  // "Siti" becomes "Rit i": still valid JSON, different content
        let (status, problem) = try push(bytes, as: kec, to: world)
        #expect(status == 422)
        #expect(problem?.code == "hash-mismatch")
        #expect(try hubEvents(world) == 0)
    }

    @Test(arguments: HubBackend.allCases) func aForgedSignatureIsRefused(backend: HubBackend) throws {
        let (world, kec, sets) = try setUp(backend)
        let forger = try NodeIdentity.create(node: kec.node, directory: Fixture.tempDirectory())
        var forged = sets[0]
        let digest = try #require([UInt8](hex: forged.hash))
        forged.signature = Data(try forger.sign(digest)).base64EncodedString()
        let (status, problem) = try push(try forged.encoded(), as: kec, to: world)
        #expect(status == 422)
        #expect(problem?.code == "bad-signature")
        #expect(try hubEvents(world) == 0)
    }

    @Test(arguments: HubBackend.allCases) func aMissingChangeSetInTheChainIsParkedUntilItArrives(
        backend: HubBackend
    ) throws {
        let (world, kec, sets) = try setUp(backend)
        let (status, _) = try push(try sets[1].encoded(), as: kec, to: world)
        #expect(status == 200)
        #expect(try hubEvents(world) == 0)
        #expect(try world.hubStorage.parkedBodies().count == 1)
        _ = try push(try sets[0].encoded(), as: kec, to: world)
        let total = sets[0].changeSet.events.count + sets[1].changeSet.events.count
        #expect(try hubEvents(world) == total)
        #expect(try world.hubStorage.parkedBodies().isEmpty)
    }

    @Test(arguments: HubBackend.allCases) func aChangeSetThatDoesNotContinueTheChainIsRefused(
        backend: HubBackend
    ) throws {
        let (world, kec, sets) = try setUp(backend)
        _ = try push(try sets[0].encoded(), as: kec, to: world)
        let before = try hubEvents(world)
        // Re-sealed by the real key, but claiming a different predecessor: the chain is broken.
        let events = sets[1].events
        let forged = try SignedChangeSet.seal(
            events, node: kec.identity, partition: "33.74.01", prev: String(repeating: "0", count: 64))
        let (status, problem) = try push(try forged.encoded(), as: kec, to: world)
        #expect(status == 422)
        #expect(problem?.code == "broken-chain")
        #expect(try hubEvents(world) == before)
    }

    @Test(arguments: HubBackend.allCases) func anotherPartitionIsRefused(backend: HubBackend) throws {
        let (world, kec, sets) = try setUp(backend)
        let events = sets[0].events.map { e -> Event in
            var e = e
            e.partition = "33.74.02"
            return e
        }
        let foreign = try SignedChangeSet.seal(events, node: kec.identity, partition: "33.74.02", prev: nil)
        let (status, problem) = try push(try foreign.encoded(), as: kec, to: world)
        #expect(status == 422)
        #expect(problem?.code == "forbidden-partition")
        #expect(problem?.detail.contains("33.74.02") == true)
        #expect(try hubEvents(world) == 0)
    }

    @Test(arguments: HubBackend.allCases) func aForbiddenEventTypeIsRefused(backend: HubBackend) throws {
        let (world, kec, sets) = try setUp(backend)
        var events = sets[0].events
        events[0].body = .decided(Decision(code: "50", fee: nil, note: "disetujui sendiri"))
        let forged = try SignedChangeSet.seal(events, node: kec.identity, partition: "33.74.01", prev: nil)
        let (status, problem) = try push(try forged.encoded(), as: kec, to: world)
        #expect(status == 422)
        #expect(problem?.code == "forbidden-type")
        #expect(try hubEvents(world) == 0)
    }

    @Test(arguments: HubBackend.allCases) func anUnenrolledNodeIsRefused(backend: HubBackend) throws {
        let world = try SyncWorld(backend: backend)
        let stranger = try world.kecamatan("33.74.03", enroll: false)
        try stranger.register("SKTM")
        let report = world.sync(stranger)
        #expect(report.outcome.result == .refused)
        #expect(report.outcome.exitCode == 77)
        // The hub does not tell an unknown node from a wrong key: one generic refusal.
        #expect(report.outcome.message.contains("unauthenticated"))
        #expect(try hubEvents(world) == 0)
    }

    @Test(arguments: HubBackend.allCases) func aRevokedNodeIsRefusedOnItsNextRequest(backend: HubBackend) throws {
        let (world, kec, _) = try setUp(backend)
        #expect(world.sync(kec).outcome.result == .inSync)
        try world.hubStorage.revoke(node: kec.node)
        try kec.register("SKTM")
        let before = try hubEvents(world)
        let report = world.sync(kec)
        #expect(report.outcome.exitCode == 77)
        #expect(report.outcome.message.contains("dicabut"))
        #expect(try hubEvents(world) == before)
    }

    @Test(arguments: HubBackend.allCases) func aChangeSetSignedWithAKeyThatIsNotTheWritersIsRefused(
        backend: HubBackend
    ) throws {
        let (world, kec, sets) = try setUp(backend)
        let impostor = try NodeIdentity.create(node: kec.node, directory: Fixture.tempDirectory())
        let forged = try SignedChangeSet.seal(sets[0].events, node: impostor, partition: "33.74.01", prev: nil)
        let (status, problem) = try push(try forged.encoded(), as: kec, to: world)
        #expect(status == 422)
        #expect(problem?.code == "unknown-key")
        #expect(try hubEvents(world) == 0)
    }
}
