import Foundation
import Logging
import SimpulDomain
import SimpulStore

/// The blob (attachment) endpoints under `/v2/blobs/{sha256}`: where they are and how big a chunk
/// may be.
public enum BlobRoutes {
    public static let prefix = "/v2/blobs/"
    /// The largest chunk the hub takes in one request. The agent sends 64 KiB by default: on a
    /// 32 kbit/s link that is 16 seconds, the most a drop can cost.
    public static let maxChunkBytes = 4 * 1024 * 1024
    public static let octetStream = "application/octet-stream"

    public static func blob(_ sha: String) -> String { prefix + sha }
    public static func status(_ sha: String) -> String { prefix + sha + "/status" }
    public static func chunks(_ sha: String) -> String { prefix + sha + "/chunks" }
}

// MARK: - The agent's side

/// Uploads this node's blobs for `SyncClient`: one request per step of `SyncMachine`, each answered
/// with the machine input it leads to. Only the agent's own attachments go up, and each chunk waits
/// for the hub's acknowledgement before the next.
struct BlobUploader {
    let store: NodeStore
    let identity: NodeIdentity
    let transport: any SyncTransport
    let now: @Sendable () -> Timestamp
    let chunkBytes: Int
    let logger: Logger
    /// Adds the body bytes of each exchange to the run's counters.
    let count: @Sendable (_ sent: Int, _ received: Int) -> Void

    func status(of blob: StoredBlob) -> SyncMachine.Input {
        exchange(HTTPRequestMessage(method: "GET", path: BlobRoutes.status(blob.sha256)), blob)
    }

    func send(_ blob: StoredBlob, from offset: Int64) -> SyncMachine.Input {
        let bytes: [UInt8]
        do { bytes = try store.readBlob(blob.sha256, offset: offset, count: chunkBytes) } catch {
            return .failed(.invalidData(error.message))
        }
        guard !bytes.isEmpty else {
            return .blobRefused("lampiran \(blob.sha256.prefix(12)) di node ini lebih pendek dari \(offset + 1) byte")
        }
        return exchange(
            HTTPRequestMessage(
                method: "POST", path: BlobRoutes.chunks(blob.sha256),
                headers: [
                    "content-type": BlobRoutes.octetStream, "simpul-offset": String(offset),
                    "simpul-size": String(blob.size),
                ], body: bytes), blob)
    }

    private func exchange(_ request: HTTPRequestMessage, _ blob: StoredBlob) -> SyncMachine.Input {
        var request = request
        do { try RequestSignature.sign(&request, identity: identity, at: now(), host: transport.host) } catch {
            return .failed(.invalidData("permintaan tidak bisa ditandatangani: \(error)"))
        }
        let response: HTTPResponseMessage
        do { response = try transport.send(request) } catch { return .failed(.link(error.message)) }
        count(request.body.count, response.body.count)
        if (200..<300).contains(response.status) {
            guard let status = try? Canonical.decode(BlobStatus.self, from: response.body), status.sha256 == blob.sha256
            else { return .failed(.garbled("isi jawaban \(request.path) tidak bisa dibaca")) }
            if status.complete {
                do { try store.markBlobAtHub(blob.sha256) } catch { return .failed(.invalidData(error.message)) }
                logger.info("blob at hub", metadata: ["sha256": "\(blob.sha256.prefix(12))"])
            }
            return .blobHeld(received: status.complete ? blob.size : status.received, size: blob.size)
        }
        guard let problem = try? Canonical.decode(Problem.self, from: response.body) else {
            return .failed(.garbled("HTTP \(response.status) tanpa problem details"))
        }
        switch SyncError.Code(rawValue: problem.code) {
        case .blobOffset:
            guard let received = problem.received else {
                return .failed(.garbled("jawaban blob-offset tanpa received"))
            }
            return .blobHeld(received: received, size: blob.size)
        case .blobHashMismatch:
            // The hub discarded what it had. If this node's copy is the damaged one, sending it again
            // would only waste the link: it is dropped, and the officer attaches the file again.
            let intact = (try? store.verifyBlob(blob.sha256)) ?? false
            if !intact { try? store.discardBlob(blob.sha256) }
            return .blobRefused(
                intact
                    ? "lampiran \(blob.sha256.prefix(12)): \(problem.detail)"
                    : "lampiran \(blob.sha256.prefix(12)) rusak di node ini dan dibuang; lampirkan lagi file aslinya")
        case .blobSize, .forbiddenBlob:
            return .blobRefused("lampiran \(blob.sha256.prefix(12)): \(problem.detail)")
        default:
            return .failed(.problem(status: response.status, code: problem.code, detail: problem.detail))
        }
    }
}

