import Foundation
import SimpulCompression
import SimpulHubServer
import SimpulStore
import SimpulTestSupport
import SimpulTransport
import Testing

@testable import SimpulDomain
@testable import SimpulSync

/// The hub's trust boundary, attacked over real TLS: one test per attack class. Each checks the
/// refusal's code, that nothing of the hub's store changed (a dump of its state, its events and its
/// contact rows before and after), and that the hub still answers another node's real request
/// promptly afterwards.
@Suite(.timeLimit(.minutes(10))) struct HubTrustBoundaryTests {
    /// Everything an attacker could change at the hub: its state, its log and its contact rows.
    struct Dump: Equatable {
        var state: String
        var events: Int
        var contacts: [Contact]
    }

    static func dump(_ world: SyncWorld) throws -> Dump {
        Dump(
            state: try world.hub.store.stateDump(), events: try world.hubEventCount(),
            contacts: try world.hubStorage.contacts())
    }

    /// A hub with two enrolled kecamatan (the attacked one with work to push) and its HTTPS address.
    static func world(limits: HubLimits = HubLimits()) throws -> (SyncWorld, Replica, Replica) {
        let world = try SyncWorld(limits: limits)
        let kec = try world.kecamatan("33.74.01")
        for _ in 0..<3 { try kec.register("SKTM") }
        let other = try world.kecamatan("33.74.02")
        return (world, kec, other)
    }

    static func transport(_ port: Int, _ ca: String) -> CurlTransport {
        CurlTransport(baseURL: "https://127.0.0.1:\(port)", caFile: ca, logger: Fixture.logger)
    }

    static func knowledge(_ replica: Replica) throws -> HTTPRequestMessage {
        HTTPRequestMessage(
            method: "POST", path: "/v2/knowledge", headers: ["content-type": SyncProtocol.jsonContentType],
            body: Array(#"{"partitions":["\#(replica.node.homePartition)"]}"#.utf8))
    }

    static func signed(
        _ request: HTTPRequestMessage, by replica: Replica, at date: Timestamp, via transport: CurlTransport
    ) throws -> HTTPRequestMessage {
        var r = request
        try RequestSignature.sign(&r, identity: replica.identity, at: date, host: transport.host)
        return r
    }

    /// The refusal's problem, checked to carry `code` and `status`.
    @discardableResult
    static func refused(_ response: HTTPResponseMessage, _ code: SyncError.Code) throws -> Problem {
        let problem = try Canonical.decode(Problem.self, from: response.body)
        #expect(problem.code == code.rawValue, "\(problem)")
        #expect(response.status == code.httpStatus)
        return problem
    }

    /// Another node's real request is still answered. (How fast is for `simpul-bench`, not a test: a
    /// wall-clock bound here failed whenever the parallel suite loaded the machine.)
    static func stillServes(
        _ other: Replica, _ world: SyncWorld, _ transport: CurlTransport
    ) throws {
        let response = try transport.send(
            try signed(try knowledge(other), by: other, at: world.clock.now(), via: transport))
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
    }

    @Test func aReplayedRequestIsRefusedWithReplayed() async throws {
        let (world, kec, other) = try Self.world()
        try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            let request = try Self.signed(try Self.knowledge(kec), by: kec, at: world.clock.now(), via: transport)
            #expect(try transport.send(request).status == 200)
            let before = try Self.dump(world)
            try Self.refused(try transport.send(request), .replayed)
            #expect(try Self.dump(world) == before)
            try Self.stillServes(other, world, transport)
        }
    }

    /// A signed POST of `body` to `path` by `replica`.
    static func post(
        _ path: String, _ body: [UInt8], by replica: Replica, _ world: SyncWorld, via transport: CurlTransport
    ) throws -> HTTPResponseMessage {
        let request = HTTPRequestMessage(
            method: "POST", path: path, headers: ["content-type": SyncProtocol.jsonContentType], body: body)
        return try transport.send(try signed(request, by: replica, at: world.clock.now(), via: transport))
    }

    /// Crash and poison: integers past their bounds and nesting past its limit, from an enrolled node.
    @Test func wireIntegersAndNestingBeyondTheirBoundsAreMalformed() async throws {
        let (world, kec, other) = try Self.world()
        try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            let before = try Self.dump(world)
            for seq in ["18446744073709551615", "9223372036854775808", "9007199254740992"] {
                let body = #"{"knowledge":{"33.74.01":{"33.74.01":\#(seq)}},"maxBytes":65536}"#
                let problem = try Self.refused(
                    try Self.post("/v2/pull", Array(body.utf8), by: kec, world, via: transport), .malformed)
                #expect(problem.detail.contains("knowledge.33.74.01.33.74.01"), "\(problem.detail)")
            }
            let deep = String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)
            try Self.refused(
                try Self.post("/v2/push", Array(#"{"changeSets":[\#(deep)]}"#.utf8), by: kec, world, via: transport),
                .malformed)
            let after = try Self.dump(world)
            #expect(after.state == before.state && after.events == before.events)
            try Self.stillServes(other, world, transport)
        }
    }

    /// Another kecamatan's files: a node signing with its real key withdraws kecamatan B's permohonan.
    @Test func aChangeSetOnAnotherKecamatansFileIsRefusedNamingIt() async throws {
        let (world, kec, other) = try Self.world()
        let victim = try other.register("SKTM")
        #expect(world.sync(other).outcome.result == .inSync)
        let registration = try kec.store.history(try kec.store.list(PermohonanFilter(limit: 1))[0].number)[0]
        let forged = Event(
            dot: Dot(node: "33.74.01", seq: registration.dot.seq + 1), partition: "33.74.01", lamport: 1_000,
            context: VersionVector(), record: victim.number, officer: "Petugas nakal", role: Peran.loket,
            at: world.clock.now(), body: .withdrawn(Closure(reason: "ditarik pemohon")))
        let sealed = try SignedChangeSet.seal(
            [registration, forged], node: kec.identity, partition: "33.74.01", prev: nil)
        try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            let before = try Self.dump(world)
            let victimBefore = try world.hubStorage.permohonan(victim.number)
            let problem = try Self.refused(
                try Self.post("/v2/push", PushRequest.encode([try sealed.encoded()]), by: kec, world, via: transport),
                .forbiddenRecord)
            #expect(problem.detail.contains(victim.number), "\(problem.detail)")
            let after = try Self.dump(world)
            #expect(after.state == before.state && after.events == before.events)
            #expect(try world.hubStorage.permohonan(victim.number) == victimBefore)
            try Self.stillServes(other, world, transport)
        }
    }

    @Test func aKecamatansPaperPassedOffAsThePTSPsIssuedDocumentIsRefused() async throws {
        let (world, kec, other) = try Self.world()
        let p = try kec.register("PBG-KECIL")
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        #expect(world.sync(kec).outcome.result == .inSync)
        try world.hub.store.perform(.decide(code: "50", fee: 1_000, note: nil), on: p.number, officer: "Kabid")
        #expect(world.sync(kec).outcome.result == .inSync)
        // Signed with the kecamatan's real key, as a stolen laptop would: the store itself refuses to
        // write it, so it is made by hand.
        let last = try kec.store.history(p.number).last!
        let forged = Event(
            dot: Dot(node: "33.74.01", seq: try kec.store.knowledge()["33.74.01"]!["33.74.01"] + 1),
            partition: "33.74.01", lamport: last.lamport + 1, context: try kec.store.permohonan(p.number).seen,
            record: p.number, officer: "Petugas nakal", role: Peran.loket, at: world.clock.now(),
            body: .attached(
                Attachment(
                    sha256: String(repeating: "c", count: 64), size: 4_000, name: "izin.pdf",
                    mediaType: "application/pdf", issuedNumber: "503/0999/DPMPTSP/2026")))
        let sealed = try SignedChangeSet.seal([forged], node: kec.identity, partition: "33.74.01", prev: nil)
        try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            let before = try Self.dump(world)
            let problem = try Self.refused(
                try Self.post("/v2/push", PushRequest.encode([try sealed.encoded()]), by: kec, world, via: transport),
                .forbiddenType)
            #expect(problem.detail.contains("hanya dilampirkan PTSP"), "\(problem.detail)")
            let after = try Self.dump(world)
            #expect(after.state == before.state && after.events == before.events)
            #expect(try world.hubStorage.permohonan(p.number).issuedDocument == nil)
            try Self.stillServes(other, world, transport)
        }
    }

    /// A stolen laptop closing another node's till, or its own with figures out of bounds.
    @Test(arguments: ["KAS/02/2026-03-17", "KAS/011/2026-03-17", "KAS/01/2026-03-17"])
    func aForgedCashBookEntryIsRefused(record: String) async throws {
        let (world, kec, other) = try Self.world()
        #expect(world.sync(kec).outcome.result == .inSync)
        let day = LocalDate(iso: "2026-03-17")!
        // The store refuses to write either, so they are made by hand and signed with the real key.
        let body: EventBody =
            record == "KAS/01/2026-03-17"
            ? .kasDeposited(KasDeposit(day: day, amount: -5, reference: "X"))
            : .kasClosed(KasClosing(day: day, receipts: 0, total: 0, firstReceipt: nil, lastReceipt: nil))
        let forged = Event(
            dot: Dot(node: "33.74.01", seq: try kec.store.knowledge()["33.74.01"]!["33.74.01"] + 1),
            partition: "33.74.01", lamport: 1_000, context: VersionVector(), record: record, officer: "Kasir nakal",
            role: Peran.kasir, at: world.clock.now(), body: body)
        let sealed = try SignedChangeSet.seal([forged], node: kec.identity, partition: "33.74.01", prev: nil)
        try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            let before = try Self.dump(world)
            let problem = try Self.refused(
                try Self.post("/v2/push", PushRequest.encode([try sealed.encoded()]), by: kec, world, via: transport),
                record == "KAS/01/2026-03-17" ? .malformed : .forbiddenRecord)
            #expect(
                problem.detail.contains(record == "KAS/01/2026-03-17" ? "setoran: jumlah" : record), "\(problem.detail)"
            )
            let after = try Self.dump(world)
            #expect(after.state == before.state && after.events == before.events)
            try Self.stillServes(other, world, transport)
        }
    }

    @Test(arguments: [-301, 301]) func aRequestOutsideTheSkewWindowIsRefusedWithTheHubsTime(seconds: Int) async throws {
        let (world, kec, other) = try Self.world()
        try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            let before = try Self.dump(world)
            // The hub reads the clock once more, a minute on, before it checks the date.
            let date = Timestamp(milliseconds: world.clock.now().milliseconds + 60_000 + Int64(seconds) * 1000)
            let problem = try Self.refused(
                try transport.send(try Self.signed(try Self.knowledge(kec), by: kec, at: date, via: transport)),
                .clockSkew)
            #expect(problem.hubTime.flatMap(Timestamp.init(iso:)) != nil)
            #expect(try Self.dump(world) == before)
            try Self.stillServes(other, world, transport)
        }
    }

    @Test func anAgentWhoseClockIsThreeHoursOffStillSyncs() async throws {
        let (world, kec, other) = try Self.world()
        let report = try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            let report = SyncClient(
                store: kec.store, identity: kec.identity, transport: transport, logger: Fixture.logger,
                now: { Timestamp(milliseconds: world.clock.now().milliseconds - 3 * 3600 * 1000) }
            ).run()
            try Self.stillServes(other, world, transport)
            return report
        }
        #expect(report.outcome.result == .inSync, "\(report.outcome)")
        #expect(try world.hubStorage.knowledge()["33.74.01"] == kec.store.knowledge()["33.74.01"])
    }

    @Test func aRequestNamingARevokedNodeWithoutItsKeyLearnsNothing() async throws {
        let (world, kec, other) = try Self.world()
        let revoked = try world.kecamatan("33.74.03")
        try world.hubStorage.revoke(node: revoked.node)
        let stranger = try world.kecamatan("33.74.04", enroll: false)
        try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            let before = try Self.dump(world)
            // Signed with a key the hub never enrolled, once naming the revoked node and once a stranger.
            let rogue = try NodeIdentity.create(node: revoked.node, directory: Fixture.tempDirectory())
            var forged = try Self.knowledge(revoked)
            try RequestSignature.sign(&forged, identity: rogue, at: world.clock.now(), host: transport.host)
            let asRevoked = try Self.refused(try transport.send(forged), .unauthenticated)
            let asStranger = try Self.refused(
                try transport.send(
                    try Self.signed(try Self.knowledge(stranger), by: stranger, at: world.clock.now(), via: transport)),
                .unauthenticated)
            // Unsigned, naming the revoked node.
            var unsigned = try Self.knowledge(revoked)
            unsigned.headers["simpul-node"] = revoked.node.rawValue
            try Self.refused(try transport.send(unsigned), .unauthenticated)
            // One detail for all: nothing tells a revoked node from an unknown one.
            #expect(asRevoked.detail == asStranger.detail)
            #expect(!asRevoked.detail.contains("dicabut"))
            #expect(try Self.dump(world) == before)
            _ = kec
            try Self.stillServes(other, world, transport)
        }
    }

    @Test func aZstdBombFromAnUnauthenticatedClientIsRefusedWithoutDecompressing() async throws {
        let (world, kec, other) = try Self.world()
        let bomb = Zstd.compress([UInt8](repeating: 0, count: 64 * 1024 * 1024), level: 19)
        #expect(bomb.count < 64 * 1024)
        try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            let before = try Self.dump(world)
            // Decompressing it would answer too-large (push's cap is 16 MiB); unauthenticated means the
            // hub refused it before spending anything on it.
            let request = HTTPRequestMessage(
                method: "POST", path: "/v2/push",
                headers: ["content-type": SyncProtocol.jsonContentType, "content-encoding": "zstd"], body: bomb)
            try Self.refused(try transport.send(request), .unauthenticated)
            let rogue = try NodeIdentity.create(node: kec.node, directory: Fixture.tempDirectory())
            var forged = request
            try RequestSignature.sign(&forged, identity: rogue, at: world.clock.now(), host: transport.host)
            #expect(forged.body == bomb)
            try Self.refused(try transport.send(forged), .unauthenticated)
            #expect(try Self.dump(world) == before)
            // The same bomb signed by the enrolled node is decompressed, up to the cap only.
            try Self.refused(
                try transport.send(try Self.signed(request, by: kec, at: world.clock.now(), via: transport)), .tooLarge)
            try Self.stillServes(other, world, transport)
        }
    }

    @Test func aVersionOneRequestIsToldToUpgrade() async throws {
        let (world, kec, other) = try Self.world()
        try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            let before = try Self.dump(world)
            var old = try Self.knowledge(kec)
            old.path = "/v1/knowledge"
            let problem = try Self.refused(
                try transport.send(try Self.signed(old, by: kec, at: world.clock.now(), via: transport)),
                .upgradeRequired)
            #expect(problem.title == "Perlu versi baru")
            #expect(problem.detail.contains("v1") && problem.detail.contains("v2"))
            try Self.refused(try transport.send(HTTPRequestMessage(method: "GET", path: "/v1/hub")), .upgradeRequired)
            #expect(try Self.dump(world) == before)
            try Self.stillServes(other, world, transport)
        }
        // The agent takes it as permanent: the exit code of a configuration error, not a retry.
        let outcome = SyncMachine.classify(.problem(status: 426, code: "upgrade-required", detail: "perbarui simpul"))
        #expect(outcome.exitCode == 65)
    }

    @Test func aTamperedSignedHeaderIsRefused() async throws {
        let (world, kec, other) = try Self.world()
        let sha = String(repeating: "ab", count: 32)
        try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            let before = try Self.dump(world)
            var range = try Self.signed(
                HTTPRequestMessage(method: "GET", path: BlobRoutes.blob(sha), headers: ["range": "bytes=0-9"]), by: kec,
                at: world.clock.now(), via: transport)
            range.headers["range"] = "bytes=0-99999"
            try Self.refused(try transport.send(range), .unauthenticated)
            var offset = try Self.signed(
                HTTPRequestMessage(
                    method: "POST", path: BlobRoutes.chunks(sha),
                    headers: [
                        "content-type": BlobRoutes.octetStream, "simpul-offset": "0", "simpul-size": "10",
                    ], body: Array(repeating: 7, count: 10)), by: kec, at: world.clock.now(), via: transport)
            offset.headers["simpul-offset"] = "5"
            try Self.refused(try transport.send(offset), .unauthenticated)
            var size = offset
            size.headers["simpul-offset"] = "0"
            size.headers["simpul-size"] = "99"
            try Self.refused(try transport.send(size), .unauthenticated)
            #expect(try Self.dump(world) == before)
            try Self.stillServes(other, world, transport)
        }
    }

    /// The test clock moves a minute per reading: a window of an hour keeps the first nonces alive.
    @Test func aNodeOverItsLimitIsToldItIsBusy() async throws {
        let (world, kec, other) = try Self.world(limits: HubLimits(maxSkewSeconds: 3600, noncesPerNode: 2))
        try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            for _ in 0..<2 {
                let request = try Self.signed(try Self.knowledge(kec), by: kec, at: world.clock.now(), via: transport)
                #expect(try transport.send(request).status == 200)
            }
            let before = try Self.dump(world)
            let response = try transport.send(
                try Self.signed(try Self.knowledge(kec), by: kec, at: world.clock.now(), via: transport))
            try Self.refused(response, .busy)
            #expect(response.headers["retry-after"] == "1")
            #expect(try Self.dump(world) == before)
            try Self.stillServes(other, world, transport)
        }
    }

    /// Requests of one node already being answered (slots held as a stuck request would) leave the
    /// node `busy`, not the hub: another node is served, and the node is again once a slot frees.
    @Test func aNodeWithTooManyRequestsInFlightIsToldItIsBusy() async throws {
        let (world, kec, other) = try Self.world(limits: HubLimits(maxInFlightPerNode: 2))
        for _ in 0..<2 { #expect(world.service.inFlight.enter(kec.node.rawValue)) }
        try await withHTTPSHub(world.service) { port, ca in
            let transport = Self.transport(port, ca)
            defer { transport.closeIdleConnections() }
            let before = try Self.dump(world)
            let response = try transport.send(
                try Self.signed(try Self.knowledge(kec), by: kec, at: world.clock.now(), via: transport))
            try Self.refused(response, .busy)
            #expect(response.headers["retry-after"] == "1")
            #expect(try Self.dump(world) == before)
            try Self.stillServes(other, world, transport)
            world.service.inFlight.leave(kec.node.rawValue)
            let again = try transport.send(
                try Self.signed(try Self.knowledge(kec), by: kec, at: world.clock.now(), via: transport))
            #expect(again.status == 200)
            #expect(world.service.inFlight.count(kec.node.rawValue) == 1)
        }
    }

    /// Connections held open and idle (a flood of them from one laptop) take no more than the limit:
    /// the server stops accepting, and a connection waiting in the queue is served once one closes.
    @Test func connectionsOverTheLimitWaitUntilOneCloses() async throws {
        let (world, _, _) = try Self.world()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = try HubHTTPServer(
            host: "127.0.0.1", port: 0, tls: nil, handler: world.service, maxConnections: 1, logger: Fixture.logger,
            onRunning: { continuation.yield($0) })
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let answered = try await withCheckedThrowingContinuation { (c: CheckedContinuation<[Bool], any Error>) in
            Thread.detachNewThread {
                c.resume(
                    with: Result {
                        // The first connection is served (so it was accepted) and kept open.
                        let first = try RawConnection(port: port)
                        try first.send(RawConnection.hubInfoRequest)
                        let firstAnswered = try first.readsAnswer(within: 10_000)
                        // The second is queued by the kernel but not accepted: no answer while the first is open.
                        let second = try RawConnection(port: port)
                        try second.send(RawConnection.hubInfoRequest)
                        let secondEarly = try second.readsAnswer(within: 1_000)
                        first.close()
                        let secondLater = try second.readsAnswer(within: 10_000)
                        second.close()
                        return [firstAnswered, secondEarly, secondLater]
                    })
            }
        }
        #expect(answered == [true, false, true])
        serving.cancel()
        _ = await serving.result
    }
}

/// A plain TCP connection to the hub on loopback, for tests that hold connections open.
final class RawConnection {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static let hubInfoRequest = Array("GET /v2/hub HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)

    private var fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawConnection.Failure("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw RawConnection.Failure("connect: \(errno)")
        }
    }

    deinit { close() }

    func send(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw RawConnection.Failure("send: \(errno)") }
    }

    /// Whether an HTTP answer's first bytes arrive within `milliseconds`.
    func readsAnswer(within milliseconds: Int32) throws -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) == 1 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 && buffer.starts(with: Array("HTTP/1.1 200".utf8))
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
