import Logging
import SimpulConcurrency
import SimpulDomain
import SimpulStore

/// The accounts page of either front end: list, add, disable and enable, set roles, set a password.
/// The counter's officers (`/petugas`) and the PTSP's staff (`/staf`) differ only in their roles and
/// where the page lives, so the rules (an admin never locks themselves out) are written once.
public struct AccountAdmin<Role: AccountRole>: Sendable {
    public let store: NodeStore
    /// Where the page lives: `/petugas` or `/staf`.
    public let base: String
    let passwordCost: UInt8
    let logger: Logger

    public init(store: NodeStore, base: String, passwordCost: UInt8, logger: Logger) {
        self.store = store
        self.base = base
        self.passwordCost = passwordCost
        self.logger = logger
    }

    /// The page's template, with `{{base}}` for its own address.
    public static var template: String {
        """
        <h1>{{heading}}</h1>
        <table>
          <thead><tr><th scope="col">Nama pengguna</th><th scope="col">Nama</th><th scope="col">Peran</th><th scope="col">Keadaan</th><th scope="col">Tindakan</th></tr></thead>
          <tbody>
          {{#accounts}}
            <tr><td class="nomor">{{username}}</td><td>{{name}}</td><td>{{#roles}}<span class="tag">{{.}}</span>{{/roles}}</td><td>{{state}}</td>
            <td>{{^self}}<form method="post" action="{{base}}/{{username}}/{{toggleVerb}}" data-confirm="{{toggleConfirm}}"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="{{toggleClass}}">{{toggleLabel}}</button></form>{{/self}}
              <details><summary>Ubah peran atau sandi</summary>
                <form class="stack" method="post" action="{{base}}/{{username}}/peran"><input type="hidden" name="csrf" value="{{csrf}}">
                  {{#roleChoices}}<div class="check"><input type="checkbox" id="peran-{{username}}-{{value}}" name="peran" value="{{value}}"{{#selected}} checked{{/selected}}><label for="peran-{{username}}-{{value}}">{{label}}</label></div>{{/roleChoices}}
                  <button type="submit" class="secondary">Simpan peran</button></form>
                <form class="stack" method="post" action="{{base}}/{{username}}/sandi"><input type="hidden" name="csrf" value="{{csrf}}">
                  <label for="sandi-{{username}}">Sandi atau PIN baru</label><input id="sandi-{{username}}" name="password" type="password" autocomplete="new-password" required>
                  <div class="check"><input type="checkbox" id="pin-{{username}}" name="pin" value="1"{{#isPIN}} checked{{/isPIN}}><label for="pin-{{username}}">PIN</label></div>
                  <button type="submit" class="secondary">Ganti sandi</button></form>
              </details></td></tr>
          {{/accounts}}
          </tbody>
        </table>
        <h2>Tambah akun</h2>
        <form class="card stack" method="post" action="{{base}}">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="akun-username">Nama pengguna (huruf kecil, angka, titik, garis)</label>
          <input id="akun-username" name="username" type="text" autocapitalize="none" required maxlength="32">
          <label for="akun-nama">Nama lengkap</label>
          <input id="akun-nama" name="nama" type="text" required maxlength="100">
          <fieldset><legend>Peran</legend>
            {{#roleChoices}}<div class="check"><input type="checkbox" id="peran-{{value}}" name="peran" value="{{value}}"><label for="peran-{{value}}">{{label}}</label></div>{{/roleChoices}}
          </fieldset>
          <label for="akun-sandi">Kata sandi (paling sedikit 8 karakter) atau PIN (4-8 angka)</label>
          <input id="akun-sandi" name="password" type="password" autocomplete="new-password" required>
          <div class="check"><input type="checkbox" id="akun-pin" name="pin" value="1"><label for="akun-pin">Ini PIN (dikunci 15 menit setelah 5 kali salah)</label></div>
          <p><button type="submit">Tambah akun</button></p>
        </form>
        """
    }

    public struct Row: Sendable {
        public var username, name, state, toggleVerb, toggleLabel, toggleConfirm, toggleClass: String
        public var roles: [String]
        public var `self`: Bool
        public var isPIN: Bool
        public var roleChoices: [Choice]
    }

    /// What the template shows.
    public struct View: Sendable {
        public var heading, base, csrf: String
        public var accounts: [Row]
        public var roleChoices: [Choice]
    }

