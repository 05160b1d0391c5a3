import Foundation
import Logging
import SimpulConcurrency
import SimpulDomain
import SimpulStore
import Synchronization

/// What one sync run did.
public struct SyncReport: Sendable, Equatable {
    public var outcome: SyncOutcome
    /// Change sets pushed, and events pulled.
    public var pushed: Int
    public var pulled: Int
    /// Change sets pulled (applied or parked).
    public var pulledChangeSets: Int = 0
    public var bytesSent: Int
    public var bytesReceived: Int
    /// Blobs (attachments) the hub confirmed complete in this run.
    public var uploaded: Int = 0
    /// Blobs named by attached events this node lacked, fetched complete from the hub in this run.
    public var downloaded: Int = 0
    public var startedAt: Timestamp
    public var finishedAt: Timestamp
}

/// The agent's side of one sync run: seal what is new, push what the hub lacks, pull what this node
/// lacks until the hub says it is complete. `SyncMachine` decides; this does the I/O.
public final class SyncClient: Sendable {
    public static let hubPeer = "hub"
    /// Uncompressed bytes of change sets packed into one push by default: 6 to 13 KB on the wire for
    /// counter work, under two seconds of a 64 kbit/s link, so a drop loses little and a push still
    /// completes between the drops of a bad satellite link.
    public static let defaultPushBudget = 128 * 1024
    /// Push requests in flight at once by default. With one, the link idles for a round trip between
    /// two pushes (600 ms on a satellite link, most of a 6 KB push at 64 kbit/s); with two, the
    /// next request is already going up while the hub answers the last. A drop then costs up to two
    /// requests.
    public static let defaultPushWindow = 2
    /// Bytes of change set documents asked for in one pull answer by default: a few seconds of a
    /// slow link, so that a drop loses little.
    public static let defaultPullBytes = 512 * 1024
    /// Bytes of change set documents asked for in one pull answer by a restore (`simpul init
    /// --restore`), which pulls the whole partition over the office's best link: fewer requests, fewer
    /// turns of the hub. Two answers are in memory at once (see `pullAhead`).
    public static let restorePullBytes = 2 * 1024 * 1024
    /// This agent's version, as its User-Agent and its report to the hub name it.
    public static let agentVersion = "simpul/1"

    let store: NodeStore
    let identity: NodeIdentity
    let transport: any SyncTransport
    let logger: Logger
    let now: @Sendable () -> Timestamp
    let budget: Int
    let maxPullBytes: Int
    let monitor: SyncMonitor
    /// Bytes of a blob per upload or download request.
    let blobChunkBytes: Int
    /// Bytes of change set documents per push request (at least one change set goes in each).
    let pushBudget: Int
    /// Push requests in flight at once, each on a connection of its own.
    let pushWindow: Int
    /// The hub's clock minus this node's (ms), learned from `GET /v2/hub`: requests are signed with
    /// the hub's time, so a PC whose clock is off by hours still syncs.
    let clockOffset = Atomic<Int64>(0)
    /// The version this agent reports to the hub on each run; nil sends no report, as an agent from
    /// before reports did.
    let reportVersion: String?
    /// Whether a pull asks for the next answer while it applies the one before (`pullAhead`).
    let pullAhead: Bool

    /// - Parameter monitor: Gets the run's progress and can stop it; share it with the transport so
    ///   that the bytes of a transfer in flight count too.
    /// - Parameter maxPullBytes: Bytes of change set documents the hub is asked for in one pull
    ///   answer; with `pullAhead`, two answers are in the agent's memory at once.
    /// - Parameter pullAhead: Whether the next pull request goes while the last answer is applied,
    ///   so that the hub prepares it meanwhile (one request ahead at most).
    public init(
        store: NodeStore, identity: NodeIdentity, transport: any SyncTransport, logger: Logger,
        now: @escaping @Sendable () -> Timestamp, budget: Int = ChangeSetSealer.defaultBudget,
        maxPullBytes: Int = SyncClient.defaultPullBytes, blobChunkBytes: Int = NodeStore.blobChunkBytes,
        pushBudget: Int = SyncClient.defaultPushBudget, pushWindow: Int = SyncClient.defaultPushWindow,
        monitor: SyncMonitor = SyncMonitor(), reportVersion: String? = SyncClient.agentVersion,
        pullAhead: Bool = true
    ) {
        self.reportVersion = reportVersion
        self.pullAhead = pullAhead
        self.pushBudget = max(1, pushBudget)
        self.pushWindow = max(1, pushWindow)
        self.store = store
        self.identity = identity
        self.transport = transport
        self.logger = logger
        self.now = now
        self.budget = budget
        self.maxPullBytes = maxPullBytes
        self.monitor = monitor
        self.blobChunkBytes = max(1, blobChunkBytes)
    }

