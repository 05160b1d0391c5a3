import SimpulDomain

/// The nonces of signed requests the hub has seen, so that a captured request cannot be sent again.
///
/// A nonce is kept until its request's date plus the skew window has passed: after that the skew
/// check refuses the request anyway. Pure logic; the caller passes the time and holds the lock.
/// Bounded per node, so that one node (or a stolen key) cannot grow the hub's memory without end.
public struct NonceCache: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// First sight of the nonce: it is recorded.
        case fresh
        /// The node already used this nonce within the window.
        case replayed
        /// The node has `perNode` live nonces already: refuse for now.
        case full
    }

    public let window: Int64
    public let perNode: Int
    /// Per node: nonce -> the time (ms) after which it may be forgotten.
    private var seen: [String: [String: Int64]] = [:]

    /// - Parameters:
    ///   - windowMilliseconds: The skew window; a nonce is kept until its date plus this.
    ///   - perNode: The most live nonces kept for one node.
    public init(windowMilliseconds: Int64, perNode: Int = 4096) {
        window = windowMilliseconds
        self.perNode = max(1, perNode)
    }

    /// Records `nonce` of `node`'s request dated `date`, as seen at `now`.
    public mutating func check(node: String, nonce: String, date: Timestamp, now: Timestamp) -> Outcome {
        var mine = seen[node] ?? [:]
        if mine[nonce].map({ $0 >= now.milliseconds }) ?? false { return .replayed }
        if mine.count >= perNode {
            mine = mine.filter { $0.value >= now.milliseconds }
        }
        guard mine.count < perNode else {
            seen[node] = mine
            return .full
        }
        mine[nonce] = max(date.milliseconds, now.milliseconds) + window
        seen[node] = mine
        return .fresh
    }

    /// Forgets every nonce whose time has passed (all nodes); the hub calls it now and then.
    public mutating func purge(now: Timestamp) {
        for (node, nonces) in seen {
            let live = nonces.filter { $0.value >= now.milliseconds }
            seen[node] = live.isEmpty ? nil : live
        }
    }

    /// How many nonces are kept for `node`.
    public func count(node: String) -> Int { seen[node]?.count ?? 0 }
}
