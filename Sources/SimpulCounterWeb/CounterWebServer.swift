import Hummingbird
import Logging
import ServiceLifecycle
import SimpulHubServer
import SimpulWeb

/// The counter's web server: HTTPS on the office LAN, or plain HTTP on a loopback address only.
/// `run()` ends on cancellation or graceful shutdown.
public struct CounterWebServer: Service {
    private let server: WebServer<CounterContext>

    /// - Throws: `HubServerError` when the certificate files do not load, or when plain HTTP is asked
    ///   for on an address other than loopback.
    public init(
        host: String, port: Int, tls files: TLSFiles?, app: CounterApp, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(HubServerError) {
        server = try WebServer(
            host: host, port: port, tls: files, name: "counter", certificateHint: "simpul web-cert", logger: logger,
            router: { app.router() }, onRunning: onRunning)
    }

    public func run() async throws { try await server.run() }
}
