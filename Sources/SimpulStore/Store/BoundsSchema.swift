import GRDB

extension Schema {
    /// The migration of issue 11's bounds, kept apart from the others so that branches adding their
    /// own migrations merge without touching each other's SQL.
    static let boundsMigration = "v9-bounds-blob-owner-relay-parking"

    static func registerBounds(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(boundsMigration) { db in
            // Bookkeeping only, nothing to refold.
            try db.execute(
                sql: """
                    -- At the hub: the node whose upload (or bundle) proved it holds the blob's bytes. Only
                    -- events written from that node's partition (or by the hub) let another node read the
                    -- blob; a node naming someone else's blob in its own partition gains nothing. Blobs
                    -- held before this migration go to the writer of the earliest event naming them.
                    ALTER TABLE blob ADD COLUMN owner TEXT;
                    UPDATE blob SET owner = (
                        SELECT e.node FROM event e
                        WHERE e.type = 'permohonan.attached' AND json_extract(e.data, '$.sha256') = blob.sha256
                        ORDER BY e.at, e.node, e.seq LIMIT 1)
                    WHERE complete = 1;
                    -- At the hub: the nodes a relay handed the hub a bundle of; it may fetch their replies.
                    CREATE TABLE relay (
                        relay TEXT NOT NULL,
                        node TEXT NOT NULL,
                        since TEXT NOT NULL,
                        PRIMARY KEY (relay, node)
                    ) WITHOUT ROWID;
                    -- What a parked change set waits for (a writer's seq in its partition), so that a drain
                    -- retries only those whose wait may be over. NULL: its writer's previous change set.
                    ALTER TABLE parked ADD COLUMN wait_node TEXT;
                    ALTER TABLE parked ADD COLUMN wait_seq INTEGER;
                    CREATE INDEX parked_node ON parked (node);
                    """)
        }
    }
}
