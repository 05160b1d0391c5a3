import Foundation
import Logging
import SimpulConcurrency
import SimpulDomain
import SimpulStore
import Synchronization

/// How a batch of received change sets enters the store: read and checked on pool threads ahead of
/// the applying thread, applied in one transaction, parked where they must wait.
extension SyncClient {
    /// The reads and checks of one batch. Pool threads read and check ahead of the store, in order;
    /// the applying thread does a change set's itself when no thread has started it. So it never
    /// waits for work the pool has not begun, and a pool whose threads are all busy (a hub answering
    /// requests, an agent in a run) slows the batch down but cannot deadlock it.
    final class Admission: Sendable {
        enum Source: Sendable {
            /// Change sets already read from their bytes: only checked here.
            case read([ReceivedChangeSet])
            /// Documents as received: read and checked here.
            case documents([[UInt8]])
        }

        /// Why a change set is not applied: it did not read, or it failed a check.
        struct Refusal: Error {
            var error: SyncError
            var unread: Bool
        }

        /// One change set's outcome. The mutex is held while its read and check run, so whoever
        /// needs the outcome of a running one blocks on it until it ends.
        private final class Slot: Sendable {
            let outcome = Mutex<Result<RemoteChangeSet, Refusal>?>(nil)
        }

        private let source: Source
        private let keys: [String: [NodeKey]]
        private let slots: [Slot]
        /// The next change set no pool thread has taken.
        private let next = Atomic<Int>(0)
        private let stopped = Atomic<Bool>(false)

        private let clock: UInt64

        init(_ source: Source, keys: [String: [NodeKey]], clock: UInt64) {
            self.source = source
            self.keys = keys
            self.clock = clock
            let count =
                switch source {
                case .read(let sets): sets.count
                case .documents(let documents): documents.count
                }
            slots = (0..<count).map { _ in Slot() }
        }

        var count: Int { slots.count }

        /// Sets up to `threads` threads of `pool` reading and checking ahead.
        func start(threads: Int, on pool: BlockingPool) {
            for _ in 0..<min(threads, slots.count) {
                pool.submit { self.checkAhead() }
            }
        }

        /// Ends the checking ahead: the batch is applied or refused.
        func stop() { stopped.store(true, ordering: .relaxed) }

        /// Waits for change set `i`'s read and check, running them here if no thread has; returns
        /// it for the store or throws its refusal.
        func wait(_ i: Int) throws(Refusal) -> RemoteChangeSet {
            try slots[i].outcome.withLock { outcome in
                check(i, &outcome)
                return outcome!
            }.get()
        }

        private func checkAhead() {
            while !stopped.load(ordering: .relaxed) {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < slots.count else { return }
                // Held: the applying thread is checking it.
                _ = slots[i].outcome.withLockIfAvailable { outcome in check(i, &outcome) }
            }
        }

        private func check(_ i: Int, _ outcome: inout Result<RemoteChangeSet, Refusal>?) {
            guard case .none = outcome else { return }
            let received: ReceivedChangeSet
            switch source {
            case .read(let sets): received = sets[i]
            case .documents(let documents):
                do throws(SyncError) { received = try ReceivedChangeSet(body: documents[i]) } catch {
                    outcome = .failure(Refusal(error: error, unread: true))
                    return
                }
            }
            let known = keys[received.changeSet.node] ?? []
            do throws(SyncError) {
                try received.verify(key: { fp in known.first { $0.fingerprint == fp } }, clock: clock)
                outcome = .success(received.remote)
            } catch {
                outcome = .failure(Refusal(error: error, unread: false))
            }
        }
    }

    /// Verifies and applies change sets in one transaction; parks those that must wait, then
    /// applies what they were waiting for. Returns the new events applied.
    /// `pool` is the process's blocking pool but in tests that must hold every thread of one.
    public static func apply(
        _ changeSets: [ReceivedChangeSet], store: NodeStore, pool: BlockingPool = .shared
    ) throws -> Int {
        try apply(
            Admission(.read(changeSets), keys: try keysByNode(store), clock: try store.lamportClock()), store, pool)
    }

    /// Reads, verifies and applies change set documents as they came off the wire, in one
    /// transaction: each is read (canonical form and values, in one pass over its bytes) and
    /// checked (hash over those bytes, signature, roles, Lamport margin) on the other cores while the
    /// store applies those before it, and is applied only once its own read and check have passed.
    /// A document that does not read ends the batch as a garbled answer; those before it are kept.
    /// Returns the new events applied.
    public static func apply(documents: [[UInt8]], store: NodeStore) throws -> Int {
        try apply(
            Admission(.documents(documents), keys: try keysByNode(store), clock: try store.lamportClock()), store,
            .shared)
    }

    /// Every key the store knows, by node: taken before the transaction, so that no check on a pool
    /// thread reads the store while the applying thread holds it.
    private static func keysByNode(_ store: NodeStore) throws -> [String: [NodeKey]] {
        Dictionary(grouping: try store.keys(), by: \.node)
    }

    private static func apply(_ checks: Admission, _ store: NodeStore, _ pool: BlockingPool) throws -> Int {
        // One core stays with the applying thread (SQLite's work is the longest); the others read
        // and check ahead of it.
        checks.start(threads: max(1, pool.threads - 1), on: pool)
        defer { checks.stop() }
        let (outcomes, refusal, waiting) = try store.applyRemote(count: checks.count) {
            (i: Int) throws(Admission.Refusal) -> RemoteChangeSet in
            try checks.wait(i)
        }
        var applied = 0
        for outcome in outcomes {
            switch outcome {
            case .applied(let n): applied += n
            case .duplicate, .parked: break
            case .brokenChain(let reason), .conflicting(let reason): throw Failure(failure: .invalidData(reason))
            }
        }
        if let refusal {
            throw Failure(
                failure: refusal.unread
                    ? .garbled("change set tidak bisa dibaca: \(refusal.error.message)")
                    : .invalidData(refusal.error.message))
        }
        // What waits in the parking (from this pull or an earlier one) may wait for what just came.
        if waiting && applied > 0 { applied += try HubService.drain(store: store) }
        return applied
    }
}
