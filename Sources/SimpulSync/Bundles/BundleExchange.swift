import Foundation
import SimpulDomain
import SimpulStore

/// Where a bundle goes: a node and the Ed25519 public key (base64) it is encrypted to.
public struct BundlePeer: Sendable, Equatable {
    public var node: NodeID
    public var publicKey: String

    public init(node: NodeID, publicKey: String) {
        self.node = node
        self.publicKey = publicKey
    }
}

/// A bundle written for its recipient, and what it carries.
public struct BundleExport: Sendable {
    public var bytes: [UInt8]
    public var manifest: BundleManifest
    public var changeSets: Int
    /// Events in those change sets.
    public var events: Int
    /// From a kecamatan, what it holds; from the hub, what the hub holds (the acknowledgement).
    public var knowledge: [String: VersionVector]
    /// Attachments carried, and their bytes.
    public var blobs: Int = 0
    public var blobBytes: Int = 0
    /// In the hub's reply: the blobs it confirms holding complete.
    public var blobsHeld: Int = 0
    /// Attachments that were to go but were left out because this store's copy no longer hashes to its
    /// name: the officer attaches the file again.
    public var blobsDamaged: [String] = []

    public var suggestedFileName: String { BundleExchange.suggestedFileName(manifest) }
}

/// What importing a bundle did. Importing it again, or one whose change sets arrived another way, is
/// all duplicates and changes nothing.
public struct BundleImport: Sendable, Equatable, Codable {
    public var bundle: String
    public var sender: String
    public var changeSets: Int
    public var applied: Int
    public var duplicate: Int
    /// Verified change sets that wait for events the bundle did not carry; they apply when those arrive.
    public var parked: Int
    /// New events in the store, those of earlier parked change sets the bundle unblocked included.
    public var events: Int
    /// At the hub, what it now holds of the sender's partitions; at a kecamatan, the hub's acknowledgement.
    public var knowledge: [String: VersionVector]
    /// Attachments the bundle carried that this store did not hold complete: stored now.
    public var blobs: Int
    /// Attachments the bundle carried that no attached event held here names (of the sender, at the
    /// hub): left out, not refused, since the event may wait in a parked change set; the sender carries
    /// them again until they are confirmed.
    public var blobsSkipped: Int
    /// At a kecamatan: this node's attachments that the hub's reply confirmed it holds, which the node
    /// did not know yet (so its next export leaves them out). At the hub, 0.
    public var blobsConfirmed: Int
}

extension BundleImport {
    /// One line for the officer: what was new, what was already held.
    public var summary: String {
        var more = ""
        if blobs > 0 { more += " \(blobs) lampiran baru disimpan." }
        if blobsSkipped > 0 {
            more +=
                " \(blobsSkipped) lampiran belum disimpan karena event lampirannya belum ada di sini; ikut bundle berikutnya."
        }
        if blobsConfirmed > 0 { more += " \(blobsConfirmed) lampiran dikonfirmasi sudah lengkap di hub." }
        if changeSets == 0 {
            return more.isEmpty
                ? "Bundle \(bundle) dari \(sender) tidak membawa change set; tidak ada yang berubah."
                : "Bundle \(bundle) dari \(sender) tidak membawa change set." + more
        }
        if applied == 0 && parked == 0 {
            return more.isEmpty
                ? "Bundle \(bundle) dari \(sender): semua \(changeSets) change set sudah dimiliki; tidak ada yang berubah."
                : "Bundle \(bundle) dari \(sender): semua \(changeSets) change set sudah dimiliki." + more
        }
        return "Bundle \(bundle) dari \(sender) diterapkan: \(applied) change set baru (\(events) event), "
            + "\(duplicate) sudah dimiliki, \(parked) menunggu dependensi." + more
    }
}

/// What anyone holding a bundle can tell without decrypting it: a relay's view.
public struct BundleInspection: Sendable, Equatable, Codable {
    public enum Signature: String, Sendable, Codable {
        /// Signed by a key the reader knows as the sender's: not a byte changed.
        case valid
        /// The reader does not know the sender's key, so cannot check; the recipient will.
        case unknownSender = "unknown-sender"
        /// Signed by a key that has been revoked.
        case revoked
    }

