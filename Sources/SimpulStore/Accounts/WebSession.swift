import SimpulDomain

/// A logged-in web counter session: the account as it stands now, and the token the session's forms
/// must carry against cross-site requests.
public struct WebSession: Sendable, Equatable {
    public var account: OfficerAccount
    public var csrf: String
    public var expiresAt: Timestamp

    public init(account: OfficerAccount, csrf: String, expiresAt: Timestamp) {
        self.account = account
        self.csrf = csrf
        self.expiresAt = expiresAt
    }
}
