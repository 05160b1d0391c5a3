import Crypto
import Foundation
import SimpulDomain
import SimpulHubPostgres
import SimpulStore
import SimpulSync

/// Carries requests straight to a `HubService` in this process: the hub's real code, without the
/// network. Integration tests use the real HTTPS server and libcurl instead.
public struct InProcessTransport: SyncTransport {
    public let hub: HubService
    public init(hub: HubService) { self.hub = hub }
    public func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage {
        hub.respond(request)
    }
}

/// A replica under test: its store and its key.
public struct Replica: Sendable {
    public let store: NodeStore
    public let identity: NodeIdentity
    public var node: NodeID { identity.node }
    public var directory: String { (store.path as NSString).deletingLastPathComponent }

    public init(store: NodeStore, identity: NodeIdentity) {
        self.store = store
        self.identity = identity
    }
}

/// The implementations of `HubStorage` the hub's tests run against: a test that takes one as its
/// argument (`@Test(arguments: HubBackend.allCases)`) runs once per implementation. A new database
/// for the hub is a new case here.
public enum HubBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// PostgreSQL joins when a server is given (`SIMPUL_TEST_POSTGRES_URL`, which `make test` sets) or
    /// required (`CI`, `SIMPUL_REQUIRE_POSTGRES`: then a missing server fails the tests, never skips them).
    public static var allCases: [HubBackend] { TestPostgresServer.enabled ? [.sqlite, .postgres] : [.sqlite] }

    /// For tests that act at the hub or look into it through its `NodeStore` (`world.hub.store`): the
    /// PTSP's steps, decisions, issued documents and publications go through `hubStorage` on either
    /// backend, but settling a conflict, the kas book and whole-table snapshots exist only there,
    /// so a hub on PostgreSQL cannot run them yet (README, "Not built yet").
    public static let nodeStoreOnly: [HubBackend] = [.sqlite]
}

/// The PostgreSQL server the hub's tests run against, and a database of its own for each hub.
public enum TestPostgresServer {
    public static let url = ProcessInfo.processInfo.environment["SIMPUL_TEST_POSTGRES_URL"]
    public static let enabled =
        url != nil || ProcessInfo.processInfo.environment["CI"] != nil
        || ProcessInfo.processInfo.environment["SIMPUL_REQUIRE_POSTGRES"] != nil

    /// A new empty database on the server; returns its URL and name.
    public static func createDatabase() throws -> (url: String, name: String) {
        guard let url, var parts = URLComponents(string: url) else {
            throw ChildError(
                "SIMPUL_TEST_POSTGRES_URL is not set but CI or SIMPUL_REQUIRE_POSTGRES asks for the PostgreSQL hub: run make test"
            )
        }
        let name = "simpul_hub_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql(url, "CREATE DATABASE \(name)")
        parts.path = "/" + name
        return (parts.string ?? url, name)
    }

    /// Drops a database `createDatabase` made, whoever is still connected.
    public static func dropDatabase(_ name: String) {
        guard let url else { return }
        try? psql(url, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    private static func psql(_ url: String, _ sql: String) throws {
        let (ended, _, err) = try Child.run(
            "/usr/bin/psql", ["--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-qc", sql, url], timeout: .seconds(60))
        guard ended.status == 0 else { throw ChildError("psql: \(String(decoding: err, as: UTF8.self))") }
    }
}

/// The hub's storage for `backend`, over the hub's store: every test that builds a hub gets its
/// storage here, so a new case of `HubBackend` reaches all of them. On PostgreSQL the storage is a
/// new database of its own; `close` closes and drops it.
public func makeHubStorage(
    backend: HubBackend, store: NodeStore, clock: TestClock
) throws -> (storage: any HubStorage, close: @Sendable () -> Void) {
    switch backend {
    case .sqlite:
        return (SQLiteHubStorage(store), {})
    case .postgres:
        let database = try TestPostgresServer.createDatabase()
        let storage = try PostgresHubStorage.open(
            PostgresSettings(url: database.url, maxConnections: 4), hub: store.info, logger: Fixture.logger,
            clock: { clock.now() })
        return (
            storage,
            {
                storage.close()
                TestPostgresServer.dropDatabase(database.name)
            }
        )
    }
}

/// A hub and kecamatan nodes wired together in one process.
public final class SyncWorld: Sendable {
    public let clock: TestClock
    /// The hub's node store and key. Tests write the PTSP's own acts here (`perform`, `publish`) and
    /// read whole-state digests (`stateDump`, `eventCount`, `verifyBlob`), which `HubStorage` does not
    /// offer yet; everything it does offer, tests read through `hubStorage`.
    public let hub: Replica
    public let service: HubService
    /// The implementation of `HubStorage` the hub runs on.
    public let backend: HubBackend
    /// What the hub keeps, as its logic sees it.
    public var hubStorage: any HubStorage { service.store }
    private let closeStorage: @Sendable () -> Void

    public init(clock: TestClock = TestClock(), backend: HubBackend = .sqlite, limits: HubLimits = HubLimits()) throws {
        self.clock = clock
        self.backend = backend
        let dir = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: clock, node: "33.74", directory: dir)
        let identity = try NodeIdentity.create(node: NodeID("33.74")!, directory: dir)
        hub = Replica(store: store, identity: identity)
        let (storage, close) = try makeHubStorage(backend: backend, store: store, clock: clock)
        closeStorage = close
        service = try HubService(
            storage: storage, identity: identity, logger: Fixture.logger, now: { clock.now() }, limits: limits)
    }

    deinit { closeStorage() }

    /// A new kecamatan node, enrolled at the hub unless told otherwise.
    public func kecamatan(_ code: String, enroll: Bool = true) throws -> Replica {
        let dir = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: clock, node: code, directory: dir)
        let identity = try NodeIdentity.create(node: NodeID(code)!, directory: dir)
        try store.setHub(HubConfig(url: "in-process", caFile: nil))
        if enroll { try self.enroll(identity) }
        return Replica(store: store, identity: identity)
    }

