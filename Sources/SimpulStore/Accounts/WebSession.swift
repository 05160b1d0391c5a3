import SimpulDomain

/// A logged-in web counter session.
public typealias WebSession = AccountSession<OfficerRole>
/// A logged-in back-office session at the hub.
public typealias StaffSession = AccountSession<StaffRole>

/// A logged-in web session: the account as it stands now, and the token the session's forms must
/// carry against cross-site requests.
public struct AccountSession<Role: AccountRole>: Sendable, Equatable {
    public var account: Account<Role>
    public var csrf: String
    public var expiresAt: Timestamp

    public init(account: Account<Role>, csrf: String, expiresAt: Timestamp) {
        self.account = account
        self.csrf = csrf
        self.expiresAt = expiresAt
    }
}
