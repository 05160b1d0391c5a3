import Foundation
import SimpulDomain
import SimpulStore

/// What came of a login attempt.
public enum LoginOutcome: Sendable, Equatable {
    case success(OfficerAccount)
    /// One line in Bahasa Indonesia to show; for a wrong password it is the same whether or not the
    /// username exists.
    case refused(String)
    /// Too many failures in a row: no password is checked until then.
    case locked(until: Timestamp)
}

/// Logging an officer in against the node's accounts.
public enum OfficerLogin {
    /// The one message for an unknown username and a wrong password alike.
    public static let refusal = "Username atau kata sandi salah."
    public static let disabledRefusal = "Akun ini dinonaktifkan; hubungi admin kecamatan."

    /// Checks a username (trimmed and lowercased: usernames are lowercase) and password (or PIN) at
    /// `now`, records the outcome against the account's lockout count, and answers. An unknown
    /// username spends one bcrypt computation at the hasher's cost, as a known one does, so the time
    /// taken does not tell whether it exists. A disabled account is refused even with the right
    /// password (and then told so). Takes bcrypt's time: call it off the event loop.
    public static func authenticate(
        username: String, password: String, store: NodeStore, now: Timestamp,
        hasher: PasswordHasher = PasswordHasher(), policy: LoginPolicy = .standard
    ) throws(SimpulError) -> LoginOutcome {
        let username = username.trimmingCharacters(in: .whitespaces).lowercased()
        guard let credential = try store.credential(username: username),
            let account = try store.account(username: username)
        else {
            _ = hasher.hash(password)
            return .refused(refusal)
        }
        if let until = policy.lockedUntil(credential, now: now) { return .locked(until: until) }
        guard hasher.verify(password, hash: credential.passwordHash) else {
            let lock = policy.lockAfterFailure(credential, now: now)
            try store.recordLogin(username: username, succeeded: false, lockUntil: lock)
            if let lock { return .locked(until: lock) }
            return .refused(refusal)
        }
        guard !account.disabled else { return .refused(disabledRefusal) }
        try store.recordLogin(username: username, succeeded: true, lockUntil: nil)
        return .success(account)
    }
}
