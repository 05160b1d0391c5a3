import ArgumentParser
import Foundation
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

struct HubUserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Akun staf PTSP untuk back office web dan perannya.",
        discussion: """
            Peran: \(staffRoleChoices). Kata sandi tidak pernah ditulis di baris perintah: dibaca dari baris \
            pertama stdin, atau ditanyakan tanpa tampil di layar bila stdin adalah terminal. Perintah \
            'permohonan advance/decide' di baris perintah tetap memakai --petugas NAMA.
            """,
        subcommands: [Add.self, Passwd.self, Disable.self, Enable.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Tambah akun staf; kata sandi dibaca dari stdin.")
        @OptionGroup var store: HubOptions
        @Option(help: "Username: 2-32 huruf kecil, angka, titik, _ atau -, diawali huruf.") var username: String
        @Option(help: "Nama lengkap.") var nama: String
        @Option(help: "Peran yang dipegang (ulangi): \(staffRoleChoices).") var peran: [String] = []

        func run() throws {
            try execute { () throws(SimpulError) in
                let roles = try parseStaffRoles(peran)
                let s = try store.open()
                let secret = try readSecret(isPIN: false, confirm: true)
                let account = try s.addAccount(
                    StaffRole.self, username: username, name: nama, roles: roles,
                    passwordHash: try PasswordHasher().hashNew(secret, isPIN: false), isPIN: false)
                if store.json { return try Console.printJSON(StaffView(account, credential: nil, store: s)) }
                print(
                    "Akun \(account.username) (\(account.name)) ditambahkan: \(account.roles.map(\.label).joined(separator: ", "))."
                )
            }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ganti kata sandi akun; membuka kunci dan menutup semua sesinya.")
        @OptionGroup var store: HubOptions
        @Argument(help: "Username akun.") var username: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                guard try s.account(StaffRole.self, username: username) != nil else {
                    throw SimpulError(.notFound, "username: tidak ada akun '\(username.prefix(40))'")
                }
                let secret = try readSecret(isPIN: false, confirm: true)
                try s.setPassword(
                    StaffRole.self, username: username,
                    passwordHash: try PasswordHasher().hashNew(secret, isPIN: false), isPIN: false)
                try reportStaff(username, store: s, json: store.json, done: "kata sandi diganti")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Nonaktifkan akun (tidak bisa masuk atau mencatat langkah); semua sesinya langsung ditutup.")
        @OptionGroup var store: HubOptions
        @Argument(help: "Username akun.") var username: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                try s.setDisabled(StaffRole.self, username: username, true)
                try reportStaff(username, store: s, json: store.json, done: "dinonaktifkan")
            }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Aktifkan lagi akun yang dinonaktifkan.")
        @OptionGroup var store: HubOptions
        @Argument(help: "Username akun.") var username: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                try s.setDisabled(StaffRole.self, username: username, false)
                try reportStaff(username, store: s, json: store.json, done: "diaktifkan")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Semua akun staf: username, nama, peran, keadaan.")
        @OptionGroup var store: HubOptions

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                var views: [StaffView] = []
                for account in try s.accounts(StaffRole.self) {
                    views.append(
                        StaffView(
                            account, credential: try s.credential(StaffRole.self, username: account.username),
                            store: s))
                }
                if store.json {
                    struct ListView: Encodable {
                        var count: Int
                        var accounts: [StaffView]
                    }
                    return try Console.printJSON(ListView(count: views.count, accounts: views))
                }
                if views.isEmpty { return print("Belum ada akun staf PTSP.") }
                for v in views {
                    print("\(v.username)  \(v.name)  [\(v.roles.joined(separator: ", "))]  \(v.stateText)")
                }
                print("\(views.count) akun.")
            }
        }
    }
}

private let staffRoleChoices = StaffRole.allCases.map(\.rawValue).joined(separator: ", ")

/// A staff account as `user` prints it.
struct StaffView: Encodable {
    var username: String
    var name: String
    var roles: [String]
    /// aktif, nonaktif or terkunci.
    var state: String
    var lockedUntil: String?
    var createdAt: String
    var stateText: String

    init(_ account: StaffAccount, credential: StoredCredential?, store: NodeStore) {
        username = account.username
        name = account.name
        roles = account.roles.map(\.rawValue)
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

    private enum CodingKeys: String, CodingKey { case username, name, roles, state, lockedUntil, createdAt }
}

private func reportStaff(_ username: String, store s: NodeStore, json: Bool, done: String) throws(SimpulError) {
    guard let account = try s.account(StaffRole.self, username: username) else {
        throw SimpulError(.notFound, "username: tidak ada akun '\(username.prefix(40))'")
    }
    let view = StaffView(account, credential: try s.credential(StaffRole.self, username: username), store: s)
    if json { return try Console.printJSON(view) }
    print("Akun \(account.username) (\(account.name)) \(done); keadaan: \(view.stateText).")
}

/// Parses repeated `--peran` values.
func parseStaffRoles(_ texts: [String]) throws(SimpulError) -> [StaffRole] {
    guard !texts.isEmpty else {
        throw SimpulError(.usage, "peran: sebutkan paling sedikit satu --peran (\(staffRoleChoices))")
    }
    var roles: [StaffRole] = []
    for text in texts {
        guard let role = StaffRole(rawValue: text) else {
            throw SimpulError(.usage, "peran: '\(text.prefix(40))' tidak dikenal (\(staffRoleChoices))")
        }
        roles.append(role)
    }
    return roles
}
