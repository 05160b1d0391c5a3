import Foundation
import GRDB
import SimpulDomain

extension NodeStore {
    // MARK: - Accounts (a kecamatan's officers)

    /// Adds an officer account. The hash is made by the caller (SimpulWeb's `PasswordHasher`): the
    /// store never sees a password.
    public func addAccount(
        username: String, name: String, roles: [OfficerRole], passwordHash: String, isPIN: Bool
    ) throws(SimpulError) -> OfficerAccount {
        try addAccount(
            OfficerRole.self, username: username, name: name, roles: roles, passwordHash: passwordHash,
            isPIN: isPIN)
    }

    /// Sets a new password or PIN: the lockout is cleared and the account's sessions end, so a password
    /// that leaked stops working everywhere at once.
    public func setPassword(username: String, passwordHash: String, isPIN: Bool) throws(SimpulError) {
        try setPassword(OfficerRole.self, username: username, passwordHash: passwordHash, isPIN: isPIN)
    }

    /// Replaces the account's roles. Open sessions read the account afresh on every request, so the
    /// new roles apply at once.
    public func setRoles(username: String, roles: [OfficerRole]) throws(SimpulError) {
        try setRoles(OfficerRole.self, username: username, roles: roles)
    }

    /// Disables or enables an account; disabling ends its sessions. Accounts are never deleted: the
    /// log names them.
    public func setDisabled(username: String, _ disabled: Bool) throws(SimpulError) {
        try setDisabled(OfficerRole.self, username: username, disabled)
    }

    /// Every officer account, by username.
    public func accounts() throws(SimpulError) -> [OfficerAccount] { try accounts(OfficerRole.self) }

    public func account(username: String) throws(SimpulError) -> OfficerAccount? {
        try account(OfficerRole.self, username: username)
    }

    /// Whether the node has any officer account (enabled or not): from the first one on, changes need
    /// an account holding the right role and typed names are refused.
    public func hasAccounts() throws(SimpulError) -> Bool {
        try readDB("membaca akun petugas") { db in try Self.hasAccounts(db: db) }
    }

    public func credential(username: String) throws(SimpulError) -> StoredCredential? {
        try credential(OfficerRole.self, username: username)
    }

    public func recordLogin(username: String, succeeded: Bool, lockUntil: Timestamp?) throws(SimpulError) {
        try recordLogin(OfficerRole.self, username: username, succeeded: succeeded, lockUntil: lockUntil)
    }

    public func createSession(
        username: String, tokenHash: String, csrf: String, expiresAt: Timestamp
    ) throws(SimpulError) {
        try createSession(OfficerRole.self, username: username, tokenHash: tokenHash, csrf: csrf, expiresAt: expiresAt)
    }

    public func session(tokenHash: String, now: Timestamp) throws(SimpulError) -> WebSession? {
        try session(OfficerRole.self, tokenHash: tokenHash, now: now)
    }

    public func endSession(tokenHash: String) throws(SimpulError) {
        try endSession(OfficerRole.self, tokenHash: tokenHash)
    }

    public func endSessions(username: String) throws(SimpulError) {
        try endSessions(OfficerRole.self, username: username)
    }

    // MARK: - Accounts of either kind

    /// Adds an account of `kind` (officers at a kecamatan, staff at the hub).
    public func addAccount<Role: AccountRole>(
        _ kind: Role.Type, username: String, name: String, roles: [Role], passwordHash: String, isPIN: Bool
    ) throws(SimpulError) -> Account<Role> {
        let username = try Account<Role>.validUsername(username)
        let name = try Account<Role>.validName(name, username: username)
        let roles = try Account<Role>.validRoles(roles)
        guard !passwordHash.isEmpty else { throw SimpulError(.invalidData, "kata sandi: hash kosong") }
        let at = now()
        let account = Account<Role>(
            username: username, name: name, roles: roles, disabled: false, isPIN: isPIN, createdAt: at)
        try writeDB("menambah akun petugas") { db in
            guard try Self.accountRow(Role.self, username, db: db) == nil else {
                throw SimpulError(.invalidData, "username: akun '\(username)' sudah ada")
            }
            try db.execute(
                sql: """
                    INSERT INTO \(Role.accountTable) (username, name, roles, password_hash, is_pin, disabled,
                        failed_logins, locked_until, created_at, changed_at)
                    VALUES (?, ?, ?, ?, ?, 0, 0, NULL, ?, ?)
                    """,
                arguments: [username, name, Account<Role>.rolesText(roles), passwordHash, isPIN, at, at])
        }
        logger.notice(
            "account added",
            metadata: ["table": "\(Role.accountTable)", "username": "\(username)", "roles": "\(roles.count)"])
        return account
    }

