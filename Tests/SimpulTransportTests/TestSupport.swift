import Foundation
import Logging
import SimpulHubServer
import SimpulSync
import SimpulTransport

let quietLogger = Logger(label: "simpul.transport.tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// Answers `/missing...` with 404 and echoes everything else: method and path in headers, the body
/// decoded as the hub decodes it (the server hands bodies over as they came, still compressed).
struct EchoHandler: HubRequestHandler {
    /// The most bytes a body may decode to.
    var decodeLimit = 64 * 1024 * 1024

    func handle(_ request: HTTPRequestMessage) async -> HTTPResponseMessage {
        var request = request
        do {
            request.body = try BodyCoding.decodeRequest(
                request.body, encoding: request.headers["content-encoding"], limit: decodeLimit)
        } catch {
            return HTTPResponseMessage(
                status: error.code.httpStatus, headers: ["content-type": SyncProtocol.problemContentType],
                body: (try? Canonical.encode(Problem(error))) ?? [])
        }
        if request.path.hasPrefix("/missing") {
            return HTTPResponseMessage(status: 404, headers: ["content-type": "text/plain"], body: Array("no".utf8))
        }
        var headers = ["x-echo-method": request.method, "x-echo-path": request.path]
        if let test = request.headers["x-test"] {
            headers["x-echo-test"] = test
        }
        if let type = request.headers["content-type"] {
            headers["content-type"] = type
        }
        return HTTPResponseMessage(status: 200, headers: headers, body: request.body)
    }
}

/// A HubHTTPServer running in its own task on a port chosen by the system.
struct RunningServer {
    let port: Int
    let task: Task<Void, any Error>

    /// Starts `server` and returns once it accepts connections; `makeServer` receives the `onRunning` callback.
    static func start(
        _ makeServer: (@escaping @Sendable (Int) async -> Void) throws -> HubHTTPServer
    ) async throws -> RunningServer {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = try makeServer { port in
            continuation.yield(port)
            continuation.finish()
        }
        let task = Task {
            defer { continuation.finish() }
            try await server.run()
        }
        guard let port = await ports.first(where: { _ in true }) else {
            try await task.value
            throw TestFailure("the server stopped before it reported its port")
        }
        return RunningServer(port: port, task: task)
    }

    /// Starts an HTTPS server on 127.0.0.1 with `tls`.
    static func start(
        tls: TLSFiles?,
        host: String = "127.0.0.1",
        handler: any HubRequestHandler = EchoHandler(),
        maxRequestBodyBytes: Int = HubHTTPServer.defaultMaxRequestBodyBytes
    ) async throws -> RunningServer {
        try await start { onRunning in
            try HubHTTPServer(
                host: host, port: 0, tls: tls, handler: handler, maxRequestBodyBytes: maxRequestBodyBytes,
                logger: quietLogger, onRunning: onRunning
            )
        }
    }

    /// Cancels the server and waits until it has stopped; `run()` must end without an error.
    func stop() async throws {
        task.cancel()
        try await task.value
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A fresh directory under the system's temporary directory; `remove()` deletes it.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("simpul-transport-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs the blocking `send` on its own thread, so that it never holds one of the few cooperative-pool threads
/// the server's handler needs.
func sendOnThread(
    _ transport: CurlTransport,
    _ request: HTTPRequestMessage
) async -> Result<(HTTPResponseMessage, sent: Int, received: Int), TransportError> {
    await timedSendOnThread(transport, request).result
}

/// `sendOnThread`, with how long the send took timed on the sending thread itself: resuming the
/// test's task can wait for a free cooperative thread while other suites block theirs, which says
/// nothing about the transport.
func timedSendOnThread(
    _ transport: CurlTransport,
    _ request: HTTPRequestMessage
) async -> (result: Result<(HTTPResponseMessage, sent: Int, received: Int), TransportError>, elapsed: Duration) {
    await withCheckedContinuation { continuation in
        Thread {
            let start = ContinuousClock.now
            let result = Result { () throws(TransportError) in try transport.sendCounted(request) }
            continuation.resume(returning: (result, ContinuousClock.now - start))
        }.start()
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}

/// A deterministic body with every byte value, so that any corruption or truncation shows.
func patternBytes(count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
}

/// A POSIX TCP socket listening on 127.0.0.1 at a port the system chooses, for servers that misbehave on purpose.
final class RawListener: @unchecked Sendable {
    // @unchecked: the descriptor and port are set once in init and only read afterwards.
    let descriptor: Int32
    let port: Int

    /// - Parameter listening: `false` binds without listening, so that connecting to `port` is refused.
    init(listening: Bool = true) throws {
        #if os(Linux)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(descriptor)
            throw TestFailure("bind() failed: errno \(errno)")
        }
        if listening {
            guard listen(descriptor, 16) == 0 else {
                close(descriptor)
                throw TestFailure("listen() failed: errno \(errno)")
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func shutDown() {
        close(descriptor)
    }

    /// Accepts one connection on a new thread, reads the request head, then lets `respond` write to the socket.
    func serveOne(_ respond: @escaping @Sendable (_ client: Int32) -> Void) {
        let descriptor = descriptor
        Thread {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { return }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !received.ends(with: Array("\r\n\r\n".utf8)) {
                let count = recv(client, &buffer, buffer.count, 0)
                if count <= 0 { break }
                received += buffer[..<count]
            }
            respond(client)
            close(client)
        }.start()
    }
}

/// Writes all of `bytes` to `socket`; false if the peer went away.
@discardableResult
func sendAll(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let count = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
        if count <= 0 { return false }
        offset += count
    }
    return true
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
