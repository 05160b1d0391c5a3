import Foundation
import GRDB
import SimpulDomain

extension NodeStore {
    /// What applying a batch whole did: every outcome, or the change set that made it refuse all.
    public struct WholeBatch: Sendable, Equatable {
        /// One outcome per change set, in order; when `refused` is set, the outcomes up to and including
        /// it, none of which was kept (those after it were not tried or not kept either).
        public var outcomes: [ApplyOutcome]
        /// The index of the change set that breaks its writer's chain or contradicts one held; nothing of
        /// the batch, its keys or the peer's knowledge was written.
        public var refused: Int?
    }

    /// Applies verified change sets whole or not at all, in one transaction, with the keys that verify
    /// them and what a peer acknowledged holding: an offline bundle is trusted whole or not at all, so a
    /// change set that breaks its chain undoes the ones before it, unlike a pull where each stands alone.
    ///
    /// Change sets apply in causal order whatever their order in the batch: one that waits for another
    /// of the batch is tried again once that one is in. Only one that waits for something the batch does
    /// not carry is parked, as from a pull; it was verified and applies when what it waits for arrives.
    public func applyWhole(
        _ batch: [RemoteChangeSet], learning keys: [NodeKey] = [], peer: String? = nil,
        peerKnowledge: [String: VersionVector] = [:]
    ) throws(SimpulError) -> WholeBatch {
        let at = now()
        return try write("menerapkan bundle") { db -> WholeBatch in
            var outcomes = [ApplyOutcome](repeating: .duplicate, count: batch.count)
            var refused: Int?
            try db.inSavepoint {
                let projection = Projection(db: db)
                var waiting = Array(batch.indices)
                // Each round applies at least one more or ends: at most as many rounds as change sets.
                while !waiting.isEmpty {
                    var stillWaiting: [Int] = []
                    for i in waiting {
                        let outcome = try Self.applyRemote(batch[i], at: at, projection: projection, db: db)
                        outcomes[i] = outcome
                        switch outcome {
                        case .parked: stillWaiting.append(i)
                        case .brokenChain, .conflicting:
                            refused = i
                            return .rollback
                        case .applied, .duplicate: break
                        }
                    }
                    if stillWaiting.count == waiting.count { break }
                    waiting = stillWaiting
                }
                for i in waiting {
                    if case .parked(let reason) = outcomes[i] {
                        try Self.park(batch[i].stored, reason: reason, at: at, db: db)
                    }
                }
                try projection.foldReceived()
                try projection.flush()
                try Self.learn(keys, db: db)
                if let peer { try Self.setPeerKnowledge(peer, peerKnowledge, db: db) }
                return .commit
            }
            if let refused { return WholeBatch(outcomes: Array(outcomes[...refused]), refused: refused) }
            return WholeBatch(outcomes: outcomes, refused: nil)
        }
    }
}
