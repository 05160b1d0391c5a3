import Foundation
import SimpulDomain
import SimpulStore

/// Offline bundles as a sync path (`sync-schemas/bundle.md`): a kecamatan exports what the hub lacks,
/// the hub imports it through the checks of a push and writes its reply, and the kecamatan imports the
/// reply through the checks of a pull. Every import is whole or nothing.
public enum BundleExchange {
    /// The media type of a bundle on the wire (relay endpoints).
    public static let contentType = "application/vnd.simpul.bundle"
    public static let defaultExpiryDays = 30
    public static let maxExpiryDays = 366

    /// `NODE-to-NODE-YYYYMMDD-xxxxxxxx.simpulbundle`: who to whom and when, in the name of the file, so
    /// that an officer picks the right one from a stick; nothing reads the name.
    public static func suggestedFileName(_ manifest: BundleManifest) -> String {
        let day = manifest.createdAt.description.prefix(10).replacingOccurrences(of: "-", with: "")
        return "\(manifest.sender.node)-to-\(manifest.recipient.node)-\(day)-\(manifest.id.prefix(8)).simpulbundle"
    }

    /// When a bundle written now for `days` days expires.
    public static func expiry(from now: Timestamp, days: Int) -> Timestamp {
        Timestamp(milliseconds: now.milliseconds + Int64(days) * 86_400_000)
    }

    // MARK: - At the kecamatan

    /// The hub a kecamatan writes its bundles to: the key pinned on its first sync, or given at init.
    public static func hub(of store: NodeStore) throws(SimpulError) -> BundlePeer {
        guard let config = try store.hubConfig(), let key = config.publicKey else {
            throw SimpulError(
                .configuration,
                "kunci hub belum diketahui node ini: sinkron sekali lewat jaringan (simpul sync), atau siapkan node "
                    + "dengan simpul init --hub-key KUNCI dari admin TI kabupaten")
        }
        // The hub's node is the kabupaten's code, so a node that never reached the hub knows it too.
        let node = config.node.flatMap(NodeID.init) ?? NodeID(store.info.node.kabupaten.code)!
        return BundlePeer(node: node, publicKey: key)
    }

    /// A kecamatan's bundle for its hub: its own change sets the hub is not known to hold (judged from
    /// the hub's last acknowledgement, by sync or reply bundle), oldest first, and its knowledge so the
    /// hub's reply carries what it lacks. New events are sealed first, as a sync does.
    ///
    /// `withBlobs` adds the attachments this node wrote whose bytes the hub has not confirmed holding
    /// (by a sync's upload or a reply's confirmation): the blobs a sync would upload.
    public static func export(
        store: NodeStore, identity: NodeIdentity, to hub: BundlePeer, createdAt: Timestamp, expiresAt: Timestamp,
        budget: Int = ChangeSetSealer.defaultBudget, withBlobs: Bool = false
    ) throws(SyncError) -> BundleExport {
        do {
            try ChangeSetSealer.sealPending(store: store, identity: identity, budget: budget)
        } catch {
            throw SyncError(.store, "event baru tidak bisa disegel", cause: error)
        }
        let me = identity.node.rawValue
        let (held, partitions, own, mine) = try storeCall { () throws(SimpulError) in
            (
                try store.peerKnowledge(SyncClient.hubPeer), try store.replicatedPartitions(),
                try store.ownPartitions(), try store.knowledge()
            )
        }
        var sets: [StoredChangeSet] = []
        for partition in own {
            sets += try storeCall { () throws(SimpulError) in
                try store.changeSets(
                    partition: partition, node: me, after: held[partition]?[me] ?? 0, limit: Int(Int32.max))
            }
        }
        var knowledge: [String: VersionVector] = [:]
        for p in partitions { knowledge[p] = mine[p] ?? VersionVector() }
        var pending: [StoredBlob] = []
        if withBlobs { pending = try storeCall { () throws(SimpulError) in try store.pendingUploads() } }
        let (blobs, damaged) = try blobBytes(pending, from: store)
        var export = try seal(
            BundleContents(changeSets: sets.map(\.body), blobs: blobs, knowledge: knowledge), sets: sets,
            from: identity, to: hub, createdAt: createdAt, expiresAt: expiresAt)
        export.blobsDamaged = damaged
        return export
    }

    /// The bytes of complete blobs, each checked against its name; a copy that no longer matches is
    /// left out and named, so that a bundle never carries what the recipient would refuse.
    static func blobBytes(
        _ held: [StoredBlob], from store: some ReplicaStorage
    ) throws(SyncError) -> (blobs: [BundleContents.Blob], damaged: [String]) {
        var blobs: [BundleContents.Blob] = []
        var damaged: [String] = []
        for blob in held {
            let bytes = try storeCall { () throws(SimpulError) in
                try store.readBlob(blob.sha256, offset: 0, count: Int(blob.size))
            }
            let carried = BundleContents.Blob(bytes: bytes)
            if carried.sha256 == blob.sha256 && Int64(bytes.count) == blob.size {
                blobs.append(carried)
            } else {
                damaged.append(blob.sha256)
            }
        }
        return (blobs, damaged)
    }

