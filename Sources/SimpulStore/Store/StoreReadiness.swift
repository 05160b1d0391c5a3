import Foundation
import GRDB
import SimpulDomain

/// What the hub's operations endpoints read: whether the store answers with its schema current, and
/// how much waits in it.
extension NodeStore {
    /// Throws unless the store answers a read and every migration this build knows has been applied.
    public func checkReady() throws(SimpulError) {
        let current = try readDB("memeriksa penyimpanan") { db in try Schema.migrator.hasCompletedMigrations(db) }
        guard current else {
            throw SimpulError(.storeUnavailable, "skema penyimpanan belum mutakhir; jalankan ulang program versi ini")
        }
    }

    /// Change sets waiting in the parking, per writer, with when the oldest of them was parked.
    public func parkedPerWriter() throws(SimpulError) -> [ParkedWriter] {
        try readDB("membaca parkir") { db in
            try Row.fetchAll(
                db, sql: "SELECT node, COUNT(*) AS n, MIN(parked_at) AS oldest FROM parked GROUP BY node ORDER BY node"
            ).map {
                ParkedWriter(node: $0["node"], changeSets: $0["n"], oldest: try $0.timestamp("oldest", in: "parked"))
            }
        }
    }
}

/// One writer's change sets in the parking.
public struct ParkedWriter: Sendable, Equatable {
    public var node: String
    public var changeSets: Int
    public var oldest: Timestamp

    public init(node: String, changeSets: Int, oldest: Timestamp) {
        self.node = node
        self.changeSets = changeSets
        self.oldest = oldest
    }
}
