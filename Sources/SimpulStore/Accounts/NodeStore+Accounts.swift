import Foundation
import GRDB
import SimpulDomain

extension NodeStore {
    // MARK: - Accounts

    /// Adds an account. The hash is made by the caller (SimpulWeb's `PasswordHasher`): the store never
    /// sees a password.
    public func addAccount(
        username: String, name: String, roles: [OfficerRole], passwordHash: String, isPIN: Bool
    ) throws(SimpulError) -> OfficerAccount {
        let username = try OfficerAccount.validUsername(username)
        let name = try OfficerAccount.validName(name, username: username)
        let roles = try OfficerAccount.validRoles(roles)
        guard !passwordHash.isEmpty else { throw SimpulError(.invalidData, "kata sandi: hash kosong") }
        let at = now()
        let account = OfficerAccount(
            username: username, name: name, roles: roles, disabled: false, isPIN: isPIN, createdAt: at)
        try writeDB("menambah akun petugas") { db in
            guard try Self.accountRow(username, db: db) == nil else {
                throw SimpulError(.invalidData, "username: akun '\(username)' sudah ada")
            }
            try db.execute(
                sql: """
                    INSERT INTO officer_account (username, name, roles, password_hash, is_pin, disabled,
                        failed_logins, locked_until, created_at, changed_at)
                    VALUES (?, ?, ?, ?, ?, 0, 0, NULL, ?, ?)
                    """,
                arguments: [username, name, OfficerAccount.rolesText(roles), passwordHash, isPIN, at, at])
        }
        logger.notice("officer account added", metadata: ["username": "\(username)", "roles": "\(roles.count)"])
        return account
    }

    /// Sets a new password or PIN: the lockout is cleared and the account's sessions end, so a password
    /// that leaked stops working everywhere at once.
    public func setPassword(username: String, passwordHash: String, isPIN: Bool) throws(SimpulError) {
        guard !passwordHash.isEmpty else { throw SimpulError(.invalidData, "kata sandi: hash kosong") }
        let at = now()
        try changeAccount(username, "mengganti kata sandi") { db in
            try db.execute(
                sql: """
                    UPDATE officer_account SET password_hash = ?, is_pin = ?, failed_logins = 0, locked_until = NULL,
                        changed_at = ? WHERE username = ?
                    """,
                arguments: [passwordHash, isPIN, at, username])
            try db.execute(sql: "DELETE FROM web_session WHERE username = ?", arguments: [username])
        }
        logger.notice("officer password set", metadata: ["username": "\(username)"])
    }

    /// Replaces the account's roles. Open sessions read the account afresh on every request, so the
    /// new roles apply at once.
    public func setRoles(username: String, roles: [OfficerRole]) throws(SimpulError) {
        let roles = try OfficerAccount.validRoles(roles)
        let at = now()
        try changeAccount(username, "mengubah peran") { db in
            try db.execute(
                sql: "UPDATE officer_account SET roles = ?, changed_at = ? WHERE username = ?",
                arguments: [OfficerAccount.rolesText(roles), at, username])
        }
        logger.notice("officer roles set", metadata: ["username": "\(username)", "roles": "\(roles.count)"])
    }

    /// Disables or enables an account; disabling ends its sessions. Accounts are never deleted: the
    /// log names them.
    public func setDisabled(username: String, _ disabled: Bool) throws(SimpulError) {
        let at = now()
        try changeAccount(username, disabled ? "menonaktifkan akun" : "mengaktifkan akun") { db in
            try db.execute(
                sql: "UPDATE officer_account SET disabled = ?, changed_at = ? WHERE username = ?",
                arguments: [disabled, at, username])
            if disabled {
                try db.execute(sql: "DELETE FROM web_session WHERE username = ?", arguments: [username])
            }
        }
        logger.notice(
            disabled ? "officer account disabled" : "officer account enabled", metadata: ["username": "\(username)"])
    }

    /// Every account, by username.
    public func accounts() throws(SimpulError) -> [OfficerAccount] {
        try readDB("membaca akun petugas") { db in
            try Row.fetchAll(db, sql: "SELECT \(OfficerAccount.columns) FROM officer_account ORDER BY username")
                .map { row throws(SimpulError) in try OfficerAccount.decode(row) }
        }
    }

    public func account(username: String) throws(SimpulError) -> OfficerAccount? {
        try readDB("membaca akun petugas") { db in try Self.accountRow(username, db: db) }
    }

    /// Whether the node has any account (enabled or not): from the first one on, changes need an
    /// account holding the right role and typed names are refused.
    public func hasAccounts() throws(SimpulError) -> Bool {
        try readDB("membaca akun petugas") { db in try Self.hasAccounts(db: db) }
    }

