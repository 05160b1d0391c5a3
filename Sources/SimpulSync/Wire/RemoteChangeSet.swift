import SimpulDomain
import SimpulStore

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
            stored.body, ChangeSetDocument.header(stored), events: events.map(LoggedEvent.init))
    }
}

extension LoggedEvent {
    init(_ e: ReceivedEvent) {
        self.init(
            at: e.at, context: e.context, data: e.data, lamport: e.event.lamport, officer: e.event.officer,
            record: e.event.record, role: e.event.role, seq: e.event.dot.seq, type: e.event.body.type.rawValue)
    }
}
