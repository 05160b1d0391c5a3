import GRDB
import SimpulDomain

/// The result of `NodeStore.check()`.
public struct StoreCheck: Sendable, Equatable, Codable {
    /// `ok`, or SQLite's list of problems.
    public var integrity: String
    public var events: Int
    public var permohonan: Int
    /// Whether the materialized tables equal a fresh fold of the whole log.
    public var foldMatches: Bool

    public var isHealthy: Bool { integrity == "ok" && foldMatches }
}

extension NodeStore {
    /// Rebuilds the materialized tables from the event log in one transaction; returns the number of
    /// events folded.
    @discardableResult
    public func rebuild() throws(SimpulError) -> Int {
        let count = try writeDB("membangun ulang tabel") { db in try Projection.rebuild(db: db) }
        logger.info("state rebuilt", metadata: ["events": "\(count)"])
        return count
    }

    /// Checks the file with SQLite's integrity check and compares the materialized state with a
    /// rebuild done inside a savepoint that is rolled back, so the check changes nothing.
    public func check() throws(SimpulError) -> StoreCheck {
        try writeDB("memeriksa penyimpanan") { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
            let before = try Projection.dump(db: db)
            var after = ""
            var events = 0
            try db.inSavepoint {
                events = try Projection.rebuild(db: db)
                after = try Projection.dump(db: db)
                return .rollback
            }
            let permohonan = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM permohonan") ?? 0
            return StoreCheck(
                integrity: integrity, events: events, permohonan: permohonan, foldMatches: before == after)
        }
    }

    /// The materialized state as text, for tests that compare replicas or incremental with rebuilt state.
    public func stateDump(partition: String? = nil) throws(SimpulError) -> String {
        try readDB("membaca keadaan") { db in try Projection.dump(db: db, partition: partition) }
    }
}