    public func credential(username: String) throws(SimpulError) -> StoredCredential? {
        try readDB("membaca akun petugas") { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT password_hash, is_pin, failed_logins, locked_until FROM officer_account WHERE username = ?",
                    arguments: [username])
            else { return nil }
            return StoredCredential(
                passwordHash: row["password_hash"], isPIN: row["is_pin"], failedLogins: row["failed_logins"],
                lockedUntil: try row.timestampIfPresent("locked_until", in: "officer_account"))
        }
    }

    /// Records a login attempt's outcome: a success resets the count of failures and any lock; a
    /// failure adds one, and when the policy locks the account (`lockUntil`), the count starts again
    /// from 0 so that after the lock the officer has the policy's full number of tries.
    public func recordLogin(username: String, succeeded: Bool, lockUntil: Timestamp?) throws(SimpulError) {
        try writeDB("mencatat login") { db in
            if succeeded {
                try db.execute(
                    sql: "UPDATE officer_account SET failed_logins = 0, locked_until = NULL WHERE username = ?",
                    arguments: [username])
            } else if let lockUntil {
                try db.execute(
                    sql: "UPDATE officer_account SET failed_logins = 0, locked_until = ? WHERE username = ?",
                    arguments: [lockUntil, username])
            } else {
                try db.execute(
                    sql: "UPDATE officer_account SET failed_logins = failed_logins + 1 WHERE username = ?",
                    arguments: [username])
            }
        }
        if let lockUntil, !succeeded {
            logger.warning("officer account locked", metadata: ["username": "\(username)", "until": "\(lockUntil)"])
        }
    }

    // MARK: - Web sessions

    /// Opens a session; sessions already expired are cleared on the way.
    public func createSession(
        username: String, tokenHash: String, csrf: String, expiresAt: Timestamp
    ) throws(SimpulError) {
        let at = now()
        try writeDB("membuka sesi") { db in
            guard let account = try Self.accountRow(username, db: db), !account.disabled else {
                throw SimpulError(.invalidData, "username: akun '\(username)' tidak ada atau nonaktif")
            }
            try db.execute(sql: "DELETE FROM web_session WHERE expires_at <= ?", arguments: [at])
            try db.execute(
                sql:
                    "INSERT INTO web_session (token_hash, username, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [tokenHash, username, csrf, at, expiresAt])
        }
    }

    /// The session with this token hash and its account as it stands now; nil when unknown, expired
    /// at `now`, or its account is disabled.
    public func session(tokenHash: String, now: Timestamp) throws(SimpulError) -> WebSession? {
        try readDB("membaca sesi") { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT username, csrf, expires_at FROM web_session WHERE token_hash = ?",
                    arguments: [tokenHash])
            else { return nil }
            let expires = try row.timestamp("expires_at", in: "web_session")
            guard expires > now, let account = try Self.accountRow(row["username"], db: db), !account.disabled else {
                return nil
            }
            return WebSession(account: account, csrf: row["csrf"], expiresAt: expires)
        }
    }

    public func endSession(tokenHash: String) throws(SimpulError) {
        try writeDB("menutup sesi") { db in
            try db.execute(sql: "DELETE FROM web_session WHERE token_hash = ?", arguments: [tokenHash])
        }
    }

    public func endSessions(username: String) throws(SimpulError) {
        try writeDB("menutup sesi") { db in
            try db.execute(sql: "DELETE FROM web_session WHERE username = ?", arguments: [username])
        }
    }

    // MARK: - Actors

    /// Resolves a command line's `--petugas`: on a node without accounts the name as typed; once the
    /// node has accounts, the enabled account with that username.
    public func actor(petugas: String) throws(SimpulError) -> Actor {
        guard try hasAccounts() else { return .typed(try Self.officerName(petugas)) }
        let username = petugas.trimmingCharacters(in: .whitespaces)
        guard let account = try account(username: username) else {
            throw SimpulError(
                .invalidData,
                "petugas: '\(username.prefix(40))' bukan akun petugas di node ini; node ini memakai akun petugas, sebutkan username (lihat 'simpul user list')"
            )
        }
        guard !account.disabled else {
            throw SimpulError(.invalidData, "petugas: akun '\(username)' nonaktif")
        }
        return .account(account, substitution: nil)
    }

    /// Who an event names and in which role, decided inside the write transaction that records it, so
    /// that the account's roles and enabled state are read at the same moment as the permohonan.
    /// `required` is the role the change needs (nil: none at a kecamatan), `task` what it is for the
    /// message, `typedRole` the role a typed name records (the node has no accounts).
    func attribution(
        _ actor: Actor, required: OfficerRole?, task: String, typedRole: String, db: Database
    ) throws(SimpulError) -> (officer: String, role: String) {
        switch actor {
        case .typed(let name):
            let officer = try Self.officerName(name)
            guard try Self.run("membaca akun petugas", { try Self.hasAccounts(db: db) }) == false else {
                throw SimpulError(
                    .invalidData,
                    "petugas: node ini memakai akun petugas; '\(officer.prefix(40))' harus username akun yang aktif (lihat 'simpul user list')"
                )
            }
            return (officer, typedRole)
        case .account(let given, let substitution):
            guard let account = try Self.accountRow(given.username, db: db), !account.disabled else {
                throw SimpulError(.invalidData, "petugas: akun '\(given.username)' tidak ada atau nonaktif")
            }
            guard let required else {
                throw SimpulError(.invalidData, "peran: \(task) tidak dikerjakan petugas kecamatan")
            }
            let role = try OfficerRole.roleText(
                required: required, holding: account.roles, officer: account.officerText, task: task,
                substitution: substitution)
            return (account.officerText, role)
        }
    }

    // MARK: - Plumbing

    static func accountRow(_ username: String, db: Database) throws(SimpulError) -> OfficerAccount? {
        let row = try run("membaca akun petugas") {
            try Row.fetchOne(
                db, sql: "SELECT \(OfficerAccount.columns) FROM officer_account WHERE username = ?",
                arguments: [username])
        }
        return try row.map { row throws(SimpulError) in try OfficerAccount.decode(row) }
    }

    static func hasAccounts(db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM officer_account)") ?? false
    }

    /// Runs a change to an existing account, refusing an unknown username.
    private func changeAccount(
        _ username: String, _ what: String, _ body: (Database) throws -> Void
    ) throws(SimpulError) {
        try writeDB(what) { db in
            guard try Self.accountRow(username, db: db) != nil else {
                throw SimpulError(.notFound, "username: tidak ada akun '\(username.prefix(40))'")
            }
            try body(db)
        }
    }
}
