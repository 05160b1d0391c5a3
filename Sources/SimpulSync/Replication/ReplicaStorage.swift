import SimpulDomain
import SimpulStore

/// What the replication policy needs of a replica's storage: its knowledge, its change sets (its own
/// to seal, others' to apply or park), and the keys that verify them. A kecamatan's `NodeStore` is
/// one; the hub's storage (`HubStorage`) refines it.
public protocol ReplicaStorage: Sendable {
    /// Per partition, the highest seq held from each writer.
    func knowledge() throws(SimpulError) -> [String: VersionVector]
    /// Keys of one node, or of every node (nil).
    func keys(node: String?) throws(SimpulError) -> [NodeKey]
    /// A writer's change sets holding seqs after `seq`, oldest first.
    func changeSets(
        partition: String, node: String, after seq: UInt64, limit: Int
    ) throws(SimpulError)
        -> [StoredChangeSet]
    /// Applies verified change sets in order; one that must wait is parked (see `NodeStore.applyRemote`).
    func applyRemote(_ batch: [RemoteChangeSet]) throws(SimpulError) -> [ApplyOutcome]
    /// Applies verified change sets whole or not at all, with keys, a peer's knowledge and carried
    /// blobs (see `NodeStore.applyWhole`).
    func applyWhole(
        _ batch: [RemoteChangeSet], learning keys: [NodeKey], peer: String?, peerKnowledge: [String: VersionVector],
        blobs: BundleBlobs
    ) throws(SimpulError) -> WholeBatch
    /// Parked change sets' signed documents, oldest seq first.
    func parkedBodies() throws(SimpulError) -> [ParkedChangeSet]
    /// Forgets a parked change set.
    func unpark(hash: String) throws(SimpulError)
    /// Parked change sets whose wait may be over (see `NodeStore.parkedReady`).
    func parkedReady() throws(SimpulError) -> [ParkedChangeSet]
    /// Notes the event a parked change set still waits for.
    func parkWaits(hash: String, node: String, seq: UInt64) throws(SimpulError)
    /// The largest Lamport value in the log: how far received events may lead it is bounded.
    func lamportClock() throws(SimpulError) -> UInt64

    /// Up to `count` bytes of a blob from `offset` (a bundle carries blobs).
    func readBlob(_ sha: String, offset: Int64, count: Int) throws(SimpulError) -> [UInt8]

    // Sealing this node's own events.
    func ownPartitions() throws(SimpulError) -> [String]
    func ownEvents(partition: String, after seq: UInt64, limit: Int) throws(SimpulError) -> [Event]
    func lastChangeSet(partition: String, node: String) throws(SimpulError) -> StoredChangeSet?
    func storeOwnChangeSet(_ cs: StoredChangeSet) throws(SimpulError)
}

extension NodeStore: ReplicaStorage {}
