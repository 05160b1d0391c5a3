import SimpulDomain

/// Why a piece of a blob was not taken.
public struct BlobError: SimpulFailure {
    public enum Code: String, Sendable {
        /// The piece does not start where the store is; `received` says where that is.
        case offset
        /// The completed blob does not hash to its name; the store discarded what it held of it.
        case hashMismatch = "hash-mismatch"
        /// The total size or the piece's length does not fit (empty, past the end, over the limit,
        /// another size than the blob started with).
        case size
        /// The store failed.
        case store
    }

    public var code: Code
    public var message: String
    /// How many bytes of the blob the store holds now.
    public var received: Int64
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, received: Int64, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.received = received
        self.cause = cause
    }
}
