/// An HTTP request as the sync protocol sees it, independent of the client library that sends it.
public struct HTTPRequestMessage: Sendable, Equatable {
    public var method: String
    /// Path and query, e.g. `/v2/push`.
    public var path: String
    /// Header names are case-insensitive; they are kept lowercased here.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, b in b })
        self.body = body
    }
}

/// An HTTP response as the sync protocol sees it.
public struct HTTPResponseMessage: Sendable, Equatable {
    public var status: Int
    /// Lowercased header names.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, b in b })
        self.body = body
    }
}

/// Sends one request and waits for its response. Blocking: the agent runs one sync unit at a time.
public protocol SyncTransport: Sendable {
    /// The `Host` value the transport sends (lowercased `host[:port]`), which request signatures
    /// cover; empty for a transport without HTTP (in process).
    var host: String { get }

    func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage

    /// Sends a request and also tells the body bytes sent and received as they went on the wire
    /// (compressed); a transport that does not compress counts the bodies.
    func sendCounted(
        _ request: HTTPRequestMessage
    ) throws(TransportError) -> (HTTPResponseMessage, sent: Int, received: Int)

    /// Ends the transport's use for now (closes kept-alive connections).
    func finish()
}

extension SyncTransport {
    public var host: String { "" }

    /// Ends the transport's use for now (closes kept-alive connections); by default nothing to do.
    public func finish() {}

    public func sendCounted(
        _ request: HTTPRequestMessage
    ) throws(TransportError) -> (HTTPResponseMessage, sent: Int, received: Int) {
        let response = try send(request)
        return (response, request.body.count, response.body.count)
    }
}

/// Answers the hub's HTTP requests; the server module adapts it to Hummingbird.
public protocol HubRequestHandler: Sendable {
    func handle(_ request: HTTPRequestMessage) async -> HTTPResponseMessage
}
