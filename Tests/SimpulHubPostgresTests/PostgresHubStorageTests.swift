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
    let database: TestDatabase?

    init(_ backend: Backend) throws {
        let clock = TestClock()
        self.clock = clock
        let dir = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: clock, node: "33.74", directory: dir)
        let identity = try NodeIdentity.create(node: NodeID("33.74")!, directory: dir)
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
