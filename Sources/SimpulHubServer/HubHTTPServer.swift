import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import ServiceLifecycle
import SimpulConcurrency
import SimpulSync

/// PEM files holding the server's certificate chain and its private key.
public struct TLSFiles: Sendable, Equatable {
    public var certificatePath: String
    public var privateKeyPath: String

    public init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }
}

/// The hub's HTTP server: every request, whatever its method and path, goes to one `HubRequestHandler`.
///
/// Serves HTTPS, or plain HTTP on a loopback address only (for local tests and a TLS-terminating proxy on the
/// same machine). `run()` ends when its task is cancelled or a graceful shutdown is triggered.
public struct HubHTTPServer: Service {
    /// The largest request body accepted by default; larger bodies get 413.
    public static let defaultMaxRequestBodyBytes = 64 * 1024 * 1024
    /// Longer than the agent's default 60 s low-speed window, so that the agent notices a stall first.
    public static let defaultIdleTimeoutSeconds = 120
    /// Connections open at once by default; the server stops accepting more until one closes.
    public static let defaultMaxConnections = 512

    private let host: String
    private let port: Int
    private let tlsConfiguration: TLSConfiguration?
    private let handler: any HubRequestHandler
    private let maxRequestBodyBytes: Int
    private let idleTimeoutSeconds: Int
    private let maxConnections: Int
    private let logger: Logger
    private let onRunning: @Sendable (Int) async -> Void

    /// Checks the listening policy and loads the TLS files now, so a bad setup fails before anything starts.
    ///
    /// - Parameters:
    ///   - host: Address to listen on.
    ///   - port: Port to listen on; 0 lets the system choose one, reported to `onRunning`.
    ///   - tls: Certificate and key; `nil` serves plain HTTP, which only a loopback `host` may do.
    ///   - handler: Answers every request.
    ///   - maxRequestBodyBytes: Larger request bodies are refused with 413.
    ///   - idleTimeoutSeconds: A connection that sends nothing for this long, outside the time the handler takes
    ///     to answer, is closed; this frees the server from stalled uploads and forgotten keep-alive connections.
    ///   - maxConnections: Connections open at once; the server accepts no more until one closes.
    ///   - onRunning: Called with the bound port once the server accepts connections.
    /// - Throws: `HubServerError` for plain HTTP on a non-loopback host, or a missing or invalid TLS file.
    public init(
        host: String,
        port: Int,
        tls: TLSFiles?,
        handler: any HubRequestHandler,
        maxRequestBodyBytes: Int = HubHTTPServer.defaultMaxRequestBodyBytes,
        idleTimeoutSeconds: Int = HubHTTPServer.defaultIdleTimeoutSeconds,
        maxConnections: Int = HubHTTPServer.defaultMaxConnections,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(HubServerError) {
        if let tls {
            self.tlsConfiguration = try Self.loadTLSConfiguration(tls)
        } else {
            guard isLoopbackHost(host) else {
                throw HubServerError(
                    .insecureConfiguration,
                    "HTTP tanpa TLS ditolak di alamat bukan loopback \"\(host)\": berikan sertifikat dan kunci TLS, "
                        + "atau dengarkan di 127.0.0.1, ::1 atau localhost"
                )
            }
            self.tlsConfiguration = nil
        }
        // "[::1]" passes the loopback check above; the listener needs the address without brackets.
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = port
        self.handler = handler
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = max(1, maxConnections)
        self.logger = logger
        self.onRunning = onRunning
    }

    /// Serves until the task is cancelled or a graceful shutdown is triggered; throws if it cannot listen.
    public func run() async throws {
        let handler = handler
        let maxBody = maxRequestBodyBytes
        let logger = logger
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await respond(to: request, handler: handler, maxBodyBytes: maxBody, logger: logger)
        }
        let onRunning = onRunning
        let port = port
        let idleTimeout = Int64(idleTimeoutSeconds)
        let application = Application(
            responder: responder,
            server: try tlsConfiguration.map {
                try .tls(.http1(configuration: .init(idleTimeout: .seconds(idleTimeout))), tlsConfiguration: $0)
            } ?? .http1(configuration: .init(idleTimeout: .seconds(idleTimeout))),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port),
                availableConnectionsDelegate: MaximumAvailableConnections(maxConnections, logger: logger)),
            onServerRunning: { channel in
                await onRunning(channel.localAddress?.port ?? port)
            },
            logger: logger
        )
        logger.info(
            "Hub HTTP server starting",
            metadata: ["host": "\(host)", "port": "\(port)", "tls": "\(tlsConfiguration != nil)"]
        )
        do {
            try await application.run()
        } catch is CancellationError {
            // Cancellation is how a task asks the server to stop; it is not a failure.
        }
        logger.info("Hub HTTP server stopped")
    }

    /// The server side of TLS 1.2+ with the chain and key in `files`; the counter's web server uses it too.
    public static func loadTLSConfiguration(_ files: TLSFiles) throws(HubServerError) -> TLSConfiguration {
        let certificatePEM = try readFile(files.certificatePath, what: "sertifikat TLS")
        let keyPEM = try readFile(files.privateKeyPath, what: "kunci privat TLS")
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificatePEM)
        } catch {
            throw HubServerError(
                .tlsFiles,
                "berkas sertifikat TLS \(files.certificatePath) bukan sertifikat PEM yang sah",
                cause: error
            )
        }
        guard !chain.isEmpty else {
            throw HubServerError(
                .tlsFiles,
                "berkas sertifikat TLS \(files.certificatePath) tidak berisi sertifikat PEM"
            )
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: keyPEM, format: .pem)
        } catch {
            throw HubServerError(
                .tlsFiles,
                "berkas kunci privat TLS \(files.privateKeyPath) bukan kunci privat PEM yang sah",
                cause: error
            )
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    private static func readFile(_ path: String, what: String) throws(HubServerError) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "tidak bisa dibaca" : "tidak ada"
            throw HubServerError(.tlsFiles, "berkas \(what) \(path) \(reason)", cause: error)
        }
    }
}