    /// Applies the hub's reply at a kecamatan: checked as a pull answer is (every change set verified
    /// with the keys the hub hands out, which its signature vouches for as TLS does for a pull), then
    /// applied whole in one transaction together with the keys and the hub's acknowledgement.
    @discardableResult
    public static func importReply(
        _ bytes: [UInt8], store: NodeStore, identity: NodeIdentity, now: Timestamp
    ) throws(SyncError) -> BundleImport {
        let hubNode =
            try storeCall { () throws(SimpulError) in try store.hubConfig()?.node }
            ?? identity.node.kabupaten.code
        let hubKeys = try storeCall { () throws(SimpulError) in try store.keys(node: hubNode) }
        let (manifest, contents) = try open(bytes, as: identity, now: now) { node, fingerprint in
            node == hubNode ? hubKeys.first { $0.fingerprint == fingerprint } : nil
        } refusingOtherSender: { manifest in
            manifest.sender.node == hubNode
                ? nil
                : "bundle \(manifest.id) dikirim node \(manifest.sender.node), bukan hub \(hubNode): node ini hanya "
                    + "menerima bundle balasan dari hubnya"
        }
        let received = try read(contents.changeSets, of: manifest)
        // As in a pull answer, a hub key is taken only through the chain from the key this node pinned.
        let offered = HubKeys.admissible(contents.keys, hub: hubNode, trusted: hubKeys).accepted
        var keys: [String: [NodeKey]] = [:]
        for writer in Set(received.map(\.changeSet.node)) {
            // What the hub says now (a revocation, say) comes before what this node learned earlier.
            keys[writer] =
                offered.filter { $0.node == writer }
                + (try storeCall { () throws(SimpulError) in try store.keys(node: writer) })
        }
        let clock = try storeCall { () throws(SimpulError) in try store.lamportClock() }
        try verify(received, of: manifest, clock: clock) { writer, fingerprint in
            keys[writer]?.first { $0.fingerprint == fingerprint }
        }
        let acknowledged = contents.knowledge ?? [:]
        // Any blob an attached event of this node's partitions names may come (a sub-node's, one this
        // node lost); the hub's confirmation marks this node's own as being at the hub.
        var result = try apply(
            received, of: manifest, to: store, learning: offered, peer: SyncClient.hubPeer,
            peerKnowledge: acknowledged,
            blobs: BundleBlobs(carried: carried(contents), heldAtHub: contents.blobsHeld, fromHub: true))
        result.knowledge = acknowledged
        return result
    }

    static func carried(_ contents: BundleContents) -> [CarriedBlob] {
        contents.blobs.map { CarriedBlob(sha256: $0.sha256, bytes: $0.bytes) }
    }

    // MARK: - Anyone

    /// What a node holding a bundle can tell without decrypting it: the manifest, whether the file is
    /// whole and, when it knows the sender's key, whether the signature holds. A truncated or altered
    /// file is refused as at import.
    public static func inspect(
        _ bytes: [UInt8], store: NodeStore, identity: NodeIdentity, now: Timestamp
    ) throws(SyncError) -> BundleInspection {
        let manifest: BundleManifest
        do {
            let header = try OfflineBundle.readHeader(bytes)
            try OfflineBundle.checkLength(bytes, header)
            manifest = header.manifest
        } catch {
            throw SyncError(bundle: error)
        }
        let known = try storeCall { () throws(SimpulError) in try store.keys(node: manifest.sender.node) }
        var signature = BundleInspection.Signature.valid
        do {
            try OfflineBundle.verifySignature(bytes) { node, fingerprint in
                known.first { $0.node == node && $0.fingerprint == fingerprint }
            }
        } catch {
            switch error.code {
            case .foreign: signature = .unknownSender
            case .revoked: signature = .revoked
            default: throw SyncError(bundle: error)
            }
        }
        return BundleInspection(
            manifest: manifest, size: bytes.count, signature: signature, expired: now > manifest.expiresAt,
            forThisNode: manifest.recipient.node == identity.node.rawValue
                && manifest.recipient.key == identity.fingerprint)
    }

    // MARK: - Steps

