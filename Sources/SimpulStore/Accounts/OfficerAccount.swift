import GRDB
import SimpulDomain

/// The roles one kind of account holds, and where its accounts and web sessions are kept: a kecamatan's
/// officers (`OfficerRole`) and the PTSP's staff at the hub (`StaffRole`) log in the same way, each in
/// tables of their own, so one login, lockout and session implementation serves both web front ends.
public protocol AccountRole: RawRepresentable<String>, Sendable, Hashable, Comparable, CaseIterable
where AllCases == [Self] {
    var label: String { get }
    /// The table of accounts (`officer_account`'s columns).
    static var accountTable: String { get }
    /// The table of web sessions (`web_session`'s columns).
    static var sessionTable: String { get }
    /// Who a disabled account's holder should ask, in a sentence: "admin kecamatan".
    static var administrator: String { get }
    /// The role that manages this kind of account in the web pages.
    static var accountAdmin: Self { get }
}

extension OfficerRole: AccountRole {
    public static let accountTable = "officer_account"
    public static let sessionTable = "web_session"
    public static let administrator = "admin kecamatan"
    public static let accountAdmin = OfficerRole.admin
}

extension StaffRole: AccountRole {
    public static let accountTable = "staff_account"
    public static let sessionTable = "staff_session"
    public static let administrator = "Admin TI PTSP"
    public static let accountAdmin = StaffRole.adminTI
}

/// An officer's account at a kecamatan node.
public typealias OfficerAccount = Account<OfficerRole>
/// A PTSP staff account at the hub.
public typealias StaffAccount = Account<StaffRole>

/// An account at this node: who they are and which roles they hold. Accounts are the node's own
/// (never events, never replicated); what they do is signed into the log under `officerText`.
public struct Account<Role: AccountRole>: Sendable, Equatable {
    /// 2 to 32 of `a-z 0-9 . _ -`, starting with a letter.
    public var username: String
    public var name: String
    /// Never empty; sorted in the flow's order, each once.
    public var roles: [Role]
    public var disabled: Bool
    /// Whether the account logs in with a PIN (4 to 8 digits) rather than a password.
    public var isPIN: Bool
    public var createdAt: Timestamp

    public init(
        username: String, name: String, roles: [Role], disabled: Bool, isPIN: Bool, createdAt: Timestamp
    ) {
        self.username = username
        self.name = name
        self.roles = roles
        self.disabled = disabled
        self.isPIN = isPIN
        self.createdAt = createdAt
    }

    /// How the account is named in events: "Siti Aminah (siti)". The username keeps two officers of
    /// the same name apart in the log.
    public var officerText: String { "\(name) (\(username))" }

    public func holds(_ role: Role) -> Bool { roles.contains(role) }

    /// The longest an event's officer may be (the wire schema's `officer`).
    static var maxOfficerText: Int { 100 }

    /// Checks a username, naming the field and the rule.
    public static func validUsername(_ text: String) throws(SimpulError) -> String {
        let ok =
            (2...32).contains(text.utf8.count)
            && text.utf8.first.map { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) } == true
            && text.utf8.allSatisfy { c in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                    || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
            }
        guard ok else {
            throw SimpulError(
                .invalidData,
                "username: '\(text.prefix(40))' harus 2-32 karakter huruf kecil, angka, titik, garis bawah atau tanda hubung, diawali huruf"
            )
        }
        return text
    }

    /// Checks an officer's name; with the username it must fit an event's officer field.
    public static func validName(_ text: String, username: String) throws(SimpulError) -> String {
        guard let name = try FreeText.clean(text, field: "nama", maxLength: 100) else {
            throw SimpulError(.invalidData, "nama: nama petugas wajib diisi")
        }
        let room = maxOfficerText - username.count - 3
        guard name.count <= room else {
            throw SimpulError(
                .invalidData,
                "nama: paling banyak \(room) karakter untuk username '\(username)' (nama dan username dicatat bersama di setiap event, paling banyak \(maxOfficerText) karakter)"
            )
        }
        return name
    }

    /// Checks a set of roles and puts it in canonical form: sorted, each once, at least one.
    public static func validRoles(_ roles: [Role]) throws(SimpulError) -> [Role] {
        guard !roles.isEmpty else {
            throw SimpulError(
                .invalidData,
                "peran: akun harus memegang paling sedikit satu peran (\(Role.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        return Array(Set(roles)).sorted()
    }

    /// Columns as `SELECT \(columns) FROM \(Role.accountTable)` reads them for `decode`.
    static var columns: String { "username, name, roles, disabled, is_pin, created_at" }

    static func decode(_ row: Row) throws(SimpulError) -> Account {
        let text: String = row["roles"]
        var roles: [Role] = []
        for part in text.split(separator: ",") {
            guard let role = Role(rawValue: String(part)) else {
                throw SimpulError(.io, "penyimpanan rusak: \(Role.accountTable).roles berisi peran yang tidak dikenal")
            }
            roles.append(role)
        }
        return Account(
            username: row["username"], name: row["name"], roles: roles, disabled: row["disabled"],
            isPIN: row["is_pin"], createdAt: try row.timestamp("created_at", in: Role.accountTable))
    }

    static func rolesText(_ roles: [Role]) -> String { roles.map(\.rawValue).joined(separator: ",") }
}
