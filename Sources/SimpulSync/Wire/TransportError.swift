import SimpulDomain

/// A failure to exchange a request and response at all (as opposed to an error response).
public struct TransportError: SimpulFailure {
    public enum Code: String, Sendable {
        /// No connection could be made (refused, unreachable, DNS).
        case connect
        /// The TLS handshake failed or the peer's certificate was not trusted.
        case tls
        /// The transfer stalled below the low-speed limit, or the connection dropped mid-way.
        case stalled
        /// The transfer was abandoned because the run was asked to stop.
        case cancelled
        /// Anything else the client library reported.
        case other
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }
}
