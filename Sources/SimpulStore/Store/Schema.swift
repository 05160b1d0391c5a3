import GRDB

/// The versioned schema of a node store. Migrations only ever add: a store written by an older
/// Simpul opens in a newer one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-event-log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE node_info (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        node TEXT NOT NULL,
                        name TEXT NOT NULL,
                        zona TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    \(EventLog.tableSQL)

                    -- Reference data loaded from conf/ (later: published by the hub).
                    CREATE TABLE catalog (
                        version INTEGER PRIMARY KEY,
                        body TEXT NOT NULL,
                        loaded_at TEXT NOT NULL
                    );
                    CREATE TABLE wilayah (
                        code TEXT PRIMARY KEY,
                        name TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE holiday (
                        date TEXT PRIMARY KEY,
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL
                    );

                    -- Materialized state: a fold of the event log, rebuilt by `simpul admin rebuild`.
                    CREATE TABLE permohonan (
                        number TEXT PRIMARY KEY,
                        partition TEXT NOT NULL,
                        reg_node TEXT NOT NULL,
                        reg_year INTEGER NOT NULL,
                        reg_seq INTEGER NOT NULL,
                        layanan TEXT NOT NULL,
                        status TEXT NOT NULL,
                        tahap TEXT,
                        nama TEXT NOT NULL,
                        accepted_on TEXT NOT NULL,
                        due_on TEXT,
                        fee INTEGER,
                        paid INTEGER NOT NULL,
                        registered_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        state TEXT NOT NULL,
                        UNIQUE (reg_node, reg_year, reg_seq)
                    );
                    CREATE INDEX permohonan_status ON permohonan (status, tahap);
                    CREATE TABLE pembayaran (
                        receipt TEXT PRIMARY KEY,
                        node TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        number TEXT NOT NULL,
                        amount INTEGER NOT NULL CHECK (amount > 0),
                        officer TEXT NOT NULL,
                        at TEXT NOT NULL,
                        UNIQUE (node, seq)
                    );
                    """)
        }
        migrator.registerMigration("v2-replication") { db in
            try db.execute(
                sql: """
                    -- Sealed, signed runs of one node's events in one partition, kept exactly as signed so
                    -- they can travel on unchanged (to the hub, back to a restored node, in bundles).
                    CREATE TABLE changeset (
                        partition TEXT NOT NULL,
                        node TEXT NOT NULL,
                        first_seq INTEGER NOT NULL,
                        last_seq INTEGER NOT NULL,
                        hash TEXT NOT NULL UNIQUE,
                        prev TEXT,
                        key TEXT NOT NULL,
                        bytes INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        stored_at TEXT NOT NULL,
                        PRIMARY KEY (partition, node, first_seq)
                    ) WITHOUT ROWID;
                    -- Change sets that arrived before what they depend on.
                    CREATE TABLE parked (
                        hash TEXT PRIMARY KEY,
                        partition TEXT NOT NULL,
                        node TEXT NOT NULL,
                        first_seq INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        reason TEXT NOT NULL,
                        parked_at TEXT NOT NULL
                    );
                    -- Public keys of nodes: at the hub, enrollments; at a kecamatan, the keys it learned.
                    CREATE TABLE node_key (
                        fingerprint TEXT PRIMARY KEY,
                        node TEXT NOT NULL,
                        public_key TEXT NOT NULL,
                        enrolled_at TEXT NOT NULL,
                        revoked_at TEXT,
                        active INTEGER NOT NULL
                    );
                    CREATE INDEX node_key_node ON node_key (node);
                    -- The hub a kecamatan syncs with.
                    CREATE TABLE hub (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        url TEXT NOT NULL,
                        ca_file TEXT,
                        node TEXT,
                        name TEXT,
                        public_key TEXT
                    );
                    -- What a peer is known to hold, per partition and writer (the last acknowledgement).
                    CREATE TABLE peer_knowledge (
                        peer TEXT NOT NULL,
                        partition TEXT NOT NULL,
                        node TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        PRIMARY KEY (peer, partition, node)
                    ) WITHOUT ROWID;
                    -- One row per sync run: the agent's own record of what happened.
                    CREATE TABLE sync_run (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        started_at TEXT NOT NULL,
                        finished_at TEXT NOT NULL,
                        result TEXT NOT NULL,
                        exit_code INTEGER NOT NULL,
                        pushed INTEGER NOT NULL,
                        pulled INTEGER NOT NULL,
                        bytes_sent INTEGER NOT NULL,
                        bytes_received INTEGER NOT NULL,
                        message TEXT NOT NULL
                    );
                    -- At the hub: each node's last contact, for sync health.
                    CREATE TABLE contact (
                        node TEXT PRIMARY KEY,
                        last_contact TEXT NOT NULL,
                        last_result TEXT NOT NULL
                    );
                    -- Materialized: conflicts found by folding, rebuilt with the rest.
                    CREATE TABLE conflict (
                        id TEXT PRIMARY KEY,
                        record TEXT NOT NULL,
                        partition TEXT NOT NULL,
                        resolved INTEGER NOT NULL,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX conflict_open ON conflict (resolved, partition);
                    ALTER TABLE catalog ADD COLUMN published INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE pembayaran ADD COLUMN partition TEXT NOT NULL DEFAULT '';
                    """)
        }
        migrator.registerMigration(columnarState) { db in
            // The folded state becomes plain columns; what the registration fixed is read back from
            // the registration event. Materialized tables are emptied here and refolded from the log
            // once every migration has run (`NodeStore.open`).
            try db.execute(
                sql: """
                    DROP TABLE permohonan;
                    CREATE TABLE permohonan (
                        number TEXT PRIMARY KEY,
                        partition TEXT NOT NULL,
                        reg_node TEXT NOT NULL,
                        reg_event_seq INTEGER NOT NULL,
                        reg_year INTEGER NOT NULL,
                        reg_seq INTEGER NOT NULL,
                        layanan TEXT NOT NULL,
                        catalog_version INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        tahap TEXT,
                        nama TEXT NOT NULL,
                        accepted_on TEXT NOT NULL,
                        due_on TEXT,
                        fee INTEGER,
                        paid INTEGER NOT NULL,
                        registered_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        forwarded_to TEXT,
                        ptsp_code TEXT,
                        closing_reason TEXT,
                        -- JSON: the receipts of the payments folded in, in fold order.
                        receipts TEXT NOT NULL,
                        -- JSON version vector of every event folded in: the causal context of the next one.
                        seen TEXT NOT NULL,
                        last_lamport INTEGER NOT NULL,
                        UNIQUE (reg_node, reg_year, reg_seq)
                    );
                    CREATE INDEX permohonan_status ON permohonan (status, tahap);
                    DELETE FROM pembayaran;
                    DELETE FROM conflict;
                    """)
        }
        migrator.registerMigration("v4-changeset-signature") { db in
            // A change set's document is written again from the log when asked for; the signature is
            // the one part of it the log does not hold. An empty body means "rebuild from the log".
            try db.execute(
                sql: """
                    ALTER TABLE changeset ADD COLUMN signature TEXT NOT NULL DEFAULT '';
                    UPDATE changeset SET signature = json_extract(CAST(body AS TEXT), '$.signature');
                    """)
        }
        migrator.registerMigration("v5-attachments") { db in
            // Stores written before v5 hold no permohonan.attached event, so the new materialized
            // table starts empty and nothing needs refolding.
            try db.execute(
                sql: """
                    -- Materialized: the documents folded into each permohonan, in fold order.
                    CREATE TABLE attachment (
                        number TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        partition TEXT NOT NULL,
                        node TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        sha256 TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        media_type TEXT NOT NULL,
                        syarat TEXT,
                        PRIMARY KEY (number, position)
                    );
                    -- Who may upload or read a blob is decided by the attached events in the log (not by
                    -- the fold, which may set an event aside): this finds them by blob.
                    CREATE INDEX event_attached ON event (json_extract(data, '$.sha256'), partition, node)
                        WHERE type = 'permohonan.attached';
                    -- Content-addressed blobs (scanned documents), in the same file as the log so that an
                    -- attachment and its event commit together and integrity_check covers both.
                    CREATE TABLE blob (
                        sha256 TEXT PRIMARY KEY,
                        size INTEGER NOT NULL CHECK (size > 0),
                        received INTEGER NOT NULL CHECK (received >= 0 AND received <= size),
                        complete INTEGER NOT NULL,
                        created_at TEXT NOT NULL,
                        -- At a kecamatan: when the hub said it holds the blob complete.
                        at_hub TEXT
                    ) WITHOUT ROWID;
                    -- A blob's bytes in pieces that cover 0..<received without gaps, so that no read or
                    -- write ever holds a whole scan in memory.
                    CREATE TABLE blob_chunk (
                        sha256 TEXT NOT NULL,
                        byte_offset INTEGER NOT NULL,
                        bytes BLOB NOT NULL,
                        PRIMARY KEY (sha256, byte_offset)
                    );
                    """)
        }
        migrator.registerMigration("v6-bundle-blobs") { db in
            // Bookkeeping only, nothing to refold: a node learns that the hub holds the blobs it carried
            // in a bundle only from the hub's reply, and the reply is written later, so the hub keeps
            // the names until then.
            try db.execute(
                sql: """
                    -- At the hub: the blobs a node's last bundle with attachments carried and the hub now
                    -- holds complete; its next reply bundle confirms them (bundle.md, record type 5).
                    CREATE TABLE peer_blob (
                        peer TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        PRIMARY KEY (peer, sha256)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v7-knowledge") { db in
            // Knowledge was a GROUP BY over the whole event log, asked on every request: at a hub with
            // a million events that scan was most of the time of a restore.
            try db.execute(
                sql: """
                    -- Materialized: per partition and writer, the highest seq in the log (dense, so all of them).
                    CREATE TABLE knowledge (
                        partition TEXT NOT NULL,
                        node TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        PRIMARY KEY (partition, node)
                    ) WITHOUT ROWID;
                    \(Knowledge.refillSQL)
                    """)
        }
        migrator.registerMigration("v8-key-states") { db in
            // A key is active, retired (superseded by a later enrollment: verifies what it signed up
            // to `retired_through`, per partition) or revoked; a hub key may carry its endorsement
            // by the hub key before it. Keys that older stores marked inactive are retired when the
            // next key of their node was enrolled, covering the change sets they had signed.
            try db.execute(
                sql: """
                    ALTER TABLE node_key ADD COLUMN retired_at TEXT;
                    ALTER TABLE node_key ADD COLUMN retired_through TEXT;
                    ALTER TABLE node_key ADD COLUMN endorsement TEXT;
                    """)
            try NodeKeys.retireLegacy(db: db)
        }
        registerBounds(&migrator)
        registerContactRefusals(&migrator)
        registerOfficerAccounts(&migrator)
        registerPermohonanNIK(&migrator)
        registerStaffAccounts(&migrator)
        registerPrintedPapers(&migrator)
        registerPermohonanOwing(&migrator)
        registerAntrian(&migrator)
        registerFileAccess(&migrator)
        registerServiceClock(&migrator)
        registerIssuedDocuments(&migrator)
        registerNodeReports(&migrator)
        registerKas(&migrator)
        registerLetters(&migrator)
        registerSKMPengaduan(&migrator)
        return migrator
    }

    /// The migration after which the materialized tables must be refolded from the log.
    static let columnarState = "v3-columnar-state"

    /// The materialized tables, in the order a digest reads them.
    static let materialized = [
        "permohonan", "pembayaran", "conflict", "attachment", "knowledge", "kas", "skm", "pengaduan",
    ]
}

