import GRDB

extension Schema {
    /// Refusals in a row per node, for `simpul-hub alerts`.
    static let contactRefusalsMigration = "v10-contact-refusals"

    static func registerContactRefusals(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(contactRefusalsMigration) { db in
            // How many of a node's requests in a row the hub refused (a revoked laptop still trying, a
            // change set refused again on every sync); 0 again after the next request it accepts.
            try db.execute(sql: "ALTER TABLE contact ADD COLUMN refused_in_a_row INTEGER NOT NULL DEFAULT 0")
        }
    }
}

extension Schema {
    /// At the hub: each node's latest report of itself (agent version, clock offset, store size,
    /// events waiting), sent with a sync.
    static let nodeReports = "v20-node-reports"

    static func registerNodeReports(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(nodeReports) { db in
            // One row per node, replaced by each report: the back office shows the latest only. The
            // checks repeat the wire's bounds so that no other writer can store what the hub refuses.
            try db.execute(
                sql: """
                    CREATE TABLE node_report (
                        node TEXT PRIMARY KEY,
                        reported_at TEXT NOT NULL,
                        version TEXT NOT NULL CHECK (length(version) BETWEEN 1 AND 64),
                        clock_offset_seconds INTEGER NOT NULL
                            CHECK (clock_offset_seconds BETWEEN -3155760000 AND 3155760000),
                        store_bytes INTEGER NOT NULL CHECK (store_bytes BETWEEN 0 AND 17592186044416),
                        waiting_events INTEGER NOT NULL CHECK (waiting_events BETWEEN 0 AND 9007199254740991)
                    ) WITHOUT ROWID
                    """)
        }
    }
}
