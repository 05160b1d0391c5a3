import Foundation
import Synchronization

/// Where a sync run stands, for a progress line or a log line.
public struct SyncProgress: Sendable, Equatable {
    public enum Phase: String, Sendable {
        case push
        /// Uploading this node's attachments.
        case blobs
        case pull
        /// Fetching the attachments this node lacks.
        case downloads
    }

    public var phase: Phase
    /// Change sets pushed so far, and how many wait in all.
    public var pushed: Int
    public var outbox: Int
    /// The raw size of what waits to be pushed, for an estimate.
    public var outboxBytes: Int
    public var pushedBytes: Int
    public var pulledEvents: Int
    /// Events the hub holds that this node does not, by the hub's knowledge this run (taken before
    /// the push) against this node's after the last pull answer; nil before the first answer. What
    /// others push meanwhile is not in it, so it is a floor, not a promise.
    public var pullRemaining: Int?
    /// Bytes on the wire so far this run, the transfer in flight included.
    public var bytesSent: Int
    public var bytesReceived: Int
    public var elapsed: Duration

    /// Wire bytes per second over the run so far.
    public var rate: Double {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Double(bytesSent + bytesReceived) / seconds : 0
    }

    /// Seconds left for the pull at the run's event rate so far (the steps before the pull are
    /// short beside a long pull); nil when there is nothing to go by yet.
    public var pullSecondsLeft: Double? {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard phase == .pull, let remaining = pullRemaining, seconds > 0, pulledEvents > 0 else { return nil }
        return Double(remaining) * seconds / Double(pulledEvents)
    }

    /// Seconds left for the push at the rate so far, assuming what is left compresses as what went;
    /// nil when there is nothing to go by.
    public var pushSecondsLeft: Double? {
        guard phase == .push, pushedBytes > 0, bytesSent > 0, rate > 0 else { return nil }
        let ratio = Double(bytesSent) / Double(pushedBytes)
        return Double(max(0, outboxBytes - pushedBytes)) * ratio / rate
    }
}

/// Shared by a sync run and its transport: the transport reports bytes as they move and asks
/// whether to give up; the run reports each unit. Whoever watches gets `SyncProgress`.
public final class SyncMonitor: Sendable {
    private struct State {
        var progress = SyncProgress(
            phase: .push, pushed: 0, outbox: 0, outboxBytes: 0, pushedBytes: 0, pulledEvents: 0, bytesSent: 0,
            bytesReceived: 0, elapsed: .zero)
        /// Wire bytes of finished exchanges; the one in flight is added on top.
        var doneSent = 0
        var doneReceived = 0
        var lastReport: ContinuousClock.Instant?
    }

    private let state: Mutex<State>
    private let cancelled = Atomic<Bool>(false)
    private let started: ContinuousClock.Instant
    private let every: Duration
    private let watcher: (@Sendable (SyncProgress) -> Void)?

    /// - Parameters:
    ///   - every: At most one report in this time while bytes move; every unit is reported.
    ///   - watcher: Gets the progress; called on the thread that moved the bytes.
    public init(every: Duration = .seconds(1), watcher: (@Sendable (SyncProgress) -> Void)? = nil) {
        state = Mutex(State())
        started = .now
        self.every = every
        self.watcher = watcher
    }

    /// Asks the run to stop: the transfer in flight is abandoned (nothing acknowledged is lost; the
    /// unit is sent again next time) and no new unit starts.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// The transport's report on the exchange in flight: bytes sent and received so far.
    public func transfer(sent: Int, received: Int) {
        let report = state.withLock { s -> SyncProgress? in
            s.progress.bytesSent = s.doneSent + sent
            s.progress.bytesReceived = s.doneReceived + received
            let now = ContinuousClock.now
            if let last = s.lastReport, now - last < every { return nil }
            s.lastReport = now
            s.progress.elapsed = now - started
            return s.progress
        }
        if let report { watcher?(report) }
    }

    /// An exchange finished with these wire byte counts.
    func exchanged(sent: Int, received: Int) {
        state.withLock { s in
            s.doneSent += sent
            s.doneReceived += received
            s.progress.bytesSent = s.doneSent
            s.progress.bytesReceived = s.doneReceived
        }
    }

    /// A unit finished (or a phase began): always reported.
    func update(_ change: (inout SyncProgress) -> Void) {
        let report = state.withLock { s -> SyncProgress in
            change(&s.progress)
            let now = ContinuousClock.now
            s.lastReport = now
            s.progress.elapsed = now - started
            return s.progress
        }
        watcher?(report)
    }

    public var progress: SyncProgress {
        state.withLock { s in
            var p = s.progress
            p.elapsed = ContinuousClock.now - started
            return p
        }
    }
}
