import SimpulDomain

/// An event from another replica with its `context` and `data` columns as the exact canonical JSON
/// that arrived, so the log keeps the signed bytes instead of a re-encoding of them.
public struct ReceivedEvent: Sendable {
    public var event: Event
    /// `event.at` as written (`Timestamp.description`).
    public var at: String
    public var context: String
    public var data: String

    public init(event: Event, at: String, context: String, data: String) {
        self.event = event
        self.at = at
        self.context = context
        self.data = data
    }
}

/// A verified change set from another replica, ready for `NodeStore.applyRemote`.
public struct RemoteChangeSet: Sendable {
    public var stored: StoredChangeSet
    /// Its events in seq order, `stored.first...stored.last`.
    public var events: [ReceivedEvent]

    /// Whether the log can give back the document byte for byte from these events (so the store
    /// need not keep it), decided once here, where the change set is read.
    let rebuildable: Bool

    public init(stored: StoredChangeSet, events: [ReceivedEvent]) {
        self.stored = stored
        self.events = events
        rebuildable = ChangeSetDocument.matches(
            stored.body, NodeStore.header(stored), events: events.map(ChangeSetDocument.Event.init))
    }
}

extension ChangeSetDocument.Event {
    init(_ e: ReceivedEvent) {
        self.init(
            at: e.at, context: e.context, data: e.data, lamport: e.event.lamport, officer: e.event.officer,
            record: e.event.record, role: e.event.role, seq: e.event.dot.seq, type: e.event.body.type.rawValue)
    }
}