    /// One of this node's change sets the hub lacks: its place, read from the store when it goes.
    private struct Pending {
        var partition: String
        var first: UInt64
        var size: Int
    }

    /// The time requests are signed with: this node's clock corrected by the hub's.
    private func signingNow() -> Timestamp {
        Timestamp(milliseconds: now().milliseconds + clockOffset.load(ordering: .relaxed))
    }

    /// The outbox cut into push requests of at most `budget` bytes, each with at least one change set.
    static func batches(sizes: [Int], budget: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        var bytes = 0
        for (i, size) in sizes.enumerated() {
            if i > start && (bytes + size > budget || i - start >= PushRequest.maxChangeSets) {
                out.append(start..<i)
                start = i
                bytes = 0
            }
            bytes += size
        }
        if start < sizes.count { out.append(start..<sizes.count) }
        return out
    }

    /// The run's totals. Atomic because blob transfers report through a `@Sendable` closure.
    final class Counters: Sendable {
        let pushed = Atomic<Int>(0)
        let sent = Atomic<Int>(0)
        let received = Atomic<Int>(0)
        let pulledChangeSets = Atomic<Int>(0)
        /// Whether a request of this run already carried the agent's report.
        let reported = Atomic<Bool>(false)
        /// The run's budget of requests sent again after a drop, shared by the pushes in flight.
        let drops = Mutex(DropRetry())

        func exchanged(sent: Int, received: Int) {
            self.sent.add(sent, ordering: .relaxed)
            self.received.add(received, ordering: .relaxed)
        }
    }

