import Foundation
import Logging
import NIOPosix
import PostgresNIO
import SimpulDomain
import SimpulStore
import SimpulSync
import SimpulTestSupport
import Testing

@testable import SimpulHubPostgres

/// The PostgreSQL server the tests use: `SIMPUL_TEST_POSTGRES_URL` (set by `make test`, which starts a
/// throwaway cluster with scripts/postgres-test-cluster). Without it the tests are skipped, unless `CI`
/// or `SIMPUL_REQUIRE_POSTGRES` is set: then they run and fail, saying why.
enum TestPostgres {
    static let url = ProcessInfo.processInfo.environment["SIMPUL_TEST_POSTGRES_URL"]
    static let required =
        ProcessInfo.processInfo.environment["CI"] != nil
        || ProcessInfo.processInfo.environment["SIMPUL_REQUIRE_POSTGRES"] != nil
    static let enabled = url != nil || required
    /// Skips the suite, saying why, when no server was given (and none is required).
    static let serverGiven: ConditionTrait = .enabled(
        if: enabled,
        "SIMPUL_TEST_POSTGRES_URL is not set: no PostgreSQL server to test the hub's PostgreSQL storage against (make test starts one)"
    )

    static func settings() throws -> PostgresSettings {
        guard let url else {
            Issue.record(
                "SIMPUL_TEST_POSTGRES_URL is not set but CI or SIMPUL_REQUIRE_POSTGRES asks for the PostgreSQL tests: run them with `make test`, or start scripts/postgres-test-cluster and export its URL"
            )
            throw SimpulError(.configuration, "SIMPUL_TEST_POSTGRES_URL is not set")
        }
        return try PostgresSettings(url: url, maxConnections: 4)
    }

    /// One raw connection, for what the storage itself never does (CREATE DATABASE, tampering SQL).
    static func withConnection<T>(
        _ settings: PostgresSettings, _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        let pool = PostgresPool(
            settings: settings, group: MultiThreadedEventLoopGroup.singleton, logger: Fixture.logger)
        defer { pool.close() }
        return try pool.withConnection(body)
    }

    static func run(_ sql: String, on connection: PostgresConnection) throws {
        _ = try connection.query(PostgresQuery(unsafeSQL: sql), logger: Fixture.logger).wait()
    }
}

/// A database of its own for one test, dropped at the end.
final class TestDatabase {
    let server: PostgresSettings
    let settings: PostgresSettings

    init() throws {
        server = try TestPostgres.settings()
        settings = server.with(
            database: "simpul_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))")
        try TestPostgres.withConnection(server) { try TestPostgres.run("CREATE DATABASE \(settings.database)", on: $0) }
    }

    func drop() {
        try? TestPostgres.withConnection(server) {
            try TestPostgres.run("DROP DATABASE IF EXISTS \(settings.database) WITH (FORCE)", on: $0)
        }
    }

    /// The error PostgreSQL gives for `sql` on this database, or nil when it succeeds.
    func refusal(_ sql: String) throws -> String? {
        try TestPostgres.withConnection(settings) { connection in
            do {
                try TestPostgres.run(sql, on: connection)
                return nil
            } catch let error as PSQLError {
                return error.serverInfo?[.message] ?? "\(error.code)"
            }
        }
    }

    func count(_ sql: String) throws -> Int64 {
        try TestPostgres.withConnection(settings) { connection in
            let rows = try connection.query(PostgresQuery(unsafeSQL: sql), logger: Fixture.logger).wait()
            return try rows.first { _ in true }?.decode(Int64.self) ?? -1
        }
    }
}

/// The hub's storage implementations these tests compare.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres
    var description: String { rawValue }
}

/// A hub on one backend, and the kecamatan nodes that sync with it, in one process.
final class Hub {
    let clock: TestClock
    let service: HubService
    let storage: any HubStorage
    let identity: NodeIdentity
    let database: TestDatabase?

