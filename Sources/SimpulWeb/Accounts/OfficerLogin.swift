import Foundation
import SimpulDomain
import SimpulStore

/// What came of an officer's login attempt at the counter.
public typealias LoginOutcome = AccountLoginOutcome<OfficerRole>

/// What came of a login attempt.
public enum AccountLoginOutcome<Role: AccountRole>: Sendable, Equatable {
    case success(Account<Role>)
    /// One line in Bahasa Indonesia to show; for a wrong password it is the same whether or not the
    /// username exists.
    case refused(String)
    /// Too many failures in a row: no password is checked until then.
    case locked(until: Timestamp)
}

/// Logging an officer (at a kecamatan) or a staff member (at the hub) in against the node's accounts.
public enum OfficerLogin {
    /// The one message for an unknown username and a wrong password alike.
    public static let refusal = "Username atau kata sandi salah."
    public static let disabledRefusal = disabledRefusal(for: OfficerRole.self)

    /// What a disabled account of `kind` is told: whom to ask.
    public static func disabledRefusal<Role: AccountRole>(for kind: Role.Type) -> String {
        "Akun ini dinonaktifkan; hubungi \(Role.administrator)."
    }

    /// Checks a username (trimmed and lowercased: usernames are lowercase) and password (or PIN) at
    /// `now`, records the outcome against the account's lockout count, and answers. An unknown
    /// username spends one bcrypt computation at the hasher's cost, as a known one does, so the time
    /// taken does not tell whether it exists. A disabled account is refused even with the right
    /// password (and then told so). Takes bcrypt's time: call it off the event loop.
    public static func authenticate(
        username: String, password: String, store: NodeStore, now: Timestamp,
        hasher: PasswordHasher = PasswordHasher(), policy: LoginPolicy = .standard
    ) throws(SimpulError) -> LoginOutcome {
        try authenticate(
            OfficerRole.self, username: username, password: password, store: store, now: now, hasher: hasher,
            policy: policy)
    }

    /// `authenticate` against the accounts of `kind`: the counter's officers or the hub's staff.
    public static func authenticate<Role: AccountRole>(
        _ kind: Role.Type, username: String, password: String, store: NodeStore, now: Timestamp,
        hasher: PasswordHasher = PasswordHasher(), policy: LoginPolicy = .standard
    ) throws(SimpulError) -> AccountLoginOutcome<Role> {
        let username = username.trimmingCharacters(in: .whitespaces).lowercased()
        guard let credential = try store.credential(Role.self, username: username),
            let account = try store.account(Role.self, username: username)
        else {
            _ = hasher.hash(password)
            return .refused(refusal)
        }
        if let until = policy.lockedUntil(credential, now: now) { return .locked(until: until) }
        guard hasher.verify(password, hash: credential.passwordHash) else {
            let lock = policy.lockAfterFailure(credential, now: now)
            try store.recordLogin(Role.self, username: username, succeeded: false, lockUntil: lock)
            if let lock { return .locked(until: lock) }
            return .refused(refusal)
        }
        guard !account.disabled else { return .refused(disabledRefusal(for: Role.self)) }
        try store.recordLogin(Role.self, username: username, succeeded: true, lockUntil: nil)
        return .success(account)
    }
}