    /// Runs one sync and records it in the store.
    public func run() -> SyncReport {
        let started = now()
        let counters = Counters()
        var machine = SyncMachine()
        var outbox: [Pending] = []
        var batches: [Range<Int>] = []
        var uploads: [StoredBlob] = []
        var pushOutcomes: [Int: SyncMachine.Input] = [:]
        var downloads: [StoredBlob] = []
        /// The next pull answer, asked for while the last one is applied.
        var ahead: PullAhead?
        let monitor = self.monitor
        let exchanged: @Sendable (Int, Int) -> Void = { sent, received in
            counters.exchanged(sent: sent, received: received)
            monitor.exchanged(sent: sent, received: received)
        }
        let signingNow: @Sendable () -> Timestamp = { self.signingNow() }
        let blobs = BlobUploader(
            store: store, identity: identity, transport: transport, now: signingNow, chunkBytes: blobChunkBytes,
            logger: logger, count: exchanged)
        let fetcher = BlobDownloader(
            store: store, identity: identity, transport: transport, now: signingNow, chunkBytes: blobChunkBytes,
            count: exchanged)
        var action = machine.start()
        loop: while true {
            let input: SyncMachine.Input
            // Checked between units: a unit in flight is abandoned by the transport, never half-applied.
            if monitor.isCancelled, !isFinish(action) {
                input = .cancelled
            } else {
                switch action {
                case .fetchKnowledge:
                    input = step {
                        try self.pinHub(counters)
                        _ = try ChangeSetSealer.sealPending(
                            store: self.store, identity: self.identity, budget: self.budget)
                        let planned = try self.outbox(counters)
                        outbox = planned.pending
                        batches = Self.batches(sizes: outbox.map(\.size), budget: self.pushBudget)
                        uploads = try self.store.pendingUploads()
                        let bytes = outbox.reduce(0) { $0 + $1.size }
                        monitor.update {
                            $0.phase = .push
                            $0.outbox = outbox.count + planned.pushed.count
                            $0.outboxBytes = bytes + planned.pushed.bytes
                            $0.pushed = planned.pushed.count
                            $0.pushedBytes = planned.pushed.bytes
                        }
                        return .knowledge(outbox: batches.count, uploads: uploads.count)
                    }
                case .push(let index):
                    if pushOutcomes[index] == nil {
                        pushOutcomes = pushWindowed(
                            batches[index...].map { Array(outbox[$0]) }, from: index, counters)
                    }
                    input = pushOutcomes[index] ?? .failed(.invalidData("push \(index) tidak dijalankan"))
                case .blobStatus(let index):
                    monitor.update { $0.phase = .blobs }
                    input = blobs.status(of: uploads[index])
                case .sendChunk(let index, let offset):
                    input = blobs.send(uploads[index], from: offset)
                case .pull:
                    input = step {
                        let result = try self.pull(counters, ahead: &ahead)
                        guard case .pulled(let applied, let complete, _) = result else { return result }
                        monitor.update {
                            $0.phase = .pull
                            $0.pulledEvents += applied
                            $0.pullRemaining = complete ? 0 : self.remainingAtHub()
                        }
                        guard complete else { return result }
                        // Only once everything is pulled are all the attached events here that name
                        // what this node lacks.
                        downloads = try self.store.missingBlobs(partitions: try self.store.replicatedPartitions())
                        return .pulled(applied: applied, complete: true, downloads: downloads.count)
                    }
                case .fetchChunk(let index):
                    monitor.update { $0.phase = .downloads }
                    input = fetcher.step(downloads[index])
                case .finish(let outcome):
                    // A run that ends with a pull in flight (an answer that failed its checks, a
                    // cut, a cancel) waits for it, so that nothing of the run is left on the link.
                    ahead?.wait()
                    ahead = nil
                    var report = SyncReport(
                        outcome: outcome, pushed: counters.pushed.load(ordering: .relaxed), pulled: machine.pulled,
                        bytesSent: counters.sent.load(ordering: .relaxed),
                        bytesReceived: counters.received.load(ordering: .relaxed), uploaded: machine.uploaded,
                        downloaded: machine.downloaded, startedAt: started, finishedAt: now())
                    report.pulledChangeSets = counters.pulledChangeSets.load(ordering: .relaxed)
                    record(report)
                    return report
                }
            }
            action = machine.handle(input)
            continue loop
        }
    }

    private func isFinish(_ action: SyncMachine.Action) -> Bool {
        if case .finish = action { true } else { false }
    }

    private func step(_ body: () throws -> SyncMachine.Input) -> SyncMachine.Input {
        do {
            return try body()
        } catch let failure as Failure {
            return .failed(failure.failure)
        } catch let error as SimpulError {
            return .failed(.invalidData(error.message))
        } catch let error as SyncError {
            return .failed(.invalidData(error.message))
        } catch {
            return .failed(.invalidData("\(error)"))
        }
    }

    struct Failure: Error {
        var failure: SyncFailure
    }

    /// This node's sealed change sets that the hub does not hold yet, and those of them already pushed
    /// while finding out.
    ///
    /// When this node remembers what the hub held (from the answer to its last push or knowledge
    /// request) and has change sets after that, the first batch goes at once instead of a knowledge
    /// request: its answer carries the hub's knowledge of the partitions pushed, from which the rest is
    /// planned. That saves a round trip per sync that has something to push. Had the hub held more than
    /// remembered (the answer to the last push was lost in a drop), the batch comes back duplicate: the
    /// request in flight at the drop is sent again, as it would have been anyway when the drop came
    /// before the hub had it. Had it held less (a hub restored from a backup), the batch waits parked at
    /// the hub and the change sets before it are planned from the answer. With nothing to push, the
    /// hub is asked, so that a hub that lost this node's change sets is noticed on every run.
    private func outbox(_ counters: Counters) throws -> (pending: [Pending], pushed: (count: Int, bytes: Int)) {
        let remembered = try store.peerKnowledge(Self.hubPeer)
        if !remembered.isEmpty {
            let assumed = try pending(held: remembered)
            if let first = Self.batches(sizes: assumed.map(\.size), budget: pushBudget).first {
                let batch = Array(assumed[first])
                let answered = try push(batch, counters)
                counters.pushed.add(batch.count, ordering: .relaxed)
                var held = remembered
                for (partition, knowledge) in answered { held[partition] = knowledge }
                return (try pending(held: held), (batch.count, batch.reduce(0) { $0 + $1.size }))
            }
        }
        let partitions = try store.replicatedPartitions()
        let hub: KnowledgeResponse = try exchange(
            try request("/v2/knowledge", KnowledgeRequest(partitions: partitions, report: report(counters))), counters)
        try Self.bounded { () throws(SyncError) in try WireBounds.check(hub.partitions, field: "partitions") }
        try store.setPeerKnowledge(Self.hubPeer, hub.partitions)
        return (try pending(held: hub.partitions), (0, 0))
    }

