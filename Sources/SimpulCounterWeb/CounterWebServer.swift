import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle
import SimpulHubServer

/// The counter's web server: HTTPS on the office LAN, or plain HTTP on a loopback address only.
/// `run()` ends on cancellation or graceful shutdown.
public struct CounterWebServer: Service {
    private let host: String
    private let port: Int
    private let tls: TLSConfiguration?
    private let app: CounterApp
    private let logger: Logger
    private let onRunning: @Sendable (Int) async -> Void

    /// - Throws: `HubServerError` when the certificate files do not load, or when plain HTTP is asked
    ///   for on an address other than loopback.
    public init(
        host: String, port: Int, tls files: TLSFiles?, app: CounterApp, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(HubServerError) {
        if let files {
            tls = try HubHTTPServer.loadTLSConfiguration(files)
        } else {
            guard isLoopbackHost(host) else {
                throw HubServerError(
                    .insecureConfiguration,
                    "HTTP tanpa TLS hanya di alamat loopback; \"\(host)\" butuh sertifikat (simpul web-cert) atau pakai 127.0.0.1"
                )
            }
            tls = nil
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = port
        self.app = app
        self.logger = logger
        self.onRunning = onRunning
    }

    public func run() async throws {
        let onRunning = onRunning
        let port = port
        let application = Application(
            router: app.router(),
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        logger.info("counter web starting", metadata: ["host": "\(host)", "port": "\(port)", "tls": "\(tls != nil)"])
        do {
            try await application.run()
        } catch is CancellationError {
            // Cancellation is how the service group asks the server to stop.
        }
        logger.info("counter web stopped")
    }
}
