import GRDB

extension Schema {
    /// Who opened which file in the web pages.
    static let fileAccess = "v17-file-access"

    static func registerFileAccess(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(fileAccess) { db in
            // Local, like the accounts whose use it records: reading is not a change, so not an event.
            try db.execute(
                sql: """
                    CREATE TABLE file_access (
                        id INTEGER PRIMARY KEY,
                        at TEXT NOT NULL,
                        username TEXT NOT NULL,
                        number TEXT NOT NULL,
                        what TEXT NOT NULL
                    );
                    CREATE INDEX file_access_number ON file_access (number, id);
                    CREATE INDEX file_access_username ON file_access (username, id);
                    """)
        }
    }
}
