import CoreMetrics
import Prometheus
import SimpulConcurrency
import SimpulDomain
import SimpulSync

/// The operations listener of `simpul-hub serve --metrics`: Prometheus's scrape of `/metrics`, and
/// `/healthz` and `/readyz` as the sync listener answers them. The metrics name every kecamatan and
/// when it was last heard from, so they are served on a listener of their own, for the kabupaten's
/// intranet, and never on the sync port that faces every kecamatan.
public struct HubOperationsHandler: HubRequestHandler {
    /// Prometheus's text exposition format.
    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    private let service: HubService
    private let registry: PrometheusCollectorRegistry

    public init(service: HubService, registry: PrometheusCollectorRegistry) {
        self.service = service
        self.registry = registry
    }

    /// Makes Prometheus the process's metrics backend. swift-metrics allows this once per process.
    public static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    public func handle(_ request: HTTPRequestMessage) async -> HTTPResponseMessage {
        switch (request.method, request.path) {
        case ("GET", "/metrics"):
            let service = service
            let registry = registry
            let body = await BlockingPool.shared.run { () -> [UInt8] in
                // A store that cannot be read still lets the request counters through, with store_up at 0.
                let readable = (try? service.recordStoreMetrics()) != nil
                Gauge(label: "simpul_hub_store_up").record(readable ? 1 : 0)
                return registry.emitToBuffer()
            }
            return HTTPResponseMessage(status: 200, headers: ["content-type": Self.metricsContentType], body: body)
        case ("GET", "/healthz"), ("GET", "/readyz"):
            return await service.handle(request)
        default:
            let problem = SyncError(
                .notFound, "tidak ada \(request.method) \(request.path.prefix(200)) di pendengar operasi hub")
            let body = (try? Canonical.encode(Problem(problem))) ?? Array("{}".utf8)
            return HTTPResponseMessage(
                status: 404, headers: ["content-type": SyncProtocol.problemContentType], body: body)
        }
    }
}
