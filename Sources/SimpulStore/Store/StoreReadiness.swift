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

    /// Change sets waiting in the parking, per writer.
    public func parkedPerWriter() throws(SimpulError) -> [String: Int] {
        try readDB("membaca parkir") { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT node, COUNT(*) AS n FROM parked GROUP BY node") {
                counts[row["node"]] = row["n"]
            }
            return counts
        }
    }
}
