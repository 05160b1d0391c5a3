import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle
import SimpulHubServer

/// A web front end's server (the counter's, the back office's): HTTPS with the hub's certificate
/// options, or plain HTTP on a loopback address only. `run()` ends on cancellation or graceful
/// shutdown.
public struct WebServer<Context: RequestContext>: Service where Context.Source == ApplicationRequestContextSource {
    private let host: String
    private let port: Int
    private let tls: TLSConfiguration?
    private let router: @Sendable () -> Router<Context>
    private let name: String
    private let logger: Logger
    private let onRunning: @Sendable (Int) async -> Void

    /// `name` is the front end in the log's metadata; `certificateHint` says where a certificate comes
    /// from when plain HTTP is refused; `router` builds the routes when the server starts.
    /// - Throws: `HubServerError` when the certificate files do not load, or when plain HTTP is asked
    ///   for on an address other than loopback.
    public init(
        host: String, port: Int, tls files: TLSFiles?, name: String, certificateHint: String, logger: Logger,
        router: @escaping @Sendable () -> Router<Context>, onRunning: @escaping @Sendable (Int) async -> Void
    ) throws(HubServerError) {
        if let files {
            tls = try HubHTTPServer.loadTLSConfiguration(files)
        } else {
            guard isLoopbackHost(host) else {
                throw HubServerError(
                    .insecureConfiguration,
                    "HTTP tanpa TLS hanya di alamat loopback; \"\(host)\" butuh sertifikat (\(certificateHint)) atau pakai 127.0.0.1"
                )
            }
            tls = nil
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = port
        self.router = router
        self.name = name
        self.logger = logger
        self.onRunning = onRunning
    }

    public func run() async throws {
        let onRunning = onRunning
        let port = port
        let application = Application(
            router: router(),
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        logger.info(
            "web front end starting",
            metadata: ["frontEnd": "\(name)", "host": "\(host)", "port": "\(port)", "tls": "\(tls != nil)"])
        do {
            try await application.run()
        } catch is CancellationError {
            // Cancellation is how the service group asks the server to stop.
        }
        logger.info("web front end stopped", metadata: ["frontEnd": "\(name)"])
    }
}
