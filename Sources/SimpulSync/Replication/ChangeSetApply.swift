import Foundation
import SimpulDomain
import SimpulStore

/// What applying a received change set did.
public enum ApplyOutcome: Sendable, Equatable {
    /// Its new events are in the log and folded.
    case applied(events: Int)
    /// Everything in it was already held: nothing changed.
    case duplicate
    /// It waits for what it depends on (an earlier change set, or events its events saw).
    case parked(reason: String)
    /// It does not continue its writer's hash chain: it was altered or forged.
    case brokenChain(reason: String)
    /// Its writer signed different contents for the same seqs before.
    case conflicting(reason: String)
}

/// What the replication policy asks of one transaction over a replica's log, whatever database
/// holds it: the SQLite `StoreTransaction` and the hub's PostgreSQL storage both answer it, so that
/// both decide duplicates, parking and broken chains by the one rule below.
public protocol ChangeSetApplyTransaction {
    /// Whether a change set with this hash is held.
    func holdsChangeSet(hash: String) throws -> Bool
    /// A held change set of the writer that shares a seq with `first...last`.
    func overlappingChangeSet(
        partition: String, node: String, first: UInt64, last: UInt64
    ) throws -> (first: UInt64, last: UInt64)?
    /// The highest seq the log holds of a writer in a partition (0 when none).
    func highestSeq(partition: String, node: String) throws -> UInt64
    /// The hash of the writer's change set that ends at `seq`.
    func changeSetHash(partition: String, node: String, endingAt seq: UInt64) throws -> String?
    /// Appends received events of one writer in seq order and raises the knowledge to the last.
    func appendReceived(_ events: ArraySlice<ReceivedEvent>) throws
    /// Records a change set whose events are in the log.
    func insertChangeSet(_ cs: StoredChangeSet, keepBody: Bool, at: Timestamp) throws
    /// Forgets a parked change set.
    func unpark(hash: String) throws
}

extension StoreTransaction: ChangeSetApplyTransaction {}

/// The replication policy over a store transaction: when a received change set may enter the log,
/// when it must wait, and when it is refused.
public enum ChangeSetApply {
    /// Applies one verified change set inside `tx`: whole or not at all, idempotently, and only when
    /// what it depends on is present (otherwise the caller parks it). Its events are taken for the
    /// fold; the caller folds once per batch with `tx.foldReceived()`.
    public static func apply<Transaction: ChangeSetApplyTransaction>(
        _ remote: RemoteChangeSet, at: Timestamp, tx: Transaction, parkedMayExist: Bool = true
    ) throws -> ApplyOutcome {
        let cs = remote.stored
        if try tx.holdsChangeSet(hash: cs.hash) { return .duplicate }
        if let o = try tx.overlappingChangeSet(partition: cs.partition, node: cs.node, first: cs.first, last: cs.last) {
            return .conflicting(
                reason:
                    "change set \(cs.node) \(cs.first)-\(cs.last) bertentangan dengan change set \(o.first)-\(o.last) yang sudah ada dengan isi berbeda"
            )
        }
        let held = try tx.highestSeq(partition: cs.partition, node: cs.node)
        if cs.first > held + 1 {
            return .parked(
                reason: "menunggu event \(cs.node) seq \(held + 1)-\(cs.first - 1) di partisi \(cs.partition)")
        }
        if cs.first > 1 {
            let prev = try tx.changeSetHash(partition: cs.partition, node: cs.node, endingAt: cs.first - 1)
            guard let prev else {
                return .parked(reason: "menunggu change set \(cs.node) yang berakhir di seq \(cs.first - 1)")
            }
            guard cs.prev == prev else {
                return .brokenChain(
                    reason:
                        "rantai hash putus: change set \(cs.node) \(cs.first)-\(cs.last) tidak menyambung change set sebelumnya"
                )
            }
        } else if cs.prev != nil {
            return .brokenChain(reason: "rantai hash putus: change set pertama \(cs.node) tidak boleh punya pendahulu")
        }
        // Events come in seq order from cs.first: those after what is held are the new ones.
        let fresh = remote.events[min(Int(max(held + 1, cs.first) - cs.first), remote.events.count)...]
        // What this change set's events saw of other writers must be here already.
        var needed: [String: UInt64] = [:]
        for e in fresh {
            for (node, seq) in e.event.context.entries where node != cs.node && seq > needed[node] ?? 0 {
                needed[node] = seq
            }
        }
        for (node, seq) in needed.sorted(by: { $0.key < $1.key }) {
            if try tx.highestSeq(partition: cs.partition, node: node) < seq {
                return .parked(reason: "menunggu event \(node):\(seq) di partisi \(cs.partition)")
            }
        }
        try tx.appendReceived(fresh)
        try tx.insertChangeSet(cs, keepBody: !remote.rebuildable, at: at)
        if parkedMayExist { try tx.unpark(hash: cs.hash) }
        return fresh.isEmpty ? .duplicate : .applied(events: fresh.count)
    }