    static func seal(
        _ contents: BundleContents, sets: [StoredChangeSet], from sender: NodeIdentity, to recipient: BundlePeer,
        createdAt: Timestamp, expiresAt: Timestamp
    ) throws(SyncError) -> BundleExport {
        let bytes: [UInt8]
        let manifest: BundleManifest
        do {
            bytes = try OfflineBundle.seal(
                contents, sender: sender, recipient: recipient.node, recipientKey: recipient.publicKey,
                createdAt: createdAt, expiresAt: expiresAt)
            manifest = try OfflineBundle.manifest(of: bytes)
        } catch {
            throw SyncError(bundle: error)
        }
        return BundleExport(
            bytes: bytes, manifest: manifest, changeSets: sets.count,
            events: sets.reduce(0) { $0 + Int($1.last - $1.first + 1) }, knowledge: contents.knowledge ?? [:],
            blobs: contents.blobs.count, blobBytes: contents.blobs.reduce(0) { $0 + $1.bytes.count },
            blobsHeld: contents.blobsHeld.count)
    }

    /// Opens a bundle for `identity`, or says why not. `otherSender` names a sender this reader does not
    /// take bundles from, which otherwise would only read as an unknown key.
    static func open(
        _ bytes: [UInt8], as identity: NodeIdentity, now: Timestamp,
        senderKey: (String, String) -> NodeKey?, refusingOtherSender otherSender: (BundleManifest) -> String?
    ) throws(SyncError) -> (BundleManifest, BundleContents) {
        do {
            return try OfflineBundle.open(bytes, recipient: identity, senderKey: senderKey, now: now)
        } catch {
            if error.code == .foreign, let manifest = try? OfflineBundle.manifest(of: bytes),
                let why = otherSender(manifest)
            {
                throw SyncError(bundle: BundleError(.foreign, why))
            }
            throw SyncError(bundle: error)
        }
    }

    static func read(_ bodies: [[UInt8]], of manifest: BundleManifest) throws(SyncError) -> [ReceivedChangeSet] {
        var out: [ReceivedChangeSet] = []
        out.reserveCapacity(bodies.count)
        for (i, body) in bodies.enumerated() {
            do { out.append(try ReceivedChangeSet(body: body)) } catch {
                throw SyncError(
                    error.code, "bundle \(manifest.id) ditolak: change set ke-\(i + 1): \(error.message); \(nothing)",
                    cause: error)
            }
        }
        return out
    }

    /// Checks every change set before any is applied: one refusal refuses the bundle.
    static func verify(
        _ received: [ReceivedChangeSet], of manifest: BundleManifest, clock: UInt64,
        key: (String, String) -> NodeKey?
    ) throws(SyncError) {
        for r in received {
            let writer = r.changeSet.node
            do {
                try r.verify(key: { fingerprint throws(SimpulError) in key(writer, fingerprint) }, clock: clock)
            } catch {
                throw SyncError(error.code, "bundle \(manifest.id) ditolak: \(error.message); \(nothing)", cause: error)
            }
        }
    }

    static func apply(
        _ received: [ReceivedChangeSet], of manifest: BundleManifest, to store: some ReplicaStorage,
        learning keys: [NodeKey] = [], peer: String, peerKnowledge: [String: VersionVector], blobs: BundleBlobs,
        refusalHint: String = ""
    ) throws(SyncError) -> BundleImport {
        let whole = try storeCall { () throws(SimpulError) in
            try store.applyWhole(
                received.map(\.remote), learning: keys, peer: peer, peerKnowledge: peerKnowledge, blobs: blobs)
        }
        if let blob = whole.refusedBlob {
            // Change sets and blobs are one statement of the sender's, kept whole or not at all.
            throw SyncError(
                blob.reason == .size ? .blobSize : .blobHashMismatch,
                "bundle \(manifest.id) ditolak: \(blob.message); \(nothing)\(refusalHint)")
        }
        if let i = whole.refused {
            switch whole.outcomes[i] {
            case .brokenChain(let reason):
                throw SyncError(.brokenChain, "bundle \(manifest.id) ditolak: \(reason); \(nothing)")
            case .conflicting(let reason):
                throw SyncError(.conflictingChangeSet, "bundle \(manifest.id) ditolak: \(reason); \(nothing)")
            default:
                throw SyncError(.store, "bundle \(manifest.id) ditolak; \(nothing)")
            }
        }
        var result = BundleImport(
            bundle: manifest.id, sender: manifest.sender.node, changeSets: received.count, applied: 0, duplicate: 0,
            parked: 0, events: 0, knowledge: [:], blobs: whole.blobsStored, blobsSkipped: whole.blobsSkipped,
            blobsConfirmed: whole.blobsConfirmed)
        for outcome in whole.outcomes {
            switch outcome {
            case .applied(let n):
                result.applied += 1
                result.events += n
            case .duplicate: result.duplicate += 1
            case .parked: result.parked += 1
            case .brokenChain, .conflicting: break
            }
        }
        // What waited in the store may have been waiting for what just came.
        if result.applied > 0 { result.events += try HubService.drain(store: store) }
        return result
    }

    static let nothing = "tidak ada isi bundle yang diterapkan"
}
