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

    /// An event this replica wrote, its columns written as the log keeps them.
    public init(written event: Event) throws {
        self.init(
            event: event, at: event.at.description, context: JSONText.versionVector(event.context),
            data: try EventCodec.dataJSON(event.body))
    }
}