    init(_ backend: Backend) throws {
        let clock = TestClock()
        self.clock = clock
        let dir = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: clock, node: "33.74", directory: dir)
        let identity = try NodeIdentity.create(node: NodeID("33.74")!, directory: dir)
        self.identity = identity
        switch backend {
        case .sqlite:
            database = nil
            storage = SQLiteHubStorage(store)
        case .postgres:
            let database = try TestDatabase()
            self.database = database
            storage = try PostgresHubStorage.open(
                database.settings, hub: store.info, logger: Fixture.logger, clock: { clock.now() })
        }
        service = try HubService(
            storage: storage, identity: identity, logger: Fixture.logger, now: { clock.now() })
    }

    func close() {
        (storage as? PostgresHubStorage)?.close()
        database?.drop()
    }

    func kecamatan(_ code: String) throws -> Replica {
        let dir = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: clock, node: code, directory: dir)
        let identity = try NodeIdentity.create(node: NodeID(code)!, directory: dir)
        try store.setHub(HubConfig(url: "in-process", caFile: nil))
        _ = try storage.enroll(node: identity.node, publicKey: identity.publicKey, fingerprint: identity.fingerprint)
        return Replica(store: store, identity: identity)
    }

    func sync(_ replica: Replica) -> SyncReport {
        let clock = self.clock
        return SyncClient(
            store: replica.store, identity: replica.identity, transport: InProcessTransport(hub: service),
            logger: Fixture.logger, now: { clock.now() }
        ).run()
    }

    /// Pushes change set documents as `replica` signs its requests; returns the status and each result.
    func push(_ bodies: [[UInt8]], as replica: Replica) throws -> (status: Int, results: [String]) {
        var request = HTTPRequestMessage(method: "POST", path: "/v2/push", body: PushRequest.encode(bodies))
        try RequestSignature.sign(&request, identity: replica.identity, at: clock.now())
        let answer = service.respond(request)
        guard answer.status == 200 else { return (answer.status, []) }
        return (200, try Canonical.decode(PushBatchResponse.self, from: answer.body).results.map(\.result))
    }

    /// Sends `request` as `replica` signs it and returns the hub's answer.
    func signed(_ request: HTTPRequestMessage, as replica: Replica) throws -> HTTPResponseMessage {
        var request = request
        try RequestSignature.sign(&request, identity: replica.identity, at: clock.now())
        return service.respond(request)
    }

    /// One piece of a blob, sent over the chunk route as the agent sends it.
    func chunk(
        _ sha: String, offset: Int64, _ bytes: ArraySlice<UInt8>, size: Int64, as replica: Replica
    ) throws -> HTTPResponseMessage {
        try signed(
            HTTPRequestMessage(
                method: "POST", path: BlobRoutes.chunks(sha),
                headers: [
                    "content-type": BlobRoutes.octetStream, "simpul-offset": String(offset),
                    "simpul-size": String(size),
                ], body: Array(bytes)), as: replica)
    }

    /// Pushes every change set `replica` has sealed; returns each result.
    func pushAll(_ replica: Replica) throws -> [String] {
        try ChangeSetSealer.sealPending(store: replica.store, identity: replica.identity)
        let code = replica.node.rawValue
        let sets = try replica.store.changeSets(partition: code, node: code, after: 0, limit: 100)
        return try push(sets.map(\.body), as: replica).results
    }

    /// What `simpul init --hub-key` does: the hub's key pinned, so that the node can export bundles.
    func pinHub(_ replica: Replica) throws {
        let key = identity.publicKey
        try replica.store.setHub(HubConfig(url: "in-process", caFile: nil, node: "33.74", publicKey: key))
        try replica.store.learn([
            NodeKey(
                node: "33.74", publicKey: key, fingerprint: try NodeIdentity.parsePublicKey(key).fingerprint,
                enrolledAt: clock.now(), revokedAt: nil, active: true)
        ])
    }

    func changeSetCount(_ node: String) throws -> Int {
        try storage.changeSets(partition: node, node: node, after: 0, limit: 10_000).count
    }
}

