import SimpulDomain
import SimpulStore

/// The hub's storage, as `HubService` and the PTSP back office see it: change sets, keys,
/// knowledge, contacts, conflicts, the folded permohonan, blobs and the parking. The hub's logic
/// depends only on this; `SQLiteHubStorage` is the implementation over a `NodeStore`, and another
/// database (PostgreSQL) is another implementation of it.
public protocol HubStorage: ReplicaStorage, PermohonanReader {
    /// The hub node's identity as stored.
    var info: NodeInfo { get }

    // MARK: Keys
    func learn(_ keys: [NodeKey]) throws(SimpulError)
    func enroll(node: NodeID, publicKey: String, fingerprint: String) throws(SimpulError) -> NodeKey
    func revoke(node: NodeID) throws(SimpulError)

    // MARK: Peers and contacts
    func setPeerKnowledge(_ peer: String, _ knowledge: [String: VersionVector]) throws(SimpulError)
    func peerKnowledge(_ peer: String) throws(SimpulError) -> [String: VersionVector]
    func recordContact(node: String, result: String, refused: Bool) throws(SimpulError)
    /// Remembers that `relay` handed over a bundle of `node`, so it may fetch `node`'s reply.
    func registerRelay(_ relay: String, for node: String) throws(SimpulError)
    func isRelay(_ relay: String, for node: String) throws(SimpulError) -> Bool
    /// How many change sets of a writer, and how many bytes, wait in the parking.
    func parkedUsage(node: String) throws(SimpulError) -> (changeSets: Int, bytes: Int64)
    func contacts() throws(SimpulError) -> [Contact]
    /// Keeps a node's report of itself as its latest.
    func recordNodeReport(_ report: NodeReport) throws(SimpulError)
    /// The latest report of every node that sent one.
    func nodeReports() throws(SimpulError) -> [NodeReport]
    /// Change sets waiting in the parking, per writer.
    func parkedPerWriter() throws(SimpulError) -> [ParkedWriter]
    /// Throws unless the storage answers with its schema current (`/readyz`).
    func checkReady() throws(SimpulError)
    /// Records a signed request's nonce where every hub process sharing this storage sees it, kept until
    /// `keepUntil` (ms): false when one of them took the same nonce of the node before and it is still kept
    /// at `now`. Each process's `NonceCache` answers first; this is what catches a captured request sent to
    /// another process behind the load balancer. A storage that one process alone opens (SQLite, under the
    /// folder's lock) has no other process to tell and returns true.
    func recordNonce(node: String, nonce: String, keepUntil: Int64, now: Int64) throws(SimpulError) -> Bool

    // MARK: The PTSP's own acts
    /// Records a step of the PTSP's process or its decision on a forwarded permohonan, as the workflow
    /// allows on the state read in the same transaction, attributed to `officer` in the PTSP's role. The
    /// event is the hub's own, sealed into its chain at the next pull.
    @discardableResult
    func perform(_ command: Command, on number: String, officer: String) throws(SimpulError) -> Event
    /// Publishes a catalog (and holiday calendars) to every kecamatan as the hub's events in the global
    /// partition; the catalog must be newer than every one published before.
    /// Attaches the document the PTSP issued (a PDF, with its document number) to an approved
    /// permohonan; its bytes are stored complete and go to the counter like a scan.
    func attachIssued(
        file: String, to number: String, issuedNumber: String, officer: String
    ) throws(SimpulError)
        -> AttachedFile
    @discardableResult
    func publish(catalog: LayananCatalog, calendar: WorkingDayCalendar?, officer: String) throws(SimpulError) -> [Event]

    // MARK: Folded state
    func conflicts(openOnly: Bool) throws(SimpulError) -> [Conflict]
    func permohonan(_ number: String) throws(SimpulError) -> Permohonan
    func list(_ filter: PermohonanFilter) throws(SimpulError) -> [Permohonan]
    func history(_ number: String) throws(SimpulError) -> [Event]

    // MARK: Blobs
    func blob(_ sha: String) throws(SimpulError) -> StoredBlob?
    /// The partitions, writers and declared sizes of the attached events that name a blob.
    func blobReferences(_ sha: String) throws(SimpulError) -> [(partition: String, node: String, size: Int64?)]
    /// Appends a piece of a blob `uploader` sends; the uploader becomes its owner (`NodeStore.appendBlobChunk`).
    func appendBlobChunk(
        sha256: String, offset: Int64, bytes: [UInt8], totalSize: Int64, uploader: String
    ) throws(BlobError)
        -> StoredBlob
    /// The node whose upload or bundle brought a blob's bytes.
    func blobOwner(_ sha: String) throws(SimpulError) -> String?
    /// Makes `owner` the owner of the complete blobs among `shas` that have none.
    func claimBlobs(_ shas: [String], owner: String) throws(SimpulError)
    func attachedBlobs(partition: String, node: String, after seq: UInt64) throws(SimpulError) -> [String]
    /// The blobs a peer's last bundle carried that are held complete, to confirm in its reply.
    func blobReceipt(for peer: String) throws(SimpulError) -> [String]
}
