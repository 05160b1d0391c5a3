import Foundation
import SimpulDomain
import SimpulStore

/// Change sets as they travel: the store keeps their place in the chain and, when the log cannot
/// give them back byte for byte, their documents; the documents the log can give back are written
/// here again from its events.
extension NodeStore {
    /// The newest change set of a writer in a partition.
    public func lastChangeSet(partition: String, node: String) throws(SimpulError) -> StoredChangeSet? {
        try read("membaca change set") { tx in
            try tx.lastKeptChangeSet(partition: partition, node: node).map { try Self.document($0, tx: tx) }
        }
    }

    /// A writer's change sets holding seqs after `seq`, oldest first: the first one may start before
    /// `seq + 1` when a replica's knowledge falls inside it.
    public func changeSets(
        partition: String, node: String, after seq: UInt64, limit: Int
    ) throws(SimpulError)
        -> [StoredChangeSet]
    {
        try read("membaca change set") { tx in
            try tx.keptChangeSets(partition: partition, node: node, after: seq, limit: limit).map {
                try Self.document($0, tx: tx)
            }
        }
    }

    private static func document(_ kept: KeptChangeSet, tx: StoreTransaction) throws -> StoredChangeSet {
        var cs = kept.changeSet
        if !kept.kept {
            let events = try tx.loggedEvents(partition: cs.partition, node: cs.node, first: cs.first, last: cs.last)
            cs.body = ChangeSetDocument.write(ChangeSetDocument.header(cs), events: events)
        }
        guard cs.body.count == kept.bytes else {
            throw SimpulError(.io, "change set \(cs.node) \(cs.first)-\(cs.last) tidak utuh di penyimpanan")
        }
        return cs
    }

    /// Records a change set this node sealed from its own events; it must continue the chain. Its
    /// document is written again from the log when asked for; only when that would not give back
    /// exactly these bytes is it kept as well.
    public func storeOwnChangeSet(_ cs: StoredChangeSet) throws(SimpulError) {
        let at = clock
        try write("menyimpan change set") { tx in
            let end = try tx.chainEnd(partition: cs.partition, node: cs.node)
            guard ChangeSetApply.continuesOwnChain(cs, node: tx.node.rawValue, end: end) else {
                throw SimpulError(.io, "change set \(cs.node) \(cs.first)-\(cs.last) tidak menyambung rantai")
            }
            let events = try tx.loggedEvents(partition: cs.partition, node: cs.node, first: cs.first, last: cs.last)
            let rebuildable = ChangeSetDocument.matches(cs.body, ChangeSetDocument.header(cs), events: events)
            try tx.insertChangeSet(cs, keepBody: !rebuildable, at: at)
        }
    }
}
