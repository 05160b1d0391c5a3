import SimpulDomain
import SimpulStore

/// The sync protocol's version; every path is under `/v2`.
public enum SyncProtocol {
    public static let version = 2
    /// Every path of this version starts with it.
    public static let prefix = "/v2/"
    public static let problemContentType = "application/problem+json"
    public static let jsonContentType = "application/json"
}

/// `GET /healthz` and `GET /readyz`: whether the hub process answers, and whether its store does
/// with its schema current. Unauthenticated, so it says nothing more.
public struct HealthStatus: Sendable, Equatable, Codable {
    /// `ok` or `unavailable`.
    public var status: String
    public var detail: String?

    public init(status: String, detail: String? = nil) {
        self.status = status
        self.detail = detail
    }
}

/// `GET /v2/hub`: who the hub is, so a kecamatan can pin its key.
public struct HubInfo: Sendable, Equatable, Codable {
    public var protocolVersion: Int
    public var node: String
    public var name: String
    public var publicKey: String
    public var fingerprint: String
    /// The hub's clock (ISO 8601 UTC) when it answered, so an agent with a wrong clock signs with the hub's time.
    public var time: String?
    /// Every key the hub has signed with, each after the first endorsed by the one before it, so a node
    /// that pinned an older key follows the chain to the one above (`simpul-hub key rotate`).
    public var keys: [NodeKey]?

    public init(
        protocolVersion: Int, node: String, name: String, publicKey: String, fingerprint: String, time: String? = nil,
        keys: [NodeKey]? = nil
    ) {
        self.protocolVersion = protocolVersion
        self.node = node
        self.name = name
        self.publicKey = publicKey
        self.fingerprint = fingerprint
        self.time = time
        self.keys = keys
    }
}

/// `POST /v2/knowledge` request: the partitions the node asks about, and the agent's report of
/// itself when this is the run's first request that carries one.
public struct KnowledgeRequest: Sendable, Equatable, Codable {
    public var partitions: [String]
    public var report: AgentReport?

    public init(partitions: [String], report: AgentReport? = nil) {
        self.partitions = partitions
        self.report = report
    }
}

/// What the hub holds of each partition the node replicates.
public struct KnowledgeResponse: Sendable, Equatable, Codable {
    public var node: String
    public var partitions: [String: VersionVector]
}

/// What the hub did with one change set (the hub's view of one element of a push).
public struct PushResponse: Sendable, Equatable, Codable {
    /// `applied`, `duplicate` or `parked`.
    public var result: String
    public var events: Int
    public var reason: String?
    /// The hub's knowledge of the change set's partition after applying it.
    public var knowledge: VersionVector
}

/// `POST /v2/push` request: `{"changeSets":[DOC,...]}`, the signed documents spliced in as signed.
public enum PushRequest {
    /// The most change sets one push may carry.
    public static let maxChangeSets = 256

    /// The request body for `documents`, each kept byte for byte.
    public static func encode(_ documents: [[UInt8]]) -> [UInt8] {
        var out = Array(#"{"changeSets":["#.utf8)
        out.reserveCapacity(documents.reduce(32) { $0 + $1.count + 1 })
        for (i, body) in documents.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += body
        }
        out += Array("]}".utf8)
        return out
    }

    /// The documents of a request body, each as the bytes it was sent as.
    public static func documents(_ bytes: [UInt8]) throws(SyncError) -> [[UInt8]] {
        var sets: [Range<Int>] = []
        var seen = false
        do {
            try CanonicalReader.read(bytes) { r throws(CanonicalReader.Malformed) in
                let end = try r.object(at: 0) { key, start throws(CanonicalReader.Malformed) in
                    guard CanonicalReader.equals(key, "changeSets") else { throw r.fail(start, "kunci tidak dikenal") }
                    seen = true
                    return try r.array(at: start) { s throws(CanonicalReader.Malformed) in
                        guard sets.count < maxChangeSets else {
                            throw r.fail(s, "lebih dari \(maxChangeSets) change set")
                        }
                        let e = try r.value(at: s)
                        sets.append(s..<e)
                        return e
                    }
                }
                guard end == bytes.count else { throw r.fail(end, "ada isi setelah dokumen") }
            }
        } catch {
            throw SyncError(.malformed, "isi push bukan JSON kanonik: \(error.reason) (byte \(error.offset))")
        }
        guard seen, !sets.isEmpty else { throw SyncError(.malformed, "isi push tanpa changeSets") }
        return sets.map { Array(bytes[$0]) }
    }
}

