import GRDB

extension Schema {
    static let kas = "v21-kas"

    static func registerKas(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(kas) { db in
            // One row per kas event, keyed by its dot: closings and deposits are facts, projected as
            // they are (a later closing of a day is read as replacing the earlier one). No store held
            // a kas event before this version, so the table starts empty.
            try db.execute(
                sql: """
                    CREATE TABLE kas (
                        node TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        partition TEXT NOT NULL,
                        record TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('tutup', 'setor')),
                        day TEXT NOT NULL,
                        amount INTEGER NOT NULL CHECK (amount >= 0),
                        receipts INTEGER,
                        first_receipt TEXT,
                        last_receipt TEXT,
                        reference TEXT,
                        note TEXT,
                        officer TEXT NOT NULL,
                        at TEXT NOT NULL,
                        lamport INTEGER NOT NULL,
                        PRIMARY KEY (node, seq, partition)
                    ) WITHOUT ROWID;
                    CREATE INDEX kas_day ON kas (partition, day);
                    """)
        }
    }
}
