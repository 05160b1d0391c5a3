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
                let roles = try AccountText.roles(OfficerRole.self, peran)
                let s = try store.open()
                let secret = try readSecret(isPIN: pin, confirm: true)
                let account = try s.addAccount(
                    username: username, name: nama, roles: roles,
                    passwordHash: try PasswordHasher().hashNew(secret, isPIN: pin), isPIN: pin)
                try AccountText.added(account, store: s, json: store.json)
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
                _ = try AccountText.existing(OfficerRole.self, username, store: s)
                let secret = try readSecret(isPIN: pin, confirm: true)
                try s.setPassword(
                    username: username, passwordHash: try PasswordHasher().hashNew(secret, isPIN: pin), isPIN: pin)
                try AccountText.changed(
                    OfficerRole.self, username, store: s, json: store.json,
                    done: pin ? "PIN diganti" : "kata sandi diganti")
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
                try AccountText.changed(OfficerRole.self, username, store: s, json: store.json, done: "dinonaktifkan")
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
                try AccountText.changed(OfficerRole.self, username, store: s, json: store.json, done: "diaktifkan")
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
                let roles = try AccountText.roles(OfficerRole.self, peran)
                let s = try store.open()
                try s.setRoles(username: username, roles: roles)
                try AccountText.changed(
                    OfficerRole.self, username, store: s, json: store.json, done: "perannya diganti")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Semua akun: username, nama, peran, keadaan.")
        @OptionGroup var store: StoreOptions

        func run() throws {
            try execute { () throws(SimpulError) in
                try AccountText.list(
                    OfficerRole.self, store: try store.open(), json: store.json,
                    none: "Belum ada akun petugas; --petugas berisi nama petugas seperti diketik.")
            }
        }
    }
}

private let roleChoices = AccountText.choices(OfficerRole.self)

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