@Suite(.timeLimit(.minutes(10)), TestPostgres.serverGiven)
struct PostgresHubStorageTests {
    @Test(arguments: Backend.allCases) func aNodesPushLeavesTheSameKnowledgeAndFoldedPermohonan(
        backend: Backend
    ) throws {
        let hub = try Hub(backend)
        defer { hub.close() }
        let node = try hub.kecamatan("33.74.01")
        let first = try node.register("SKTM", nama: "Siti Aminah")
        let second = try node.register("SKTM", nama: "Budi Santoso")
        try node.processToHandover(first.number)
        #expect(hub.sync(node).outcome.result == .inSync)
        #expect(try hub.storage.knowledge() == node.store.knowledge().filter { $0.key == "33.74.01" })
        #expect(try hub.storage.permohonan(first.number) == node.store.permohonan(first.number))
        #expect(try hub.storage.permohonan(second.number) == node.store.permohonan(second.number))
        #expect(try hub.storage.history(first.number).map(\.dot) == node.store.history(first.number).map(\.dot))
        #expect(
            try hub.storage.list(PermohonanFilter()).map(\.number).sorted() == [first.number, second.number].sorted())
        #expect(try hub.storage.conflicts(openOnly: false).isEmpty)
        #expect(try hub.storage.contacts().map(\.node) == ["33.74.01"])
        // The hub's change sets are the node's, byte for byte.
        let held = try hub.storage.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100)
        #expect(held == (try node.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100)))
        #expect(hub.sync(node).outcome.result == .inSync)
    }

    @Test(arguments: Backend.allCases) func theSameChangeSetAppliedTwiceChangesNothing(backend: Backend) throws {
        let hub = try Hub(backend)
        defer { hub.close() }
        let node = try hub.kecamatan("33.74.01")
        let p = try node.register("SKTM")
        try ChangeSetSealer.sealPending(store: node.store, identity: node.identity)
        let sets = try node.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100)
        #expect(try hub.push(sets.map(\.body), as: node).results == sets.map { _ in "applied" })
        let knowledge = try hub.storage.knowledge()
        let state = try hub.storage.permohonan(p.number)
        #expect(try hub.push(sets.map(\.body), as: node).results == sets.map { _ in "duplicate" })
        #expect(try hub.storage.knowledge() == knowledge)
        #expect(try hub.storage.permohonan(p.number) == state)
        #expect(try hub.changeSetCount("33.74.01") == sets.count)
    }

    @Test(arguments: Backend.allCases) func aChangeSetOutOfChainOrderIsParkedThenApplied(backend: Backend) throws {
        let hub = try Hub(backend)
        defer { hub.close() }
        let node = try hub.kecamatan("33.74.01")
        try node.register("SKTM", nama: "Pemohon Satu")
        try node.register("SKTM", nama: "Pemohon Dua")
        try ChangeSetSealer.sealPending(store: node.store, identity: node.identity, budget: 1)
        let sets = try node.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100)
        try #require(sets.count >= 2)
        #expect(try hub.push([sets[1].body], as: node).results == ["parked"])
        #expect(try hub.storage.parkedUsage(node: "33.74.01").changeSets == 1)
        #expect(try hub.storage.parkedPerWriter().map(\.node) == ["33.74.01"])
        #expect(try hub.storage.knowledge()["33.74.01"] == nil)
        #expect(try hub.push([sets[0].body], as: node).results == ["applied"])
        #expect(try hub.storage.parkedBodies().isEmpty)
        #expect(try hub.storage.knowledge()["33.74.01"]?["33.74.01"] == sets[1].last)
        #expect(try hub.changeSetCount("33.74.01") == 2)
    }

    @Test(arguments: Backend.allCases) func aTamperedChangeSetIsRefusedAndNothingStored(backend: Backend) throws {
        let hub = try Hub(backend)
        defer { hub.close() }
        let node = try hub.kecamatan("33.74.01")
        try node.register("SKTM", nama: "Siti Aminah")
        try ChangeSetSealer.sealPending(store: node.store, identity: node.identity)
        let sets = try node.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100)
        var body = sets[0].body
        let name = Array("Siti Aminah".utf8)
        // The applicant's name, altered after signing (or any byte, should the document not spell it out).
        let at =
            (0...(body.count - name.count)).first { Array(body[$0..<($0 + name.count)]) == name } ?? body.count / 2
        body[at] ^= 0x01
        let answer = try hub.push([body], as: node)
        #expect(answer.status != 200 || answer.results.allSatisfy { $0 != "applied" && $0 != "parked" })
        #expect(try hub.storage.knowledge()["33.74.01"] == nil)
        #expect(try hub.changeSetCount("33.74.01") == 0)
        #expect(try hub.storage.parkedBodies().isEmpty)
    }

    @Test(arguments: Backend.allCases) func keysAreEnrolledRetiredAndRevokedAlike(backend: Backend) throws {
        let hub = try Hub(backend)
        defer { hub.close() }
        let node = try hub.kecamatan("33.74.01")
        try node.register("SKTM")
        #expect(hub.sync(node).outcome.result == .inSync)
        let first = node.identity.fingerprint
        let id = NodeID("33.74.01")!
        let second = try hub.storage.enroll(node: id, publicKey: "kunci-baru", fingerprint: "sidik-baru")
        #expect(second.state == .active)
        let keys = try hub.storage.keys(node: "33.74.01")
        #expect(keys.map(\.fingerprint).sorted() == [first, "sidik-baru"].sorted())
        let retired = try #require(keys.first { $0.fingerprint == first })
        #expect(retired.state == .retired)
        #expect(retired.retiredThrough?["33.74.01"] == (try hub.storage.knowledge()["33.74.01"]?["33.74.01"]))
        // A retired key is never enrolled again, nor a key of another node.
        #expect(throws: SimpulError.self) {
            try hub.storage.enroll(node: id, publicKey: node.identity.publicKey, fingerprint: first)
        }
        #expect(throws: SimpulError.self) {
            try hub.storage.enroll(node: NodeID("33.74.02")!, publicKey: "kunci-baru", fingerprint: "sidik-baru")
        }
        try hub.storage.revoke(node: id)
        #expect(try hub.storage.keys(node: "33.74.01").allSatisfy { $0.state == .revoked })
        #expect(throws: SimpulError.self) { try hub.storage.revoke(node: id) }
    }

    // MARK: - Blobs

    /// A scanned document of `count` bytes in a file of its own, and its bytes.
    static func scan(_ count: Int, seed: UInt8) throws -> (path: String, bytes: [UInt8]) {
        let dir = Fixture.tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent("pindaian-\(seed).pdf")
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &+ $0 >> 8) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    static func status(_ response: HTTPResponseMessage) throws -> BlobStatus {
        try Canonical.decode(BlobStatus.self, from: response.body)
    }

    static func problem(_ response: HTTPResponseMessage) throws -> Problem {
        try Canonical.decode(Problem.self, from: response.body)
    }

    @Test(arguments: Backend.allCases) func aBlobSentInChunksComesBackByteForByteAndAWrongOffsetStoresNothing(
        backend: Backend
    ) throws {
        let hub = try Hub(backend)
        defer { hub.close() }
        let node = try hub.kecamatan("33.74.01")
        let p = try node.register("SKTM")
        let scan = try Self.scan(25_000, seed: 1)
        let sha = try node.store.attach(file: scan.path, to: p.number, syarat: "ktp", officer: "Sari").attachment
            .sha256
        #expect(try hub.pushAll(node).allSatisfy { $0 == "applied" })
        #expect(try hub.storage.blobReferences(sha).map(\.node) == ["33.74.01"])
        #expect(try hub.storage.blobReferences(sha).map(\.size) == [25_000])
        #expect(try hub.storage.attachedBlobs(partition: "33.74.01", node: "33.74.01", after: 0) == [sha])
        #expect(try hub.storage.blob(sha) == nil)

        let first = try hub.chunk(sha, offset: 0, scan.bytes[0..<10_000], size: 25_000, as: node)
        #expect(first.status == 200)
        #expect(try Self.status(first) == BlobStatus(sha256: sha, size: 25_000, received: 10_000, complete: false))
        // Sent again, or ahead of where the hub is: refused with where that is, and nothing kept.
        for offset in [0, 5_000, 20_000] {
            let wrong = try hub.chunk(
                sha, offset: Int64(offset), scan.bytes[offset..<offset + 5_000], size: 25_000, as: node)
            #expect(wrong.status == 409)
            #expect(try Self.problem(wrong).code == "blob-offset")
            #expect(try Self.problem(wrong).received == 10_000)
        }
        #expect(
            try hub.storage.blob(sha)
                == StoredBlob(sha256: sha, size: 25_000, received: 10_000, complete: false, atHub: false))
        #expect(try hub.storage.readBlob(sha, offset: 0, count: 1_000_000) == Array(scan.bytes[0..<10_000]))
        // Incomplete, it is not served.
        #expect(try hub.signed(HTTPRequestMessage(method: "GET", path: BlobRoutes.blob(sha)), as: node).status == 404)

        #expect(try hub.chunk(sha, offset: 10_000, scan.bytes[10_000..<20_000], size: 25_000, as: node).status == 200)
        let last = try hub.chunk(sha, offset: 20_000, scan.bytes[20_000..<25_000], size: 25_000, as: node)
        #expect(try Self.status(last) == BlobStatus(sha256: sha, size: 25_000, received: 25_000, complete: true))
        #expect(try hub.storage.blob(sha)?.complete == true)
        #expect(try hub.storage.blobOwner(sha) == "33.74.01")

        let whole = try hub.signed(HTTPRequestMessage(method: "GET", path: BlobRoutes.blob(sha)), as: node)
        #expect(whole.status == 200)
        #expect(whole.body == scan.bytes)
        // A range across the pieces' boundaries.
        let range = try hub.signed(
            HTTPRequestMessage(method: "GET", path: BlobRoutes.blob(sha), headers: ["range": "bytes=9990-20009"]),
            as: node)
        #expect(range.status == 206)
        #expect(range.body == Array(scan.bytes[9_990...20_009]))
        #expect(try hub.storage.readBlob(sha, offset: 24_990, count: 100) == Array(scan.bytes[24_990...]))
        // A complete blob takes no more pieces.
        let after = try hub.chunk(sha, offset: 0, scan.bytes[0..<10], size: 25_000, as: node)
        #expect(after.status == 409)
        #expect(try hub.storage.readBlob(sha, offset: 0, count: 25_000) == scan.bytes)
    }

    @Test(arguments: Backend.allCases) func aBlobThatDoesNotHashToItsNameIsDiscardedAndCanBeSentAgain(
        backend: Backend
    ) throws {
        let hub = try Hub(backend)
        defer { hub.close() }
        let node = try hub.kecamatan("33.74.01")
        let p = try node.register("SKTM")
        let scan = try Self.scan(12_000, seed: 2)
        let sha = try node.store.attach(file: scan.path, to: p.number, syarat: "ktp", officer: "Sari").attachment
            .sha256
        #expect(try hub.pushAll(node).allSatisfy { $0 == "applied" })
        var damaged = scan.bytes
        damaged[11_000] ^= 0xff
        #expect(try hub.chunk(sha, offset: 0, damaged[0..<6_000], size: 12_000, as: node).status == 200)
        let refused = try hub.chunk(sha, offset: 6_000, damaged[6_000...], size: 12_000, as: node)
        #expect(refused.status != 200)
        #expect(try Self.problem(refused).code == "blob-hash-mismatch")
        // Nothing of it is kept, not even the piece that was right: the next attempt starts at 0.
        #expect(try hub.storage.blob(sha) == nil)
        #expect(try hub.storage.blobOwner(sha) == nil)
        #expect(try hub.storage.readBlob(sha, offset: 0, count: 12_000).isEmpty)
        let status = try hub.signed(HTTPRequestMessage(method: "GET", path: BlobRoutes.status(sha)), as: node)
        #expect(try Self.status(status).received == 0)
        #expect(try hub.chunk(sha, offset: 6_000, scan.bytes[6_000...], size: 12_000, as: node).status == 409)
        #expect(try hub.chunk(sha, offset: 0, scan.bytes[...], size: 12_000, as: node).status == 200)
        #expect(try hub.storage.readBlob(sha, offset: 0, count: 12_000) == scan.bytes)
    }

    /// The rules of `appendBlobChunk` itself, called directly: each refusal's code and `received`.
    @Test(arguments: Backend.allCases) func appendBlobChunkRefusesAlikeOnBothBackends(backend: Backend) throws {
        let hub = try Hub(backend)
        defer { hub.close() }
        let bytes = Array("isi lampiran yang cukup panjang".utf8)
        let sha = NodeStore.sha256Hex(bytes)
        let size = Int64(bytes.count)
        func attempt(
            _ offset: Int64, _ piece: [UInt8], total: Int64, by uploader: String, sha name: String = sha
        )
            -> String
        {
            do {
                let held = try hub.storage.appendBlobChunk(
                    sha256: name, offset: offset, bytes: piece, totalSize: total, uploader: uploader)
                return "taken \(held.received)\(held.complete ? " complete" : "")"
            } catch {
                return "\(error.code.rawValue) \(error.received)"
            }
        }
        let a = "33.74.01"
        let b = "33.74.02"
        #expect(attempt(0, Array(bytes[0..<4]), total: size, by: a, sha: "bukan-sha") == "size 0")
        #expect(attempt(0, Array(bytes[0..<4]), total: 0, by: a) == "size 0")
        #expect(attempt(0, Array(bytes[0..<4]), total: Attachment.maxBytes + 1, by: a) == "size 0")
        #expect(attempt(0, [], total: size, by: a) == "size 0")
        #expect(attempt(-1, Array(bytes[0..<4]), total: size, by: a) == "size 0")
        #expect(attempt(Int64.max, Array(bytes[0..<4]), total: size, by: a) == "size 0")
        #expect(attempt(0, Array(bytes[0..<10]), total: size, by: a) == "taken 10")
        #expect(attempt(10, Array(bytes[10..<20]), total: size + 1, by: a) == "size 10")
        #expect(attempt(10, Array(bytes[10...]) + [0], total: size, by: a) == "size 10")
        #expect(attempt(12, Array(bytes[12..<20]), total: size, by: a) == "offset 10")
        #expect(try hub.storage.blobOwner(sha) == a)
        // Another node's partial upload is nothing it resumes from; at 0 it starts the blob over as its own.
        #expect(attempt(10, Array(bytes[10..<20]), total: size, by: b) == "offset 0")
        #expect(attempt(0, Array(bytes[0..<5]), total: size, by: b) == "taken 5")
        #expect(try hub.storage.blobOwner(sha) == b)
        #expect(attempt(5, Array(bytes[5...]), total: size, by: b) == "taken \(size) complete")
        #expect(try hub.storage.readBlob(sha, offset: 0, count: bytes.count) == bytes)
        // Complete, it is no one's to restart.
        #expect(attempt(0, Array(bytes[0..<5]), total: size, by: a) == "offset \(size)")
        #expect(try hub.storage.blobOwner(sha) == b)
    }

    @Test(arguments: Backend.allCases) func aBundleCarryingABlobIsAppliedAndTheReplyConfirmsIt(backend: Backend) throws
    {
        let hub = try Hub(backend)
        defer { hub.close() }
        let node = try hub.kecamatan("33.74.01")
        try hub.pinHub(node)
        let p = try node.register("PBG-KECIL", nama: "Ahmad Fauzi")
        try node.store.perform(.forward(note: "berkas lengkap"), on: p.number, officer: "Sari")
        let drawing = try Self.scan(150_000, seed: 7)
        let gambar = try node.store.attach(file: drawing.path, to: p.number, syarat: "gambar", officer: "Sari")
        let sha = gambar.attachment.sha256
        let now = hub.clock.now()
        let outbound = try BundleExchange.export(
            store: node.store, identity: node.identity, to: try BundleExchange.hub(of: node.store), createdAt: now,
            expiresAt: BundleExchange.expiry(from: now, days: 30), withBlobs: true)
        #expect(outbound.blobs == 1)
        let atHub = try BundleExchange.importAtHub(outbound.bytes, service: hub.service)
        #expect(atHub.applied == outbound.changeSets)
        #expect(atHub.blobs == 1)
        #expect(atHub.blobsSkipped == 0)
        #expect(try hub.storage.blob(sha)?.complete == true)
        #expect(try hub.storage.readBlob(sha, offset: 0, count: 150_000) == drawing.bytes)
        #expect(try hub.storage.permohonan(p.number).attachments == [gambar])
        // The sender proved it holds the bytes: it owns them, and its next reply confirms them.
        #expect(try hub.storage.blobOwner(sha) == "33.74.01")
        #expect(try hub.storage.blobReceipt(for: "33.74.01") == [sha])
        let whole = try hub.signed(HTTPRequestMessage(method: "GET", path: BlobRoutes.blob(sha)), as: node)
        #expect(whole.body == drawing.bytes)
        // Imported twice, nothing changes.
        let again = try BundleExchange.importAtHub(outbound.bytes, service: hub.service)
        #expect(again.applied == 0)
        #expect(again.blobs == 0)
        #expect(try hub.storage.blobReceipt(for: "33.74.01") == [sha])

        let inbound = try BundleExchange.reply(
            for: node.node, service: hub.service, createdAt: now, expiresAt: BundleExchange.expiry(from: now, days: 30))
        #expect(inbound.blobsHeld == 1)
        let back = try BundleExchange.importReply(
            inbound.bytes, store: node.store, identity: node.identity, now: hub.clock.now())
        #expect(back.blobsConfirmed == 1)
        #expect(try node.store.blob(sha)?.atHub == true)
        #expect(try node.store.pendingUploads().isEmpty)
    }

    /// A carried blob whose bytes are not what its event says undoes the whole bundle, the peer's
    /// knowledge included; one no event of the writer names is left out.
    @Test(arguments: Backend.allCases) func aBundleBlobThatIsNotWhatItsEventSaysRefusesTheBundle(
        backend: Backend
    ) throws {
        let hub = try Hub(backend)
        defer { hub.close() }
        let node = try hub.kecamatan("33.74.01")
        let p = try node.register("SKTM")
        let scan = try Self.scan(5_000, seed: 8)
        let sha = try node.store.attach(file: scan.path, to: p.number, syarat: "ktp", officer: "Sari").attachment
            .sha256
        #expect(try hub.pushAll(node).allSatisfy { $0 == "applied" })
        // A partition no one else writes knowledge of: whether the bundle's write of it stayed shows.
        let knowledge = ["33.74.99": VersionVector(["33.74.99": 7])]
        func apply(_ carried: [CarriedBlob]) throws -> WholeBatch {
            try hub.storage.applyWhole(
                [], learning: [], peer: "33.74.01", peerKnowledge: knowledge,
                blobs: BundleBlobs(carried: carried, writer: "33.74.01", rememberFor: "33.74.01"))
        }
        var damaged = scan.bytes
        damaged[0] ^= 1
        #expect(try apply([CarriedBlob(sha256: sha, bytes: damaged)]).refusedBlob?.reason == .hash)
        #expect(try apply([CarriedBlob(sha256: sha, bytes: scan.bytes + [0])]).refusedBlob?.reason == .size)
        #expect(try hub.storage.blob(sha) == nil)
        #expect(try hub.storage.peerKnowledge("33.74.01")["33.74.99"] == nil)
        #expect(try hub.storage.blobReceipt(for: "33.74.01").isEmpty)

        let stranger = Array("tidak dirujuk event mana pun".utf8)
        let taken = try apply([
            CarriedBlob(sha256: NodeStore.sha256Hex(stranger), bytes: stranger),
            CarriedBlob(sha256: sha, bytes: scan.bytes),
        ])
        #expect(taken.refusedBlob == nil)
        #expect(taken.blobsSkipped == 1)
        #expect(taken.blobsStored == 1)
        #expect(try hub.storage.blob(NodeStore.sha256Hex(stranger)) == nil)
        #expect(try hub.storage.readBlob(sha, offset: 0, count: 5_000) == scan.bytes)
        #expect(try hub.storage.peerKnowledge("33.74.01")["33.74.99"] == knowledge["33.74.99"])
        #expect(try hub.storage.blobReceipt(for: "33.74.01") == [sha])
        // Held already: counted, not stored again. No owner until the bundle's sender claims it.
        #expect(try apply([CarriedBlob(sha256: sha, bytes: scan.bytes)]).blobsHeld == 1)
        #expect(try hub.storage.blobOwner(sha) == nil)
        try hub.storage.claimBlobs([sha], owner: "33.74.02")
        #expect(try hub.storage.blobOwner(sha) == nil)
        try hub.storage.claimBlobs([sha], owner: "33.74.01")
        #expect(try hub.storage.blobOwner(sha) == "33.74.01")
    }

    /// The agents' own blob sync: a sub-node uploads what it attached, its kecamatan fetches it.
    @Test(arguments: Backend.allCases) func aSubNodesUploadIsFetchedByItsKecamatan(backend: Backend) throws {
        let hub = try Hub(backend)
        defer { hub.close() }
        let kec = try hub.kecamatan("33.74.01")
        let laptop = try hub.kecamatan("33.74.01-1")
        let p = try laptop.register("SKTM")
        let scan = try Self.scan(150_000, seed: 4)
        let attached = try laptop.store.attach(file: scan.path, to: p.number, syarat: "ktp", officer: "Joko")
        let up = hub.sync(laptop)
        #expect(up.outcome.result == .inSync, "\(up.outcome)")
        #expect(up.uploaded == 1)
        #expect(try hub.storage.readBlob(attached.attachment.sha256, offset: 0, count: 150_000) == scan.bytes)
        let down = hub.sync(kec)
        #expect(down.outcome.result == .inSync, "\(down.outcome)")
        #expect(down.downloaded == 1)
        #expect(try kec.store.verifyBlob(attached.attachment.sha256))
        #expect(try kec.store.permohonan(p.number).attachments == [attached])
    }

    @Test func theDatabaseRefusesToChangeOrRemoveEvents() throws {
        let hub = try Hub(.postgres)
        defer { hub.close() }
        let node = try hub.kecamatan("33.74.01")
        try node.register("SKTM")
        #expect(hub.sync(node).outcome.result == .inSync)
        let database = try #require(hub.database)
        let events = try database.count("SELECT COUNT(*) FROM event")
        #expect(events > 0)
        let update = try database.refusal("UPDATE event SET officer = 'Orang Lain'")
        #expect(update?.contains("append-only") == true)
        let delete = try database.refusal("DELETE FROM event")
        #expect(delete?.contains("append-only") == true)
        let truncate = try database.refusal("TRUNCATE event")
        #expect(truncate?.contains("append-only") == true)
        #expect(try database.count("SELECT COUNT(*) FROM event") == events)
        // Appending stays possible.
        try node.register("SKTM", nama: "Budi Santoso")
        #expect(hub.sync(node).outcome.result == .inSync)
        #expect(try database.count("SELECT COUNT(*) FROM event") > events)
    }

    @Test func migrationsRunTwiceAreANoOpAndAnOlderDatabaseIsBroughtForward() throws {
        let database = try TestDatabase()
        defer { database.drop() }
        let info = try Fixture.newStore(node: "33.74").info
        // A database left at the first migration, as an older release would leave it.
        let pool = PostgresPool(
            settings: database.settings, group: MultiThreadedEventLoopGroup.singleton, logger: Fixture.logger)
        try PostgresSchema.migrate(pool, upTo: 1, logger: Fixture.logger)
        pool.close()
        #expect(try database.count("SELECT MAX(version)::BIGINT FROM schema_migrations") == 1)
        #expect(try database.count("SELECT COUNT(*) FROM pg_tables WHERE tablename = 'permohonan'") == 0)
        let storage = try PostgresHubStorage.open(database.settings, hub: info, logger: Fixture.logger)
        try storage.checkReady()
        storage.close()
        let current = Int64(PostgresSchema.current)
        #expect(try database.count("SELECT MAX(version)::BIGINT FROM schema_migrations") == current)
        #expect(try database.count("SELECT COUNT(*) FROM schema_migrations") == current)
        #expect(try database.count("SELECT COUNT(*) FROM pg_tables WHERE tablename = 'permohonan'") == 1)
        // Opened again: nothing runs twice.
        let again = try PostgresHubStorage.open(database.settings, hub: info, logger: Fixture.logger)
        try again.checkReady()
        #expect(again.info == info)
        again.close()
        #expect(try database.count("SELECT COUNT(*) FROM schema_migrations") == current)
    }

    @Test func thePasswordNeverShowsInSettingsOrErrors() throws {
        let settings = try PostgresSettings(
            url: "postgres://simpul:rahasia-sekali@127.0.0.1:1/simpul", environment: [:])
        #expect(!settings.description.contains("rahasia"))
        #expect(settings.password == "rahasia-sekali")
        let fromEnvironment = try PostgresSettings(
            url: "postgres://simpul@127.0.0.1:1/simpul", environment: ["PGPASSWORD": "rahasia-lain"])
        #expect(fromEnvironment.password == "rahasia-lain")
        #expect(!fromEnvironment.description.contains("rahasia"))
        let info = try Fixture.newStore(node: "33.74").info
        // Nothing listens on port 1: the error names the server, never the password.
        do {
            _ = try PostgresHubStorage.open(settings, hub: info, logger: Fixture.logger)
            Issue.record("a storage opened on a closed port")
        } catch {
            #expect(!"\(error)".contains("rahasia"))
            #expect(error.code == .storeUnavailable)
        }
    }
}
