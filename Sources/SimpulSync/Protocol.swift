import SimpulDomain
import SimpulStore

/// The sync protocol's version; every path is under `/v1`.
public enum SyncProtocol {
    public static let version = 1
    public static let problemContentType = "application/problem+json"
    public static let jsonContentType = "application/json"
}

/// `GET /v1/hub`: who the hub is, so a kecamatan can pin its key.
public struct HubInfo: Sendable, Equatable, Codable {
    public var protocolVersion: Int
    public var node: String
    public var name: String
    public var publicKey: String
    public var fingerprint: String
}

/// `POST /v1/knowledge` request: the partitions the node asks about.
public struct KnowledgeRequest: Sendable, Equatable, Codable {
    public var partitions: [String]
}

/// What the hub holds of each partition the node replicates.
public struct KnowledgeResponse: Sendable, Equatable, Codable {
    public var node: String
    public var partitions: [String: VersionVector]
}

/// `POST /v1/push` response; the request body is one `SignedChangeSet`.
public struct PushResponse: Sendable, Equatable, Codable {
    /// `applied`, `duplicate` or `parked`.
    public var result: String
    public var events: Int
    public var reason: String?
    /// The hub's knowledge of the change set's partition after applying it.
    public var knowledge: VersionVector
}

/// `POST /v1/pull` request: what the node holds, and how many bytes of change sets it wants at most
/// in one answer.
public struct PullRequest: Sendable, Equatable, Codable {
    public var knowledge: [String: VersionVector]
    public var maxBytes: Int
}

/// Change sets the node lacks, oldest first per writer, with the keys that verify them.
public struct PullResponse: Sendable, Equatable, Codable {
    public var changeSets: [SignedChangeSet]
    public var keys: [NodeKey]
    /// True when nothing more is waiting after these.
    public var complete: Bool
}

/// An RFC 9457 problem details document.
public struct Problem: Sendable, Equatable, Codable, Error {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// Simpul's code for the reason (`SyncError.Code`).
    public var code: String

    public init(_ error: SyncError) {
        type = "https://simpul.invalid/problems/\(error.code.rawValue)"
        title = Problem.titles[error.code] ?? error.code.rawValue
        status = error.code.httpStatus
        detail = error.message
        code = error.code.rawValue
    }

    static let titles: [SyncError.Code: String] = [
        .malformed: "Permintaan tidak sah", .hashMismatch: "Isi change set berubah",
        .badSignature: "Tanda tangan tidak sah", .unknownKey: "Kunci tidak dikenal",
        .forbiddenPartition: "Partisi bukan milik node", .forbiddenType: "Jenis event tidak boleh",
        .brokenChain: "Rantai change set putus", .conflictingChangeSet: "Change set bertentangan",
        .unauthenticated: "Permintaan tidak bertanda tangan", .notEnrolled: "Node belum terdaftar",
        .revoked: "Node dicabut", .clockSkew: "Jam node terlalu jauh", .forbiddenRead: "Partisi tidak boleh dibaca",
        .unsupportedVersion: "Versi tidak didukung", .notFound: "Tidak ada", .store: "Kesalahan penyimpanan hub",
    ]
}
