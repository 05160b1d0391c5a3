import CoreMetrics
import SimpulDomain
import SimpulStore
import Synchronization

/// What the always-on agent knows of its own schedule, for `/metrics`: the store keeps the last run,
/// but whether the link is believed down, how many attempts failed in a row and when the next one is
/// due live only in the agent.
public final class AgentState: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var link: AgentSchedule.LinkState = .unknown
        /// Failed attempts in a row (the backoff's count).
        public var failures = 0
        public var next: ContinuousClock.Instant?
        public var running = false
    }

    private let snapshot = Mutex(Snapshot())

    public init() {}

    public var current: Snapshot { snapshot.withLock { $0 } }

    func started() { snapshot.withLock { $0.running = true } }

    func scheduled(_ schedule: AgentSchedule) {
        snapshot.withLock {
            $0.running = false
            $0.link = schedule.link
            $0.failures = schedule.failures
            $0.next = schedule.next
        }
    }
}

/// The kecamatan agent's metrics, through swift-metrics: `simpul serve --metrics` chooses the
/// Prometheus backend; without one they cost a no-op call. Counters count this process's runs; gauges
/// are read from the store and the agent's state when Prometheus scrapes.
public enum AgentMetrics {
    static let results = ["in-sync", "link-failure", "refused", "rejected"]
    static let links: [(AgentSchedule.LinkState, String)] = [
        (.unknown, "unknown"), (.up, "up"), (.down, "down"), (.refused, "refused"),
    ]

    static func finished(_ report: SyncReport) {
        Counter(label: "simpul_agent_syncs_total", dimensions: [("result", report.outcome.result.rawValue)])
            .increment()
        Counter(label: "simpul_agent_bytes_sent_total").increment(by: report.bytesSent)
        Counter(label: "simpul_agent_bytes_received_total").increment(by: report.bytesReceived)
        Counter(label: "simpul_agent_change_sets_pushed_total").increment(by: report.pushed)
        Counter(label: "simpul_agent_events_pulled_total").increment(by: report.pulled)
    }

    /// Records the gauges from the store's sync status and the agent's state; throws when the store
    /// cannot be read (the caller then reports `simpul_agent_store_up 0`).
    public static func record(
        store: NodeStore, state: AgentState.Snapshot, now: Timestamp, instant: ContinuousClock.Instant
    ) throws(SimpulError) {
        let status = try SyncStatus.read(from: store)
        Gauge(label: "simpul_agent_events_waiting").record(status.pendingEvents)
        Gauge(label: "simpul_agent_parked_change_sets").record(status.parked)
        Gauge(label: "simpul_agent_conflicts_open").record(status.openConflicts)
        if let run = status.lastSync {
            let age = Double(max(0, now.milliseconds - run.finishedAt.milliseconds)) / 1000
            Gauge(label: "simpul_agent_last_sync_age_seconds").record(age)
            Gauge(label: "simpul_agent_last_sync_timestamp_seconds").record(Double(run.finishedAt.milliseconds) / 1000)
            Gauge(label: "simpul_agent_last_sync_exit_code").record(run.exitCode)
            for result in results {
                Gauge(label: "simpul_agent_last_sync_result", dimensions: [("result", result)])
                    .record(run.result == result ? 1 : 0)
            }
        }
        for (link, name) in links {
            Gauge(label: "simpul_agent_link", dimensions: [("state", name)]).record(state.link == link ? 1 : 0)
        }
        Gauge(label: "simpul_agent_backoff_failures").record(state.failures)
        Gauge(label: "simpul_agent_sync_running").record(state.running ? 1 : 0)
        if let next = state.next {
            let (seconds, attoseconds) = max(.zero, next - instant).components
            Gauge(label: "simpul_agent_next_sync_seconds").record(Double(seconds) + Double(attoseconds) / 1e18)
        }
    }
}
