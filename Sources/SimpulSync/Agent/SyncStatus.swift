import SimpulDomain
import SimpulStore

/// A node's sync state as `simpul status` and the counter's status strip show it.
public struct SyncStatus: Sendable, Equatable {
    /// The hub's address, nil before `simpul init --hub`.
    public var hub: String?
    /// This node's own events the hub has not acknowledged yet.
    public var pendingEvents: Int
    /// Received change sets waiting for what they depend on.
    public var parked: Int
    public var openConflicts: Int
    public var lastSync: SyncRun?
    public var knowledge: [String: VersionVector]
    public var hubKnowledge: [String: VersionVector]

    public static func read(from store: NodeStore) throws(SimpulError) -> SyncStatus {
        let mine = try store.knowledge()
        let hubHolds = try store.peerKnowledge(SyncClient.hubPeer)
        let pending = try pendingEvents(in: store, mine: mine, hubHolds: hubHolds)
        let hub = try store.hubConfig()?.url
        return SyncStatus(
            hub: (hub?.isEmpty ?? true) ? nil : hub, pendingEvents: pending, parked: try store.parkedBodies().count,
            openConflicts: try store.conflicts(openOnly: true).count, lastSync: try store.lastSyncRun(),
            knowledge: mine, hubKnowledge: hubHolds)
    }

    /// This node's own events the hub has not acknowledged yet: what `simpul status` shows and what
    /// the agent reports to the hub on each sync.
    public static func pendingEvents(in store: NodeStore) throws(SimpulError) -> Int {
        try pendingEvents(
            in: store, mine: try store.knowledge(), hubHolds: try store.peerKnowledge(SyncClient.hubPeer))
    }

    private static func pendingEvents(
        in store: NodeStore, mine: [String: VersionVector], hubHolds: [String: VersionVector]
    ) throws(SimpulError) -> Int {
        let node = store.info.node.rawValue
        var pending = 0
        for p in try store.ownPartitions() {
            let held = mine[p]?[node] ?? 0
            let acknowledged = hubHolds[p]?[node] ?? 0
            if held > acknowledged { pending += Int(held - acknowledged) }
        }
        return pending
    }

    /// Whether the last run reached the hub: a kecamatan officer reads this as "the link is up".
    public var linkUp: Bool { lastSync.map { $0.exitCode == 0 } ?? false }
}
