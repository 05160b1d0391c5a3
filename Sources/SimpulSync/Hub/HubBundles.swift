import Foundation
import SimpulDomain
import SimpulStore

/// The hub's side of offline bundles: importing a node's bundle and writing its reply.
extension BundleExchange {
    // MARK: - At the hub

    /// Applies a kecamatan's bundle at the hub through the checks of a network push: each change set by
    /// an enrolled, unrevoked key of its writer, who may write its event types into its partition. The
    /// hub takes no key from a bundle: it is the root of trust. The sender's knowledge is remembered, so
    /// that the reply carries what the sender lacks.
    @discardableResult
    public static func importAtHub(_ bytes: [UInt8], service: HubService) throws(SyncError) -> BundleImport {
        let store = service.store
        let hub = service.identity.node.rawValue
        let enrolled = try storeCall { () throws(SimpulError) in try store.keys(node: nil) }
        let (manifest, contents) = try open(bytes, as: service.identity, now: service.now()) { node, fingerprint in
            node == hub ? nil : enrolled.first { $0.node == node && $0.fingerprint == fingerprint }
        } refusingOtherSender: { _ in
            nil
        }
        let sender = NodeID(manifest.sender.node)!
        // The knowledge is remembered in signed 64-bit columns: out of bounds, it is refused here.
        try WireBounds.check(contents.knowledge ?? [:], field: "knowledge")
        let received = try read(contents.changeSets, of: manifest)
        let clock = try storeCall { () throws(SimpulError) in try store.lamportClock() }
        try verify(received, of: manifest, clock: clock) { writer, fingerprint in
            enrolled.first { $0.node == writer && $0.fingerprint == fingerprint }
        }
        // A bundle of a writer whose parking is full is refused whole, before anything of it is
        // applied: most of a bundle applies rather than parks, so only a full parking counts (a push is
        // checked after, one change set at a time).
        for writer in Set(received.map(\.changeSet.node)).sorted() {
            let usage = try storeCall { () throws(SimpulError) in try store.parkedUsage(node: writer) }
            if usage.changeSets >= ParkingLimit.changeSets || usage.bytes >= ParkingLimit.bytes {
                throw SyncError(
                    .tooLarge,
                    "parkir penuh untuk node \(writer): paling banyak \(ParkingLimit.changeSets) change set dan "
                        + "\(ParkingLimit.bytes / 1024 / 1024) MiB menunggu dependensi (ParkingLimit)")
            }
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
        // The sender proved it holds the bytes it carried: it owns those that had no owner yet.
        let carriedNames = contents.blobs.map(\.sha256)
        try storeCall { () throws(SimpulError) in try store.claimBlobs(carriedNames, owner: sender.rawValue) }
        do {
            try store.recordContact(
                node: sender.rawValue, result: "bundle \(result.applied) diterapkan, \(result.duplicate) sudah ada",
                refused: false)
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
        for node: NodeID, service: HubService, createdAt: Timestamp, expiresAt: Timestamp, withBlobs: Bool = false,
        maxChangeSetBytes: Int = .max
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
        var bytes = 0
        for partition in service.readable(by: node).sorted() {
            let held = holds[partition] ?? VersionVector()
            acknowledged[partition] = held
            let known = theirs[partition] ?? VersionVector()
            for (writer, seq) in held.entries.sorted(by: { $0.key < $1.key }) where seq > known[writer] {
                // Read a page at a time, so that a reply over `maxChangeSetBytes` is refused before it
                // is all in memory.
                var after = known[writer]
                while after < seq {
                    let page = try storeCall { () throws(SimpulError) in
                        try store.changeSets(partition: partition, node: writer, after: after, limit: 256)
                    }
                    guard let last = page.last else { break }
                    for s in page {
                        bytes += s.body.count
                        guard bytes <= maxChangeSetBytes else {
                            throw SyncError(
                                .tooLarge,
                                "balasan untuk \(node) melebihi \(maxChangeSetBytes / 1024 / 1024) MiB change set; "
                                    + "sinkronkan lewat jaringan atau minta simpul-hub export --for \(node)")
                        }
                    }
                    sets += page
                    after = last.last
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
}
