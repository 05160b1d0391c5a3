import SimpulDomain
import SimpulStore

/// When failed logins lock an account, as pure decisions over a credential and a time. A PIN has far
/// fewer possibilities than a password, so it gets fewer tries and a longer lock.
public struct LoginPolicy: Sendable, Equatable {
    public var pinFailures: Int
    public var pinLockMilliseconds: Int64
    public var passwordFailures: Int
    public var passwordLockMilliseconds: Int64

    /// PINs: 15 minutes after 5 failures in a row; passwords: 5 minutes after 10.
    public static let standard = LoginPolicy(
        pinFailures: 5, pinLockMilliseconds: 15 * 60_000, passwordFailures: 10, passwordLockMilliseconds: 5 * 60_000)

    public init(pinFailures: Int, pinLockMilliseconds: Int64, passwordFailures: Int, passwordLockMilliseconds: Int64) {
        self.pinFailures = pinFailures
        self.pinLockMilliseconds = pinLockMilliseconds
        self.passwordFailures = passwordFailures
        self.passwordLockMilliseconds = passwordLockMilliseconds
    }

    /// Until when the account is locked, or nil when it may log in at `now`.
    public func lockedUntil(_ credential: StoredCredential, now: Timestamp) -> Timestamp? {
        guard let until = credential.lockedUntil, until > now else { return nil }
        return until
    }

    /// The lock one more failed attempt sets, or nil when the account still has tries left.
    public func lockAfterFailure(_ credential: StoredCredential, now: Timestamp) -> Timestamp? {
        let limit = credential.isPIN ? pinFailures : passwordFailures
        guard credential.failedLogins + 1 >= limit else { return nil }
        let duration = credential.isPIN ? pinLockMilliseconds : passwordLockMilliseconds
        return Timestamp(milliseconds: now.milliseconds + duration)
    }
}
