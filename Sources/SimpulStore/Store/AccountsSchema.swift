import GRDB

extension Schema {
    /// Officer accounts and the web counter's sessions (issue 13).
    static let officerAccountsMigration = "v11-officer-accounts"

    static func registerOfficerAccounts(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(officerAccountsMigration) { db in
            // Local to the node: neither table is an event, neither is replicated, bundled or refolded.
            // A node restored from the hub starts without accounts (and so accepts typed names) until
            // they are added again; a backup of the store file keeps them.
            try db.execute(
                sql: """
                    -- Who may act at this node's counter, and in which roles (comma-separated OfficerRole
                    -- raw values, sorted). The password (or PIN) only as a bcrypt hash.
                    CREATE TABLE officer_account (
                        username TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        roles TEXT NOT NULL,
                        password_hash TEXT NOT NULL,
                        is_pin INTEGER NOT NULL,
                        disabled INTEGER NOT NULL DEFAULT 0,
                        -- Failed logins in a row since the last success or lock.
                        failed_logins INTEGER NOT NULL DEFAULT 0,
                        locked_until TEXT,
                        created_at TEXT NOT NULL,
                        changed_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    -- The web counter's logins: only a hash of the cookie's token is kept, so a copy of the
                    -- store does not hand out live sessions.
                    CREATE TABLE web_session (
                        token_hash TEXT PRIMARY KEY,
                        username TEXT NOT NULL REFERENCES officer_account (username),
                        csrf TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        expires_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX web_session_username ON web_session (username);
                    """)
        }
    }

    /// The PTSP's staff accounts and back-office sessions at the hub (issue 12).
    static let staffAccountsMigration = "v13-staff-accounts"

    static func registerStaffAccounts(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(staffAccountsMigration) { db in
            // The same columns as officer_account and web_session, kept apart so that a kecamatan's
            // roles and the PTSP's never share a table: a hub account cannot take a counter step, and
            // the hub's command line keeps accepting typed names while the back office has accounts.
            // Local like the officers' tables: never events, never replicated.
            try db.execute(
                sql: """
                    -- Comma-separated StaffRole raw values, sorted; the password only as a bcrypt hash.
                    CREATE TABLE staff_account (
                        username TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        roles TEXT NOT NULL,
                        password_hash TEXT NOT NULL,
                        is_pin INTEGER NOT NULL,
                        disabled INTEGER NOT NULL DEFAULT 0,
                        failed_logins INTEGER NOT NULL DEFAULT 0,
                        locked_until TEXT,
                        created_at TEXT NOT NULL,
                        changed_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE staff_session (
                        token_hash TEXT PRIMARY KEY,
                        username TEXT NOT NULL REFERENCES staff_account (username),
                        csrf TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        expires_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX staff_session_username ON staff_session (username);
                    """)
        }
    }
}
