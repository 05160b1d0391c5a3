import Foundation
import GRDB
import SimpulDomain

/// The agent's record of one sync run.
public struct SyncRun: Sendable, Equatable, Codable {
    public var startedAt: Timestamp
    public var finishedAt: Timestamp
    /// `in-sync`, `link-failure`, `refused`, `rejected`.
    public var result: String
    public var exitCode: Int
    public var pushed: Int
    public var pulled: Int
    public var bytesSent: Int
    public var bytesReceived: Int
    public var message: String

    public init(
        startedAt: Timestamp, finishedAt: Timestamp, result: String, exitCode: Int, pushed: Int, pulled: Int,
        bytesSent: Int, bytesReceived: Int, message: String
    ) {
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.result = result
        self.exitCode = exitCode
        self.pushed = pushed
        self.pulled = pulled
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        self.message = message
    }
}

extension NodeStore {
    public func recordSyncRun(_ run: SyncRun) throws(SimpulError) {
        try writeDB("mencatat sync") { db in
            try db.execute(
                sql: """
                    INSERT INTO sync_run (started_at, finished_at, result, exit_code, pushed, pulled, bytes_sent,
                        bytes_received, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    run.startedAt.description, run.finishedAt.description, run.result, run.exitCode, run.pushed,
                    run.pulled, run.bytesSent, run.bytesReceived, run.message,
                ])
        }
    }

    public func lastSyncRun() throws(SimpulError) -> SyncRun? {
        try readDB("membaca sync") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sync_run ORDER BY id DESC LIMIT 1").map {
                SyncRun(
                    startedAt: try $0.timestamp("started_at", in: "sync_run"),
                    finishedAt: try $0.timestamp("finished_at", in: "sync_run"), result: $0["result"],
                    exitCode: $0["exit_code"], pushed: $0["pushed"], pulled: $0["pulled"], bytesSent: $0["bytes_sent"],
                    bytesReceived: $0["bytes_received"], message: $0["message"])
            }
        }
    }
}
