import CoreMetrics
import Prometheus
import SimpulConcurrency
import SimpulDomain
import SimpulStore
import SimpulSync

/// The operations listener of the kecamatan's `simpul serve --metrics`: Prometheus's scrape of
/// `/metrics` (`AgentMetrics`) and `/healthz`. It is the same small HTTP server as the hub's, so it
/// lives beside it. The metrics carry counts and ages only, never a name, NIK or number.
public struct AgentOperationsHandler: HubRequestHandler {
    private let store: NodeStore
    private let state: AgentState
    private let registry: PrometheusCollectorRegistry
    private let now: @Sendable () -> Timestamp

    public init(
        store: NodeStore, state: AgentState, registry: PrometheusCollectorRegistry,
        now: @escaping @Sendable () -> Timestamp
    ) {
        self.store = store
        self.state = state
        self.registry = registry
        self.now = now
    }

    public func handle(_ request: HTTPRequestMessage) async -> HTTPResponseMessage {
        switch (request.method, request.path) {
        case ("GET", "/metrics"):
            let (store, state, registry, now) = (self.store, self.state, self.registry, self.now)
            let body = await BlockingPool.shared.run { () -> [UInt8] in
                let readable =
                    (try? AgentMetrics.record(store: store, state: state.current, now: now(), instant: .now)) != nil
                Gauge(label: "simpul_agent_store_up").record(readable ? 1 : 0)
                return registry.emitToBuffer()
            }
            return HTTPResponseMessage(
                status: 200, headers: ["content-type": HubOperationsHandler.metricsContentType], body: body)
        case ("GET", "/healthz"):
            return HTTPResponseMessage(
                status: 200, headers: ["content-type": "application/json"], body: Array(#"{"status":"ok"}"#.utf8))
        default:
            let problem = SyncError(
                .notFound, "tidak ada \(request.method) \(request.path.prefix(200)) di pendengar operasi agen")
            let body = (try? Canonical.encode(Problem(problem))) ?? Array("{}".utf8)
            return HTTPResponseMessage(
                status: 404, headers: ["content-type": SyncProtocol.problemContentType], body: body)
        }
    }
}