/// What the hub did with one change set of a push.
public struct PushResult: Sendable, Equatable, Codable {
    /// `applied`, `duplicate` or `parked`.
    public var result: String
    public var events: Int
    public var reason: String?
    public var partition: String
    public var first: UInt64
    public var last: UInt64

    public init(result: String, events: Int, reason: String?, partition: String, first: UInt64, last: UInt64) {
        self.result = result
        self.events = events
        self.reason = reason
        self.partition = partition
        self.first = first
        self.last = last
    }
}

/// `POST /v2/push` answer: one result per change set, in order, and the hub's knowledge of every
/// partition they touched after applying them.
public struct PushBatchResponse: Sendable, Equatable, Codable {
    public var knowledge: [String: VersionVector]
    public var results: [PushResult]

    public init(knowledge: [String: VersionVector], results: [PushResult]) {
        self.knowledge = knowledge
        self.results = results
    }
}

/// `POST /v2/pull` request: what the node holds, and how many bytes of change sets it wants at most
/// in one answer.
public struct PullRequest: Sendable, Equatable, Codable {
    public var knowledge: [String: VersionVector]
    public var maxBytes: Int
    /// The agent's report of itself, on the run's first pull when no knowledge request carried it.
    public var report: AgentReport?

    public init(knowledge: [String: VersionVector], maxBytes: Int, report: AgentReport? = nil) {
        self.knowledge = knowledge
        self.maxBytes = maxBytes
        self.report = report
    }
}

/// Change sets the node lacks, oldest first per writer, with the keys that verify them.
///
/// The change sets are the signed documents exactly as stored, spliced into the answer as they are
/// and read out of it as they are: `{"changeSets":[DOC,...],"complete":BOOL,"keys":[...]}`.
public struct PullResponse: Sendable, Equatable {
    /// Signed change set documents, byte for byte.
    public var changeSets: [[UInt8]]
    public var keys: [NodeKey]
    /// True when nothing more is waiting after these.
    public var complete: Bool

    public init(changeSets: [[UInt8]], keys: [NodeKey], complete: Bool) {
        self.changeSets = changeSets
        self.keys = keys
        self.complete = complete
    }

