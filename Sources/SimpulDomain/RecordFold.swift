/// Two or more events on one permohonan written without seeing each other, that the workflow cannot
/// both accept as they are. Every replica derives the same conflicts from the same events.
public struct Conflict: Sendable, Equatable, Codable {
    /// `NUMBER@NODE:SEQ`, after the later event in fold order.
    public var id: String
    public var record: String
    public var partition: String
    /// The later event in fold order, and what it was.
    public var event: Dot
    public var eventType: EventType
    /// The events before it that its writer had not seen.
    public var concurrentWith: [Dot]
    /// Whether the later event took effect (it was acceptable but both decided the outcome) or was
    /// set aside (the state had already moved on).
    public var applied: Bool
    public var reason: String
    /// The settlement event that resolved it, once a person has.
    public var resolvedBy: Dot?
}

/// Folds a permohonan's events in the one order every replica uses, setting aside events the
/// workflow cannot accept and recording the conflicts.
public enum RecordFold {
    /// - Parameter events: all events of one record, in any order.
    /// - Returns: nil state when the registration has not arrived (it always comes first causally,
    ///   so this only happens for a record a replica does not hold).
    public static func fold(_ events: [Event]) -> (state: Permohonan?, conflicts: [Conflict]) {
        let ordered = events.sorted(by: Event.foldOrder)
        guard let first = ordered.first, case .registered(let r) = first.body else { return (nil, []) }
        var state = Permohonan(registeredBy: first, r)
        var conflicts: [Conflict] = []
        var folded: [Event] = [first]
        for e in ordered.dropFirst() {
            let unseen = folded.filter { !e.context.covers($0.dot) }
            let step = check(e, on: state, unseen: unseen)
            if let reason = step.reason {
                conflicts.append(
                    Conflict(
                        id: "\(e.record)@\(e.dot)", record: e.record, partition: e.partition, event: e.dot,
                        eventType: e.body.type, concurrentWith: unseen.map(\.dot), applied: step.apply, reason: reason,
                        resolvedBy: nil))
            }
            if step.apply { state.apply(e) } else { state.witness(e) }
            if case .settled(let s) = e.body {
                for i in conflicts.indices where s.conflicts.contains(conflicts[i].id) {
                    conflicts[i].resolvedBy = e.dot
                }
            }
            folded.append(e)
        }
        return (state, conflicts)
    }

    private static func check(_ e: Event, on state: Permohonan, unseen: [Event]) -> (apply: Bool, reason: String?) {
        if let why = Workflow.admissible(e.body, on: state) {
            let cause =
                unseen.isEmpty
                ? "" : " (ditulis tanpa melihat \(unseen.map(\.dot.description).joined(separator: ", ")))"
            return (false, why + cause)
        }
        if Workflow.isDecisive(e.body), let other = unseen.first(where: { Workflow.isDecisive($0.body) }) {
            return (
                true,
                "\(other.body.type) oleh \(other.dot.node) dan \(e.body.type) oleh \(e.dot.node) ditulis tanpa saling tahu"
            )
        }
        return (true, nil)
    }
}
