import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// The hub's parking under a writer that sends change sets whose predecessors never come.
@Suite(.timeLimit(.minutes(10))) struct ParkedChangeSetTests {
    @Test func aWritersParkingIsBoundedAndDrainsWhenItsPredecessorArrives() throws {
        let world = try SyncWorld()
        let thief = try world.kecamatan("33.74.01")
        let honest = try world.kecamatan("33.74.02")
        for i in 0..<(ParkingLimit.changeSets + 2) { try thief.register("SKTM", nama: "Pemohon \(i)") }
        // One event per change set.
        try ChangeSetSealer.sealPending(store: thief.store, identity: thief.identity, budget: 1)
        let sets = try thief.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 5_000)
        #expect(sets.count == ParkingLimit.changeSets + 2)
        func push(_ s: StoredChangeSet) throws -> HTTPResponseMessage {
            var request = HTTPRequestMessage(method: "POST", path: "/v2/push", body: PushRequest.encode([s.body]))
            try RequestSignature.sign(&request, identity: thief.identity, at: world.clock.now())
            return world.service.respond(request)
        }
        // Everything but the first waits for it.
        for s in sets[1...ParkingLimit.changeSets] {
            let answer = try push(s)
            #expect(answer.status == 200)
            #expect(try Canonical.decode(PushBatchResponse.self, from: answer.body).results.first?.result == "parked")
        }
        #expect(try world.hubStorage.parkedUsage(node: "33.74.01").changeSets == ParkingLimit.changeSets)
        let events = try world.hubEventCount()
        let over = try push(sets[ParkingLimit.changeSets + 1])
        #expect(over.status == 413)
        let problem = try Canonical.decode(Problem.self, from: over.body)
        #expect(problem.code == "too-large")
        #expect(problem.detail.contains("\(ParkingLimit.changeSets) change set"))
        // The store is as before the refused push.
        #expect(try world.hubStorage.parkedUsage(node: "33.74.01").changeSets == ParkingLimit.changeSets)
        #expect(try world.hubEventCount() == events)
        // Another node is answered as ever.
        try honest.register("SKTM")
        #expect(world.sync(honest).outcome.result == .inSync)
        // Only change sets whose predecessor is held are candidates for a drain: none yet.
        #expect(try world.hubStorage.parkedReady().isEmpty)
        // The first arrives: the whole parking drains in one go.
        let first = try push(sets[0])
        #expect(first.status == 200)
        #expect(try world.hubStorage.parkedBodies().isEmpty)
        #expect(try world.hubStorage.knowledge()["33.74.01"]?["33.74.01"] == UInt64(ParkingLimit.changeSets) + 1)
        #expect(world.sync(thief).outcome.result == .inSync)
    }
}