    public var manifest: BundleManifest
    public var size: Int
    public var signature: Signature
    public var expired: Bool
    /// Addressed to the reader's node and current key: only then can the reader decrypt it.
    public var forThisNode: Bool
}

extension BundleInspection {
    /// The inspection as an officer reads it, times in the office's zone.
    public func lines(zona: Zona) -> [String] {
        let m = manifest
        func local(_ t: Timestamp) -> String { "\(t.localText(offsetMinutes: zona.offsetMinutes)) \(zona.rawValue)" }
        let signed =
            switch signature {
            case .valid: "sah, tidak ada byte yang berubah sejak dibuat"
            case .unknownSender:
                "tidak bisa diperiksa di sini (kunci pengirim tidak dikenal node ini); penerima memeriksanya"
            case .revoked: "kunci pengirim DICABUT; penerima akan menolaknya"
            }
        return [
            "Bundle \(m.id) (format \(m.format), jaringan \(m.network))",
            "Pengirim       : \(m.sender.node) (kunci \(NodeIdentity.readable(m.sender.key)))",
            "Penerima       : \(m.recipient.node) (kunci \(NodeIdentity.readable(m.recipient.key)))",
            "Dibuat         : \(local(m.createdAt))",
            "Berlaku sampai : \(local(m.expiresAt))" + (expired ? " - SUDAH KEDALUWARSA" : ""),
            "Ukuran         : \(size) byte",
            "Tanda tangan   : \(signed)",
            "Untuk node ini : "
                + (forThisNode
                    ? "ya, bisa dibuka di sini"
                    : "tidak; node ini hanya bisa meneruskannya, isinya tidak bisa dibaca di sini"),
        ]
    }
}

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
    private static func blobBytes(
        _ held: [StoredBlob], from store: NodeStore
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
        var keys: [String: [NodeKey]] = [:]
        for writer in Set(received.map(\.changeSet.node)) {
            // What the hub says now (a revocation, say) comes before what this node learned earlier.
            keys[writer] =
                contents.keys.filter { $0.node == writer }
                + (try storeCall { () throws(SimpulError) in try store.keys(node: writer) })
        }
        try verify(received, of: manifest) { writer, fingerprint in
            keys[writer]?.first { $0.fingerprint == fingerprint }
        }
        let acknowledged = contents.knowledge ?? [:]
        // Any blob an attached event of this node's partitions names may come (a sub-node's, one this
        // node lost); the hub's confirmation marks this node's own as being at the hub.
        var result = try apply(
            received, of: manifest, to: store, learning: contents.keys, peer: SyncClient.hubPeer,
            peerKnowledge: acknowledged,
            blobs: BundleBlobs(carried: carried(contents), heldAtHub: contents.blobsHeld, fromHub: true))
        result.knowledge = acknowledged
        return result
    }

    private static func carried(_ contents: BundleContents) -> [CarriedBlob] {
        contents.blobs.map { CarriedBlob(sha256: $0.sha256, bytes: $0.bytes) }
    }

    // MARK: - At the hub

    /// Applies a kecamatan's bundle at the hub through the checks of a network push: each change set by
    /// an enrolled, unrevoked key of its writer, who may write its event types into its partition. The
    /// hub takes no key from a bundle: it is the root of trust. The sender's knowledge is remembered, so
    /// that the reply carries what the sender lacks.
    @discardableResult
    public static func importAtHub(_ bytes: [UInt8], service: HubService) throws(SyncError) -> BundleImport {
        let store = service.store
        let hub = service.identity.node.rawValue
        let enrolled = try storeCall { () throws(SimpulError) in try store.keys() }
        let (manifest, contents) = try open(bytes, as: service.identity, now: service.now()) { node, fingerprint in
            node == hub ? nil : enrolled.first { $0.node == node && $0.fingerprint == fingerprint }
        } refusingOtherSender: { _ in
            nil
        }
        let sender = NodeID(manifest.sender.node)!
        let received = try read(contents.changeSets, of: manifest)
        try verify(received, of: manifest) { writer, fingerprint in
            enrolled.first { $0.node == writer && $0.fingerprint == fingerprint }
        }
        let readable = service.readable(by: sender)
        let theirs = (contents.knowledge ?? [:]).filter { readable.contains($0.key) }
        // As over the chunk endpoint, the hub takes from a node only blobs that the node's own attached
        // events name, and it remembers them so that its reply can confirm them.
        var result = try apply(
            received, of: manifest, to: store, peer: sender.rawValue, peerKnowledge: theirs,
            blobs: BundleBlobs(carried: carried(contents), writer: sender.rawValue, rememberFor: sender.rawValue),
            refusalHint: "; kecamatan bisa mengekspor ulang tanpa --with-blobs agar change set-nya tetap sampai")
        let holds = try storeCall { () throws(SimpulError) in try store.knowledge() }
        for p in readable { result.knowledge[p] = holds[p] ?? VersionVector() }
        do {
            try store.recordContact(
                node: sender.rawValue, result: "bundle \(result.applied) diterapkan, \(result.duplicate) sudah ada")
        } catch {
            service.logger.warning("contact not recorded", metadata: ["node": "\(sender)"])
        }
        service.logger.info(
            "bundle imported",
            metadata: [
                "bundle": "\(manifest.id)", "from": "\(sender)", "applied": "\(result.applied)",
                "duplicate": "\(result.duplicate)", "parked": "\(result.parked)", "events": "\(result.events)",
                "blobsCarried": "\(contents.blobs.count)", "blobsStored": "\(result.blobs)",
            ])
        return result
    }

    /// The hub's reply for a node: every change set of the partitions it reads beyond the knowledge it
    /// last sent (by bundle or pull), as a pull would answer, with the keys of their writers and the
    /// hub's knowledge as the acknowledgement. A node the hub never heard from gets everything, so a
    /// bundle can also set up a node that has never had a link.
    ///
    /// It also confirms the blobs the node's last bundle with attachments carried (record type 5), so
    /// that the node's next export leaves them out. `withBlobs` adds the bytes of the attachments the
    /// carried change sets name that the hub holds complete: the node lacks those events, so it lacks
    /// their bytes too (a sub-node's scans, or everything after a restore from a bundle).
    public static func reply(
        for node: NodeID, service: HubService, createdAt: Timestamp, expiresAt: Timestamp, withBlobs: Bool = false
    ) throws(SyncError) -> BundleExport {
        let store = service.store
        guard !node.isHub, node.kabupaten == service.identity.node.kabupaten else {
            throw SyncError(
                .forbiddenRead, "node \(node) bukan node kecamatan di kabupaten \(service.identity.node.kabupaten)")
        }
        let keys = try storeCall { () throws(SimpulError) in try store.keys(node: node.rawValue) }
        guard let key = keys.first(where: \.active) else {
            throw SyncError(
                .notEnrolled,
                "node \(node) belum terdaftar di hub; daftarkan dulu: simpul-hub node enroll --node \(node) "
                    + "--public-key KUNCI")
        }
        if let at = key.revokedAt {
            throw SyncError(.revoked, "node \(node) dicabut pada \(at); hub tidak membuat bundle untuknya")
        }
        try service.sealOwn()
        let (theirs, holds) = try storeCall { () throws(SimpulError) in
            (try store.peerKnowledge(node.rawValue), try store.knowledge())
        }
        var sets: [StoredChangeSet] = []
        var writers: Set<String> = []
        var acknowledged: [String: VersionVector] = [:]
        var named: [String] = []
        for partition in service.readable(by: node).sorted() {
            let held = holds[partition] ?? VersionVector()
            acknowledged[partition] = held
            let known = theirs[partition] ?? VersionVector()
            for (writer, seq) in held.entries.sorted(by: { $0.key < $1.key }) where seq > known[writer] {
                sets += try storeCall { () throws(SimpulError) in
                    try store.changeSets(
                        partition: partition, node: writer, after: known[writer], limit: Int(Int32.max))
                }
                writers.insert(writer)
                if withBlobs {
                    named += try storeCall { () throws(SimpulError) in
                        try store.attachedBlobs(partition: partition, node: writer, after: known[writer])
                    }
                }
            }
        }
        var writerKeys: [NodeKey] = []
        for w in writers.sorted() {
            writerKeys += try storeCall { () throws(SimpulError) in try store.keys(node: w) }
        }
        var complete: [StoredBlob] = []
        for sha in Set(named).sorted() {
            if let blob = try storeCall({ () throws(SimpulError) in try store.blob(sha) }), blob.complete {
                complete.append(blob)
            }
        }
        let (blobs, damaged) = try blobBytes(complete, from: store)
        let receipt = try storeCall { () throws(SimpulError) in try store.blobReceipt(for: node.rawValue) }
        var export = try seal(
            BundleContents(
                changeSets: sets.map(\.body), blobs: blobs, knowledge: acknowledged, keys: writerKeys,
                blobsHeld: receipt), sets: sets,
            from: service.identity, to: BundlePeer(node: node, publicKey: key.publicKey), createdAt: createdAt,
            expiresAt: expiresAt)
        export.blobsDamaged = damaged
        for sha in damaged {
            service.logger.error("blob damaged at the hub", metadata: ["sha256": "\(sha.prefix(12))"])
        }
        service.logger.info(
            "bundle written",
            metadata: [
                "bundle": "\(export.manifest.id)", "for": "\(node)", "changeSets": "\(export.changeSets)",
                "blobs": "\(export.blobs)", "blobsConfirmed": "\(export.blobsHeld)",
            ])
        return export
    }

    /// Remembers the knowledge a node sent with a pull, so that a reply bundle written later does not
    /// repeat what the node already has. Bookkeeping only: a failure costs a larger reply, nothing else.
    static func remember(_ knowledge: [String: VersionVector], of node: NodeID, at service: HubService) {
        let readable = service.readable(by: node)
        do { try service.store.setPeerKnowledge(node.rawValue, knowledge.filter { readable.contains($0.key) }) } catch {
            service.logger.warning("node knowledge not recorded", metadata: ["node": "\(node)"])
        }
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

    private static func seal(
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
    private static func open(
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

    private static func read(_ bodies: [[UInt8]], of manifest: BundleManifest) throws(SyncError) -> [ReceivedChangeSet]
    {
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
    private static func verify(
        _ received: [ReceivedChangeSet], of manifest: BundleManifest, key: (String, String) -> NodeKey?
    ) throws(SyncError) {
        for r in received {
            let writer = r.changeSet.node
            do {
                try r.verify(key: { fingerprint throws(SimpulError) in key(writer, fingerprint) })
            } catch {
                throw SyncError(error.code, "bundle \(manifest.id) ditolak: \(error.message); \(nothing)", cause: error)
            }
        }
    }

    private static func apply(
        _ received: [ReceivedChangeSet], of manifest: BundleManifest, to store: NodeStore,
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

extension SyncError {
    /// A refused bundle as a sync error; the code says which kind of bad file it is.
    public init(bundle error: BundleError) {
        let (code, label): (Code, String) =
            switch error.code {
            case .truncated: (.bundleTruncated, "terpotong")
            case .corrupted: (.bundleCorrupted, "rusak")
            case .foreign: (.bundleForeign, "asing")
            case .expired: (.bundleExpired, "kedaluwarsa")
            case .wronglyAddressed: (.bundleMisaddressed, "salah alamat")
            case .unsupportedVersion: (.unsupportedVersion, "versi tidak dikenal")
            case .revoked: (.revoked, "pengirim dicabut")
            case .sealFailed: (.malformed, "tidak bisa dibuat")
            }
        let tail = error.code == .sealFailed ? "" : "; \(BundleExchange.nothing)"
        // The container's own words may already name the reason ("bundle terpotong: ..."): said once.
        var detail = Substring(error.message)
        for said in ["bundle \(label): ", "kepala bundle \(label): "] where detail.hasPrefix(said) {
            detail = detail.dropFirst(said.count)
        }
        self.init(code, "bundle \(label): \(detail)\(tail)", cause: error)
    }

    /// The exit code the command line tools end with for this refusal (see the README).
    public var exitCode: Int32 {
        switch code {
        case .unauthenticated, .notEnrolled, .revoked, .clockSkew, .forbiddenRead: 77
        case .notFound: 66
        case .store: 74
        default: 65
        }
    }
}
