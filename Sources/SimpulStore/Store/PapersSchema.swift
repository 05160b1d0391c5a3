import GRDB

extension Schema {
    /// How often each paper was printed at this node, so that a reprint says it is a copy.
    static let printedPapers = "v14-printed-papers"

    static func registerPrintedPapers(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(printedPapers) { db in
            // Local, like accounts: not an event, never synced. Each node marks its own reprints.
            try db.execute(
                sql: """
                    CREATE TABLE printed_paper (
                        kind TEXT NOT NULL,
                        key TEXT NOT NULL,
                        printed INTEGER NOT NULL CHECK (printed >= 1),
                        first_at TEXT NOT NULL,
                        last_at TEXT NOT NULL,
                        PRIMARY KEY (kind, key)
                    ) WITHOUT ROWID;
                    """)
        }
    }
}
