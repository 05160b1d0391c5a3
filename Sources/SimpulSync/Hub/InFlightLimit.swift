import Synchronization

/// How many requests of each node the hub answers at once: a node that opens more connections than
/// it needs (a stolen laptop looping) takes only its share of the blocking pool, never the hub's.
public final class InFlightLimit: Sendable {
    public let limit: Int
    private let counts = Mutex<[String: Int]>([:])

    public init(limit: Int) { self.limit = limit }

    /// Takes a slot for `node`; false when it already has `limit` requests in flight.
    public func enter(_ node: String) -> Bool {
        counts.withLock { counts in
            let n = counts[node, default: 0]
            guard n < limit else { return false }
            counts[node] = n + 1
            return true
        }
    }

    /// Gives back a slot `enter` took.
    public func leave(_ node: String) {
        counts.withLock { counts in
            let n = counts[node, default: 1] - 1
            counts[node] = n > 0 ? n : nil
        }
    }

    /// Requests of `node` in flight now.
    public func count(_ node: String) -> Int { counts.withLock { $0[node, default: 0] } }
}
