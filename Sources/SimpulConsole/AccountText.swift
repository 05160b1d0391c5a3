import SimpulDomain
import SimpulStore

/// What `simpul user` and `simpul-hub user` print and parse, for an officer's account at a kecamatan
/// and a staff account at the hub alike.
public enum AccountText {
    /// An account as `user` prints it (and its JSON shape).
    public struct View: Encodable {
        public var username: String
        public var name: String
        public var roles: [String]
        public var pin: Bool
        /// aktif, nonaktif or terkunci.
        public var state: String
        public var lockedUntil: String?
        public var createdAt: String
        public var stateText: String

        public init<Role: AccountRole>(_ account: Account<Role>, credential: StoredCredential?, store: NodeStore) {
            username = account.username
            name = account.name
            roles = account.roles.map(\.rawValue)
            pin = account.isPIN
            createdAt = account.createdAt.description
            if account.disabled {
                state = "nonaktif"
                stateText = "nonaktif"
            } else if let until = credential?.lockedUntil, until > Console.now() {
                state = "terkunci"
                lockedUntil = until.description
                stateText =
                    "terkunci sampai \(until.localText(offsetMinutes: store.info.zona.offsetMinutes)) \(store.info.zona.rawValue)"
            } else {
                state = "aktif"
                stateText = "aktif"
            }
        }

        private enum CodingKeys: String, CodingKey { case username, name, roles, pin, state, lockedUntil, createdAt }
    }

    struct ListView: Encodable {
        var count: Int
        var accounts: [View]
    }

    /// `informasi, loket, ...`: the role names `--peran` takes.
    public static func choices<Role: AccountRole>(_ kind: Role.Type) -> String {
        Role.allCases.map(\.rawValue).joined(separator: ", ")
    }

    /// Parses repeated `--peran` values; at least one.
    public static func roles<Role: AccountRole>(_ kind: Role.Type, _ texts: [String]) throws(SimpulError) -> [Role] {
        guard !texts.isEmpty else {
            throw SimpulError(.usage, "peran: sebutkan paling sedikit satu --peran (\(choices(kind)))")
        }
        var roles: [Role] = []
        for text in texts {
            guard let role = Role(rawValue: text) else {
                throw SimpulError(.usage, "peran: '\(text.prefix(40))' tidak dikenal (\(choices(kind)))")
            }
            roles.append(role)
        }
        return roles
    }

    /// The account named, or the one line saying there is none.
    public static func existing<Role: AccountRole>(
        _ kind: Role.Type, _ username: String, store: NodeStore
    ) throws(SimpulError) -> Account<Role> {
        guard let account = try store.account(kind, username: username) else {
            throw SimpulError(.notFound, "username: tidak ada akun '\(FreeText.shown(String(username.prefix(40))))'")
        }
        return account
    }

    /// Prints a new account.
    public static func added<Role: AccountRole>(
        _ account: Account<Role>, store: NodeStore, json: Bool
    ) throws(SimpulError) {
        if json { return try Console.printJSON(View(account, credential: nil, store: store)) }
        print(
            "Akun \(account.username) (\(account.name)) ditambahkan: \(account.roles.map(\.label).joined(separator: ", "))."
        )
    }

    /// Prints one account after a change.
    public static func changed<Role: AccountRole>(
        _ kind: Role.Type, _ username: String, store: NodeStore, json: Bool, done: String
    ) throws(SimpulError) {
        let account = try existing(kind, username, store: store)
        let view = View(account, credential: try store.credential(kind, username: username), store: store)
        if json { return try Console.printJSON(view) }
        print("Akun \(account.username) (\(account.name)) \(done); keadaan: \(view.stateText).")
    }

    /// Prints every account of a kind.
    public static func list<Role: AccountRole>(
        _ kind: Role.Type, store: NodeStore, json: Bool, none: String
    ) throws(SimpulError) {
        var views: [View] = []
        for account in try store.accounts(kind) {
            views.append(
                View(account, credential: try store.credential(kind, username: account.username), store: store))
        }
        if json { return try Console.printJSON(ListView(count: views.count, accounts: views)) }
        if views.isEmpty { return print(none) }
        for v in views { print("\(v.username)  \(v.name)  [\(v.roles.joined(separator: ", "))]  \(v.stateText)") }
        print("\(views.count) akun.")
    }
}
