import SimpulDomain
import SimpulStore

/// The hub's storage in one SQLite file: a `NodeStore` whose node is the hub.
public struct SQLiteHubStorage: HubStorage {
    public let store: NodeStore

    public init(_ store: NodeStore) { self.store = store }

    public var info: NodeInfo { store.info }

    public func knowledge() throws(SimpulError) -> [String: VersionVector] { try store.knowledge() }
    public func keys(node: String?) throws(SimpulError) -> [NodeKey] { try store.keys(node: node) }
    public func changeSets(
        partition: String, node: String, after seq: UInt64, limit: Int
    ) throws(SimpulError) -> [StoredChangeSet] {
        try store.changeSets(partition: partition, node: node, after: seq, limit: limit)
    }
    public func applyRemote(_ batch: [RemoteChangeSet]) throws(SimpulError) -> [ApplyOutcome] {
        try store.applyRemote(batch)
    }
    public func applyWhole(
        _ batch: [RemoteChangeSet], learning keys: [NodeKey], peer: String?, peerKnowledge: [String: VersionVector],
        blobs: BundleBlobs
    ) throws(SimpulError) -> WholeBatch {
        try store.applyWhole(batch, learning: keys, peer: peer, peerKnowledge: peerKnowledge, blobs: blobs)
    }
    public func parkedBodies() throws(SimpulError) -> [ParkedChangeSet] { try store.parkedBodies() }
    public func unpark(hash: String) throws(SimpulError) { try store.unpark(hash: hash) }
    public func parkedReady() throws(SimpulError) -> [ParkedChangeSet] { try store.parkedReady() }
    public func parkWaits(hash: String, node: String, seq: UInt64) throws(SimpulError) {
        try store.parkWaits(hash: hash, node: node, seq: seq)
    }
    public func parkedUsage(node: String) throws(SimpulError) -> (changeSets: Int, bytes: Int64) {
        try store.parkedUsage(node: node)
    }
    public func parkedPerWriter() throws(SimpulError) -> [ParkedWriter] { try store.parkedPerWriter() }
    public func checkReady() throws(SimpulError) { try store.checkReady() }
    public func recordNonce(node: String, nonce: String, keepUntil: Int64, now: Int64) throws(SimpulError) -> Bool {
        true
    }
    public func lamportClock() throws(SimpulError) -> UInt64 { try store.lamportClock() }
    public func ownPartitions() throws(SimpulError) -> [String] { try store.ownPartitions() }
    public func ownEvents(partition: String, after seq: UInt64, limit: Int) throws(SimpulError) -> [Event] {
        try store.ownEvents(partition: partition, after: seq, limit: limit)
    }
    public func lastChangeSet(partition: String, node: String) throws(SimpulError) -> StoredChangeSet? {
        try store.lastChangeSet(partition: partition, node: node)
    }
    public func storeOwnChangeSet(_ cs: StoredChangeSet) throws(SimpulError) { try store.storeOwnChangeSet(cs) }

    public func learn(_ keys: [NodeKey]) throws(SimpulError) { try store.learn(keys) }
    public func enroll(node: NodeID, publicKey: String, fingerprint: String) throws(SimpulError) -> NodeKey {
        try store.enroll(node: node, publicKey: publicKey, fingerprint: fingerprint)
    }
    public func revoke(node: NodeID) throws(SimpulError) { try store.revoke(node: node) }

    public func setPeerKnowledge(_ peer: String, _ knowledge: [String: VersionVector]) throws(SimpulError) {
        try store.setPeerKnowledge(peer, knowledge)
    }
    public func peerKnowledge(_ peer: String) throws(SimpulError) -> [String: VersionVector] {
        try store.peerKnowledge(peer)
    }
    public func recordContact(node: String, result: String, refused: Bool) throws(SimpulError) {
        try store.recordContact(node: node, result: result, refused: refused)
    }
    public func contacts() throws(SimpulError) -> [Contact] { try store.contacts() }
    public func recordNodeReport(_ report: NodeReport) throws(SimpulError) { try store.recordNodeReport(report) }
    public func nodeReports() throws(SimpulError) -> [NodeReport] { try store.nodeReports() }
    public func registerRelay(_ relay: String, for node: String) throws(SimpulError) {
        try store.registerRelay(relay, for: node)
    }
    public func isRelay(_ relay: String, for node: String) throws(SimpulError) -> Bool {
        try store.isRelay(relay, for: node)
    }

    public func conflicts(openOnly: Bool) throws(SimpulError) -> [Conflict] { try store.conflicts(openOnly: openOnly) }
    public func permohonan(_ number: String) throws(SimpulError) -> Permohonan { try store.permohonan(number) }
    public func list(_ filter: PermohonanFilter) throws(SimpulError) -> [Permohonan] { try store.list(filter) }
    public func history(_ number: String) throws(SimpulError) -> [Event] { try store.history(number) }

    public func blob(_ sha: String) throws(SimpulError) -> StoredBlob? { try store.blob(sha) }
    public func calendar() throws(SimpulError) -> WorkingDayCalendar { try store.calendar() }
    public func attachIssued(
        file: String, to number: String, issuedNumber: String, officer: String
    ) throws(SimpulError) -> AttachedFile {
        try store.attach(file: file, to: number, syarat: nil, issuedNumber: issuedNumber, by: .typed(officer))
    }
    public func publish(
        catalog: LayananCatalog, calendar: WorkingDayCalendar?, officer: String
    ) throws(SimpulError) -> [Event] {
        try store.publish(catalog: catalog, calendar: calendar, officer: officer)
    }
    public func perform(_ command: Command, on number: String, officer: String) throws(SimpulError) -> Event {
        try HubActs.check(command)
        return try store.perform(command, on: number, officer: officer)
    }
    public func blobReferences(
        _ sha: String
    ) throws(SimpulError) -> [(partition: String, node: String, size: Int64?)] {
        try store.blobReferences(sha)
    }
    public func appendBlobChunk(
        sha256: String, offset: Int64, bytes: [UInt8], totalSize: Int64, uploader: String
    ) throws(BlobError) -> StoredBlob {
        try store.appendBlobChunk(
            sha256: sha256, offset: offset, bytes: bytes, totalSize: totalSize, uploader: uploader)
    }
    public func blobOwner(_ sha: String) throws(SimpulError) -> String? { try store.blobOwner(sha) }
    public func claimBlobs(_ shas: [String], owner: String) throws(SimpulError) {
        try store.claimBlobs(shas, owner: owner)
    }
    public func readBlob(_ sha: String, offset: Int64, count: Int) throws(SimpulError) -> [UInt8] {
        try store.readBlob(sha, offset: offset, count: count)
    }
    public func attachedBlobs(partition: String, node: String, after seq: UInt64) throws(SimpulError) -> [String] {
        try store.attachedBlobs(partition: partition, node: node, after: seq)
    }
    public func blobReceipt(for peer: String) throws(SimpulError) -> [String] { try store.blobReceipt(for: peer) }
}
