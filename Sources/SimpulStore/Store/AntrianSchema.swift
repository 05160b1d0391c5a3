import GRDB

extension Schema {
    /// The waiting room's queue tickets.
    static let antrian = "v16-antrian"

    static func registerAntrian(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(antrian) { db in
            // Local, like accounts and printed papers: a queue belongs to the room, so it is not an event
            // and never syncs. The unique key is what keeps a day's numbers gap-free and never repeated.
            try db.execute(
                sql: """
                    CREATE TABLE antrian_ticket (
                        id INTEGER PRIMARY KEY,
                        day TEXT NOT NULL,
                        grp TEXT NOT NULL,
                        number INTEGER NOT NULL CHECK (number >= 1),
                        taken_at TEXT NOT NULL,
                        called_at TEXT,
                        last_called_at TEXT,
                        desk TEXT,
                        called_by TEXT,
                        UNIQUE (day, grp, number)
                    );
                    CREATE INDEX antrian_waiting ON antrian_ticket (day, called_at, id);
                    CREATE INDEX antrian_called ON antrian_ticket (last_called_at) WHERE last_called_at IS NOT NULL;
                    """)
        }
    }
}
