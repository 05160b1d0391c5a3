import SimpulDomain

/// Who does a change: an account, whose roles are checked against what the change needs, or, on a
/// node without accounts, a name as typed (the way every node worked before accounts).
public enum Actor: Sendable {
    /// An account; with a substitution it signs in the Camat's place ("Plt. Camat", "a.n. Camat").
    case account(OfficerAccount, substitution: Substitution?)
    case typed(String)
    /// A PTSP staff account at the hub (the back office), checked against `StaffRole.required`.
    case staff(StaffAccount)
}
