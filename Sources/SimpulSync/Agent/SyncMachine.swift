/// How a sync run ended, with the exit code `simpul sync` returns.
public struct SyncOutcome: Sendable, Equatable {
    public enum Result: String, Sendable {
        /// Everything pushed and pulled: exit 0.
        case inSync = "in-sync"
        /// The link failed or the hub could not answer now; try later: exit 75.
        case linkFailure = "link-failure"
        /// The hub refused the node (not enrolled, revoked, bad signature, clock): exit 77.
        case refused
        /// The hub or this node rejected data as invalid: exit 65.
        case rejected
    }

    public var result: Result
    public var message: String

    public var exitCode: Int32 {
        switch result {
        case .inSync: 0
        case .linkFailure: 75
        case .refused: 77
        case .rejected: 65
        }
    }
}

/// Something that went wrong in one exchange.
public enum SyncFailure: Sendable, Equatable {
    /// No answer at all: connection, TLS or a stall.
    case link(String)
    /// An RFC 9457 problem from the hub.
    case problem(status: Int, code: String, detail: String)
    /// An answer that is not the protocol (a proxy's page, a truncated body).
    case garbled(String)
    /// A change set from the hub failed verification here.
    case invalidData(String)
}

/// The agent's sync run as a state machine: it is told what happened and answers what to do next.
/// All I/O is the driver's (`SyncClient`); this decides, so it is tested without a network.
public struct SyncMachine: Sendable {
    public enum Action: Sendable, Equatable {
        case fetchKnowledge
        case push(index: Int)
        /// Ask the hub how much it holds of upload `index` (the blobs this node attached).
        case blobStatus(index: Int)
        /// Send one chunk of upload `index` starting at byte `offset`; the hub acknowledges it before
        /// the next one goes, so a drop costs at most one chunk.
        case sendChunk(index: Int, offset: Int64)
        case pull
        /// Fetch the next chunk of download `index` (a blob an attached event names that this node
        /// lacks), from where this node's copy ends; it is stored before the next is asked for, so a
        /// drop costs at most one chunk.
        case fetchChunk(index: Int)
        case finish(SyncOutcome)
    }

    public enum Input: Sendable, Equatable {
        /// The hub's knowledge arrived; this many sealed change sets wait to be pushed, and this many
        /// blobs to be uploaded after them.
        case knowledge(outbox: Int, uploads: Int = 0)
        /// A push was acknowledged (applied, duplicate or parked at the hub).
        case pushed
        /// How many bytes of the current upload (of `size`) the hub holds: its answer to a status
        /// question, to a chunk, or to a chunk that did not start where the hub's copy ends.
        case blobHeld(received: Int64, size: Int64)
        /// The hub refused the current upload or download for good (not this node's, wrong size, bytes
        /// that do not hash to the name): the run goes on without it and ends `rejected`.
        case blobRefused(String)
        /// A pull answer was applied: `applied` events new here, `complete` when nothing more waits;
        /// with a complete answer, how many blobs the node's attached events name that it lacks.
        case pulled(applied: Int, complete: Bool, downloads: Int = 0)
        /// How many bytes of the current download (of `size`) this node holds now.
        case blobFetched(received: Int64, size: Int64)
        /// The hub does not hold the current download complete yet: skipped, without failing the run;
        /// a later run fetches it.
        case blobUnavailable
        case failed(SyncFailure)
        /// The run was asked to stop (the agent is shutting down).
        case cancelled
    }

    public private(set) var pushed = 0
    public private(set) var pulled = 0
    /// Blobs the hub confirmed complete in this run.
    public private(set) var uploaded = 0
    /// Blobs fetched complete from the hub in this run, and those it did not hold complete yet.
    public private(set) var downloaded = 0
    public private(set) var unavailable = 0
    private var outbox = 0
    private var uploads = 0
    private var upload = 0
    /// The offset of the chunk in flight, to tell an answer that moved the hub on from one that did not.
    private var chunkOffset: Int64?
    private var idleChunks = 0
    private var refusals: [String] = []
    private var downloads = 0
    private var download = 0
    /// What this node held of the current download after the last chunk, to tell a chunk that moved
    /// it on from one that did not.
    private var fetchedTo: Int64?
    private var downloadRefusals: [String] = []
    private var idlePulls = 0
    private var finished = false

    public init() {}

    public mutating func start() -> Action { .fetchKnowledge }

