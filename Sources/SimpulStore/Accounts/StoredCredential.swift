import SimpulDomain

/// What a login checks an account against: the bcrypt hash and the lockout state.
public struct StoredCredential: Sendable {
    public var passwordHash: String
    public var isPIN: Bool
    /// Failed logins in a row since the last success (or the last lock).
    public var failedLogins: Int
    /// While set and in the future, the account may not log in.
    public var lockedUntil: Timestamp?

    public init(passwordHash: String, isPIN: Bool, failedLogins: Int, lockedUntil: Timestamp?) {
        self.passwordHash = passwordHash
        self.isPIN = isPIN
        self.failedLogins = failedLogins
        self.lockedUntil = lockedUntil
    }
}