    /// Pushes `batches` (numbered from `first`) with up to `pushWindow` requests in flight, each worker
    /// on a connection of its own taking the next batch as soon as its last is answered. A batch that
    /// reaches the hub before the one ahead of it waits parked there until that one arrives (the
    /// hub's ordinary parking). The outcome of each batch, by number; after the first failure no new
    /// batch starts, and the machine stops at the first failure in order, so a later batch that went
    /// through is simply held at the hub when the next run asks.
    private func pushWindowed(_ batches: [[Pending]], from first: Int, _ counters: Counters) -> [Int: SyncMachine.Input]
    {
        let next = Atomic<Int>(0)
        let failed = Atomic<Bool>(false)
        let outcomes = Mutex<[Int: SyncMachine.Input]>([:])
        let monitor = self.monitor
        let work: @Sendable () -> Void = {
            while !failed.load(ordering: .relaxed), !monitor.isCancelled {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < batches.count else { return }
                let batch = batches[i]
                let outcome = self.step {
                    _ = try self.push(batch, counters)
                    let pushed = counters.pushed.add(batch.count, ordering: .relaxed).newValue
                    monitor.update {
                        $0.pushed = pushed
                        $0.pushedBytes += batch.reduce(0) { $0 + $1.size }
                    }
                    return .pushed
                }
                if case .failed = outcome { failed.store(true, ordering: .relaxed) }
                outcomes.withLock { $0[first + i] = outcome }
            }
        }
        // Threads of their own, not the blocking pool: a worker blocks on the link for seconds, and the
        // pool may be serving the hub this agent talks to (in tests and the benchmark).
        let helpers = min(pushWindow, batches.count) - 1
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<max(0, helpers) {
            Thread.detachNewThread {
                work()
                done.signal()
            }
        }
        work()
        for _ in 0..<max(0, helpers) { done.wait() }
        var result = outcomes.withLock { $0 }
        // A batch never started (after a failure, or cancelled) ends the run as the machine expects.
        for i in 0..<batches.count where result[first + i] == nil {
            result[first + i] = monitor.isCancelled ? .cancelled : .failed(.link("push dihentikan"))
        }
        return result
    }

    /// This node's change sets after what `held` says the hub holds of each of its partitions.
    private func pending(held knowledge: [String: VersionVector]) throws -> [Pending] {
        var out: [Pending] = []
        for partition in try store.ownPartitions() {
            let held = knowledge[partition]?[identity.node.rawValue] ?? 0
            out += try store.changeSetSizes(partition: partition, node: identity.node.rawValue, after: held).map {
                Pending(partition: partition, first: $0.first, size: $0.bytes)
            }
        }
        return out
    }

