/// An error with a stable code, a message an officer can act on, and the underlying cause.
///
/// `description` never contains secrets or personal data: messages name fields and rules, and a NIK
/// appears only masked.
public struct SimpulError: SimpulFailure {
    /// What kind of failure this is; it decides the exit code of the command line tools.
    public enum Code: String, Sendable, Equatable {
        /// The command was used wrongly (missing or malformed option).
        case usage
        /// The input data breaks a rule (bad NIK, missing requirement, wrong step, wrong fee).
        case invalidData
        /// A referenced record does not exist (unknown permohonan, unknown layanan).
        case notFound
        /// The store cannot be created or opened where asked.
        case storeUnavailable
        /// Reading or writing the store or a file failed.
        case io
        /// A configuration file (catalog, calendar) is malformed.
        case configuration
        /// Another process holds what this one needs (a sync is already running): try later.
        case busy
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

extension SimpulError {
    static func invalid(_ message: String) -> SimpulError { SimpulError(.invalidData, message) }
}
