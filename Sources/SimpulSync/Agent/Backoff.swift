/// Exponential backoff with full jitter and a cap: the n-th wait after consecutive failures is drawn
/// uniformly from `0...min(maximum, minimum * 2^n)`, so many kecamatan that lost the same link do not
/// come back at the same moment. A success resets it.
public struct Backoff: Sendable, Equatable {
    public var minimum: Duration
    public var maximum: Duration
    /// Failures since the last success.
    public private(set) var failures = 0

    public init(minimum: Duration, maximum: Duration) {
        precondition(minimum > .zero && maximum >= minimum, "backoff needs 0 < minimum <= maximum")
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The ceiling of the next wait: `minimum * 2^failures`, capped.
    public var ceiling: Duration {
        let factor = Int64(1) << Int64(min(failures, 30))
        let grown = minimum * factor
        return grown > maximum || grown < minimum ? maximum : grown
    }

    /// Records a failure and draws the wait before the next attempt.
    public mutating func fail<R: RandomNumberGenerator>(using rng: inout R) -> Duration {
        let limit = ceiling
        failures += 1
        let ms = limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000
        return .milliseconds(Int64.random(in: 0...max(ms, 0), using: &rng))
    }

    public mutating func succeed() { failures = 0 }
}

/// When the long-running agent syncs next: the decisions of `simpul serve`, without the waiting.
///
/// It syncs `settle` after a local change while the link is up, every `interval` while the link is
/// up, and after a backoff while it is down. A refusal that needs a person (revoked node, data
/// rejected) is not retried in a loop: the next try is an `interval` later.
public struct AgentSchedule: Sendable {
    public struct Settings: Sendable, Equatable {
        public var interval: Duration
        public var settle: Duration
        public var backoff: Backoff

        public init(interval: Duration, settle: Duration, retryMinimum: Duration, retryMaximum: Duration) {
            self.interval = interval
            self.settle = settle
            backoff = Backoff(minimum: retryMinimum, maximum: retryMaximum)
        }
    }

    public enum LinkState: Sendable, Equatable {
        case unknown
        case up
        case down
        /// The hub refused this node or its data: a person has to act.
        case refused
    }

    public private(set) var next: ContinuousClock.Instant
    public private(set) var link: LinkState = .unknown
    private var backoff: Backoff
    private let settings: Settings

    /// The first sync runs at once.
    public init(settings: Settings, now: ContinuousClock.Instant) {
        self.settings = settings
        backoff = settings.backoff
        next = now
    }

    /// A local change was seen: sync soon, unless the link is down (the backoff stands) or the
    /// hub refused this node (a person must act first).
    public mutating func localChange(at now: ContinuousClock.Instant) {
        guard link == .up || link == .unknown else { return }
        next = min(next, now + settings.settle)
    }

    /// A person asked for a sync now ("sinkron sekarang"): it runs at once, even while backing off,
    /// because someone is watching and may have just fixed the link.
    public mutating func requested(at now: ContinuousClock.Instant) {
        next = min(next, now)
    }

    /// A sync ended with `result` at `now`.
    public mutating func finished<R: RandomNumberGenerator>(
        _ result: SyncOutcome.Result, at now: ContinuousClock.Instant, using rng: inout R
    ) {
        switch result {
        case .inSync:
            backoff.succeed()
            link = .up
            next = now + settings.interval
        case .linkFailure:
            link = .down
            next = now + backoff.fail(using: &rng)
        case .refused, .rejected:
            backoff.succeed()
            link = .refused
            next = now + settings.interval
        }
    }

    /// Failures in a row while the link is down.
    public var failures: Int { backoff.failures }
}
