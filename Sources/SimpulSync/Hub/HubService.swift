import Foundation
import Logging
import SimpulConcurrency
import SimpulDomain
import SimpulStore
import Synchronization

/// The hub's side of the sync protocol, over its store. Transport-free: the HTTPS server adapts it,
/// and tests can call it in process.
public final class HubService: HubRequestHandler, Sendable {
    /// Everything the hub keeps; the hub's logic sees only the protocol.
    public let store: any HubStorage
    let identity: NodeIdentity
    let logger: Logger
    let now: @Sendable () -> Timestamp
    /// Sealing the hub's own events must not run twice at once, or two change sets would claim the
    /// same place in the chain.
    private let sealLock = Mutex(())

    /// A hub over its SQLite store.
    public convenience init(
        store: NodeStore, identity: NodeIdentity, logger: Logger, now: @escaping @Sendable () -> Timestamp
    )
        throws(SimpulError)
    {
        try self.init(storage: SQLiteHubStorage(store), identity: identity, logger: logger, now: now)
    }

    public init(
        storage store: any HubStorage, identity: NodeIdentity, logger: Logger,
        now: @escaping @Sendable () -> Timestamp
    )
        throws(SimpulError)
    {
        self.store = store
        self.identity = identity
        self.logger = logger
        self.now = now
        // Pulls hand out the keys of every writer they carry, the hub's own included, so that any
        // replica (a restored node, a relay, an observer) can verify the hub's change sets.
        if try store.keys(node: identity.node.rawValue).isEmpty {
            try store.learn([
                NodeKey(
                    node: identity.node.rawValue, publicKey: identity.publicKey, fingerprint: identity.fingerprint,
                    enrolledAt: now(), revokedAt: nil, active: true)
            ])
        }
    }

    public func handle(_ request: HTTPRequestMessage) async -> HTTPResponseMessage {
        // The store is synchronous SQLite; keep it off the cooperative pool.
        await BlockingPool.shared.run { self.respond(request) }
    }

    /// Answers one request, blocking.
    public func respond(_ request: HTTPRequestMessage) -> HTTPResponseMessage {
        do throws(SyncError) {
            switch (request.method, request.path) {
            case ("GET", "/v1/hub"):
                return try json(
                    HubInfo(
                        protocolVersion: SyncProtocol.version, node: identity.node.rawValue, name: store.info.name,
                        publicKey: identity.publicKey, fingerprint: identity.fingerprint))
            case ("POST", "/v1/knowledge"):
                let node = try authenticate(request)
                let body = try decode(KnowledgeRequest.self, request.body)
                let response = try knowledge(for: node, partitions: body.partitions)
                contact(node, "knowledge")
                return try json(response)
            case ("POST", "/v1/push"):
                let node = try authenticate(request)
                let received = try ReceivedChangeSet(body: request.body)
                let response = try push(received, from: node)
                contact(node, "push \(response.result)")
                return try json(response)
            case ("POST", "/v1/pull"):
                let node = try authenticate(request)
                let body = try decode(PullRequest.self, request.body)
                let response = try pull(body, for: node)
                BundleExchange.remember(body.knowledge, of: node, at: self)
                contact(node, "pull \(response.changeSets.count)")
                do {
                    return HTTPResponseMessage(
                        status: 200, headers: ["content-type": SyncProtocol.jsonContentType],
                        body: try response.encoded())
                } catch {
                    throw SyncError(.store, "jawaban tidak bisa dikodekan", cause: error)
                }
            case ("POST", "/v1/bundles"):
                return try respondImportingBundle(request)
            case ("POST", "/v1/bundles/reply"):
                return try respondWithReplyBundle(request)
            case (_, let path) where path.hasPrefix(BlobRoutes.prefix):
                return try respondBlob(request)
            default:
                throw SyncError(.notFound, "tidak ada \(request.method) \(request.path) di protokol Simpul v1")
            }
        } catch {
            if error.code == .revoked, let node = request.headers["simpul-node"].flatMap(NodeID.init) {
                contact(node, "refused \(error.code.rawValue)")
            }
            logger.notice(
                "request refused",
                metadata: [
                    "path": "\(request.path)", "code": "\(error.code.rawValue)",
                    "node": "\(request.headers["simpul-node"] ?? "-")", "error": "\(error)",
                ])
            return problem(error)
        }
    }

