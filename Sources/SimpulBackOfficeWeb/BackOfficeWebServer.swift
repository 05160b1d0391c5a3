import Hummingbird
import Logging
import ServiceLifecycle
import SimpulHubServer
import SimpulWeb

/// The back office's web server: HTTPS with the hub's certificate, or plain HTTP on a loopback
/// address only. `run()` ends on cancellation or graceful shutdown.
public struct BackOfficeWebServer: Service {
    private let server: WebServer<BackOfficeContext>

    /// - Throws: `HubServerError` when the certificate files do not load, or when plain HTTP is asked
    ///   for on an address other than loopback.
    public init(
        host: String, port: Int, tls files: TLSFiles?, app: BackOfficeApp, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(HubServerError) {
        server = try WebServer(
            host: host, port: port, tls: files, name: "back office",
            certificateHint: "--tls-cert dan --tls-key seperti sinkron", logger: logger, router: { app.router() },
            onRunning: onRunning)
    }

    public func run() async throws { try await server.run() }
}