    /// Pushes change sets in one request; the hub answers for each, in order. Returns the hub's
    /// knowledge of the partitions pushed, after them.
    private func push(_ batch: [Pending], _ counters: Counters) throws -> [String: VersionVector] {
        var documents: [[UInt8]] = []
        for pending in batch {
            guard
                let cs = try store.changeSets(
                    partition: pending.partition, node: identity.node.rawValue, after: pending.first - 1, limit: 1
                ).first
            else { throw Failure(failure: .invalidData("change set \(pending.partition) \(pending.first) hilang")) }
            documents.append(cs.body)
        }
        let req = HTTPRequestMessage(
            method: "POST", path: "/v2/push", headers: ["content-type": SyncProtocol.jsonContentType],
            body: PushRequest.encode(documents))
        let response: PushBatchResponse = try exchange(req, counters)
        guard response.results.count == documents.count else {
            throw Failure(
                failure: .garbled("hub menjawab \(response.results.count) hasil untuk \(documents.count) change set"))
        }
        try Self.bounded { () throws(SyncError) in try WireBounds.check(response.knowledge, field: "knowledge") }
        try store.setPeerKnowledge(Self.hubPeer, response.knowledge)
        for r in response.results {
            logger.info(
                "change set pushed",
                metadata: ["partition": "\(r.partition)", "seq": "\(r.first)-\(r.last)", "result": "\(r.result)"])
        }
        return response.knowledge
    }

    /// Applies one pull answer: the one asked for ahead while the last was applied, or one asked for
    /// now from what the store holds. While it is applied, the next is asked for (`pullAhead`) from
    /// what the store will hold after it, as the answer's change sets say, so that the hub prepares
    /// the next answer as this one is applied. The store is still written in order, one answer after
    /// the other, each in its transaction: a run cut off resumes after the last answer applied, and
    /// what was in flight is asked for again. Each answer is read and checked in full before it is
    /// applied whatever was asked; if it does not hold what it said, the next answer only brings
    /// duplicates or leaves a change set for the next run.
    private func pull(_ counters: Counters, ahead: inout PullAhead?) throws -> SyncMachine.Input {
        let answer: PullAnswer
        if let pending = ahead {
            ahead = nil
            answer = try pending.answer()
        } else {
            let partitions = try store.replicatedPartitions()
            let mine = try store.knowledge()
            var knowledge: [String: VersionVector] = [:]
            for p in partitions { knowledge[p] = mine[p] ?? VersionVector() }
            answer = try fetchPull(knowledge, counters)
        }
        let response = answer.response
        // Asked before anything of this answer is written, so that the hub's work on the next
        // overlaps all of the store's on this one.
        if pullAhead, !response.complete, !monitor.isCancelled,
            let next = ChangeSetPlace.knowledge(answer.asked, after: response.changeSets), next != answer.asked
        {
            ahead = PullAhead { try self.fetchPull(next, counters) }
        }
        // Keys come from the hub over the verified TLS connection: the hub is the root of trust for
        // other writers' keys; its own new keys must come endorsed through a chain from the pinned one.
        try HubKeys.learn(response.keys, store: store, logger: logger)
        counters.pulledChangeSets.add(response.changeSets.count, ordering: .relaxed)
        // Each change set is read from its bytes on the other cores while the store applies.
        let applied = try Self.apply(documents: response.changeSets, store: store)
        return .pulled(applied: applied, complete: response.complete)
    }

    /// A pull answer as it came, with the knowledge its request stated.
    struct PullAnswer: Sendable {
        var response: PullResponse
        var asked: [String: VersionVector]
    }

    /// Asks the hub for the change sets after `knowledge`.
    private func fetchPull(_ knowledge: [String: VersionVector], _ counters: Counters) throws -> PullAnswer {
        let body = try exchangeBytes(
            try request(
                "/v2/pull", PullRequest(knowledge: knowledge, maxBytes: maxPullBytes, report: report(counters))),
            counters)
        do {
            return PullAnswer(response: try PullResponse(decoding: body), asked: knowledge)
        } catch {
            throw Failure(failure: .garbled("isi jawaban /v2/pull tidak bisa dibaca: \(error.message)"))
        }
    }

    /// One pull request on a thread of its own (not the blocking pool: it blocks on the link, and
    /// the pool may be serving the hub this agent talks to, in tests and the benchmark).
    final class PullAhead: Sendable {
        private let outcome = Mutex<Result<PullAnswer, any Error>?>(nil)
        private let done = DispatchSemaphore(value: 0)

        init(_ body: @escaping @Sendable () throws -> PullAnswer) {
            Thread.detachNewThread {
                let result = Result { try body() }
                self.outcome.withLock { $0 = result }
                self.done.signal()
            }
        }

