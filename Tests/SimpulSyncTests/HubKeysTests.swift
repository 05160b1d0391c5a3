import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// A node learns a hub key only when it is the pinned one or endorsed through a chain from it.
@Suite(.timeLimit(.minutes(10))) struct HubKeysTests {
    private func key(_ identity: NodeIdentity, at: Timestamp, endorsedBy signer: NodeIdentity? = nil) throws -> NodeKey
    {
        var k = NodeKey(
            node: identity.node.rawValue, publicKey: identity.publicKey, fingerprint: identity.fingerprint,
            enrolledAt: at, revokedAt: nil, active: true)
        if let signer { k.endorsement = try HubKeys.endorse(k, by: signer) }
        return k
    }

    @Test func aForgedHubKeyIsIgnoredAndAnEndorsedChainIsLearned() throws {
        let world = try SyncWorld()
        let kec = try world.kecamatan("33.74.01")
        try kec.register("SKTM")
        #expect(world.sync(kec).outcome.result == .inSync)
        let now = world.clock.now()
        func hubKeys() throws -> Set<String> { Set(try kec.store.keys(node: "33.74").map(\.fingerprint)) }
        #expect(try hubKeys() == [world.hub.identity.fingerprint])

        let hub = NodeID("33.74")!
        let forger = try NodeIdentity.create(node: hub, directory: Fixture.tempDirectory())
        let selfEndorsed = try key(forger, at: now, endorsedBy: forger)
        let unendorsed = try key(forger, at: now)
        try HubKeys.learn([unendorsed, selfEndorsed], store: kec.store, logger: Fixture.logger)
        #expect(try hubKeys() == [world.hub.identity.fingerprint])

        // A rotation chain: the pinned key endorses the next, which endorses the one after; they may
        // come in any order.
        let next = try NodeIdentity.create(node: hub, directory: Fixture.tempDirectory())
        let after = try NodeIdentity.create(node: hub, directory: Fixture.tempDirectory())
        let offered = [
            try key(after, at: now, endorsedBy: next), try key(next, at: now, endorsedBy: world.hub.identity),
        ]
        let split = HubKeys.admissible(offered, hub: "33.74", trusted: try kec.store.keys(node: "33.74"))
        #expect(split.ignored.isEmpty)
        try HubKeys.learn(offered + [selfEndorsed], store: kec.store, logger: Fixture.logger)
        #expect(try hubKeys() == [world.hub.identity.fingerprint, next.fingerprint, after.fingerprint])
        // An endorsement of another key's bytes does not carry over.
        var stolen = try key(forger, at: now)
        stolen.endorsement = offered[1].endorsement
        #expect(!HubKeys.isEndorsed(stolen, by: try key(world.hub.identity, at: now)))
    }
}