    private func authenticate(_ request: HTTPRequestMessage) throws(SyncError) -> NodeID {
        try RequestSignature.authenticate(request, store: store, now: now())
    }

    /// The partitions a node may read: a kecamatan node its own and the kabupaten's global one.
    func readable(by node: NodeID) -> Set<String> {
        [node.homePartition, identity.node.kabupaten.code]
    }

    func knowledge(for node: NodeID, partitions: [String]) throws(SyncError) -> KnowledgeResponse {
        let allowed = readable(by: node)
        if let bad = partitions.first(where: { !allowed.contains($0) }) {
            throw SyncError(.forbiddenRead, "node \(node) tidak boleh membaca partisi \(bad)")
        }
        let all = try storeCall { () throws(SimpulError) in try store.knowledge() }
        var result: [String: VersionVector] = [:]
        for p in partitions { result[p] = all[p] ?? VersionVector() }
        return KnowledgeResponse(node: node.rawValue, partitions: result)
    }

    func push(_ received: ReceivedChangeSet, from node: NodeID) throws(SyncError) -> PushResponse {
        let cs = received.changeSet
        let store = self.store
        func enrolledKey(_ fingerprint: String) throws(SimpulError) -> NodeKey? {
            try store.keys(node: cs.node).first { $0.fingerprint == fingerprint }
        }
        try received.verify(
            key: enrolledKey, clock: try storeCall { () throws(SimpulError) in try store.lamportClock() })
        let outcome = try apply(received)
        let knowledge = try storeCall { () throws(SimpulError) in try store.knowledge()[cs.partition] ?? VersionVector()
        }
        logger.info(
            "change set received",
            metadata: [
                "from": "\(node)", "writer": "\(cs.node)", "partition": "\(cs.partition)",
                "seq": "\(cs.first)-\(cs.last)", "result": "\(outcome.result)",
            ])
        return PushResponse(
            result: outcome.result, events: outcome.events, reason: outcome.reason, knowledge: knowledge)
    }

    /// Applies a verified change set (it is parked when it must wait), and then applies whatever it
    /// unblocked.
    func apply(_ received: ReceivedChangeSet) throws(SyncError) -> (result: String, events: Int, reason: String?) {
        let outcome = try storeCall { () throws(SimpulError) in try store.applyRemote([received.remote])[0] }
        switch outcome {
        case .applied(let n):
            try drainParked()
            return ("applied", n, nil)
        case .duplicate:
            return ("duplicate", 0, nil)
        case .parked(let reason):
            return ("parked", 0, reason)
        case .brokenChain(let reason):
            throw SyncError(.brokenChain, reason)
        case .conflicting(let reason):
            throw SyncError(.conflictingChangeSet, reason)
        }
    }

    /// Retries parked change sets until none makes progress.
    func drainParked() throws(SyncError) {
        try Self.drain(store: store)
    }

    /// Applies parked change sets whose dependencies have arrived, in rounds until a round applies
    /// nothing. Parked change sets were verified when they arrived; one that no longer reads, or
    /// that turns out to be a duplicate or to contradict what is held, is dropped.
    /// - Returns: how many events the parked change sets applied.
    @discardableResult
    static func drain(store: some ReplicaStorage) throws(SyncError) -> Int {
        var applied = 0
        while true {
            let parked = try storeCall { () throws(SimpulError) in try store.parkedBodies() }
            if parked.isEmpty { return applied }
            var batch: [RemoteChangeSet] = []
            for p in parked {
                guard let received = try? ReceivedChangeSet(body: p.body) else {
                    try storeCall { () throws(SimpulError) in try store.unpark(hash: p.hash) }
                    continue
                }
                batch.append(received.remote)
            }
            var progress = false
            var rest = batch[...]
            while !rest.isEmpty {
                let outcomes = try storeCall { () throws(SimpulError) in try store.applyRemote(Array(rest)) }
                for (cs, outcome) in zip(rest, outcomes) {
                    switch outcome {
                    case .applied(let n):
                        progress = true
                        applied += n
                    case .duplicate, .brokenChain, .conflicting:
                        try storeCall { () throws(SimpulError) in try store.unpark(hash: cs.stored.hash) }
                    case .parked: break
                    }
                }
                rest = rest.dropFirst(outcomes.count)
            }
            if !progress { return applied }
        }
    }

