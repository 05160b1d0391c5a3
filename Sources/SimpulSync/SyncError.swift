import SimpulDomain

/// Why a change set or a request was refused. Each code is also the `code` of the RFC 9457 problem
/// the hub answers with, so the agent can show and record the exact reason.
public struct SyncError: SimpulFailure {
    public enum Code: String, Sendable, Codable, CaseIterable {
        case malformed = "malformed"
        case hashMismatch = "hash-mismatch"
        case badSignature = "bad-signature"
        case unknownKey = "unknown-key"
        case forbiddenPartition = "forbidden-partition"
        case forbiddenType = "forbidden-type"
        /// An event on another kecamatan's permohonan, or a registration of another node's number.
        case forbiddenRecord = "forbidden-record"
        case brokenChain = "broken-chain"
        case conflictingChangeSet = "conflicting-change-set"
        case unauthenticated = "unauthenticated"
        case notEnrolled = "not-enrolled"
        case revoked = "revoked"
        case clockSkew = "clock-skew"
        case forbiddenRead = "forbidden-read"
        case unsupportedVersion = "unsupported-version"
        case notFound = "not-found"
        case unsupportedEncoding = "unsupported-encoding"
        case tooLarge = "too-large"
        case store = "store"
        /// An offline bundle ends before it should: an interrupted copy (`BundleError.Code.truncated`).
        case bundleTruncated = "bundle-truncated"
        /// An offline bundle differs from what its sender signed, or does not decrypt.
        case bundleCorrupted = "bundle-corrupted"
        /// Not a Simpul bundle, another kabupaten's, or signed by a key the reader does not know.
        case bundleForeign = "bundle-foreign"
        /// An offline bundle past the date its sender set.
        case bundleExpired = "bundle-expired"
        /// An offline bundle addressed to another node or to another key of this one.
        case bundleMisaddressed = "bundle-misaddressed"
        /// A blob chunk does not start where the hub's copy ends (the problem says where that is).
        case blobOffset = "blob-offset"
        /// The completed blob does not hash to its name; the hub discarded it.
        case blobHashMismatch = "blob-hash-mismatch"
        /// A blob's declared size or a chunk's length does not fit.
        case blobSize = "blob-size"
        /// The node may not send or read this blob.
        case forbiddenBlob = "forbidden-blob"
        /// The asked range starts at or after the blob's end.
        case blobRange = "blob-range"
        /// The request used an older protocol version (a `/v1` path): the agent must be updated.
        case upgradeRequired = "upgrade-required"
        /// A signed request the hub has already seen (same node and nonce within the skew window).
        case replayed = "replayed"
        /// Too many requests of the node in flight, or its nonce cache is full: retry after a second.
        case busy = "busy"

        /// The HTTP status the hub answers with.
        public var httpStatus: Int {
            switch self {
            case .malformed, .unsupportedVersion: 400
            case .unauthenticated, .notEnrolled, .clockSkew: 401
            case .revoked, .forbiddenRead, .forbiddenBlob: 403
            case .notFound: 404
            case .tooLarge: 413
            case .unsupportedEncoding: 415
            case .blobOffset, .replayed: 409
            case .upgradeRequired: 426
            case .busy: 429
            case .blobRange: 416
            case .hashMismatch, .badSignature, .unknownKey, .forbiddenPartition, .forbiddenType, .forbiddenRecord,
                .brokenChain,
                .conflictingChangeSet, .bundleTruncated, .bundleCorrupted, .bundleForeign, .bundleExpired,
                .bundleMisaddressed, .blobHashMismatch, .blobSize:
                422
            case .store: 500
            }
        }
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

extension SyncError {
    /// The refusal of an event by the authorization rule, with the code its reason calls for.
    public init(_ refusal: EventAuthorization.Refusal) {
        let code: Code =
            switch refusal.reason {
            case .foreignPartition, .notReferenceData: .forbiddenPartition
            case .otherWriter, .referenceDataOutsideGlobal: .forbiddenType
            case .foreignRecord, .foreignNumber: .forbiddenRecord
            case .invalidData: .malformed
            }
        self.init(code, refusal.message)
    }
}
