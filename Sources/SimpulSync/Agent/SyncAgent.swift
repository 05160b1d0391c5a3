import Foundation
import Logging
import ServiceLifecycle
import SimpulConcurrency
import SimpulDomain
import SimpulStore
import Synchronization

/// Requests for a sync now, from the counter's "sinkron sekarang" button to the agent in the same process.
public final class SyncRequests: Sendable {
    private let pending = Mutex(false)

    public init() {}

    public func request() { pending.withLock { $0 = true } }

    /// Whether a sync was asked for since the last call.
    func take() -> Bool {
        pending.withLock { value in
            defer { value = false }; return value
        }
    }
}

/// `simpul serve`: the long-running agent. It syncs soon after a local change and on an interval
/// while the link is up, backs off while it is down (`AgentSchedule` decides when), and on graceful
/// shutdown abandons the unit in flight, which is safe: every unit is applied whole or not at all on
/// both sides, and what was acknowledged is never sent again.
public struct SyncAgent: Service {
    public struct Settings: Sendable {
        public var schedule: AgentSchedule.Settings
        /// How often the store is looked at for local changes.
        public var poll: Duration
        public var budget: Int

        public init(
            schedule: AgentSchedule.Settings, poll: Duration = .seconds(2), budget: Int = ChangeSetSealer.defaultBudget
        ) {
            self.schedule = schedule
            self.poll = poll
            self.budget = budget
        }
    }

    let store: NodeStore
    let identity: NodeIdentity
    let settings: Settings
    let logger: Logger
    let now: @Sendable () -> Timestamp
    let makeTransport: @Sendable (SyncMonitor) -> any SyncTransport
    let progress: (@Sendable (SyncProgress) -> Void)?
    let finished: (@Sendable (SyncReport) -> Void)?
    let requests: SyncRequests?
    /// Where the agent publishes its schedule for `/metrics`, when it is served.
    let state: AgentState?

    /// - Parameters:
    ///   - makeTransport: A transport for one run, reporting to (and stopped by) the run's monitor.
    ///   - progress: Gets each run's progress.
    ///   - finished: Gets each run's report.
    ///   - requests: Where a person asks for a sync now; looked at on every poll.
    public init(
        store: NodeStore, identity: NodeIdentity, settings: Settings, logger: Logger,
        now: @escaping @Sendable () -> Timestamp,
        makeTransport: @escaping @Sendable (SyncMonitor) -> any SyncTransport,
        progress: (@Sendable (SyncProgress) -> Void)? = nil, finished: (@Sendable (SyncReport) -> Void)? = nil,
        requests: SyncRequests? = nil, state: AgentState? = nil
    ) {
        self.requests = requests
        self.state = state
        self.store = store
        self.identity = identity
        self.settings = settings
        self.logger = logger
        self.now = now
        self.makeTransport = makeTransport
        self.progress = progress
        self.finished = finished
    }

    public func run() async throws {
        var schedule = AgentSchedule(settings: settings.schedule, now: .now)
        state?.scheduled(schedule)
        var rng = SystemRandomNumberGenerator()
        var mark = localMark()
        logger.notice("agent started", metadata: ["node": "\(identity.node)"])
        while true {
            // Wait for the next sync, looking for local changes meanwhile.
            while ContinuousClock.now < schedule.next {
                let wake = min(schedule.next, .now + settings.poll)
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(until: wake) }
                } catch {
                    logger.notice("agent stopped", metadata: ["node": "\(identity.node)"])
                    return
                }
                let seen = localMark()
                if seen != mark {
                    mark = seen
                    schedule.localChange(at: .now)
                    state?.scheduled(schedule)
                }
                if requests?.take() == true {
                    schedule.requested(at: .now)
                    state?.scheduled(schedule)
                }
            }
            if Task.isShuttingDownGracefully { break }
            mark = localMark()
            state?.started()
            let report = await syncOnce()
            finished?(report)
            AgentMetrics.finished(report)
            schedule.finished(report.outcome.result, at: .now, using: &rng)
            state?.scheduled(schedule)
            if schedule.link == .down {
                logger.notice(
                    "agent backing off",
                    metadata: [
                        "failures": "\(schedule.failures)",
                        "nextInSeconds": "\((schedule.next - .now).components.seconds)",
                    ])
            } else if schedule.link == .refused {
                logger.error("agent refused", metadata: ["message": "\(report.outcome.message)"])
            }
            if Task.isShuttingDownGracefully { break }
        }
        logger.notice("agent stopped", metadata: ["node": "\(identity.node)"])
    }

    /// One sync on the blocking pool (it blocks on the network and the store), abandoned on graceful
    /// shutdown.
    private func syncOnce() async -> SyncReport {
        let monitor = SyncMonitor(every: .seconds(10), watcher: progress)
        let transport = makeTransport(monitor)
        let client = SyncClient(
            store: store, identity: identity, transport: transport, logger: logger, now: now, budget: settings.budget,
            monitor: monitor)
        return await withGracefulShutdownHandler {
            await BlockingPool.shared.run {
                let report = client.run()
                transport.finish()
                return report
            }
        } onGracefulShutdown: {
            monitor.cancel()
        }
    }

    /// The highest seq of this node's own events: it moves when an officer does something.
    private func localMark() -> UInt64 {
        (try? store.knowledge()[identity.node.homePartition]?[identity.node.rawValue]) ?? 0
    }
}
