import ArgumentParser
import Foundation
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Akun petugas dan perannya di node ini.",
        discussion: """
            Begitu node punya satu akun, setiap --petugas harus username akun yang aktif dan memegang peran \
            langkahnya. Kata sandi atau PIN tidak pernah ditulis di baris perintah: dibaca dari baris pertama \
            stdin, atau ditanyakan tanpa tampil di layar bila stdin adalah terminal.
            """,
        subcommands: [Add.self, Passwd.self, Disable.self, Enable.self, Roles.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tambah akun petugas; kata sandi (atau PIN) dibaca dari stdin.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Username: 2-32 huruf kecil, angka, titik, _ atau -, diawali huruf.") var username: String
        @Option(help: "Nama lengkap petugas.") var nama: String
        @Option(help: "Peran yang dipegang (ulangi): \(roleChoices).") var peran: [String] = []
        @Flag(help: "Masuk dengan PIN 4-8 angka, bukan kata sandi.") var pin = false

        func run() throws {
            try execute { () throws(SimpulError) in
                let roles = try parseRoles(peran)
                let s = try store.open()
                let secret = try readSecret(isPIN: pin, confirm: true)
                let account = try s.addAccount(
                    username: username, name: nama, roles: roles,
                    passwordHash: try PasswordHasher().hashNew(secret, isPIN: pin), isPIN: pin)
                if store.json { return try Console.printJSON(AccountView(account, credential: nil, store: s)) }
                print(
                    "Akun \(account.username) (\(account.name)) ditambahkan: \(account.roles.map(\.label).joined(separator: ", "))."
                )
            }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ganti kata sandi (atau PIN) akun; membuka kunci dan menutup semua sesinya.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Username akun.") var username: String
        @Flag(help: "Akun masuk dengan PIN 4-8 angka mulai sekarang.") var pin = false

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                guard try s.account(username: username) != nil else {
                    throw SimpulError(.notFound, "username: tidak ada akun '\(username.prefix(40))'")
                }
                let secret = try readSecret(isPIN: pin, confirm: true)
                try s.setPassword(
                    username: username, passwordHash: try PasswordHasher().hashNew(secret, isPIN: pin), isPIN: pin)
                try report(username, store: s, json: store.json, done: pin ? "PIN diganti" : "kata sandi diganti")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Nonaktifkan akun (tidak bisa masuk atau mencatat langkah); sesinya ditutup.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Username akun.") var username: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                try s.setDisabled(username: username, true)
                try report(username, store: s, json: store.json, done: "dinonaktifkan")
            }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Aktifkan lagi akun yang dinonaktifkan.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Username akun.") var username: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                try s.setDisabled(username: username, false)
                try report(username, store: s, json: store.json, done: "diaktifkan")
            }
        }
    }

    struct Roles: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "roles", abstract: "Ganti seluruh peran akun dengan peran yang disebut.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Username akun.") var username: String
        @Option(help: "Peran yang dipegang (ulangi): \(roleChoices).") var peran: [String] = []

        func run() throws {
            try execute { () throws(SimpulError) in
                let roles = try parseRoles(peran)
                let s = try store.open()
                try s.setRoles(username: username, roles: roles)
                try report(username, store: s, json: store.json, done: "perannya diganti")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Semua akun: username, nama, peran, keadaan.")
        @OptionGroup var store: StoreOptions

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                var views: [AccountView] = []
                for account in try s.accounts() {
                    views.append(
                        AccountView(account, credential: try s.credential(username: account.username), store: s))
                }
                if store.json {
                    struct ListView: Encodable {
                        var count: Int
                        var accounts: [AccountView]
                    }
                    return try Console.printJSON(ListView(count: views.count, accounts: views))
                }
                if views.isEmpty {
                    return print("Belum ada akun petugas; --petugas berisi nama petugas seperti diketik.")
                }
                for v in views {
                    print("\(v.username)  \(v.name)  [\(v.roles.joined(separator: ", "))]  \(v.stateText)")
                }
                print("\(views.count) akun.")
            }
        }
    }
}

private let roleChoices = OfficerRole.allCases.map(\.rawValue).joined(separator: ", ")

/// An account as `user` prints it.
struct AccountView: Encodable {
    var username: String
    var name: String
    var roles: [String]
    var pin: Bool
    /// aktif, nonaktif or terkunci.
    var state: String
    var lockedUntil: String?
    var createdAt: String
    var stateText: String

    init(_ account: OfficerAccount, credential: StoredCredential?, store: NodeStore) {
        username = account.username
        name = account.name
        roles = account.roles.map(\.rawValue)
        pin = account.isPIN
        createdAt = account.createdAt.description
        let offset = store.info.zona.offsetMinutes
        if account.disabled {
            state = "nonaktif"
            stateText = "nonaktif"
        } else if let until = credential?.lockedUntil, until > Console.now() {
            state = "terkunci"
            lockedUntil = until.description
            stateText = "terkunci sampai \(until.localText(offsetMinutes: offset)) \(store.info.zona.rawValue)"
        } else {
            state = "aktif"
            stateText = "aktif"
        }
    }

    private enum CodingKeys: String, CodingKey { case username, name, roles, pin, state, lockedUntil, createdAt }
}

/// Prints one account after a change.
private func report(_ username: String, store s: NodeStore, json: Bool, done: String) throws(SimpulError) {
    guard let account = try s.account(username: username) else {
        throw SimpulError(.notFound, "username: tidak ada akun '\(username.prefix(40))'")
    }
    let view = AccountView(account, credential: try s.credential(username: username), store: s)
    if json { return try Console.printJSON(view) }
    print("Akun \(account.username) (\(account.name)) \(done); keadaan: \(view.stateText).")
}

/// Parses repeated `--peran` values.
func parseRoles(_ texts: [String]) throws(SimpulError) -> [OfficerRole] {
    guard !texts.isEmpty else {
        throw SimpulError(.usage, "peran: sebutkan paling sedikit satu --peran (\(roleChoices))")
    }
    var roles: [OfficerRole] = []
    for text in texts {
        guard let role = OfficerRole(rawValue: text) else {
            throw SimpulError(.usage, "peran: '\(text.prefix(40))' tidak dikenal (\(roleChoices))")
        }
        roles.append(role)
    }
    return roles
}

/// Resolves `--petugas` (and `--pengganti`) into who records a change.
func resolveActor(_ s: NodeStore, petugas: String, pengganti: String? = nil) throws(SimpulError) -> SimpulStore.Actor {
    let actor = try s.actor(petugas: petugas)
    guard let pengganti else { return actor }
    guard let substitution = Substitution(rawValue: pengganti) else {
        throw SimpulError(.usage, "pengganti: '\(pengganti.prefix(20))' tidak dikenal (plt atau an)")
    }
    guard case .account(let account, _) = actor else {
        throw SimpulError(.usage, "pengganti: hanya untuk node yang memakai akun petugas")
    }
    return .account(account, substitution: substitution)
}
