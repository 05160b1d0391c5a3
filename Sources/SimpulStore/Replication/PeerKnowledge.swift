import Foundation
import GRDB
import SimpulDomain

extension NodeStore {
    /// Remembers what a peer acknowledged holding.
    public func setPeerKnowledge(_ peer: String, _ knowledge: [String: VersionVector]) throws(SimpulError) {
        try writeDB("menyimpan knowledge peer") { db in try Self.setPeerKnowledge(peer, knowledge, db: db) }
    }

    static func setPeerKnowledge(_ peer: String, _ knowledge: [String: VersionVector], db: Database) throws {
        for (partition, vv) in knowledge {
            for (node, seq) in vv.entries {
                // A seq that does not fit the column is refused, never trapped on (the wire allows 2^53-1).
                guard let seq = Int64(exactly: seq) else {
                    throw SimpulError(.invalidData, "knowledge \(partition) \(node): seq di luar batas")
                }
                try db.execute(
                    sql: """
                        INSERT INTO peer_knowledge (peer, partition, node, seq) VALUES (?, ?, ?, ?)
                        ON CONFLICT (peer, partition, node) DO UPDATE SET seq = MAX(seq, excluded.seq)
                        """,
                    arguments: [peer, partition, node, seq])
            }
        }
    }

    public func peerKnowledge(_ peer: String) throws(SimpulError) -> [String: VersionVector] {
        try readDB("membaca knowledge peer") { db in
            var result: [String: [String: UInt64]] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT partition, node, seq FROM peer_knowledge WHERE peer = ?", arguments: [peer])
            {
                result[row["partition"], default: [:]][row["node"]] = UInt64(row["seq"] as Int64)
            }
            return result.mapValues { VersionVector($0) }
        }
    }

}