/// Converts a Hummingbird request to the sync protocol's message and the handler's answer back.
private func respond(
    to request: Request,
    handler: any HubRequestHandler,
    maxBodyBytes: Int,
    logger: Logger
) async throws -> Response {
    var request = request
    let body: ByteBuffer
    do {
        body = try await request.collectBody(upTo: maxBodyBytes)
    } catch let error as any HTTPResponseError {
        // Too large a body: answer the status Hummingbird attaches (413), as a problem like any refusal.
        logger.notice(
            "Request body refused",
            metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(error.status.code)"]
        )
        let problem = SyncError(
            error.status.code == 413 ? .tooLarge : .malformed,
            "isi permintaan lebih dari \(maxBodyBytes) byte atau tidak bisa dibaca")
        return makeResponse(problemResponse(problem), logger: logger)
    }

    var headers: [String: String] = [:]
    for field in request.headers {
        let name = field.name.canonicalName
        headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
    }
    // HTTP/1's Host header arrives as the authority; request signatures cover it.
    if let authority = request.head.authority { headers["host"] = authority }
    // The body goes to the handler as it came, still compressed: the handler authenticates the
    // request on these very bytes and decompresses only what an enrolled node signed.
    let message = HTTPRequestMessage(
        method: request.method.rawValue,
        path: request.head.path ?? "/",
        headers: headers,
        body: Array(body.readableBytesView)
    )
    var answer = await handler.handle(message)
    if answer.headers["content-encoding"] == nil {
        let plain = answer.body
        let accepted = headers["accept-encoding"]
        let encoded = await coding(plain.count) { BodyCoding.encodeResponse(plain, acceptEncoding: accepted) }
        if let encoding = encoded.encoding {
            answer.body = encoded.body
            answer.headers["content-encoding"] = encoding
            answer.headers["vary"] = "accept-encoding"
        }
    }
    return makeResponse(answer, logger: logger)
}

/// Bodies from this size up are zstd-coded on the blocking pool, off NIO's event loop; a smaller
/// one is coded in place, where the hop to the pool would cost more than the work.
private let poolCodingBytes = 64 * 1024

private func coding<T: Sendable, E: Error>(
    _ bytes: Int, _ body: @escaping @Sendable () throws(E) -> T
) async throws(E) -> T {
    guard bytes >= poolCodingBytes else { return try body() }
    return try await BlockingPool.shared.run(body)
}

private func problemResponse(_ error: SyncError) -> HTTPResponseMessage {
    let body = (try? Canonical.encode(Problem(error))) ?? Array("{}".utf8)
    return HTTPResponseMessage(
        status: error.code.httpStatus, headers: ["content-type": SyncProtocol.problemContentType], body: body)
}

private func makeResponse(_ answer: HTTPResponseMessage, logger: Logger) -> Response {
    guard (100...599).contains(answer.status) else {
        logger.error("Handler returned an invalid HTTP status", metadata: ["status": "\(answer.status)"])
        return Response(status: .internalServerError)
    }
    var fields = HTTPFields()
    for (name, value) in answer.headers.sorted(by: { $0.key < $1.key }) {
        // Hummingbird frames the body itself; a handler's framing headers could contradict it.
        if ["content-length", "transfer-encoding", "connection"].contains(name) { continue }
        guard isHeaderToken(name), !value.contains(where: { $0.isNewline || $0 == "\0" }) else {
            logger.error("Handler returned a malformed header; it is dropped", metadata: ["header": "\(name)"])
            continue
        }
        // The name was checked to be a valid token just above, so the name always parses.
        fields.append(.init(name: .init(name)!, value: value))
    }
    return Response(
        status: .init(code: answer.status),
        headers: fields,
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
    )
}

/// Whether `name` is an RFC 9110 token, the only shape a header name may have.
private func isHeaderToken(_ name: String) -> Bool {
    !name.isEmpty
        && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
}

/// Whether `host` names this machine's loopback interface: 127.0.0.0/8, ::1 or localhost.
public func isLoopbackHost(_ host: String) -> Bool {
    var name = host
    if name.hasPrefix("["), name.hasSuffix("]") {
        name = String(name.dropFirst().dropLast())
    }
    if name.lowercased() == "localhost" {
        return true
    }
    var ipv4 = in_addr()
    if inet_pton(AF_INET, name, &ipv4) == 1 {
        return UInt32(bigEndian: ipv4.s_addr) >> 24 == 127
    }
    var ipv6 = in6_addr()
    if inet_pton(AF_INET6, name, &ipv6) == 1 {
        return withUnsafeBytes(of: &ipv6) { Array($0) } == [UInt8](repeating: 0, count: 15) + [1]
    }
    return false
}