    public func enroll(_ identity: NodeIdentity) throws {
        _ = try hubStorage.enroll(node: identity.node, publicKey: identity.publicKey, fingerprint: identity.fingerprint)
    }

    /// Whether the hub holds the same partition as `store`: on SQLite every folded table compared
    /// row by row (`stateDump`); on PostgreSQL, whose tables differ, what `HubStorage` reads back (every
    /// permohonan, its history, the partition's conflicts and knowledge) against the same read of `store`.
    public func hubMatches(_ store: NodeStore, partition: String) throws -> Bool {
        switch backend {
        case .sqlite:
            return try hub.store.stateDump(partition: partition) == store.stateDump(partition: partition)
        case .postgres:
            return try HubPartitionState(hubStorage, partition: partition)
                == HubPartitionState(SQLiteHubStorage(store), partition: partition)
        }
    }

    /// The events the hub holds. On PostgreSQL, the sum of its knowledge: each writer's chain is held
    /// without gaps (its primary key and the chain order see to it), so the two are the same number.
    public func hubEventCount() throws -> Int {
        switch backend {
        case .sqlite: return try hub.store.eventCount()
        case .postgres:
            return try hubStorage.knowledge().values.reduce(0) { sum, vector in
                sum + vector.entries.values.reduce(0) { $0 + Int($1) }
            }
        }
    }

    /// Whether the hub holds the blob complete, its bytes hashing to its name.
    public func hubHoldsBlob(_ sha: String) throws -> Bool {
        switch backend {
        case .sqlite: return try hub.store.verifyBlob(sha)
        case .postgres:
            guard let held = try hubStorage.blob(sha), held.complete else { return false }
            let bytes = try hubStorage.readBlob(sha, offset: 0, count: Int(held.size))
            let hex = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            return Int64(bytes.count) == held.size && hex == sha
        }
    }

    /// One sync run of a node against the hub.
    @discardableResult
    public func sync(
        _ replica: Replica, budget: Int = ChangeSetSealer.defaultBudget, maxPullBytes: Int = 512 * 1024
    )
        -> SyncReport
    {
        SyncClient(
            store: replica.store, identity: replica.identity, transport: InProcessTransport(hub: service),
            logger: Fixture.logger, now: { self.clock.now() }, budget: budget, maxPullBytes: maxPullBytes
        ).run()
    }
}

extension Replica {
    /// Registers an application for a service with all it needs.
    @discardableResult
    public func register(_ code: String, nama: String = "Siti Aminah") throws -> Permohonan {
        let layanan = try store.catalog().service(code: code)!
        return try store.register(Fixture.application(layanan, nama: nama), officer: "Petugas \(node)")
    }

    /// Walks a delegated permohonan through its steps up to (not including) penyerahan.
    public func processToHandover(_ number: String) throws {
        while let p = try? store.permohonan(number), p.status == .diproses, let t = p.tahap, t != .penyerahan {
            try store.perform(.advance(tahap: t, note: nil), on: number, officer: "Petugas \(t.rawValue)")
        }
    }
}

/// A partition as `HubStorage` reads it back, the same on every backend.
struct HubPartitionState: Equatable {
    var permohonan: [Permohonan]
    var histories: [[String]]
    var conflicts: [Conflict]
    var knowledge: VersionVector?

    init(_ storage: any HubStorage, partition: String) throws {
        permohonan = try storage.list(PermohonanFilter(limit: 1_000_000)).filter { $0.partition == partition }
            .sorted { $0.number < $1.number }
        histories = try permohonan.map { p in try storage.history(p.number).map { "\($0.dot)" } }
        conflicts = try storage.conflicts(openOnly: false).filter { $0.partition == partition }
        knowledge = try storage.knowledge()[partition]
    }
}
