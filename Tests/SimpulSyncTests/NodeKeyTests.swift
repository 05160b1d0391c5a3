import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// Key states at the hub: active, retired by a later enrollment (verifies what it signed, nothing
/// beyond), revoked for ever; and a key belongs to one node for ever.
@Suite(.timeLimit(.minutes(10))) struct NodeKeyTests {
    /// The node's own change sets, sealed with its current key, as a receiver reads them.
    private func sealed(_ kec: Replica) throws -> [ReceivedChangeSet] {
        try ChangeSetSealer.sealPending(store: kec.store, identity: kec.identity)
        return try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100).map {
            try ReceivedChangeSet(body: $0.body)
        }
    }

    private func states(_ world: SyncWorld, _ node: String) throws -> [String: NodeKey.State] {
        Dictionary(uniqueKeysWithValues: try world.hubStorage.keys(node: node).map { ($0.fingerprint, $0.state) })
    }

    @Test func enrollingTheNodeAgainNeverUnRevokes() throws {
        let world = try SyncWorld()
        let kec = try world.kecamatan("33.74.01")
        try kec.register("SKTM")
        // Signed with the key that is then stolen, and never pushed.
        let stolen = try sealed(kec)
        try world.hubStorage.revoke(node: kec.node)
        let replacement = try NodeIdentity.create(node: kec.node, directory: Fixture.tempDirectory())
        try world.enroll(replacement)
        #expect(
            try states(world, "33.74.01") == [kec.identity.fingerprint: .revoked, replacement.fingerprint: .active])

        let refusal = #expect(throws: SyncError.self) { _ = try world.service.push(stolen[0], from: kec.node) }
        #expect(refusal?.code == .revoked)
        #expect(try world.hubStorage.knowledge()["33.74.01"] == nil)
        // Nor does enrolling the revoked key itself again bring it back.
        let again = #expect(throws: SimpulError.self) { try world.enroll(kec.identity) }
        #expect(again?.message.contains("dicabut") == true)
        #expect(
            try states(world, "33.74.01") == [kec.identity.fingerprint: .revoked, replacement.fingerprint: .active])
        #expect(throws: SyncError.self) { _ = try world.service.push(stolen[0], from: kec.node) }
    }

    @Test func aKeyBelongsToOneNodeForEver() throws {
        let world = try SyncWorld()
        let kec = try world.kecamatan("33.74.01")
        let refusal = #expect(throws: SimpulError.self) {
            _ = try world.hubStorage.enroll(
                node: NodeID("33.74.02")!, publicKey: kec.identity.publicKey, fingerprint: kec.identity.fingerprint)
        }
        #expect(refusal?.message.contains("33.74.01") == true)
        #expect(refusal?.message.contains("satu kunci hanya untuk satu node") == true)
        #expect(try world.hubStorage.keys(node: "33.74.02").isEmpty)
        // Enrolling the active key for its own node again changes nothing.
        try world.enroll(kec.identity)
        #expect(try states(world, "33.74.01") == [kec.identity.fingerprint: .active])
    }

    @Test func aRetiredKeyVerifiesWhatItSignedAndNothingBeyond() throws {
        let world = try SyncWorld()
        let kec = try world.kecamatan("33.74.01")
        try kec.register("SKTM")
        try kec.register("SKTM")
        #expect(world.sync(kec).outcome.result == .inSync)
        let replacement = try NodeIdentity.create(node: kec.node, directory: Fixture.tempDirectory())
        try world.enroll(replacement)
        let old = try #require(
            try world.hubStorage.keys(node: "33.74.01").first { $0.fingerprint == kec.identity.fingerprint })
        #expect(old.state == .retired)
        #expect(old.retiredAt != nil)
        #expect(old.retiredThrough == ["33.74.01": 2])

        // The old machine, its key retired, signs one more change set.
        try kec.register("SKTM")
        let sets = try sealed(kec)
        #expect(sets.map(\.changeSet.last) == [2, 3])
        #expect(try world.service.push(sets[0], from: kec.node).result == "duplicate")
        let refusal = #expect(throws: SyncError.self) { _ = try world.service.push(sets[1], from: kec.node) }
        #expect(refusal?.code == .revoked)
        #expect(refusal?.message.contains("diganti") == true)
        #expect(try world.hubStorage.knowledge()["33.74.01"]?["33.74.01"] == 2)
        #expect(!old.covers(partition: "33.74.01", last: 3))
        #expect(old.covers(partition: "33.74.01", last: 2))
    }
}