        /// Waits for the answer, or throws what ended the request.
        func answer() throws -> PullAnswer {
            wait()
            return try outcome.withLock { $0! }.get()
        }

        /// Waits for the request to end, whatever its outcome.
        func wait() {
            done.wait()
            done.signal()
        }
    }

    /// The agent's report of itself for the run's first knowledge or pull request (whichever comes
    /// first: a run that pushes at once skips the knowledge request), nil after that. The clock is this
    /// node's own, not the hub-corrected one requests are signed with, so that the hub sees the offset.
    /// A store that cannot say its size or backlog costs the report, not the sync.
    private func report(_ counters: Counters) -> AgentReport? {
        guard let reportVersion, !counters.reported.exchange(true, ordering: .relaxed) else { return nil }
        do throws(SimpulError) {
            return AgentReport(
                version: reportVersion, clock: now().description, storeBytes: try store.storeBytes(),
                waitingEvents: Int64(try SyncStatus.pendingEvents(in: store)))
        } catch {
            logger.warning("sync report not sent", metadata: ["error": "\(error.message)"])
            return nil
        }
    }

    /// Events the hub's knowledge (as it answered this run) names that this node does not hold yet:
    /// what is left to pull, for the progress shown; nil when the hub's knowledge is not known.
    private func remainingAtHub() -> Int? {
        guard let hub = try? store.peerKnowledge(Self.hubPeer), !hub.isEmpty, let mine = try? store.knowledge()
        else { return nil }
        var remaining = 0
        for (partition, vv) in hub {
            for (node, seq) in vv.entries {
                let held = mine[partition]?[node] ?? 0
                // Bounded by WireBounds (2^53 per entry), but many entries could still add up past Int.
                let (sum, overflow) = remaining.addingReportingOverflow(Int(seq - min(seq, held)))
                if overflow { return Int.max }
                remaining = sum
            }
        }
        return remaining
    }

    /// An answer of the hub outside `WireBounds` is a garbled answer, like one that does not parse.
    static func bounded(_ check: () throws(SyncError) -> Void) throws {
        do { try check() } catch {
            throw Failure(failure: .garbled("jawaban hub di luar batas: \(error.message)"))
        }
    }

    private func request<T: Encodable>(_ path: String, _ body: T) throws -> HTTPRequestMessage {
        HTTPRequestMessage(
            method: "POST", path: path, headers: ["content-type": SyncProtocol.jsonContentType],
            body: try Canonical.encode(body))
    }

    /// Sends a request (signing it unless told not to) and decodes a 2xx answer, or throws the failure.
    func exchange<T: Decodable>(
        _ request: HTTPRequestMessage, _ counters: Counters, signed: Bool = true, presigned: Bool = false
    ) throws -> T {
        let body = try exchangeBytes(request, counters, signed: signed, presigned: presigned)
        do {
            return try Canonical.decode(T.self, from: body)
        } catch {
            throw Failure(failure: .garbled("isi jawaban \(request.path) tidak bisa dibaca"))
        }
    }

    /// Sends a request and returns the body of a 2xx answer, or throws the failure.
    private func exchangeBytes(
        _ request: HTTPRequestMessage, _ counters: Counters, signed: Bool = true, presigned: Bool = false
    ) throws -> [UInt8] {
        let response = try send(request, counters, signed: signed && !presigned, presigned: presigned)
        guard (200..<300).contains(response.status) else {
            if let p = try? Canonical.decode(Problem.self, from: response.body) {
                throw Failure(failure: .problem(status: response.status, code: p.code, detail: p.detail))
            }
            throw Failure(failure: .garbled("HTTP \(response.status) tanpa problem details"))
        }
        return response.body
    }

