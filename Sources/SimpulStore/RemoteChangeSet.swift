import SimpulDomain

/// An event from another replica with its `context` and `data` columns as the exact canonical JSON
/// that arrived, so the log keeps the signed bytes instead of a re-encoding of them.
public struct ReceivedEvent: Sendable {
    public var event: Event
    public var context: String
    public var data: String

    public init(event: Event, context: String, data: String) {
        self.event = event
        self.context = context
        self.data = data
    }
}

/// A verified change set from another replica, ready for `NodeStore.applyRemote`.
public struct RemoteChangeSet: Sendable {
    public var stored: StoredChangeSet
    /// Its events in seq order, `stored.first...stored.last`.
    public var events: [ReceivedEvent]

    public init(stored: StoredChangeSet, events: [ReceivedEvent]) {
        self.stored = stored
        self.events = events
    }
}