    /// The page's view for the logged-in administrator.
    public func view(heading: String, session: AccountSession<Role>) async throws(SimpulError) -> View {
        let store = self.store
        let accounts = try await BlockingPool.shared.run { () throws(SimpulError) in try store.accounts(Role.self) }
        return View(
            heading: heading, base: base, csrf: session.csrf,
            accounts: accounts.map { a in
                Row(
                    username: a.username, name: FreeText.shown(a.name), state: a.disabled ? "nonaktif" : "aktif",
                    toggleVerb: a.disabled ? "aktifkan" : "nonaktifkan",
                    toggleLabel: a.disabled ? "Aktifkan" : "Nonaktifkan",
                    toggleConfirm: a.disabled
                        ? "Aktifkan lagi akun \(a.username)?"
                        : "Nonaktifkan akun \(a.username)? Semua sesinya langsung berakhir.",
                    toggleClass: a.disabled ? "secondary" : "danger", roles: a.roles.map(\.label),
                    self: a.username == session.account.username, isPIN: a.isPIN,
                    roleChoices: Role.allCases.map {
                        Choice(value: $0.rawValue, label: $0.label, selected: a.holds($0))
                    }
                )
            },
            roleChoices: Role.allCases.map { Choice(value: $0.rawValue, label: $0.label) })
    }

    /// Adds the account the form describes; returns the line to show.
    public func add(_ form: FormBody, by session: AccountSession<Role>) async throws(SimpulError) -> String {
        try Self.requireAdmin(session)
        let username = form["username"] ?? ""
        let name = form["nama"] ?? ""
        let password = form.fields.first(where: { $0.name == "password" })?.value ?? ""
        let isPIN = form["pin"] == "1"
        let roles = try Self.roles(form)
        let store = self.store
        let cost = passwordCost
        let added = try await BlockingPool.shared.run { () throws(SimpulError) in
            let hash = try PasswordHasher(cost: cost).hashNew(password, isPIN: isPIN)
            return try store.addAccount(
                Role.self, username: username, name: name, roles: roles, passwordHash: hash, isPIN: isPIN)
        }
        logger.info("account added", metadata: ["username": "\(added.username)", "by": "\(session.account.username)"])
        return "Akun \(added.username) ditambahkan."
    }

    /// Disables, enables, sets the roles of or a new password for `username`; returns the line to show.
    public func change(
        _ username: String, verb: String, form: FormBody, by session: AccountSession<Role>
    ) async throws(SimpulError) -> String {
        try Self.requireAdmin(session)
        let store = self.store
        let me = session.account.username
        switch verb {
        case "nonaktifkan", "aktifkan":
            guard username != me else {
                throw SimpulError(.invalidData, "akun sendiri tidak bisa dinonaktifkan dari sini")
            }
            let disable = verb == "nonaktifkan"
            try await BlockingPool.shared.run { () throws(SimpulError) in
                try store.setDisabled(Role.self, username: username, disable)
            }
            logger.info(
                "account changed", metadata: ["username": "\(username)", "disabled": "\(disable)", "by": "\(me)"])
            return disable ? "Akun \(username) dinonaktifkan; sesinya berakhir." : "Akun \(username) aktif lagi."
        case "peran":
            let roles = try Self.roles(form)
            if username == me && !roles.contains(Role.accountAdmin) {
                throw SimpulError(
                    .invalidData, "peran: akun sendiri tidak bisa melepas peran \(Role.accountAdmin.label)")
            }
            try await BlockingPool.shared.run { () throws(SimpulError) in
                try store.setRoles(Role.self, username: username, roles: roles)
            }
            logger.info("account roles changed", metadata: ["username": "\(username)", "by": "\(me)"])
            return "Peran akun \(username) disimpan."
        case "sandi":
            let password = form.fields.first(where: { $0.name == "password" })?.value ?? ""
            let isPIN = form["pin"] == "1"
            let cost = passwordCost
            try await BlockingPool.shared.run { () throws(SimpulError) in
                let hash = try PasswordHasher(cost: cost).hashNew(password, isPIN: isPIN)
                try store.setPassword(Role.self, username: username, passwordHash: hash, isPIN: isPIN)
            }
            logger.info("account password set", metadata: ["username": "\(username)", "by": "\(me)"])
            return "\(isPIN ? "PIN" : "Sandi") akun \(username) diganti; sesinya yang lama berakhir."
        default:
            throw SimpulError(.notFound, "tindakan '\(FreeText.shown(String(verb.prefix(20))))' tidak ada")
        }
    }

    /// Refuses an account without the admin role: the page is only theirs, whatever a form says.
    public static func requireAdmin(_ session: AccountSession<Role>) throws(SimpulError) {
        guard session.account.holds(Role.accountAdmin) else {
            throw SimpulError(.invalidData, "akun hanya dikelola oleh peran \(Role.accountAdmin.label)")
        }
    }

    static func roles(_ form: FormBody) throws(SimpulError) -> [Role] {
        try form.all("peran").map { (value) throws(SimpulError) -> Role in
            guard let role = Role(rawValue: value) else {
                throw SimpulError(.invalidData, "peran: '\(FreeText.shown(String(value.prefix(40))))' tidak dikenal")
            }
            return role
        }
    }
}