    /// The answer in canonical JSON.
    public func encoded() throws -> [UInt8] {
        var out = Array(#"{"changeSets":["#.utf8)
        out.reserveCapacity(changeSets.reduce(256) { $0 + $1.count + 1 })
        for (i, body) in changeSets.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += body
        }
        out += Array(#"],"complete":"#.utf8)
        out += Array((complete ? "true" : "false").utf8)
        out += Array(#","keys":"#.utf8)
        out += try Canonical.encode(keys)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Reads an answer; each change set comes out as the bytes it was sent as, found but not yet
    /// checked: `ReceivedChangeSet(body:)` checks each when it reads it, in one pass.
    public init(decoding bytes: [UInt8]) throws(SyncError) {
        var sets: [Range<Int>] = []
        var complete: Bool?
        var keys: Range<Int>?
        do {
            try CanonicalReader.read(bytes) { r throws(CanonicalReader.Malformed) in
                let end = try r.object(at: 0) { key, start throws(CanonicalReader.Malformed) in
                    if CanonicalReader.equals(key, "changeSets") {
                        return try r.array(at: start) { s throws(CanonicalReader.Malformed) in
                            // Bounded before it is kept: a huge count of tiny items must not cost memory.
                            guard sets.count < WireBounds.maxPullChangeSets else {
                                throw r.fail(s, "lebih dari \(WireBounds.maxPullChangeSets) change set")
                            }
                            // Only found here: `ReceivedChangeSet` reads and checks each in full.
                            let e = try r.skipObject(at: s)
                            sets.append(s..<e)
                            return e
                        }
                    }
                    if CanonicalReader.equals(key, "complete") {
                        if let e = try? r.literal("true", at: start) {
                            complete = true
                            return e
                        }
                        complete = false
                        return try r.literal("false", at: start)
                    }
                    if CanonicalReader.equals(key, "keys") {
                        let e = try r.value(at: start)
                        keys = start..<e
                        return e
                    }
                    return try r.value(at: start)
                }
                guard end == bytes.count else { throw r.fail(end, "ada isi setelah dokumen") }
            }
        } catch {
            throw SyncError(.malformed, "jawaban pull bukan JSON kanonik: \(error.reason) (byte \(error.offset))")
        }
        guard let complete, let keys else { throw SyncError(.malformed, "jawaban pull tanpa complete atau keys") }
        do {
            self.keys = try Canonical.decode([NodeKey].self, from: Array(bytes[keys]))
        } catch {
            throw SyncError(.malformed, "kunci di jawaban pull tidak sah", cause: error)
        }
        guard self.keys.count <= WireBounds.maxPullKeys else {
            throw SyncError(.malformed, "jawaban pull membawa lebih dari \(WireBounds.maxPullKeys) kunci")
        }
        self.complete = complete
        self.changeSets = sets.map { Array(bytes[$0]) }
    }
}

/// An RFC 9457 problem details document.
public struct Problem: Sendable, Equatable, Codable, Error {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// Simpul's code for the reason (`SyncError.Code`).
    public var code: String
    /// With `blob-offset` only: how many bytes of the blob the hub holds, where the next chunk must start.
    public var received: Int64?
    /// With `clock-skew` only: the hub's clock (ISO 8601 UTC), for the agent to correct its own.
    public var hubTime: String?
    /// With a refused change set of a batched push: how many change sets before it the hub kept.
    public var acknowledged: Int?

    public init(_ error: SyncError, received: Int64? = nil, hubTime: String? = nil, acknowledged: Int? = nil) {
        type = "https://simpul.invalid/problems/\(error.code.rawValue)"
        title = Problem.title(error.code)
        status = error.code.httpStatus
        detail = error.message
        code = error.code.rawValue
        self.received = received
        self.hubTime = hubTime
        self.acknowledged = acknowledged
    }

    /// The problem's title for each code: a switch, so a new code cannot go without one.
    static func title(_ code: SyncError.Code) -> String {
        switch code {
        case .malformed: "Permintaan tidak sah"
        case .hashMismatch: "Isi change set berubah"
        case .badSignature: "Tanda tangan tidak sah"
        case .unknownKey: "Kunci tidak dikenal"
        case .forbiddenPartition: "Partisi bukan milik node"
        case .forbiddenType: "Jenis event tidak boleh"
        case .forbiddenRecord: "Permohonan milik kecamatan lain"
        case .brokenChain: "Rantai change set putus"
        case .conflictingChangeSet: "Change set bertentangan"
        case .unauthenticated: "Permintaan tidak bertanda tangan"
        case .notEnrolled: "Node belum terdaftar"
        case .revoked: "Node dicabut"
        case .clockSkew: "Jam node terlalu jauh"
        case .forbiddenRead: "Partisi tidak boleh dibaca"
        case .unsupportedVersion: "Versi tidak didukung"
        case .notFound: "Tidak ada"
        case .store: "Kesalahan penyimpanan hub"
        case .unsupportedEncoding: "Kompresi tidak didukung"
        case .tooLarge: "Isi terlalu besar"
        case .bundleTruncated: "Bundle terpotong"
        case .bundleCorrupted: "Bundle rusak"
        case .bundleForeign: "Bundle asing"
        case .bundleExpired: "Bundle kedaluwarsa"
        case .bundleMisaddressed: "Bundle salah alamat"
        case .blobOffset: "Posisi potongan lampiran salah"
        case .blobHashMismatch: "Isi lampiran tidak cocok"
        case .blobSize: "Ukuran lampiran tidak sesuai"
        case .forbiddenBlob: "Lampiran tidak boleh"
        case .blobRange: "Rentang lampiran di luar isi"
        case .upgradeRequired: "Perlu versi baru"
        case .replayed: "Permintaan terulang"
        case .busy: "Hub sibuk"
        }
    }
}

/// `GET /v2/blobs/{sha256}/status` and `POST /v2/blobs/{sha256}/chunks`: how much of a blob the hub
/// holds. A blob the hub knows nothing of has no `size`, `received` 0.
public struct BlobStatus: Sendable, Equatable, Codable {
    public var sha256: String
    public var size: Int64?
    public var received: Int64
    public var complete: Bool

    public init(sha256: String, size: Int64?, received: Int64, complete: Bool) {
        self.sha256 = sha256
        self.size = size
        self.received = received
        self.complete = complete
    }
}
