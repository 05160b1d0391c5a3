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
    let limits: HubLimits
    private let nonces: Mutex<NonceCache>
    /// Internal so that tests can hold slots as requests in flight would.
    let inFlight: InFlightLimit

    /// A hub over its SQLite store.
    public convenience init(
        store: NodeStore, identity: NodeIdentity, logger: Logger, now: @escaping @Sendable () -> Timestamp,
        limits: HubLimits = HubLimits()
    )
        throws(SimpulError)
    {
        try self.init(storage: SQLiteHubStorage(store), identity: identity, logger: logger, now: now, limits: limits)
    }

    public init(
        storage store: any HubStorage, identity: NodeIdentity, logger: Logger,
        now: @escaping @Sendable () -> Timestamp, limits: HubLimits = HubLimits()
    )
        throws(SimpulError)
    {
        self.store = store
        self.limits = limits
        self.inFlight = InFlightLimit(limit: limits.maxInFlightPerNode)
        self.nonces = Mutex(
            NonceCache(windowMilliseconds: Int64(limits.maxSkewSeconds) * 1000, perNode: limits.noncesPerNode))
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
        // Verification, decompression and the store are synchronous; keep them off the event loop and
        // the cooperative pool.
        await BlockingPool.shared.run { self.respond(request) }
    }

    /// The routes of the protocol, told apart before anything else is looked at.
    private enum Route: String {
        case hub, knowledge, push, pull, bundles, bundleReply = "bundle_reply", blob, healthz, readyz
    }

    private func route(_ request: HTTPRequestMessage) throws(SyncError) -> Route {
        let path = request.path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        if path == "/v1" || path.hasPrefix("/v1/") {
            throw SyncError(
                .upgradeRequired,
                "agen ini memakai protokol Simpul v1; hub ini memakai v\(SyncProtocol.version): perbarui simpul")
        }
        switch (request.method, request.path) {
        case ("GET", "/healthz"): return .healthz
        case ("GET", "/readyz"): return .readyz
        case ("GET", "/v2/hub"): return .hub
        case ("POST", "/v2/knowledge"): return .knowledge
        case ("POST", "/v2/push"): return .push
        case ("POST", "/v2/pull"): return .pull
        case ("POST", "/v2/bundles"): return .bundles
        case ("POST", "/v2/bundles/reply"): return .bundleReply
        case (_, let path) where path.hasPrefix(BlobRoutes.prefix): return .blob
        default:
            throw SyncError(
                .notFound,
                "tidak ada \(request.method) \(request.path.prefix(200)) di protokol Simpul v\(SyncProtocol.version)")
        }
    }

    /// The most bytes a route's body may decompress to.
    private func outputCap(_ route: Route) -> Int {
        switch route {
        case .push, .bundles: limits.bulkBodyBytes
        case .blob: BlobRoutes.maxChunkBytes
        default: limits.smallBodyBytes
        }
    }

    /// Answers one request, blocking.
    public func respond(_ request: HTTPRequestMessage) -> HTTPResponseMessage {
        let started = ContinuousClock.now
        let response = answer(request)
        let route = (try? route(request))?.rawValue ?? "unknown"
        HubMetrics.request(route: route, status: response.status, duration: ContinuousClock.now - started)
        return response
    }

    /// Sets the gauges read from the store (last contact per node, parked change sets, open
    /// conflicts), for a scrape of the metrics.
    public func recordStoreMetrics() throws(SimpulError) {
        HubMetrics.record(
            contacts: try store.contacts(), parked: try store.parkedPerWriter(),
            openConflicts: try store.conflicts(openOnly: true).count, at: now())
    }

    private func answer(_ request: HTTPRequestMessage) -> HTTPResponseMessage {
        var request = request
        var admitted: NodeID?
        defer { if let admitted { leave(admitted) } }
        var acknowledged: Int?
        do throws(SyncError) {
            let route = try route(request)
            switch route {
            case .healthz: return try json(HealthStatus(status: "ok"))
            case .readyz: return try readiness()
            default: break
            }
            if case .hub = route {
                return try json(
                    HubInfo(
                        protocolVersion: SyncProtocol.version, node: identity.node.rawValue, name: store.info.name,
                        publicKey: identity.publicKey, fingerprint: identity.fingerprint, time: now().description,
                        keys: try storeCall { () throws(SimpulError) in
                            try store.keys(node: identity.node.rawValue).filter { $0.state != .revoked }
                        }))
            }
            let node = try authenticate(request)
            try enter(node)
            admitted = node
            // Only an authenticated request of an admitted node costs the hub a decompression.
            request.body = try BodyCoding.decodeRequest(
                request.body, encoding: request.headers["content-encoding"], limit: outputCap(route))
            request.headers["content-encoding"] = nil
            switch route {
            case .hub, .healthz, .readyz:
                throw SyncError(.notFound, "tidak ada")
            case .knowledge:
                let body = try decode(KnowledgeRequest.self, request.body)
                let report = try checked(body.report, of: node)
                let response = try knowledge(for: node, partitions: body.partitions)
                contact(node, "knowledge")
                keep(report)
                return try json(response)
            case .push:
                let documents = try PushRequest.documents(request.body)
                var results: [PushResult] = []
                var knowledge: [String: VersionVector] = [:]
                do {
                    for document in documents {
                        let received = try ReceivedChangeSet(body: document)
                        let response = try push(received, from: node)
                        let cs = received.changeSet
                        results.append(
                            PushResult(
                                result: response.result, events: response.events, reason: response.reason,
                                partition: cs.partition, first: cs.first, last: cs.last))
                        knowledge[cs.partition] = response.knowledge
                    }
                } catch {
                    HubMetrics.pushed(results)
                    acknowledged = results.count
                    contact(node, "push \(results.count) lalu ditolak \(error.code.rawValue)", refused: true)
                    throw error
                }
                HubMetrics.pushed(results)
                contact(node, "push \(results.count)")
                return try json(PushBatchResponse(knowledge: knowledge, results: results))
            case .pull:
                let body = try decode(PullRequest.self, request.body)
                let report = try checked(body.report, of: node)
                let response = try pull(body, for: node)
                BundleExchange.remember(body.knowledge, of: node, at: self)
                contact(node, "pull \(response.changeSets.count)")
                keep(report)
                do {
                    return HTTPResponseMessage(
                        status: 200, headers: ["content-type": SyncProtocol.jsonContentType],
                        body: try response.encoded())
                } catch {
                    throw SyncError(.store, "jawaban tidak bisa dikodekan", cause: error)
                }
            case .bundles:
                return try respondImportingBundle(request, from: node)
            case .bundleReply:
                return try respondWithReplyBundle(request, from: node)
            case .blob:
                return try respondBlob(request, from: node)
            }
        } catch {
            // Only a request whose signature verified names its node truthfully.
            if error.code == .revoked, let node = request.headers["simpul-node"].flatMap(NodeID.init) {
                contact(node, "refused \(error.code.rawValue)", refused: true)
            }
            HubMetrics.refusal(code: error.code.rawValue)
            logger.notice(
                "request refused",
                metadata: [
                    "path": "\(request.path.prefix(200))", "code": "\(error.code.rawValue)",
                    "node": "\(request.headers["simpul-node"]?.prefix(64) ?? "-")", "error": "\(error)",
                ])
            return problem(error, acknowledged: acknowledged)
        }
    }

    /// Checks a signed request, cheapest first, before its body is decompressed or parsed and
    /// before anything is written: headers, clock, signature against every key of the node, the
    /// key's state, then the nonce.
    private func authenticate(_ request: HTTPRequestMessage) throws(SyncError) -> NodeID {
        let claim = try RequestSignature.claim(request)
        let at = now()
        let skew = Int64(limits.maxSkewSeconds) * 1000
        guard abs(claim.date.milliseconds - at.milliseconds) <= skew else {
            throw SyncError(
                .clockSkew,
                "jam node selisih lebih dari \(limits.maxSkewSeconds) detik dengan hub (\(at)); betulkan jam komputer")
        }
        let keys = try storeCall { () throws(SimpulError) in try store.keys(node: claim.node.rawValue) }
        // One detail whatever the reason: a stranger learns nothing of which nodes are enrolled or revoked.
        guard let key = RequestSignature.signingKey(of: request, claim: claim, among: keys) else {
            throw SyncError(
                .unauthenticated,
                "tanda tangan permintaan tidak dikenali hub ini: node belum terdaftar atau kuncinya lain; hubungi admin TI kabupaten"
            )
        }
        if let revoked = key.revokedAt {
            throw SyncError(
                .revoked,
                "node \(claim.node) dicabut oleh hub pada \(revoked); hubungi admin TI kabupaten untuk mendaftar ulang")
        }
        guard key.active else {
            throw SyncError(.revoked, "kunci sudah diganti; pakai kunci node \(claim.node) yang berlaku")
        }
        let outcome = nonces.withLock {
            $0.check(node: claim.node.rawValue, nonce: claim.nonce, date: claim.date, now: at)
        }
        let replayed = SyncError(.replayed, "permintaan ini sudah pernah diterima hub (Simpul-Nonce terulang)")
        switch outcome {
        case .fresh:
            let keepUntil = max(claim.date.milliseconds, at.milliseconds) + skew
            let first = try storeCall { () throws(SimpulError) in
                try store.recordNonce(
                    node: claim.node.rawValue, nonce: claim.nonce, keepUntil: keepUntil, now: at.milliseconds)
            }
            guard first else { throw replayed }
            return claim.node
        case .replayed: throw replayed
        case .full: throw SyncError(.busy, "terlalu banyak permintaan node \(claim.node); coba lagi sebentar")
        }
    }

    /// Admits one more request of `node`, or refuses it when it has too many in flight.
    private func enter(_ node: NodeID) throws(SyncError) {
        guard inFlight.enter(node.rawValue) else {
            throw SyncError(
                .busy, "node \(node) sudah punya \(inFlight.limit) permintaan berjalan; coba lagi sebentar")
        }
    }

    private func leave(_ node: NodeID) { inFlight.leave(node.rawValue) }

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
            try checkParkingLimit(of: received.changeSet.node, unparking: received.remote.stored.hash)
            return ("parked", 0, reason)
        case .brokenChain(let reason):
            throw SyncError(.brokenChain, reason)
        case .conflicting(let reason):
            throw SyncError(.conflictingChangeSet, reason)
        }
    }

    /// Refuses a change set just parked when its writer has more waiting than `ParkingLimit` allows; it
    /// is taken out of the parking again, so the store is as before the request.
    func checkParkingLimit(of writer: String, unparking hash: String) throws(SyncError) {
        let usage = try storeCall { () throws(SimpulError) in try store.parkedUsage(node: writer) }
        guard usage.changeSets > ParkingLimit.changeSets || usage.bytes > ParkingLimit.bytes else { return }
        try storeCall { () throws(SimpulError) in try store.unpark(hash: hash) }
        throw SyncError(
            .tooLarge,
            "parkir penuh untuk node \(writer): paling banyak \(ParkingLimit.changeSets) change set dan "
                + "\(ParkingLimit.bytes / 1024 / 1024) MiB menunggu dependensi (ParkingLimit); kirim dulu yang mendahuluinya"
        )
    }

    /// Retries parked change sets until none makes progress.
    func drainParked() throws(SyncError) {
        try Self.drain(store: store)
    }

    /// Applies parked change sets whose dependencies have arrived, in rounds until a round applies
    /// nothing. Parked change sets were verified when they arrived; one that no longer reads, or
    /// that turns out to be a duplicate or to contradict what is held, is dropped.
    ///
    /// Only those whose wait may be over are read (`parkedReady`): one still waiting after a retry
    /// has what it waits for noted, so a drain never re-reads every parked body.
    /// - Returns: how many events the parked change sets applied.
    @discardableResult
    static func drain(store: some ReplicaStorage) throws(SyncError) -> Int {
        var applied = 0
        while true {
            let parked = try storeCall { () throws(SimpulError) in try store.parkedReady() }
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
            var waiting: [RemoteChangeSet] = []
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
                    case .parked: waiting.append(cs)
                    }
                }
                rest = rest.dropFirst(outcomes.count)
            }
            try noteWaits(waiting, store: store)
            if !progress { return applied }
        }
    }

    /// Notes, for change sets still parked after a retry, the event each waits for: its writer's
    /// previous change set, or the first event of another writer its events saw that is not held.
    static func noteWaits(_ waiting: [RemoteChangeSet], store: some ReplicaStorage) throws(SyncError) {
        guard !waiting.isEmpty else { return }
        let held = try storeCall { () throws(SimpulError) in try store.knowledge() }
        for remote in waiting {
            let cs = remote.stored
            let have = held[cs.partition] ?? VersionVector()
            var wait: (node: String, seq: UInt64)?
            if cs.first > 1 && have[cs.node] < cs.first - 1 {
                wait = (cs.node, cs.first - 1)
            } else {
                search: for e in remote.events {
                    for (node, seq) in e.event.context.entries.sorted(by: { $0.key < $1.key })
                    where node != cs.node && have[node] < seq {
                        wait = (node, seq)
                        break search
                    }
                }
            }
            if let wait {
                try storeCall { () throws(SimpulError) in
                    try store.parkWaits(hash: cs.hash, node: wait.node, seq: wait.seq)
                }
            }
        }
    }

    func pull(_ request: PullRequest, for node: NodeID) throws(SyncError) -> PullResponse {
        let allowed = readable(by: node)
        if let bad = request.knowledge.keys.first(where: { !allowed.contains($0) }) {
            throw SyncError(.forbiddenRead, "node \(node) tidak boleh membaca partisi \(bad.prefix(40))")
        }
        // Checked before anything is stored or compared: a seq over 2^53 - 1 would trap where the store
        // turns it into a signed column (the knowledge a pull sends is remembered for reply bundles).
        try WireBounds.check(request.knowledge, field: "knowledge")
        guard (0...WireBounds.maxPullBytes).contains(request.maxBytes) else {
            throw SyncError(.malformed, "maxBytes \(request.maxBytes) di luar 0 sampai 2^53 - 1")
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
                    if !out.isEmpty && (bytes + s.body.count > maxBytes || out.count >= WireBounds.maxPullChangeSets) {
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

    private func contact(_ node: NodeID, _ result: String, refused: Bool = false) {
        do { try store.recordContact(node: node.rawValue, result: result, refused: refused) } catch {
            logger.warning("contact not recorded", metadata: ["node": "\(node)", "error": "\(error)"])
        }
    }

    /// A node's report of itself, checked against its bounds with the clock offset taken now; an
    /// absent report (an agent from before reports) is nil and changes nothing.
    private func checked(_ report: AgentReport?, of node: NodeID) throws(SyncError) -> NodeReport? {
        guard let report else { return nil }
        return try report.checked(node: node, at: now())
    }

    /// Keeps a checked report once the request it came with was answered; like a contact, a report
    /// that cannot be written costs a log line, not the sync.
    private func keep(_ report: NodeReport?) {
        guard let report else { return }
        do { try store.recordNodeReport(report) } catch {
            logger.warning("node report not recorded", metadata: ["node": "\(report.node)", "error": "\(error)"])
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws(SyncError) -> T {
        do { return try Canonical.decode(type, from: body) } catch {
            throw SyncError(.malformed, "isi permintaan bukan \(T.self) JSON yang sah", cause: error)
        }
    }

    /// 200 when the store answers with its schema current, 503 naming what is wrong otherwise.
    private func readiness() throws(SyncError) -> HTTPResponseMessage {
        do {
            try store.checkReady()
            return try json(HealthStatus(status: "ok"))
        } catch let error as SimpulError {
            var answer = try json(HealthStatus(status: "unavailable", detail: error.message))
            answer.status = 503
            return answer
        } catch {
            throw SyncError(.store, "kesiapan tidak bisa diperiksa", cause: error)
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

    private func problem(_ error: SyncError, acknowledged: Int? = nil) -> HTTPResponseMessage {
        let hubTime = error.code == .clockSkew ? now().description : nil
        let body =
            (try? Canonical.encode(Problem(error, hubTime: hubTime, acknowledged: acknowledged))) ?? Array("{}".utf8)
        var headers = ["content-type": SyncProtocol.problemContentType]
        if error.code == .busy { headers["retry-after"] = "1" }
        return HTTPResponseMessage(status: error.code.httpStatus, headers: headers, body: body)
    }
}

/// Runs a store call, turning a store failure into a sync error that keeps it as the cause.
func storeCall<T>(_ body: () throws(SimpulError) -> T) throws(SyncError) -> T {
    do { return try body() } catch {
        throw SyncError(.store, error.message, cause: error)
    }
}