/// The `event` table, the one place its shape is written: the store's first migration creates it
/// from here, and the benchmark's raw-SQLite baseline inserts into exactly this table.
public enum EventLog {
    public static let tableSQL = """
        -- The truth: every change, append-only. Dots are dense per (partition, node).
        CREATE TABLE event (
            partition TEXT NOT NULL,
            node TEXT NOT NULL,
            seq INTEGER NOT NULL CHECK (seq >= 1),
            lamport INTEGER NOT NULL CHECK (lamport >= 1),
            record TEXT NOT NULL,
            type TEXT NOT NULL,
            officer TEXT NOT NULL,
            role TEXT NOT NULL,
            at TEXT NOT NULL,
            context TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (partition, node, seq)
        ) WITHOUT ROWID;
        CREATE INDEX event_record ON event (record, lamport, node, seq);
        CREATE INDEX event_lamport ON event (lamport);
        CREATE TRIGGER event_immutable BEFORE UPDATE ON event
            BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
        CREATE TRIGGER event_append_only BEFORE DELETE ON event
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        """

    public static let insertSQL = """
        INSERT INTO event (partition, node, seq, lamport, record, type, officer, role, at, context, data)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
}

/// The `knowledge` table: what the log holds, kept in the same transaction as every event insert.
enum Knowledge {
    static let refillSQL = """
        INSERT INTO knowledge (partition, node, seq)
            SELECT partition, node, MAX(seq) FROM event GROUP BY partition, node;
        """

    static let upsertSQL = """
        INSERT INTO knowledge (partition, node, seq) VALUES (?, ?, ?)
        ON CONFLICT (partition, node) DO UPDATE SET seq = MAX(seq, excluded.seq)
        """

    static func include(partition: String, node: String, seq: UInt64, db: GRDB.Database) throws {
        try db.cachedStatement(sql: upsertSQL).execute(arguments: [partition, node, Int64(seq)])
    }
}
