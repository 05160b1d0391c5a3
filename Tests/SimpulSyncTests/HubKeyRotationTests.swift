import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// `simpul-hub key rotate`: the new hub key reaches a node that pinned the old one through the old
/// key's endorsement, the old key still verifies what it signed, and a key without that endorsement
/// stops the node's sync.
@Suite(.timeLimit(.minutes(10))) struct HubKeyRotationTests {
    private func directory(_ world: SyncWorld) -> String {
        (world.hub.store.path as NSString).deletingLastPathComponent
    }

    private func sync(_ kec: Replica, with service: HubService, in world: SyncWorld) -> SyncReport {
        SyncClient(
            store: kec.store, identity: kec.identity, transport: InProcessTransport(hub: service),
            logger: Fixture.logger, now: { world.clock.now() }
        ).run()
    }

    private func service(_ world: SyncWorld, identity: NodeIdentity) throws -> HubService {
        try HubService(store: world.hub.store, identity: identity, logger: Fixture.logger, now: { world.clock.now() })
    }

    private func publish(version: Int, in world: SyncWorld) throws {
        var catalog = try world.hub.store.catalog()
        catalog.version = version
        _ = try world.hub.store.publish(catalog: catalog, calendar: nil, officer: "Admin TI")
    }

    @Test func aNodeFollowsTheEndorsedKeyAndStillVerifiesWhatTheOldOneSigned() throws {
        let world = try SyncWorld()
        let kec = try world.kecamatan("33.74.01")
        try kec.register("SKTM")
        try publish(version: 2, in: world)
        #expect(world.sync(kec).outcome.result == .inSync)
        let old = world.hub.identity
        #expect(try kec.store.hubConfig()?.publicKey == old.publicKey)

        let dir = directory(world)
        let rotation = try HubKeyRotation.rotate(store: world.hub.store, directory: dir, logger: Fixture.logger)
        let new = try NodeIdentity.load(node: old.node, directory: dir)
        #expect(new.fingerprint != old.fingerprint)
        #expect(rotation.active.fingerprint == new.fingerprint)
        #expect(rotation.retired.fingerprint == old.fingerprint && rotation.retired.state == .retired)
        #expect(
            try NodeIdentity.load(
                node: old.node, directory: dir,
                fileName: (rotation.retiredFile as NSString)
                    .lastPathComponent
            ).fingerprint == old.fingerprint)
        #expect(!FileManager.default.fileExists(atPath: dir + "/" + HubKeyRotation.nextFileName))
        let oldKey = try #require(try world.hubStorage.keys(node: "33.74").first { $0.fingerprint == old.fingerprint })
        #expect(HubKeys.isEndorsed(rotation.active, by: oldKey))

        // The hub, restarted with the new key, signs a new catalog; the node takes both.
        let restarted = try service(world, identity: new)
        try publish(version: 3, in: world)
        let report = sync(kec, with: restarted, in: world)
        #expect(report.outcome.result == .inSync, "\(report.outcome.message)")
        #expect(report.pulled > 0)
        #expect(try kec.store.hubConfig()?.publicKey == new.publicKey)
        let learned = try kec.store.keys(node: "33.74")
        #expect(learned.first { $0.fingerprint == new.fingerprint }?.state == .active)
        #expect(learned.first { $0.fingerprint == old.fingerprint }?.state == .retired)

        // A node set up from scratch restores the hub's history signed by both keys.
        let fresh = try world.kecamatan("33.74.02")
        let restored = sync(fresh, with: restarted, in: world)
        #expect(restored.outcome.result == .inSync, "\(restored.outcome.message)")
        let hubEvents = try world.hub.store.ownEvents(partition: "33.74", after: 0, limit: 100)
        #expect(restored.pulled == hubEvents.count)
        #expect(
            try fresh.store.keys(node: "33.74").map(\.fingerprint).sorted()
                == [new.fingerprint, old.fingerprint].sorted())
    }

    @Test func aHubKeyTheOldOneDidNotEndorseStopsTheSync() throws {
        let world = try SyncWorld()
        let kec = try world.kecamatan("33.74.01")
        #expect(world.sync(kec).outcome.result == .inSync)
        // A hub set up again with a new key file and no rotation: the node cannot tell it from an impostor.
        let impostor = try NodeIdentity.create(node: NodeID("33.74")!, directory: Fixture.tempDirectory())
        let before = try kec.store.keys()
        let report = sync(kec, with: try service(world, identity: impostor), in: world)
        #expect(report.outcome.result == .refused)
        #expect(report.outcome.message.contains("hub-key-changed"))
        #expect(try kec.store.hubConfig()?.publicKey == world.hub.identity.publicKey)
        #expect(try kec.store.keys() == before)
    }

    @Test func aRotationCutAfterTheStoreRecordedTheKeyIsFinishedByTheNextRun() throws {
        let world = try SyncWorld()
        let dir = directory(world)
        let old = world.hub.identity
        // The cut: the new key file written and recorded, the swap of files not done.
        let next = try NodeIdentity.create(node: old.node, directory: dir, fileName: HubKeyRotation.nextFileName)
        let message = HubKeys.endorsementMessage(
            node: "33.74", fingerprint: next.fingerprint, publicKey: next.publicKey)
        _ = try world.hub.store.rotateOwnKey(
            publicKey: next.publicKey, fingerprint: next.fingerprint,
            endorsement: Data(try old.sign(message)).base64EncodedString())
        let rotation = try HubKeyRotation.rotate(store: world.hub.store, directory: dir, logger: Fixture.logger)
        #expect(rotation.active.fingerprint == next.fingerprint)
        #expect(try NodeIdentity.load(node: old.node, directory: dir).fingerprint == next.fingerprint)
        #expect(try world.hubStorage.keys(node: "33.74").map(\.state) == [.retired, .active])

        // A next key the store never recorded signed nothing: the run replaces it with a fresh one.
        let stray = try NodeIdentity.create(node: old.node, directory: dir, fileName: HubKeyRotation.nextFileName)
        let again = try HubKeyRotation.rotate(store: world.hub.store, directory: dir, logger: Fixture.logger)
        #expect(again.active.fingerprint != stray.fingerprint)
        #expect(again.retired.fingerprint == next.fingerprint)
        #expect(try world.hubStorage.keys(node: "33.74").map(\.state) == [.retired, .retired, .active])
    }
}