    func pull(_ request: PullRequest, for node: NodeID) throws(SyncError) -> PullResponse {
        let allowed = readable(by: node)
        if let bad = request.knowledge.keys.first(where: { !allowed.contains($0) }) {
            throw SyncError(.forbiddenRead, "node \(node) tidak boleh membaca partisi \(bad)")
        }
        try sealOwn()
        let maxBytes = max(4096, min(request.maxBytes, 16 * 1024 * 1024))
        let hubKnowledge = try storeCall { () throws(SimpulError) in try store.knowledge() }
        var out: [[UInt8]] = []
        var writers: Set<String> = []
        var bytes = 0
        var complete = true
        outer: for partition in allowed.sorted() {
            let theirs = request.knowledge[partition] ?? VersionVector()
            for (writer, held) in (hubKnowledge[partition]?.entries ?? [:]).sorted(by: { $0.key < $1.key })
            where held > theirs[writer] {
                let sets = try storeCall { () throws(SimpulError) in
                    try store.changeSets(partition: partition, node: writer, after: theirs[writer], limit: 64)
                }
                for s in sets {
                    if !out.isEmpty && bytes + s.body.count > maxBytes {
                        complete = false
                        break outer
                    }
                    // Stored exactly as signed and checked when it arrived: it goes out unchanged.
                    out.append(s.body)
                    writers.insert(writer)
                    bytes += s.body.count
                }
                if sets.last.map({ $0.last < held }) ?? true { complete = false }
            }
        }
        var keys: [NodeKey] = []
        for w in writers.sorted() {
            keys += try storeCall { () throws(SimpulError) in try store.keys(node: w) }
        }
        return PullResponse(changeSets: out, keys: keys, complete: complete)
    }

    /// Seals the hub's own events (PTSP steps, decisions, settlements, publications) into change sets.
    public func sealOwn() throws(SyncError) {
        try sealLock.withLock { _ throws(SyncError) in
            do {
                try ChangeSetSealer.sealPending(store: store, identity: identity)
            } catch {
                throw SyncError(.store, "event hub tidak bisa disegel", cause: error)
            }
        }
    }

    private func contact(_ node: NodeID, _ result: String) {
        do { try store.recordContact(node: node.rawValue, result: result) } catch {
            logger.warning("contact not recorded", metadata: ["node": "\(node)", "error": "\(error)"])
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws(SyncError) -> T {
        do { return try Canonical.decode(type, from: body) } catch {
            throw SyncError(.malformed, "isi permintaan bukan \(T.self) JSON yang sah", cause: error)
        }
    }

    private func json<T: Encodable>(_ value: T) throws(SyncError) -> HTTPResponseMessage {
        do {
            return HTTPResponseMessage(
                status: 200, headers: ["content-type": SyncProtocol.jsonContentType], body: try Canonical.encode(value))
        } catch {
            throw SyncError(.store, "jawaban tidak bisa dikodekan", cause: error)
        }
    }

    private func problem(_ error: SyncError) -> HTTPResponseMessage {
        let body = (try? Canonical.encode(Problem(error))) ?? Array("{}".utf8)
        return HTTPResponseMessage(
            status: error.code.httpStatus, headers: ["content-type": SyncProtocol.problemContentType], body: body)
    }
}

/// Runs a store call, turning a store failure into a sync error that keeps it as the cause.
func storeCall<T>(_ body: () throws(SimpulError) -> T) throws(SyncError) -> T {
    do { return try body() } catch {
        throw SyncError(.store, error.message, cause: error)
    }
}