    public func setPassword<Role: AccountRole>(
        _ kind: Role.Type, username: String, passwordHash: String, isPIN: Bool
    ) throws(SimpulError) {
        guard !passwordHash.isEmpty else { throw SimpulError(.invalidData, "kata sandi: hash kosong") }
        let at = now()
        try changeAccount(Role.self, username, "mengganti kata sandi") { db in
            try db.execute(
                sql: """
                    UPDATE \(Role.accountTable) SET password_hash = ?, is_pin = ?, failed_logins = 0,
                        locked_until = NULL, changed_at = ? WHERE username = ?
                    """,
                arguments: [passwordHash, isPIN, at, username])
            try db.execute(sql: "DELETE FROM \(Role.sessionTable) WHERE username = ?", arguments: [username])
        }
        logger.notice("account password set", metadata: ["table": "\(Role.accountTable)", "username": "\(username)"])
    }

    public func setRoles<Role: AccountRole>(_ kind: Role.Type, username: String, roles: [Role]) throws(SimpulError) {
        let roles = try Account<Role>.validRoles(roles)
        let at = now()
        try changeAccount(Role.self, username, "mengubah peran") { db in
            try db.execute(
                sql: "UPDATE \(Role.accountTable) SET roles = ?, changed_at = ? WHERE username = ?",
                arguments: [Account<Role>.rolesText(roles), at, username])
        }
        logger.notice(
            "account roles set",
            metadata: ["table": "\(Role.accountTable)", "username": "\(username)", "roles": "\(roles.count)"])
    }

    public func setDisabled<Role: AccountRole>(
        _ kind: Role.Type, username: String, _ disabled: Bool
    ) throws(SimpulError) {
        let at = now()
        try changeAccount(Role.self, username, disabled ? "menonaktifkan akun" : "mengaktifkan akun") { db in
            try db.execute(
                sql: "UPDATE \(Role.accountTable) SET disabled = ?, changed_at = ? WHERE username = ?",
                arguments: [disabled, at, username])
            if disabled {
                try db.execute(sql: "DELETE FROM \(Role.sessionTable) WHERE username = ?", arguments: [username])
            }
        }
        logger.notice(
            disabled ? "account disabled" : "account enabled",
            metadata: ["table": "\(Role.accountTable)", "username": "\(username)"])
    }

