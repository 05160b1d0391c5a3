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
        case pull
        case finish(SyncOutcome)
    }

    public enum Input: Sendable, Equatable {
        /// The hub's knowledge arrived; this many sealed change sets wait to be pushed.
        case knowledge(outbox: Int)
        /// A push was acknowledged (applied, duplicate or parked at the hub).
        case pushed
        /// A pull answer was applied: `applied` events new here, `complete` when nothing more waits.
        case pulled(applied: Int, complete: Bool)
        case failed(SyncFailure)
        /// The run was asked to stop (the agent is shutting down).
        case cancelled
    }

    public private(set) var pushed = 0
    public private(set) var pulled = 0
    private var outbox = 0
    private var idlePulls = 0
    private var finished = false

    public init() {}

    public mutating func start() -> Action { .fetchKnowledge }

    public mutating func handle(_ input: Input) -> Action {
        precondition(!finished, "a finished sync takes no more input")
        switch input {
        case .knowledge(let count):
            outbox = count
            return count > 0 ? .push(index: 0) : .pull
        case .pushed:
            pushed += 1
            return pushed < outbox ? .push(index: pushed) : .pull
        case .pulled(let applied, let complete):
            pulled += applied
            if complete { return finish(.inSync, "sinkron: \(pushed) change set terkirim, \(pulled) event diterima") }
            // An incomplete answer that brings nothing new twice in a row would loop forever.
            idlePulls = applied == 0 ? idlePulls + 1 : 0
            if idlePulls >= 2 {
                return finish(.rejected, "hub terus mengirim change set yang tidak bisa diterapkan di node ini")
            }
            return .pull
        case .failed(let failure):
            return finish(Self.classify(failure))
        case .cancelled:
            return finish(.linkFailure, "sinkron dihentikan sebelum selesai; dilanjutkan pada sinkron berikutnya")
        }
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
