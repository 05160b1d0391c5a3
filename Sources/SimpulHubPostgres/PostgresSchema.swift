import Logging
import PostgresNIO
import SimpulDomain

/// The hub's tables in PostgreSQL, as numbered migrations. Each runs in a transaction of its own
/// with its row in `schema_migrations`, so a database is always at exactly one version, and running
/// them again is a no-op. A migration is never edited once released: a change is a new one.
enum PostgresSchema {
    struct Migration: Sendable {
        var version: Int
        var name: String
        var statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "core",
            statements: [
                """
                CREATE TABLE node_info (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    info TEXT NOT NULL
                )
                """,
                // The truth: every change, append-only. `context` and `data` are the canonical JSON as
                // signed, kept as text so the bytes never change.
                """
                CREATE TABLE event (
                    partition TEXT NOT NULL,
                    node TEXT NOT NULL,
                    seq BIGINT NOT NULL CHECK (seq >= 1),
                    lamport BIGINT NOT NULL CHECK (lamport >= 1),
                    record TEXT NOT NULL,
                    type TEXT NOT NULL,
                    officer TEXT NOT NULL,
                    role TEXT NOT NULL,
                    at TEXT NOT NULL,
                    context TEXT NOT NULL,
                    data TEXT NOT NULL,
                    PRIMARY KEY (partition, node, seq)
                )
                """,
                "CREATE INDEX event_record ON event (record, lamport, node, seq)",
                "CREATE INDEX event_lamport ON event (lamport)",
                // The database itself refuses to change or remove an event, whoever connects.
                """
                CREATE FUNCTION event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
                END
                $$
                """,
                """
                CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event
                    FOR EACH ROW EXECUTE FUNCTION event_append_only()
                """,
                """
                CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event
                    FOR EACH STATEMENT EXECUTE FUNCTION event_append_only()
                """,
                """
                CREATE TABLE knowledge (
                    partition TEXT NOT NULL,
                    node TEXT NOT NULL,
                    seq BIGINT NOT NULL,
                    PRIMARY KEY (partition, node)
                )
                """,
                """
                CREATE TABLE changeset (
                    partition TEXT NOT NULL,
                    node TEXT NOT NULL,
                    first_seq BIGINT NOT NULL,
                    last_seq BIGINT NOT NULL,
                    hash TEXT NOT NULL UNIQUE,
                    prev TEXT,
                    key TEXT NOT NULL,
                    signature TEXT NOT NULL,
                    bytes INTEGER NOT NULL,
                    body BYTEA NOT NULL,
                    stored_at TEXT NOT NULL,
                    PRIMARY KEY (partition, node, first_seq),
                    CHECK (first_seq <= last_seq),
                    CHECK (octet_length(body) = bytes)
                )
                """,
                """
                CREATE TABLE parked (
                    hash TEXT PRIMARY KEY,
                    partition TEXT NOT NULL,
                    node TEXT NOT NULL,
                    first_seq BIGINT NOT NULL,
                    body BYTEA NOT NULL,
                    reason TEXT NOT NULL,
                    parked_at TEXT NOT NULL,
                    wait_node TEXT,
                    wait_seq BIGINT
                )
                """,
                "CREATE INDEX parked_node ON parked (node)",
                """
                CREATE TABLE node_key (
                    fingerprint TEXT PRIMARY KEY,
                    node TEXT NOT NULL,
                    public_key TEXT NOT NULL,
                    enrolled_at TEXT NOT NULL,
                    revoked_at TEXT,
                    active BOOLEAN NOT NULL,
                    retired_at TEXT,
                    retired_through TEXT,
                    endorsement TEXT
                )
                """,
                "CREATE INDEX node_key_node ON node_key (node)",
                """
                CREATE TABLE peer_knowledge (
                    peer TEXT NOT NULL,
                    partition TEXT NOT NULL,
                    node TEXT NOT NULL,
                    seq BIGINT NOT NULL,
                    PRIMARY KEY (peer, partition, node)
                )
                """,
            ]),
        Migration(
            version: 2, name: "contacts",
            statements: [
                """
                CREATE TABLE contact (
                    node TEXT PRIMARY KEY,
                    last_contact TEXT NOT NULL,
                    last_result TEXT NOT NULL,
                    refused_in_a_row INTEGER NOT NULL DEFAULT 0
                )
                """,
                """
                CREATE TABLE relay (
                    relay TEXT NOT NULL,
                    node TEXT NOT NULL,
                    since TEXT NOT NULL,
                    PRIMARY KEY (relay, node)
                )
                """,
                // A node's latest report of itself, as the hub received it.
                """
                CREATE TABLE node_report (
                    node TEXT PRIMARY KEY,
                    report TEXT NOT NULL
                )
                """,
            ]),
        Migration(
            version: 3, name: "folded-permohonan",
            statements: [
                // Materialized from the log after every apply, in the same transaction.
                """
                CREATE TABLE permohonan (
                    number TEXT PRIMARY KEY,
                    partition TEXT NOT NULL,
                    status TEXT NOT NULL,
                    tahap TEXT,
                    layanan TEXT NOT NULL,
                    registered_at TEXT NOT NULL,
                    state TEXT NOT NULL
                )
                """,
                "CREATE INDEX permohonan_status ON permohonan (status, tahap)",
                """
                CREATE TABLE conflict (
                    id TEXT PRIMARY KEY,
                    record TEXT NOT NULL,
                    partition TEXT NOT NULL,
                    resolved BOOLEAN NOT NULL,
                    body TEXT NOT NULL
                )
                """,
                "CREATE INDEX conflict_record ON conflict (record)",
            ]),
        Migration(
            version: 4, name: "blobs",
            statements: [
                // Content-addressed blobs (scanned documents), in the same database as the log so that an
                // attachment and the bundle that carried it commit together and one backup holds both.
                // `owner`: the node whose upload (or bundle) proved it holds the bytes; only events from
                // that node's partition (or the hub's) let another node read the blob.
                """
                CREATE TABLE blob (
                    sha256 TEXT PRIMARY KEY,
                    size BIGINT NOT NULL CHECK (size > 0),
                    received BIGINT NOT NULL CHECK (received >= 0 AND received <= size),
                    complete BOOLEAN NOT NULL,
                    created_at TEXT NOT NULL,
                    at_hub TEXT,
                    owner TEXT,
                    CHECK (NOT complete OR received = size)
                )
                """,
                // A blob's bytes as the pieces that arrived, covering 0..<received without gaps: a chunk
                // is one INSERT, never a rewrite of what came before, and a read fetches only the
                // pieces it needs.
                """
                CREATE TABLE blob_chunk (
                    sha256 TEXT NOT NULL REFERENCES blob (sha256) ON DELETE CASCADE,
                    byte_offset BIGINT NOT NULL CHECK (byte_offset >= 0),
                    bytes BYTEA NOT NULL CHECK (octet_length(bytes) > 0),
                    PRIMARY KEY (sha256, byte_offset)
                )
                """,
                // The blobs a node's last bundle with attachments carried; the hub's next reply confirms them.
                """
                CREATE TABLE peer_blob (
                    peer TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    PRIMARY KEY (peer, sha256)
                )
                """,
                // Who may upload or read a blob is decided by the attached events in the log (not by the
                // fold, which may set an event aside): this finds them by blob.
                """
                CREATE INDEX event_attached ON event (((data::jsonb) ->> 'sha256'), partition, node)
                    WHERE type = 'permohonan.attached'
                """,
            ]),
        Migration(
            version: 5, name: "request-nonces",
            statements: [
                // The nonces of signed requests, shared by every hub process on this database: a captured
                // request replayed to another process behind the load balancer is refused there too. A
                // row is kept until the request's date plus the clock-skew window (ms since the epoch);
                // after that the skew check refuses the request anyway.
                """
                CREATE TABLE request_nonce (
                    node TEXT NOT NULL,
                    nonce TEXT NOT NULL,
                    keep_until BIGINT NOT NULL,
                    PRIMARY KEY (node, nonce)
                )
                """
            ]),
    ]

    static var current: Int { migrations.last?.version ?? 0 }

    /// Brings the database up to `target` (every migration when nil), one transaction per migration.
    /// Two hubs starting at once take turns on an advisory lock rather than both creating tables.
    static func migrate(_ pool: PostgresPool, upTo target: Int? = nil, logger: Logger) throws(SimpulError) {
        try PostgresStorageTransaction.run(pool, "menyiapkan skema", logger: logger) { tx in
            try tx.execute("SELECT pg_advisory_xact_lock(\(migrationLock))")
            try tx.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """)
        }
        for migration in migrations where migration.version <= target ?? Int.max {
            try PostgresStorageTransaction.run(pool, "menjalankan migrasi", logger: logger) { tx in
                try tx.execute("SELECT pg_advisory_xact_lock(\(migrationLock))")
                let version = migration.version
                let held = try tx.rows("SELECT 1 FROM schema_migrations WHERE version = \(version)")
                guard held.isEmpty else { return }
                for statement in migration.statements { try tx.execute(PostgresQuery(unsafeSQL: statement)) }
                try tx.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(version), \(migration.name))")
                logger.info(
                    "postgres migration applied", metadata: ["version": "\(version)", "name": "\(migration.name)"])
            }
        }
    }

    /// The highest migration the database has run (0 when none).
    static func version(_ tx: PostgresStorageTransaction) throws -> Int {
        let exists = try tx.rows("SELECT to_regclass('schema_migrations') IS NOT NULL")
        guard try exists.first?.decode(Bool.self) == true else { return 0 }
        return Int(
            try tx.rows("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").first?.decode(Int32.self) ?? 0)
    }

    /// The advisory lock key migrations take.
    static let migrationLock: Int64 = 0x5349_4D50_554C_0001
    /// The advisory lock key writes to the log take: change sets of one writer must enter one after
    /// another, as in SQLite's single writer.
    static let logLock: Int64 = 0x5349_4D50_554C_0002
    /// The class of the two-key advisory locks on one blob (the second key is a hash of its name): the
    /// pieces of one blob are checked against what is held and appended one writer at a time, as in
    /// SQLite's single writer, while other blobs and the log go on. Two-key locks never collide
    /// with the one-key locks above.
    static let blobLockClass: Int32 = 0x534D_4201
}
