import GRDB
import SimpulDomain

/// An officer's account at this node: who they are and which of the counter's roles they hold.
/// Accounts are the node's own (never events, never replicated); what they do is signed into the log
/// under `officerText`.
public struct OfficerAccount: Sendable, Equatable {
    /// 2 to 32 of `a-z 0-9 . _ -`, starting with a letter.
    public var username: String
    public var name: String
    /// Never empty; sorted in the flow's order, each once.
    public var roles: [OfficerRole]
    public var disabled: Bool
    /// Whether the account logs in with a PIN (4 to 8 digits) rather than a password.
    public var isPIN: Bool
    public var createdAt: Timestamp

    public init(
        username: String, name: String, roles: [OfficerRole], disabled: Bool, isPIN: Bool, createdAt: Timestamp
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

    public func holds(_ role: OfficerRole) -> Bool { roles.contains(role) }

    /// The longest an event's officer may be (the wire schema's `officer`).
    static let maxOfficerText = 100

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
    public static func validRoles(_ roles: [OfficerRole]) throws(SimpulError) -> [OfficerRole] {
        guard !roles.isEmpty else {
            throw SimpulError(
                .invalidData,
                "peran: akun harus memegang paling sedikit satu peran (\(OfficerRole.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        return Array(Set(roles)).sorted()
    }

    /// Columns as `SELECT \(columns) FROM officer_account` reads them for `decode`.
    static let columns = "username, name, roles, disabled, is_pin, created_at"

    static func decode(_ row: Row) throws(SimpulError) -> OfficerAccount {
        let text: String = row["roles"]
        var roles: [OfficerRole] = []
        for part in text.split(separator: ",") {
            guard let role = OfficerRole(rawValue: String(part)) else {
                throw SimpulError(.io, "penyimpanan rusak: officer_account.roles berisi peran yang tidak dikenal")
            }
            roles.append(role)
        }
        return OfficerAccount(
            username: row["username"], name: row["name"], roles: roles, disabled: row["disabled"],
            isPIN: row["is_pin"], createdAt: try row.timestamp("created_at", in: "officer_account"))
    }

    static func rolesText(_ roles: [OfficerRole]) -> String { roles.map(\.rawValue).joined(separator: ",") }
}
