import GRDB

extension Schema {
    static let skmPengaduan = "v23-skm-pengaduan"

    static func registerSKMPengaduan(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(skmPengaduan) { db in
            // `skm` and `pengaduan` hold one row per event, keyed by its dot, projected as the events
            // are (materialized: rebuilt from the log). No store held these events before this version.
            //
            // `skm_taken` is the node's own note of which permohonan have answered the survey, so each
            // answers once. It is never an event and never synced, and nothing links a number in it to
            // a response: no time, no order (WITHOUT ROWID, keyed by the number alone). A rebuild keeps
            // it; a node restored from the hub starts without it.
            try db.execute(
                sql: """
                    CREATE TABLE skm (
                        node TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        partition TEXT NOT NULL,
                        record TEXT NOT NULL,
                        layanan TEXT NOT NULL,
                        month TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        u1 INTEGER NOT NULL, u2 INTEGER NOT NULL, u3 INTEGER NOT NULL,
                        u4 INTEGER NOT NULL, u5 INTEGER NOT NULL, u6 INTEGER NOT NULL,
                        u7 INTEGER NOT NULL, u8 INTEGER NOT NULL, u9 INTEGER NOT NULL,
                        PRIMARY KEY (node, seq, partition)
                    ) WITHOUT ROWID;
                    CREATE INDEX skm_month ON skm (month, partition);
                    CREATE TABLE skm_taken (number TEXT PRIMARY KEY) WITHOUT ROWID;
                    CREATE TABLE pengaduan (
                        node TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        partition TEXT NOT NULL,
                        record TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('terima', 'tindak-lanjut', 'tutup')),
                        channel TEXT,
                        layanan TEXT,
                        number TEXT,
                        text TEXT,
                        name TEXT,
                        contact TEXT,
                        received_on TEXT,
                        respond_by TEXT,
                        close_by TEXT,
                        note TEXT,
                        officer TEXT NOT NULL,
                        at TEXT NOT NULL,
                        lamport INTEGER NOT NULL,
                        PRIMARY KEY (node, seq, partition)
                    ) WITHOUT ROWID;
                    CREATE INDEX pengaduan_record ON pengaduan (record);
                    CREATE INDEX pengaduan_partition ON pengaduan (partition, kind, received_on);
                    """)
        }
    }
}