    /// Whether a change set this node sealed continues its own chain, whose newest change set is `end`.
    public static func continuesOwnChain(
        _ cs: StoredChangeSet, node: String, end: (last: UInt64, hash: String)?
    ) -> Bool {
        cs.node == node && cs.first == (end?.last ?? 0) + 1 && cs.prev == end?.hash
    }
}

extension NodeStore {
    /// Applies verified change sets from other replicas, in order, in one transaction: each is
    /// applied whole or not at all, idempotently, and only when what it depends on is present;
    /// otherwise it is parked (kept in the store) and nothing of it is applied. The first change set
    /// that breaks its writer's chain or contradicts one held ends the batch: it is refused, and
    /// what came before it in the batch is kept.
    ///
    /// - Returns: one outcome per change set attempted, in order.
    public func applyRemote(_ batch: [RemoteChangeSet]) throws(SimpulError) -> [ApplyOutcome] {
        try applyRemote(batch, admit: { _ in }).outcomes
    }

    /// `applyRemote(_:)`, asking `admit` before each change set whether it may be applied (its
    /// signature checked, say). The first refusal ends the batch: what came before it is kept,
    /// and the refusal is returned beside the outcomes.
    ///
    /// - Returns: also `waiting`: whether change sets wait in the store's parking (this batch's or
    ///   earlier ones) that what was applied may have unblocked.
    public func applyRemote<E: Error>(
        _ batch: [RemoteChangeSet], admit: (Int) throws(E) -> Void
    ) throws(SimpulError) -> (outcomes: [ApplyOutcome], refusal: E?, waiting: Bool) {
        try applyRemote(count: batch.count) { (i: Int) throws(E) -> RemoteChangeSet in
            try admit(i)
            return batch[i]
        }
    }

    /// `applyRemote(_:admit:)` for change sets that `admit` hands over one by one as they are
    /// ready (read and checked on other threads while the store applies those before).
    public func applyRemote<E: Error>(
        count: Int, admit: (Int) throws(E) -> RemoteChangeSet
    ) throws(SimpulError) -> (outcomes: [ApplyOutcome], refusal: E?, waiting: Bool) {
        let at = clock
        return try write("menerapkan change set") { tx -> ([ApplyOutcome], E?, Bool) in
            var outcomes: [ApplyOutcome] = []
            var refusal: E?
            // Usually nothing waits: then no change set needs taking out of the parking.
            var waiting = try tx.anyParked()
            for i in 0..<count {
                let cs: RemoteChangeSet
                do throws(E) { cs = try admit(i) } catch {
                    refusal = error
                    break
                }
                let outcome = try ChangeSetApply.apply(cs, at: at, tx: tx, parkedMayExist: waiting)
                outcomes.append(outcome)
                if case .parked(let reason) = outcome {
                    try tx.park(cs.stored, reason: reason, at: at)
                    waiting = true
                }
                if case .brokenChain = outcome { break }
                if case .conflicting = outcome { break }
            }
            try tx.foldReceived()
            return (outcomes, refusal, waiting)
        }
    }

    /// Applies a verified change set from another replica (see `applyRemote(_:)` for a batch).
    public func applyRemote(_ cs: RemoteChangeSet) throws(SimpulError) -> ApplyOutcome {
        try applyRemote([cs])[0]
    }
}