    public mutating func handle(_ input: Input) -> Action {
        precondition(!finished, "a finished sync takes no more input")
        switch input {
        case .knowledge(let count, let blobs):
            outbox = count
            uploads = blobs
            return count > 0 ? .push(index: 0) : startUploads()
        case .pushed:
            pushed += 1
            // Blobs go up only after every change set: the hub lets a node send a blob only when it
            // holds the node's event that attaches it.
            return pushed < outbox ? .push(index: pushed) : startUploads()
        case .blobHeld(let received, let size):
            if received >= size {
                uploaded += 1
                return nextUpload()
            }
            if let sent = chunkOffset, received <= sent {
                // An answer that does not move the hub on, twice in a row, would loop forever.
                idleChunks += 1
                if idleChunks >= 2 {
                    refusals.append("lampiran ke-\(upload + 1) tidak bertambah di hub (tetap \(received) byte)")
                    return nextUpload()
                }
            } else {
                idleChunks = 0
            }
            chunkOffset = received
            return .sendChunk(index: upload, offset: received)
        case .blobRefused(let reason):
            if downloads > 0 {
                downloadRefusals.append(reason)
                return nextDownload()
            }
            refusals.append(reason)
            return nextUpload()
        case .pulled(let applied, let complete, let missing):
            pulled += applied
            if complete {
                // Bytes come after the events that name them, and after the pull, so a PTSP decision
                // reaches the counter before any scan is fetched.
                downloads = missing
                download = 0
                fetchedTo = nil
                idleChunks = 0
                return missing > 0 ? .fetchChunk(index: 0) : finishRun()
            }
            // An incomplete answer that brings nothing new twice in a row would loop forever.
            idlePulls = applied == 0 ? idlePulls + 1 : 0
            if idlePulls >= 2 {
                return finish(.rejected, "hub terus mengirim change set yang tidak bisa diterapkan di node ini")
            }
            return .pull
        case .blobFetched(let received, let size):
            if received >= size {
                downloaded += 1
                return nextDownload()
            }
            if let before = fetchedTo, received <= before {
                // A chunk that does not move this node's copy on, twice in a row, would loop forever.
                idleChunks += 1
                if idleChunks >= 2 {
                    downloadRefusals.append(
                        "unduhan lampiran ke-\(download + 1) tidak bertambah (tetap \(received) byte)")
                    return nextDownload()
                }
            } else {
                idleChunks = 0
            }
            fetchedTo = received
            return .fetchChunk(index: download)
        case .blobUnavailable:
            unavailable += 1
            return nextDownload()
        case .failed(let failure):
            return finish(Self.classify(failure))
        case .cancelled:
            return finish(.linkFailure, "sinkron dihentikan sebelum selesai; dilanjutkan pada sinkron berikutnya")
        }
    }

    private mutating func startUploads() -> Action {
        upload = 0
        chunkOffset = nil
        idleChunks = 0
        return uploads > 0 ? .blobStatus(index: 0) : .pull
    }

    private mutating func nextUpload() -> Action {
        upload += 1
        chunkOffset = nil
        idleChunks = 0
        return upload < uploads ? .blobStatus(index: upload) : .pull
    }

    private mutating func nextDownload() -> Action {
        download += 1
        fetchedTo = nil
        idleChunks = 0
        return download < downloads ? .fetchChunk(index: download) : finishRun()
    }

    /// The end of a run that pulled everything: refused blobs make it `rejected`, anything else is in sync.
    private mutating func finishRun() -> Action {
        if let refused = refusals.first {
            let others = refusals.count - 1 + downloadRefusals.count
            let more = others > 0 ? " (dan \(others) lampiran lain)" : ""
            return finish(.rejected, "lampiran ditolak hub: \(refused)\(more)")
        }
        if let refused = downloadRefusals.first {
            let more = downloadRefusals.count > 1 ? " (dan \(downloadRefusals.count - 1) lampiran lain)" : ""
            return finish(.rejected, "lampiran tidak bisa diunduh dari hub: \(refused)\(more)")
        }
        let blobs = uploads > 0 ? ", \(uploaded) lampiran terkirim" : ""
        var fetched = downloads > 0 ? ", \(downloaded) lampiran diunduh" : ""
        if unavailable > 0 { fetched += " (\(unavailable) belum lengkap di hub, akan diunduh pada sinkron berikutnya)" }
        return finish(.inSync, "sinkron: \(pushed) change set terkirim\(blobs), \(pulled) event diterima\(fetched)")
    }

    private mutating func finish(_ result: SyncOutcome.Result, _ message: String) -> Action {
        finish(SyncOutcome(result: result, message: message))
    }

    private mutating func finish(_ outcome: SyncOutcome) -> Action {
        finished = true
        return .finish(outcome)
    }

    /// Which failures are worth retrying later and which need a person.
    public static func classify(_ failure: SyncFailure) -> SyncOutcome {
        switch failure {
        case .link(let message):
            return SyncOutcome(result: .linkFailure, message: "jaringan ke hub gagal: \(message)")
        case .garbled(let message):
            return SyncOutcome(
                result: .linkFailure, message: "jawaban hub tidak utuh atau bukan protokol Simpul: \(message)")
        case .problem(let status, let code, let detail):
            switch status {
            case 409 where code == SyncError.Code.replayed.rawValue:
                // The agent never reuses a nonce: the link delivered a request twice (libcurl resends
                // on a fresh connection when a kept-alive one died). What it asked is done or undone;
                // the next run asks again.
                return SyncOutcome(
                    result: .linkFailure, message: "permintaan terulang di jaringan (\(code)): \(detail)")
            case 426:
                // Retrying cannot help: the program must be updated (exit 65, as a configuration error).
                return SyncOutcome(
                    result: .rejected, message: "hub memakai versi protokol yang lebih baru (\(code)): \(detail)")
            case 401, 403: return SyncOutcome(result: .refused, message: "ditolak hub (\(code)): \(detail)")
            case 500...599, 408, 429:
                return SyncOutcome(result: .linkFailure, message: "hub sedang bermasalah (\(status)): \(detail)")
            default: return SyncOutcome(result: .rejected, message: "data ditolak hub (\(code)): \(detail)")
            }
        case .invalidData(let message):
            return SyncOutcome(result: .rejected, message: "data dari hub ditolak node ini: \(message)")
        }
    }
}