    public func accounts<Role: AccountRole>(_ kind: Role.Type) throws(SimpulError) -> [Account<Role>] {
        try readDB("membaca akun petugas") { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Account<Role>.columns) FROM \(Role.accountTable) ORDER BY username"
            )
            .map { row throws(SimpulError) in try Account<Role>.decode(row) }
        }
    }

    public func account<Role: AccountRole>(_ kind: Role.Type, username: String) throws(SimpulError) -> Account<Role>? {
        try readDB("membaca akun petugas") { db in try Self.accountRow(Role.self, username, db: db) }
    }

    public func credential<Role: AccountRole>(
        _ kind: Role.Type, username: String
    ) throws(SimpulError) -> StoredCredential? {
        try readDB("membaca akun petugas") { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT password_hash, is_pin, failed_logins, locked_until FROM \(Role.accountTable) WHERE username = ?",
                    arguments: [username])
            else { return nil }
            return StoredCredential(
                passwordHash: row["password_hash"], isPIN: row["is_pin"], failedLogins: row["failed_logins"],
                lockedUntil: try row.timestampIfPresent("locked_until", in: Role.accountTable))
        }
    }

    /// Records a login attempt's outcome: a success resets the count of failures and any lock; a
    /// failure adds one, and when the policy locks the account (`lockUntil`), the count starts again
    /// from 0 so that after the lock the officer has the policy's full number of tries.
    public func recordLogin<Role: AccountRole>(
        _ kind: Role.Type, username: String, succeeded: Bool, lockUntil: Timestamp?
    ) throws(SimpulError) {
        let table = Role.accountTable
        try writeDB("mencatat login") { db in
            if succeeded {
                try db.execute(
                    sql: "UPDATE \(table) SET failed_logins = 0, locked_until = NULL WHERE username = ?",
                    arguments: [username])
            } else if let lockUntil {
                try db.execute(
                    sql: "UPDATE \(table) SET failed_logins = 0, locked_until = ? WHERE username = ?",
                    arguments: [lockUntil, username])
            } else {
                try db.execute(
                    sql: "UPDATE \(table) SET failed_logins = failed_logins + 1 WHERE username = ?",
                    arguments: [username])
            }
        }
        if let lockUntil, !succeeded {
            logger.warning(
                "account locked", metadata: ["table": "\(table)", "username": "\(username)", "until": "\(lockUntil)"])
        }
    }

    // MARK: - Web sessions

    /// Opens a session; sessions already expired are cleared on the way.
    public func createSession<Role: AccountRole>(
        _ kind: Role.Type, username: String, tokenHash: String, csrf: String, expiresAt: Timestamp
    ) throws(SimpulError) {
        let at = now()
        try writeDB("membuka sesi") { db in
            guard let account = try Self.accountRow(Role.self, username, db: db), !account.disabled else {
                throw SimpulError(.invalidData, "username: akun '\(username)' tidak ada atau nonaktif")
            }
            try db.execute(sql: "DELETE FROM \(Role.sessionTable) WHERE expires_at <= ?", arguments: [at])
            try db.execute(
                sql: """
                    INSERT INTO \(Role.sessionTable) (token_hash, username, csrf, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [tokenHash, username, csrf, at, expiresAt])
        }
    }

    /// The session with this token hash and its account as it stands now; nil when unknown, expired
    /// at `now`, or its account is disabled.
    public func session<Role: AccountRole>(
        _ kind: Role.Type, tokenHash: String, now: Timestamp
    ) throws(SimpulError) -> AccountSession<Role>? {
        try readDB("membaca sesi") { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT username, csrf, expires_at FROM \(Role.sessionTable) WHERE token_hash = ?",
                    arguments: [tokenHash])
            else { return nil }
            let expires = try row.timestamp("expires_at", in: Role.sessionTable)
            guard expires > now, let account = try Self.accountRow(Role.self, row["username"], db: db),
                !account.disabled
            else {
                return nil
            }
            return AccountSession(account: account, csrf: row["csrf"], expiresAt: expires)
        }
    }

    public func endSession<Role: AccountRole>(_ kind: Role.Type, tokenHash: String) throws(SimpulError) {
        try writeDB("menutup sesi") { db in
            try db.execute(sql: "DELETE FROM \(Role.sessionTable) WHERE token_hash = ?", arguments: [tokenHash])
        }
    }

    public func endSessions<Role: AccountRole>(_ kind: Role.Type, username: String) throws(SimpulError) {
        try writeDB("menutup sesi") { db in
            try db.execute(sql: "DELETE FROM \(Role.sessionTable) WHERE username = ?", arguments: [username])
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
        _ actor: Actor, required: OfficerRole?, staffRequired: StaffRole? = nil, task: String, typedRole: String,
        db: Database
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
            guard let account = try Self.accountRow(OfficerRole.self, given.username, db: db), !account.disabled else {
                throw SimpulError(.invalidData, "petugas: akun '\(given.username)' tidak ada atau nonaktif")
            }
            guard let required else {
                throw SimpulError(.invalidData, "peran: \(task) tidak dikerjakan petugas kecamatan")
            }
            let role = try OfficerRole.roleText(
                required: required, holding: account.roles, officer: account.officerText, task: task,
                substitution: substitution)
            return (account.officerText, role)
        case .staff(let given):
            guard let account = try Self.accountRow(StaffRole.self, given.username, db: db), !account.disabled else {
                throw SimpulError(.invalidData, "petugas: akun '\(given.username)' tidak ada atau nonaktif")
            }
            guard let staffRequired else {
                throw SimpulError(.invalidData, "peran: \(task) tidak dikerjakan staf PTSP di hub")
            }
            let role = try StaffRole.roleText(
                required: staffRequired, holding: account.roles, officer: account.officerText, task: task)
            return (account.officerText, role)
        }
    }

    // MARK: - Plumbing

    static func accountRow<Role: AccountRole>(
        _ kind: Role.Type, _ username: String, db: Database
    ) throws(SimpulError) -> Account<Role>? {
        let row = try run("membaca akun petugas") {
            try Row.fetchOne(
                db, sql: "SELECT \(Account<Role>.columns) FROM \(Role.accountTable) WHERE username = ?",
                arguments: [username])
        }
        return try row.map { row throws(SimpulError) in try Account<Role>.decode(row) }
    }

    static func hasAccounts(db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM officer_account)") ?? false
    }

    /// Runs a change to an existing account, refusing an unknown username.
    private func changeAccount<Role: AccountRole>(
        _ kind: Role.Type, _ username: String, _ what: String, _ body: (Database) throws -> Void
    ) throws(SimpulError) {
        try writeDB(what) { db in
            guard try Self.accountRow(Role.self, username, db: db) != nil else {
                throw SimpulError(.notFound, "username: tidak ada akun '\(username.prefix(40))'")
            }
            try body(db)
        }
    }
}
