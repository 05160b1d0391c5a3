import SimpulDomain

/// A failure to configure or start the hub's HTTP server, or to write its development certificate.
public struct HubServerError: SimpulFailure {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Equatable {
        /// The server was asked to listen in a way it refuses, such as plain HTTP on a network address.
        case insecureConfiguration
        /// A certificate or private key file is missing, unreadable or not valid PEM.
        case tlsFiles
        /// A file that would be written already exists.
        case fileExists
        /// Creating a certificate or writing a file failed.
        case io
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
