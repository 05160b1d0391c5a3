import SimpulDomain

/// Why an offline bundle was refused (or could not be made). Nothing of a refused bundle is applied.
/// The message says which of the reasons it is in words an officer can act on; it never carries key
/// material or anything of the encrypted payload.
public struct BundleError: SimpulFailure {
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// The file ends before the bundle does: an interrupted copy.
        case truncated = "truncated"
        /// A byte differs from what the sender signed: damaged media, or tampering.
        case corrupted = "corrupted"
        /// Not a Simpul bundle, a bundle of another kabupaten's network, or signed by a key this node does
        /// not know.
        case foreign = "foreign"
        /// Its sender set a date after which it must not be applied, and that date has passed.
        case expired = "expired"
        /// Addressed to another node, or to another (older or newer) key of this node.
        case wronglyAddressed = "wrongly-addressed"
        /// Written in a format version this build does not read.
        case unsupportedVersion = "unsupported-version"
        /// Signed by a key the hub has revoked.
        case revoked = "revoked"
        /// Sealing was asked for something a bundle cannot carry (a bad recipient key, say).
        case sealFailed = "seal-failed"
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var headline: String { "\(code.rawValue): \(message)" }
}