/// Why a blob download stopped.
public struct BlobTransferError: SimpulFailure {
    public enum Code: String, Sendable {
        /// No answer, or not the whole answer: try again later, the download resumes.
        case link
        /// The hub does not hold the blob complete (yet): its bytes may still be on their way up.
        case notAtHub = "not-at-hub"
        /// The hub answered with a problem (not allowed, a range it cannot serve).
        case refused
        /// The bytes do not hash to the blob's name; what was fetched is discarded.
        case hashMismatch = "hash-mismatch"
        /// This node's store failed.
        case store
    }

    public var code: Code
    public var message: String
    /// The hub's problem, when it answered with one: its HTTP status, code and detail.
    public var problem: (status: Int, code: String, detail: String)?
    public var cause: (any Error)?

    public init(
        _ code: Code, _ message: String, problem: (status: Int, code: String, detail: String)? = nil,
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.problem = problem
        self.cause = cause
    }
}

/// Fetches a blob from the hub into a node's store in ranges of `chunkBytes`, each stored before the
/// next is asked for, so a download that breaks off resumes at the byte where the store's copy ends.
/// The blob counts only once it is complete and hashes to its name.
public struct BlobDownloader: Sendable {
    let store: NodeStore
    let identity: NodeIdentity
    let transport: any SyncTransport
    let now: @Sendable () -> Timestamp
    let chunkBytes: Int
    /// Adds the wire bytes of each exchange to a sync run's counters.
    let count: @Sendable (_ sent: Int, _ received: Int) -> Void

    public init(
        store: NodeStore, identity: NodeIdentity, transport: any SyncTransport,
        now: @escaping @Sendable () -> Timestamp, chunkBytes: Int = NodeStore.blobChunkBytes
    ) {
        self.init(
            store: store, identity: identity, transport: transport, now: now, chunkBytes: chunkBytes,
            count: { _, _ in })
    }

    init(
        store: NodeStore, identity: NodeIdentity, transport: any SyncTransport,
        now: @escaping @Sendable () -> Timestamp, chunkBytes: Int,
        count: @escaping @Sendable (_ sent: Int, _ received: Int) -> Void
    ) {
        self.store = store
        self.identity = identity
        self.transport = transport
        self.now = now
        self.chunkBytes = max(1, chunkBytes)
        self.count = count
    }

    /// Downloads blob `sha256` of `size` bytes (the size its attachment names).
    @discardableResult
    public func fetch(sha256 sha: String, size: Int64) throws(BlobTransferError) -> StoredBlob {
        while true {
            let held = try fetchChunk(sha256: sha, size: size)
            if held.complete { return held }
        }
    }

