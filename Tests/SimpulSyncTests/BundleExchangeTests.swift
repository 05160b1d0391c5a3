import Crypto
import Foundation
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// Offline bundles as a sync path between a kecamatan and its hub, in process and with no network:
/// what an export carries reaches the hub through the checks of a push, the reply comes back through
/// the checks of a pull, every import is whole or nothing, and a relay carries what it cannot read.
@Suite(.timeLimit(.minutes(10))) struct BundleExchangeTests {
    // MARK: - Helpers

    /// What `simpul init --hub-key` does: the hub's key pinned before any link.
    private func pinHub(_ replica: Replica, in world: SyncWorld, key: String? = nil) throws {
        let key = key ?? world.hub.identity.publicKey
        try replica.store.setHub(HubConfig(url: "in-process", caFile: nil, node: "33.74", publicKey: key))
        try replica.store.learn([
            NodeKey(
                node: "33.74", publicKey: key, fingerprint: try NodeIdentity.parsePublicKey(key).fingerprint,
                enrolledAt: world.clock.now(), revokedAt: nil, active: true)
        ])
    }

    private func kecamatan(_ code: String, in world: SyncWorld) throws -> Replica {
        let replica = try world.kecamatan(code)
        try pinHub(replica, in: world)
        return replica
    }

    private func export(_ replica: Replica, in world: SyncWorld, withBlobs: Bool = false) throws -> BundleExport {
        let now = world.clock.now()
        return try BundleExchange.export(
            store: replica.store, identity: replica.identity, to: try BundleExchange.hub(of: replica.store),
            createdAt: now, expiresAt: BundleExchange.expiry(from: now, days: 30), withBlobs: withBlobs)
    }

    private func reply(for replica: Replica, in world: SyncWorld, withBlobs: Bool = false) throws -> BundleExport {
        let now = world.clock.now()
        return try BundleExchange.reply(
            for: replica.node, service: world.service, createdAt: now,
            expiresAt: BundleExchange.expiry(from: now, days: 30), withBlobs: withBlobs)
    }

    @discardableResult
    private func importReply(_ bytes: [UInt8], at replica: Replica, in world: SyncWorld) throws -> BundleImport {
        try BundleExchange.importReply(
            bytes, store: replica.store, identity: replica.identity, now: world.clock.now())
    }

    /// Everything an import may change in a store.
    private struct Snapshot: Equatable {
        var state: String
        var events: Int
        var changeSets: Int
        var parked: Int
        var keys: [NodeKey]
        var peer: [String: VersionVector]
    }

    private func snapshot(_ store: NodeStore, peer: String) throws -> Snapshot {
        Snapshot(
            state: try store.stateDump(), events: try store.eventCount(), changeSets: try store.changeSetCount(),
            parked: try store.parkedBodies().count, keys: try store.keys(), peer: try store.peerKnowledge(peer))
    }

    private func refusal(_ body: () throws -> Void) -> SyncError? {
        do {
            try body()
            return nil
        } catch let error as SyncError {
            return error
        } catch {
            Issue.record("not a SyncError: \(error)")
            return nil
        }
    }

    /// A kecamatan with a forwarded PBG and a few more files, sealed into several small change sets.
    private func busyKecamatan(_ world: SyncWorld) throws -> (Replica, Permohonan) {
        let kec = try kecamatan("33.74.01", in: world)
        let pbg = try kec.register("PBG-KECIL", nama: "Ahmad Fauzi")
        try kec.store.perform(.forward(note: "berkas lengkap"), on: pbg.number, officer: "Sari")
        for _ in 0..<4 { try kec.register("SKTM") }
        try ChangeSetSealer.sealPending(store: kec.store, identity: kec.identity, budget: 1500)
        return (kec, pbg)
    }

    // MARK: - Round trip

    @Test(arguments: HubBackend.nodeStoreOnly) func aForwardedFileGoesToTheHubAndItsDecisionComesBackWithNoNetwork(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try kecamatan("33.74.01", in: world)
        let p = try kec.register("PBG-KECIL", nama: "Ahmad Fauzi")
        try kec.store.perform(.forward(note: "berkas lengkap"), on: p.number, officer: "Sari")

        let outbound = try export(kec, in: world)
        #expect(outbound.manifest.sender.node == "33.74.01")
        #expect(outbound.manifest.recipient.node == "33.74")
        #expect(outbound.events == 2)
        let atHub = try BundleExchange.importAtHub(outbound.bytes, service: world.service)
        #expect(atHub.applied == outbound.changeSets)
        #expect(atHub.events == 2)
        #expect(atHub.knowledge["33.74.01"]?["33.74.01"] == 2)
        #expect(try world.hubStorage.permohonan(p.number).status == .diteruskan)

        let hub = world.hub.store
        try hub.perform(.ptspProgress(code: "10", note: nil), on: p.number, officer: "Rudi (PTSP)")
        try hub.perform(.decide(code: "50", fee: 150_000, note: "PBG terbit"), on: p.number, officer: "Kabid PTSP")
        let inbound = try reply(for: kec, in: world)
        #expect(inbound.manifest.recipient.node == "33.74.01")
        // What the kecamatan sent is not sent back: the reply holds only the hub's two events.
        #expect(inbound.events == 2)
        let back = try importReply(inbound.bytes, at: kec, in: world)
        #expect(back.events == 2)
        let decided = try kec.store.permohonan(p.number)
        #expect(decided.tahap == .penyerahan)
        #expect(decided.ptspCode == "50")
        #expect(decided.fee == 150_000)
        // The reply is the hub's receipt: the next export does not carry what the hub holds.
        #expect(try kec.store.peerKnowledge(SyncClient.hubPeer)["33.74.01"]?["33.74.01"] == 2)

        try kec.store.perform(.pay(amount: 150_000, receipt: ""), on: p.number, officer: "Wati")
        try kec.store.perform(.advance(tahap: .penyerahan, note: nil), on: p.number, officer: "Tono")
        let second = try export(kec, in: world)
        #expect(second.events == 2)
        try BundleExchange.importAtHub(second.bytes, service: world.service)
        #expect(try hub.permohonan(p.number).status == .selesai)
        #expect(try hub.stateDump(partition: "33.74.01") == kec.store.stateDump(partition: "33.74.01"))
        #expect(try kec.store.lastSyncRun() == nil)
        #expect(try hub.check().foldMatches && kec.store.check().foldMatches)
    }

    @Test(arguments: HubBackend.nodeStoreOnly) func aNodeThatNeverHadALinkIsSetUpByTheHubsReply(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        var catalog = try world.hub.store.catalog()
        catalog.version = 2
        _ = try world.hub.store.publish(catalog: catalog, calendar: nil, officer: "Admin TI")
        let kec = try kecamatan("33.74.02", in: world)
        #expect(try kec.store.catalog().version == 1)
        // Its first bundle carries nothing but what it holds; the reply carries the whole global partition.
        let first = try export(kec, in: world)
        #expect(first.changeSets == 0)
        try BundleExchange.importAtHub(first.bytes, service: world.service)
        try importReply(try reply(for: kec, in: world).bytes, at: kec, in: world)
        #expect(try kec.store.catalog().version == 2)
        #expect(try kec.store.knowledge()["33.74"] == world.hubStorage.knowledge()["33.74"])
    }

    // MARK: - Idempotence and mixed paths

    @Test(arguments: HubBackend.nodeStoreOnly) func importingTheSameBundleTwiceChangesNothing(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let (kec, pbg) = try busyKecamatan(world)
        let outbound = try export(kec, in: world)
        #expect(outbound.changeSets >= 2)
        try BundleExchange.importAtHub(outbound.bytes, service: world.service)
        let hubBefore = try snapshot(world.hub.store, peer: "33.74.01")
        let again = try BundleExchange.importAtHub(outbound.bytes, service: world.service)
        #expect(again.applied == 0)
        #expect(again.duplicate == outbound.changeSets)
        #expect(try snapshot(world.hub.store, peer: "33.74.01") == hubBefore)

        try world.hub.store.perform(
            .decide(code: "90", fee: nil, note: "tidak sesuai tata ruang"), on: pbg.number, officer: "Kabid")
        let inbound = try reply(for: kec, in: world)
        try importReply(inbound.bytes, at: kec, in: world)
        let kecBefore = try snapshot(kec.store, peer: SyncClient.hubPeer)
        let twice = try importReply(inbound.bytes, at: kec, in: world)
        #expect(twice.applied == 0)
        #expect(try snapshot(kec.store, peer: SyncClient.hubPeer) == kecBefore)
    }

    @Test(arguments: HubBackend.nodeStoreOnly) func aBundleThatANetworkSyncAlreadyCoveredChangesNothing(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let (kec, pbg) = try busyKecamatan(world)
        let outbound = try export(kec, in: world)
        #expect(world.sync(kec).outcome.result == .inSync)
        let hubBefore = try snapshot(world.hub.store, peer: "33.74.01")
        let late = try BundleExchange.importAtHub(outbound.bytes, service: world.service)
        #expect(late.applied == 0)
        #expect(try snapshot(world.hub.store, peer: "33.74.01") == hubBefore)

        // The other way: a reply written before a sync brought the same decision.
        try world.hub.store.perform(.decide(code: "50", fee: 100_000, note: nil), on: pbg.number, officer: "Kabid")
        let inbound = try reply(for: kec, in: world)
        #expect(world.sync(kec).outcome.result == .inSync)
        let kecBefore = try kec.store.stateDump()
        let stale = try importReply(inbound.bytes, at: kec, in: world)
        #expect(stale.applied == 0)
        #expect(try kec.store.stateDump() == kecBefore)
        // The hub remembers what the node said it holds when it last pulled, so once a pull has said
        // it holds the decision, a reply no longer carries anything.
        #expect(world.sync(kec).outcome.result == .inSync)
        #expect(try reply(for: kec, in: world).changeSets == 0)
    }

    @Test(arguments: HubBackend.nodeStoreOnly) func halfByBundleHalfByNetworkConverges(backend: HubBackend) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try kecamatan("33.74.01", in: world)
        let laptop = try kecamatan("33.74.01-1", in: world)
        let hub = world.hub.store

        // Week 1, no link: the counter works and sends a bundle; the PTSP decides and replies.
        let pbg = try kec.register("PBG-KECIL")
        try kec.store.perform(.forward(note: nil), on: pbg.number, officer: "Sari")
        let izin = try kec.register("IZIN-JALAN")
        try kec.processToHandover(izin.number)
        try BundleExchange.importAtHub(try export(kec, in: world).bytes, service: world.service)
        try hub.perform(.decide(code: "50", fee: 75_000, note: nil), on: pbg.number, officer: "Kabid")
        let lostReply = try reply(for: kec, in: world)

        // Week 2, the link is back: the reply never arrived, the sync brings the decision instead; the
        // field laptop syncs too.
        try kec.store.perform(.pay(amount: 25_000, receipt: ""), on: izin.number, officer: "Wati")
        #expect(world.sync(kec).outcome.result == .inSync)
        try laptop.register("SKTM")
        #expect(world.sync(laptop).outcome.result == .inSync)
        try importReply(lostReply.bytes, at: kec, in: world)

        // Week 3, no link again: the counter hands over, sends a bundle; the reply brings the laptop's work.
        try kec.store.perform(.pay(amount: 75_000, receipt: ""), on: pbg.number, officer: "Wati")
        try kec.store.perform(.advance(tahap: .penyerahan, note: nil), on: pbg.number, officer: "Tono")
        try kec.store.perform(.advance(tahap: .penyerahan, note: nil), on: izin.number, officer: "Tono")
        let week3 = try export(kec, in: world)
        #expect(week3.events == 3)
        try BundleExchange.importAtHub(week3.bytes, service: world.service)
        try importReply(try reply(for: kec, in: world).bytes, at: kec, in: world)
        #expect(world.sync(laptop).outcome.result == .inSync)

        for partition in ["33.74.01", "33.74"] {
            #expect(try kec.store.stateDump(partition: partition) == hub.stateDump(partition: partition))
            #expect(try laptop.store.stateDump(partition: partition) == hub.stateDump(partition: partition))
            #expect(try kec.store.knowledge()[partition] == hub.knowledge()[partition])
        }
        #expect(try hub.permohonan(pbg.number).status == .selesai)
        #expect(try kec.store.parkedBodies().isEmpty && hub.parkedBodies().isEmpty)
        // Everything acknowledged: nothing left to carry to the hub; once this bundle has told the hub
        // what the reply brought, nothing is left to carry back either.
        let last = try export(kec, in: world)
        #expect(last.changeSets == 0)
        try BundleExchange.importAtHub(last.bytes, service: world.service)
        #expect(try reply(for: kec, in: world).changeSets == 0)
    }

    // MARK: - Attachments

    /// A scanned document written to a temporary file, and its bytes.
    private func scan(_ count: Int, seed: UInt8) throws -> (path: String, bytes: [UInt8]) {
        let path = try BlobUploadTests.scan(count, seed: seed)
        return (path, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test(arguments: HubBackend.nodeStoreOnly)
    func attachmentsTravelInABundleAndTheReplyConfirmsThemSoTheNextExportLeavesThemOut(backend: HubBackend) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try kecamatan("33.74.01", in: world)
        let p = try kec.register("PBG-KECIL", nama: "Ahmad Fauzi")
        try kec.store.perform(.forward(note: "berkas lengkap"), on: p.number, officer: "Sari")
        let drawing = try scan(150_000, seed: 7)
        let gambar = try kec.store.attach(file: drawing.path, to: p.number, syarat: "gambar", officer: "Sari")
        let sha = gambar.attachment.sha256

        // Without the flag a bundle carries events only, as before.
        #expect(try export(kec, in: world).blobs == 0)
        let outbound = try export(kec, in: world, withBlobs: true)
        #expect(outbound.blobs == 1)
        #expect(outbound.blobBytes == 150_000)
        #expect(outbound.bytes.count > 150_000)
        let atHub = try BundleExchange.importAtHub(outbound.bytes, service: world.service)
        #expect(atHub.applied == outbound.changeSets)
        #expect(atHub.blobs == 1)
        #expect(atHub.blobsSkipped == 0)
        #expect(atHub.summary.contains("1 lampiran baru disimpan"))
        #expect(try world.hubHoldsBlob(sha))
        #expect(try world.hubStorage.readBlob(sha, offset: 0, count: 150_000) == drawing.bytes)
        #expect(try world.hubStorage.permohonan(p.number).attachments == [gambar])

        // Imported twice, nothing changes.
        let before = try snapshot(world.hub.store, peer: "33.74.01")
        let again = try BundleExchange.importAtHub(outbound.bytes, service: world.service)
        #expect(again.applied == 0)
        #expect(again.duplicate == outbound.changeSets)
        #expect(again.blobs == 0)
        #expect(again.summary.contains("tidak ada yang berubah"))
        #expect(try snapshot(world.hub.store, peer: "33.74.01") == before)
        #expect(try world.hubStorage.blobReceipt(for: "33.74.01") == [sha])

        // Until the reply is back the node cannot know, so another export would carry the scan again.
        #expect(try export(kec, in: world, withBlobs: true).blobs == 1)
        let inbound = try reply(for: kec, in: world)
        #expect(inbound.blobsHeld == 1)
        #expect(inbound.blobs == 0)
        let back = try importReply(inbound.bytes, at: kec, in: world)
        #expect(back.blobsConfirmed == 1)
        #expect(back.summary.contains("1 lampiran dikonfirmasi sudah lengkap di hub"))
        #expect(try kec.store.blob(sha)?.atHub == true)
        #expect(try kec.store.pendingUploads().isEmpty)
        // Once confirmed, neither the next bundle nor a sync sends the scan again.
        let next = try export(kec, in: world, withBlobs: true)
        #expect(next.blobs == 0)
        #expect(next.changeSets == 0)
        #expect(try importReply(inbound.bytes, at: kec, in: world).blobsConfirmed == 0)
    }

    @Test(arguments: HubBackend.nodeStoreOnly) func aBlobWhoseBytesAreNotWhatItsEventSaysRefusesTheWholeBundle(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try kecamatan("33.74.01", in: world)
        let p = try kec.register("SKTM")
        let ktp = try scan(5_000, seed: 8)
        let sha = try kec.store.attach(file: ktp.path, to: p.number, syarat: "ktp", officer: "Sari").attachment.sha256
        try ChangeSetSealer.sealPending(store: kec.store, identity: kec.identity)
        let sets = try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100).map {
            try Canonical.decode(SignedChangeSet.self, from: $0.body)
        }
        // Signed by the node's own key: an attached event that names the scan with one byte more than it has.
        let oversized = sets.flatMap(\.events).map { e -> Event in
            var e = e
            if case .attached(var a) = e.body {
                a.size += 1
                e.body = .attached(a)
            }
            return e
        }
        let forged = try SignedChangeSet.seal(oversized, node: kec.identity, partition: "33.74.01", prev: nil)
        func sealed(_ changeSets: [[UInt8]], _ blobs: [BundleContents.Blob]) throws -> [UInt8] {
            try OfflineBundle.seal(
                BundleContents(changeSets: changeSets, blobs: blobs), sender: kec.identity, recipient: world.hub.node,
                recipientKey: world.hub.identity.publicKey, createdAt: world.clock.now(),
                expiresAt: Timestamp(iso: "2026-06-01T00:00:00Z")!)
        }
        let before = try snapshot(world.hub.store, peer: "33.74.01")
        let sized = refusal {
            try BundleExchange.importAtHub(
                try sealed([try forged.encoded()], [.init(bytes: ktp.bytes)]), service: world.service)
        }
        #expect(sized?.code == .blobSize)
        #expect(sized?.exitCode == 65)
        let message = sized?.message ?? ""
        #expect(message.hasPrefix("bundle "), "\(message)")
        #expect(
            message.contains(
                "lampiran \(sha.prefix(12)) berisi 5000 byte, padahal event lampirannya menyebut 5001 byte"))
        #expect(message.contains("tidak ada isi bundle yang diterapkan"))
        #expect(message.contains("tanpa --with-blobs"))
        #expect(!message.contains("\n"))
        // The change set was fine on its own; it went back out with the blob.
        #expect(try snapshot(world.hub.store, peer: "33.74.01") == before)
        #expect(try world.hubStorage.blob(sha) == nil)

        // Bytes that do not hash to the name they travel under never get past the container.
        var changed = ktp.bytes
        changed[0] ^= 0x01
        let tampered = try OfflineBundle.seal(
            records: [
                .init(type: 1, parts: [try sets[0].encoded()]),
                .init(type: 2, parts: [[UInt8](SHA256.hash(data: ktp.bytes)), changed]),
            ], sender: kec.identity, recipient: world.hub.node, recipientKey: world.hub.identity.publicKey,
            createdAt: world.clock.now(), expiresAt: Timestamp(iso: "2026-06-01T00:00:00Z")!, ephemeral: .init(),
            id: Array(repeating: 3, count: 16))
        let corrupted = refusal { try BundleExchange.importAtHub(tampered, service: world.service) }
        #expect(corrupted?.code == .bundleCorrupted)
        #expect(corrupted?.message.contains("lampiran \(sha)") == true, "\(String(describing: corrupted))")
        #expect(corrupted?.message.contains("tidak cocok dengan hash-nya") == true)
        #expect(try snapshot(world.hub.store, peer: "33.74.01") == before)

        // A blob that no event of the sender names is left out; the rest of the bundle applies.
        let stray = BundleContents.Blob(bytes: Array("bukan lampiran siapa pun".utf8))
        let honest = try sealed(try sets.map { try $0.encoded() }, [.init(bytes: ktp.bytes), stray])
        let result = try BundleExchange.importAtHub(honest, service: world.service)
        #expect(result.applied == sets.count)
        #expect(result.blobs == 1)
        #expect(result.blobsSkipped == 1)
        #expect(result.summary.contains("1 lampiran belum disimpan"))
        #expect(try world.hubHoldsBlob(sha))
        #expect(try world.hubStorage.blob(stray.sha256) == nil)
        #expect(try world.hubStorage.blobReceipt(for: "33.74.01") == [sha])
    }

    @Test(arguments: HubBackend.allCases) func theHubsReplyCarriesTheAttachmentsOfTheEventsItCarriesWhenAsked(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try kecamatan("33.74.01", in: world)
        // A field laptop with a link attaches at a house visit; the kecamatan has none.
        let laptop = try world.kecamatan("33.74.01-1")
        let sktm = try laptop.register("SKTM")
        let ktp = try scan(70_000, seed: 9)
        let attached = try laptop.store.attach(file: ktp.path, to: sktm.number, syarat: "ktp", officer: "Joko")
        let sha = attached.attachment.sha256
        #expect(world.sync(laptop).uploaded == 1)

        #expect(try reply(for: kec, in: world).blobs == 0)
        let full = try reply(for: kec, in: world, withBlobs: true)
        #expect(full.blobs == 1)
        #expect(full.blobBytes == 70_000)
        let back = try importReply(full.bytes, at: kec, in: world)
        #expect(back.blobs == 1)
        #expect(back.blobsConfirmed == 0)
        #expect(try kec.store.permohonan(sktm.number).attachments == [attached])
        #expect(try kec.store.readBlob(sha, offset: 0, count: 70_000) == ktp.bytes)
        // It came from the hub, so it is at the hub; and a sync has nothing left to fetch.
        #expect(try kec.store.blob(sha)?.atHub == true)
        #expect(try kec.store.missingBlobs(partitions: kec.store.replicatedPartitions()).isEmpty)
        let twice = try importReply(full.bytes, at: kec, in: world)
        #expect(twice.blobs == 0)
        #expect(twice.applied == 0)
    }

    // MARK: - Bad files

    @Test(arguments: HubBackend.nodeStoreOnly) func everyBadFileIsRefusedWithItsOwnReasonAndNothingApplied(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let (kec, _) = try busyKecamatan(world)
        let good = try export(kec, in: world).bytes
        var corrupted = good
        corrupted[good.count / 2] ^= 0x20
        let stale = try BundleExchange.export(
            store: kec.store, identity: kec.identity, to: try BundleExchange.hub(of: kec.store),
            createdAt: Timestamp(iso: "2026-01-05T01:00:00Z")!, expiresAt: Timestamp(iso: "2026-02-04T01:00:00Z")!
        ).bytes
        let neighbour = try kecamatan("33.74.02", in: world)
        let forNeighbour = try OfflineBundle.seal(
            BundleContents(), sender: kec.identity, recipient: neighbour.node,
            recipientKey: neighbour.identity.publicKey,
            createdAt: world.clock.now(), expiresAt: Timestamp(iso: "2026-06-01T00:00:00Z")!)
        let otherKabupaten = try NodeIdentity.create(node: NodeID("33.75.01")!, directory: Fixture.tempDirectory())
        let otherHub = try NodeIdentity.create(node: NodeID("33.75")!, directory: Fixture.tempDirectory())
        let foreignNetwork = try OfflineBundle.seal(
            BundleContents(), sender: otherKabupaten, recipient: otherHub.node, recipientKey: otherHub.publicKey,
            createdAt: world.clock.now(), expiresAt: Timestamp(iso: "2026-06-01T00:00:00Z")!)
        let before = try snapshot(world.hub.store, peer: "33.74.01")

        let cases: [(String, [UInt8], SyncError.Code, String)] = [
            ("cut short", Array(good.prefix(good.count - 700)), .bundleTruncated, "terpotong"),
            ("empty", [], .bundleTruncated, "terpotong"),
            ("a byte changed", corrupted, .bundleCorrupted, "rusak"),
            ("a zip file", Array("PK\u{3}\u{4}arsip.zip".utf8), .bundleForeign, "asing"),
            ("another kabupaten", foreignNetwork, .bundleForeign, "asing"),
            ("past its date", stale, .bundleExpired, "kedaluwarsa"),
            ("for the neighbour", forNeighbour, .bundleMisaddressed, "salah alamat"),
        ]
        var messages: Set<String> = []
        for (label, bytes, code, word) in cases {
            let error = refusal { try BundleExchange.importAtHub(bytes, service: world.service) }
            #expect(error?.code == code, "\(label): \(String(describing: error))")
            #expect(error?.message.hasPrefix("bundle \(word): ") == true, "\(label): \(String(describing: error))")
            #expect(error?.message.contains("tidak ada isi bundle yang diterapkan") == true, "\(label)")
            #expect(error.map { !$0.message.contains("\n") } == true)
            messages.insert(error?.message ?? "")
            #expect(try snapshot(world.hub.store, peer: "33.74.01") == before, "\(label) changed the hub")
        }
        #expect(messages.count == cases.count)
        #expect(try world.hubStorage.contacts().isEmpty)
        // The good bundle still imports afterwards.
        #expect(try BundleExchange.importAtHub(good, service: world.service).applied > 0)
    }

    @Test(arguments: HubBackend.nodeStoreOnly) func aBadReplyChangesNothingAtTheKecamatan(backend: HubBackend) throws {
        let world = try SyncWorld(backend: backend)
        let (kec, pbg) = try busyKecamatan(world)
        try BundleExchange.importAtHub(try export(kec, in: world).bytes, service: world.service)
        try world.hub.store.perform(.decide(code: "50", fee: 10_000, note: nil), on: pbg.number, officer: "Kabid")
        let good = try reply(for: kec, in: world).bytes
        let neighbour = try kecamatan("33.74.02", in: world)
        let before = try snapshot(kec.store, peer: SyncClient.hubPeer)

        var corrupted = good
        corrupted[good.count - 10] ^= 0x01
        let forNeighbour = try reply(for: neighbour, in: world).bytes
        // A bundle written by a kecamatan is never a reply, even when addressed here.
        let fromNeighbour = try OfflineBundle.seal(
            BundleContents(), sender: neighbour.identity, recipient: kec.node, recipientKey: kec.identity.publicKey,
            createdAt: world.clock.now(), expiresAt: Timestamp(iso: "2026-06-01T00:00:00Z")!)
        let cases: [([UInt8], SyncError.Code, String)] = [
            (Array(good.prefix(100)), .bundleTruncated, "terpotong"),
            (corrupted, .bundleCorrupted, "tanda tangan"),
            (forNeighbour, .bundleMisaddressed, "33.74.02"),
            (fromNeighbour, .bundleForeign, "bukan hub"),
        ]
        for (bytes, code, word) in cases {
            let error = refusal { try importReply(bytes, at: kec, in: world) }
            #expect(error?.code == code, "\(String(describing: error))")
            #expect(error?.message.contains(word) == true, "\(String(describing: error))")
            #expect(try snapshot(kec.store, peer: SyncClient.hubPeer) == before)
        }
        let expired = refusal {
            try BundleExchange.importReply(
                good, store: kec.store, identity: kec.identity, now: Timestamp(iso: "2026-12-31T00:00:00Z")!)
        }
        #expect(expired?.code == .bundleExpired)
        #expect(try snapshot(kec.store, peer: SyncClient.hubPeer) == before)
        #expect(try importReply(good, at: kec, in: world).events > 0)
    }

    // MARK: - Content the sender may not write

    /// A bundle signed and sealed by the kecamatan's real key around the change sets given.
    private func bundle(_ changeSets: [[UInt8]], from kec: Replica, in world: SyncWorld) throws -> [UInt8] {
        try OfflineBundle.seal(
            BundleContents(changeSets: changeSets), sender: kec.identity, recipient: world.hub.node,
            recipientKey: world.hub.identity.publicKey, createdAt: world.clock.now(),
            expiresAt: Timestamp(iso: "2026-06-01T00:00:00Z")!)
    }

    @Test(arguments: HubBackend.nodeStoreOnly) func oneChangeSetTheSenderMayNotWriteRefusesTheWholeBundle(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let (kec, _) = try busyKecamatan(world)
        let sets = try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100).map {
            try Canonical.decode(SignedChangeSet.self, from: $0.body)
        }
        #expect(sets.count >= 2)
        let valid = try sets.map { try $0.encoded() }
        let intoNeighbour = try SignedChangeSet.seal(
            sets[0].events.map { e -> Event in
                var e = e
                e.partition = "33.74.02"
                return e
            }, node: kec.identity, partition: "33.74.02", prev: nil)
        var decidedHere = sets[0].events
        decidedHere[0].body = .decided(Decision(code: "50", fee: nil, note: "disetujui sendiri"))
        let selfApproved = try SignedChangeSet.seal(decidedHere, node: kec.identity, partition: "33.74.01", prev: nil)
        let brokenChain = try SignedChangeSet.seal(
            sets[1].events, node: kec.identity, partition: "33.74.01", prev: String(repeating: "0", count: 64))
        let impostor = try NodeIdentity.create(node: kec.node, directory: Fixture.tempDirectory())
        let forged = try SignedChangeSet.seal(sets[0].events, node: impostor, partition: "33.74.01", prev: nil)

        let before = try snapshot(world.hub.store, peer: "33.74.01")
        let cases: [([[UInt8]], SyncError.Code)] = [
            (valid + [try intoNeighbour.encoded()], .forbiddenPartition),
            (valid + [try selfApproved.encoded()], .forbiddenType),
            ([valid[0], try brokenChain.encoded()], .brokenChain),
            ([valid[0], try forged.encoded()], .unknownKey),
            ([valid[0], Array(#"{"changeSet":{}}"#.utf8)], .malformed),
        ]
        for (changeSets, code) in cases {
            let error = refusal {
                try BundleExchange.importAtHub(try bundle(changeSets, from: kec, in: world), service: world.service)
            }
            #expect(error?.code == code, "\(String(describing: error))")
            #expect(error?.message.contains("tidak ada isi bundle yang diterapkan") == true)
            // The valid change sets in front of the bad one were not applied either.
            #expect(try snapshot(world.hub.store, peer: "33.74.01") == before)
        }
    }

    @Test(arguments: HubBackend.allCases) func changeSetsInsideOneBundleApplyInCausalOrderWhateverTheirOrderInTheFile(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let (kec, _) = try busyKecamatan(world)
        let bodies = try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100).map(
            \.body)
        let result = try BundleExchange.importAtHub(
            try bundle(bodies.reversed(), from: kec, in: world), service: world.service)
        #expect(result.applied == bodies.count)
        #expect(result.parked == 0)
        #expect(try world.hubStorage.parkedBodies().isEmpty)
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
    }

    @Test(arguments: HubBackend.allCases) func aRevokedSendersBundleIsRefused(backend: HubBackend) throws {
        let world = try SyncWorld(backend: backend)
        let (kec, _) = try busyKecamatan(world)
        let outbound = try export(kec, in: world)
        try world.hubStorage.revoke(node: kec.node)
        let error = refusal { try BundleExchange.importAtHub(outbound.bytes, service: world.service) }
        #expect(error?.code == .revoked)
        #expect(error?.exitCode == 77)
        #expect(try world.hubEventCount() == 0)
        #expect(refusal { _ = try reply(for: kec, in: world) }?.code == .revoked)
    }

    // MARK: - Keys

    @Test(arguments: HubBackend.allCases) func aKeyGivenAtInitThatTheHubDoesNotHaveIsRefusedOnTheFirstSync(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let wrong = try NodeIdentity.create(node: NodeID("33.74")!, directory: Fixture.tempDirectory())
        try pinHub(kec, in: world, key: wrong.publicKey)
        let report = world.sync(kec)
        #expect(report.outcome.result == .refused)
        #expect(report.outcome.message.contains("hub-key-changed"))
        // And the hub cannot read what was sealed to the wrong key.
        let error = refusal { try BundleExchange.importAtHub(try export(kec, in: world).bytes, service: world.service) }
        #expect(error?.code == .bundleMisaddressed)
    }

    @Test(arguments: HubBackend.allCases) func exportNeedsTheHubsKey(backend: HubBackend) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        #expect(throws: SimpulError.self) { try BundleExchange.hub(of: kec.store) }
    }

    // MARK: - Relay

    @Test(arguments: HubBackend.nodeStoreOnly) func aRelayInspectsAndCarriesButCannotRead(backend: HubBackend) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try kecamatan("33.74.01", in: world)
        let laptop = try kecamatan("33.74.01-1", in: world)
        let neighbour = try kecamatan("33.74.02", in: world)
        let sktm = try laptop.register("SKTM", nama: "Siti Aminah")
        let carried = try export(laptop, in: world)

        for relay in [kec, neighbour] {
            let seen = try BundleExchange.inspect(
                carried.bytes, store: relay.store, identity: relay.identity, now: world.clock.now())
            #expect(seen.manifest.sender.node == "33.74.01-1")
            #expect(seen.manifest.recipient.node == "33.74")
            #expect(seen.size == carried.bytes.count)
            #expect(!seen.forThisNode)
            #expect(!seen.expired)
            #expect(seen.signature == .unknownSender)
            #expect(!seen.lines(zona: .wib).joined().contains("Siti"))
            // Neither through the checks nor around them does the relay's key open the payload.
            #expect(throws: BundleError.self) {
                try OfflineBundle.open(
                    carried.bytes, recipient: relay.identity, senderKey: { _, _ in nil }, now: world.clock.now())
            }
            #expect(throws: BundleError.self) {
                try OfflineBundle.decryptSkippingChecks(carried.bytes, with: relay.identity)
            }
        }
        // The hub knows every enrolled key, so it can check the signature too.
        let atHub = try BundleExchange.inspect(
            carried.bytes, store: world.hub.store, identity: world.hub.identity, now: world.clock.now())
        #expect(atHub.signature == .valid)
        #expect(atHub.forThisNode)

        let relay = BundleRelay(
            store: kec.store, identity: kec.identity, transport: InProcessTransport(hub: world.service),
            now: { world.clock.now() })
        let pushed = try relay.push(carried.bytes)
        #expect(pushed.sender == "33.74.01-1")
        #expect(pushed.applied == carried.changeSets)
        #expect(try world.hubStorage.permohonan(sktm.number).status == .diproses)
        #expect(try world.hubStorage.contacts().map(\.node).sorted() == ["33.74.01", "33.74.01-1"])

        _ = try world.hub.store.publish(catalog: try world.hub.store.catalog(), calendar: nil, officer: "Admin TI")
        let replyBytes = try relay.fetch(for: laptop.node)
        let seen = try BundleExchange.inspect(
            replyBytes, store: kec.store, identity: kec.identity, now: world.clock.now())
        #expect(seen.signature == .valid)
        #expect(seen.manifest.recipient.node == "33.74.01-1")
        #expect(throws: BundleError.self) { try OfflineBundle.decryptSkippingChecks(replyBytes, with: kec.identity) }
        #expect(refusal { try importReply(replyBytes, at: kec, in: world) }?.code == .bundleMisaddressed)
        #expect(try importReply(replyBytes, at: laptop, in: world).applied > 0)
        #expect(try laptop.store.knowledge()["33.74"] == world.hubStorage.knowledge()["33.74"])

        // A relay hands the hub only what is for the hub.
        let error = refusal { _ = try relay.push(replyBytes) }
        #expect(error?.code == .bundleMisaddressed)
        #expect(error?.message.contains("33.74.01-1") == true)
    }

    @Test(arguments: HubBackend.allCases) func theRelayEndpointsAnswerProblemsForBadBundlesAndUnknownNodes(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try kecamatan("33.74.01", in: world)
        func post(_ path: String, _ body: [UInt8]) throws -> HTTPResponseMessage {
            var request = HTTPRequestMessage(method: "POST", path: path, body: body)
            try RequestSignature.sign(&request, identity: kec.identity, at: world.clock.now())
            return world.service.respond(request)
        }
        let bad = try post("/v2/bundles", Array("bukan bundle".utf8))
        #expect(bad.status == 422)
        #expect(try Canonical.decode(Problem.self, from: bad.body).code == "bundle-foreign")
        let unknown = try post("/v2/bundles/reply", try Canonical.encode(BundleReplyRequest(node: "33.74.09")))
        // A node may fetch only its own reply, or one for a node whose bundle it relayed.
        #expect(unknown.status == 403)
        #expect(try Canonical.decode(Problem.self, from: unknown.body).code == "forbidden-read")
        let garbled = try post("/v2/bundles/reply", Array("{}".utf8))
        #expect(garbled.status == 400)
        // Unsigned, a relay gets nothing.
        let anonymous = world.service.respond(
            HTTPRequestMessage(
                method: "POST", path: "/v2/bundles/reply",
                body: try Canonical.encode(BundleReplyRequest(node: "33.74.01"))))
        #expect(anonymous.status == 401)
    }
}
