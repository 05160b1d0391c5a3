import Foundation
import GRDB
import SimpulDomain

/// What a kecamatan node last said about itself on a sync (its agent's report), as the hub keeps it:
/// one row per node, replaced by each report the hub accepts.
public struct NodeReport: Sendable, Equatable, Codable {
    public var node: String
    /// When the hub received the report, by the hub's clock.
    public var reportedAt: Timestamp
    /// The agent's version string (`simpul/1`), as its User-Agent names it.
    public var version: String
    /// The node's clock minus the hub's when the hub received the report, in whole seconds; reads low
    /// by the request's one-way transit time (docs/sync.md, "Node reports").
    public var clockOffsetSeconds: Int64
    /// The node's SQLite store in bytes (page count times page size).
    public var storeBytes: Int64
    /// The node's own events the hub did not yet hold, as the node counted them.
    public var waitingEvents: Int64

    public init(
        node: String, reportedAt: Timestamp, version: String, clockOffsetSeconds: Int64, storeBytes: Int64,
        waitingEvents: Int64
    ) {
        self.node = node
        self.reportedAt = reportedAt
        self.version = version
        self.clockOffsetSeconds = clockOffsetSeconds
        self.storeBytes = storeBytes
        self.waitingEvents = waitingEvents
    }
}

extension NodeStore {
    /// Keeps `report` as its node's latest, replacing the one before.
    public func recordNodeReport(_ report: NodeReport) throws(SimpulError) {
        try writeDB("mencatat laporan node") { db in
            try db.execute(
                sql: """
                    INSERT INTO node_report
                        (node, reported_at, version, clock_offset_seconds, store_bytes, waiting_events)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (node) DO UPDATE SET reported_at = excluded.reported_at,
                        version = excluded.version, clock_offset_seconds = excluded.clock_offset_seconds,
                        store_bytes = excluded.store_bytes, waiting_events = excluded.waiting_events
                    """,
                arguments: [
                    report.node, report.reportedAt.description, report.version, report.clockOffsetSeconds,
                    report.storeBytes, report.waitingEvents,
                ])
        }
    }

    /// The latest report of every node that sent one, by node.
    public func nodeReports() throws(SimpulError) -> [NodeReport] {
        try readDB("membaca laporan node") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM node_report ORDER BY node").map {
                NodeReport(
                    node: $0["node"], reportedAt: try $0.timestamp("reported_at", in: "node_report"),
                    version: $0["version"], clockOffsetSeconds: $0["clock_offset_seconds"],
                    storeBytes: $0["store_bytes"], waitingEvents: $0["waiting_events"])
            }
        }
    }

    /// The store's size in bytes as SQLite counts it (`page_count` × `page_size`): what the file holds
    /// once the WAL is checkpointed, read in one query without touching the file system.
    public func storeBytes() throws(SimpulError) -> Int64 {
        try readDB("membaca ukuran penyimpanan") { db in
            try Int64.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
                ?? 0
        }
    }
}