    /// Signs (when asked) and sends a request, and counts its bytes.
    ///
    /// A connection that dropped in the middle of an exchange (reset, silent, answer cut short) had a
    /// link a moment ago: the request goes again at once on a new connection (its TLS session resumed),
    /// instead of ending the run and starting the next with the hub info again after a backoff, for as
    /// long as `DropRetry` allows (a drop during a retry included). Every request is idempotent at the
    /// hub (a change set pushed twice is a duplicate, a pull asks from this node's knowledge); each try
    /// is signed again, with a new nonce, so the hub does not take it for a replay, and a presigned one
    /// is not tried again. A 409 `replayed` is a drop too: libcurl sends a request once more by itself
    /// on a fresh connection when the kept-alive one it went on died before any answer (a truncated
    /// answer leaves it so), with the same nonce, after the hub had taken the first copy. A link that
    /// cannot connect ends the run as before.
    private func send(
        _ request: HTTPRequestMessage, _ counters: Counters, signed: Bool, presigned: Bool
    ) throws -> HTTPResponseMessage {
        let path = request.path.prefix { $0 != "?" }
        var attempt = 1
        while true {
            var req = request
            if signed {
                try RequestSignature.sign(&req, identity: identity, at: signingNow(), host: transport.host)
            }
            let dropped: String
            do {
                let (answer, sent, received) = try transport.sendCounted(req)
                counters.exchanged(sent: sent, received: received)
                monitor.exchanged(sent: sent, received: received)
                guard answer.status == 409, Self.isReplayed(answer) else {
                    counters.drops.withLock { $0.answered() }
                    return answer
                }
                dropped = "permintaan terulang di jaringan (replayed)"
                guard signed, !presigned else { return answer }
            } catch {
                guard [.stalled, .connect, .tls].contains(error.code), !presigned, !monitor.isCancelled else {
                    throw Failure(failure: .link(error.message))
                }
                let decision = counters.drops.withLock {
                    error.code == .stalled ? $0.dropped(attempt: attempt) : $0.failedToConnect(attempt: attempt)
                }
                guard case .again = decision else {
                    if case .giveUp(let reason) = decision, error.code == .stalled {
                        throw Failure(failure: .link("\(error.message); \(reason)"))
                    }
                    throw Failure(failure: .link(error.message))
                }
                logger.info(
                    "link dropped; request sent again",
                    metadata: ["path": "\(path)", "attempt": "\(attempt + 1)", "error": "\(error.code.rawValue)"])
                attempt += 1
                continue
            }
            guard !monitor.isCancelled else { throw Failure(failure: .link(dropped)) }
            let decision = counters.drops.withLock { $0.dropped(attempt: attempt) }
            guard case .again = decision else {
                if case .giveUp(let reason) = decision { throw Failure(failure: .link("\(dropped); \(reason)")) }
                throw Failure(failure: .link(dropped))
            }
            logger.info(
                "link dropped; request sent again", metadata: ["path": "\(path)", "attempt": "\(attempt + 1)"])
            attempt += 1
        }
    }

    /// Whether an answer is the hub's 409 `replayed`: the link delivered the request twice.
    private static func isReplayed(_ answer: HTTPResponseMessage) -> Bool {
        guard let problem = try? Canonical.decode(Problem.self, from: answer.body) else { return false }
        return problem.code == SyncError.Code.replayed.rawValue
    }

    private func record(_ report: SyncReport) {
        let run = SyncRun(
            startedAt: report.startedAt, finishedAt: report.finishedAt, result: report.outcome.result.rawValue,
            exitCode: Int(report.outcome.exitCode), pushed: report.pushed, pulled: report.pulled,
            bytesSent: report.bytesSent, bytesReceived: report.bytesReceived, message: report.outcome.message)
        do { try store.recordSyncRun(run) } catch {
            logger.error("sync run not recorded", metadata: ["error": "\(error.message)"])
        }
        // One line per run, for cron's mail, the journal and whoever reads the log next morning.
        logger.notice(
            "sync finished",
            metadata: [
                "result": "\(report.outcome.result.rawValue)", "exit": "\(report.outcome.exitCode)",
                "changeSetsPushed": "\(report.pushed)", "changeSetsPulled": "\(report.pulledChangeSets)",
                "eventsPulled": "\(report.pulled)", "blobsUploaded": "\(report.uploaded)",
                "blobsDownloaded": "\(report.downloaded)", "bytesSent": "\(report.bytesSent)",
                "bytesReceived": "\(report.bytesReceived)",
                "ms": "\(report.finishedAt.milliseconds - report.startedAt.milliseconds)",
            ])
    }
}
