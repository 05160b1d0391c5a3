import Foundation
import SimpulDomain
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

    public var description: String { rawValue }
}

/// The hub's storage for `backend`, over the hub's store: every test that builds a hub gets its
/// storage here, so a new case of `HubBackend` reaches all of them.
public func makeHubStorage(backend: HubBackend, store: NodeStore) -> any HubStorage {
    switch backend {
    case .sqlite: SQLiteHubStorage(store)
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

    public init(clock: TestClock = TestClock(), backend: HubBackend = .sqlite, limits: HubLimits = HubLimits()) throws {
        self.clock = clock
        self.backend = backend
        let dir = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: clock, node: "33.74", directory: dir)
        let identity = try NodeIdentity.create(node: NodeID("33.74")!, directory: dir)
        hub = Replica(store: store, identity: identity)
        service = try HubService(
            storage: makeHubStorage(backend: backend, store: store), identity: identity, logger: Fixture.logger,
            now: { clock.now() }, limits: limits)
    }

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