    /// Asks the hub for the next range of the blob, from where this store's copy ends, and stores it
    /// before returning what the store now holds; a blob held complete already costs no request. The
    /// piece that completes the blob is kept only if the whole hashes to its name, and the blob is
    /// then known to be at the hub (it came from there).
    @discardableResult
    public func fetchChunk(sha256 sha: String, size: Int64) throws(BlobTransferError) -> StoredBlob {
        let held: StoredBlob?
        do { held = try store.blob(sha) } catch { throw BlobTransferError(.store, error.message, cause: error) }
        if let held, held.complete { return held }
        let offset = held?.received ?? 0
        let last = min(size - 1, offset + Int64(chunkBytes) - 1)
        var request = HTTPRequestMessage(
            method: "GET", path: BlobRoutes.blob(sha), headers: ["range": "bytes=\(offset)-\(last)"])
        do { try RequestSignature.sign(&request, identity: identity, at: now(), host: transport.host) } catch {
            throw BlobTransferError(.store, "permintaan tidak bisa ditandatangani", cause: error)
        }
        let response: HTTPResponseMessage
        do {
            let (answer, sent, received) = try transport.sendCounted(request)
            response = answer
            count(sent, received)
        } catch {
            throw BlobTransferError(
                .link, "unduhan lampiran \(sha.prefix(12)) putus di byte \(offset): \(error.message)")
        }
        var bytes: [UInt8]
        switch response.status {
        case 206:
            guard response.headers["content-range"]?.hasPrefix("bytes \(offset)-") == true else {
                throw BlobTransferError(.link, "jawaban rentang lampiran \(sha.prefix(12)) tidak sesuai permintaan")
            }
            bytes = response.body
        case 200:
            // A server that ignores Range sends everything; keep what this copy lacks.
            bytes = Array(response.body.dropFirst(Int(offset)))
        default:
            guard let problem = try? Canonical.decode(Problem.self, from: response.body) else {
                throw BlobTransferError(
                    .link,
                    "jawaban hub untuk lampiran \(sha.prefix(12)) bukan protokol Simpul (HTTP \(response.status))")
            }
            let answer = (status: response.status, code: problem.code, detail: problem.detail)
            if problem.code == SyncError.Code.notFound.rawValue {
                throw BlobTransferError(
                    .notAtHub, "lampiran \(sha.prefix(12)) belum lengkap di hub: \(problem.detail)", problem: answer)
            }
            throw BlobTransferError(
                .refused,
                "hub menolak unduhan lampiran \(sha.prefix(12)) (HTTP \(response.status)) \(problem.code): \(problem.detail)",
                problem: answer)
        }
        guard !bytes.isEmpty else {
            throw BlobTransferError(.link, "jawaban lampiran \(sha.prefix(12)) kosong di byte \(offset)")
        }
        let stored: StoredBlob
        do {
            stored = try store.appendBlobChunk(sha256: sha, offset: offset, bytes: bytes, totalSize: size)
        } catch {
            throw BlobTransferError(error.code == .hashMismatch ? .hashMismatch : .store, error.message, cause: error)
        }
        // Bookkeeping only: a failure costs one status question on a later upload check, nothing else.
        if stored.complete { try? store.markBlobAtHub(sha) }
        return stored
    }

    /// One chunk of a sync run's download as the input `SyncMachine` takes.
    func step(_ blob: StoredBlob) -> SyncMachine.Input {
        do throws(BlobTransferError) {
            let held = try fetchChunk(sha256: blob.sha256, size: blob.size)
            return .blobFetched(received: held.received, size: blob.size)
        } catch {
            switch error.code {
            case .link: return .failed(.link(error.message))
            case .notAtHub: return .blobUnavailable
            case .store: return .failed(.invalidData(error.message))
            case .hashMismatch: return .blobRefused(error.message)
            case .refused:
                // A refusal of this blob (not readable here, a range the hub cannot serve) skips it; a
                // refusal of the node (revoked, clock) or a hub that cannot answer now ends the run, as
                // for any request.
                guard let p = error.problem else { return .blobRefused(error.message) }
                if p.code == SyncError.Code.forbiddenBlob.rawValue || p.code == SyncError.Code.blobRange.rawValue {
                    return .blobRefused(error.message)
                }
                return .failed(.problem(status: p.status, code: p.code, detail: p.detail))
            }
        }
    }
}
