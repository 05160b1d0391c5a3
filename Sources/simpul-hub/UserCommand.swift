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
                let roles = try AccountText.roles(StaffRole.self, peran)
                let s = try store.open()
                let secret = try readSecret(isPIN: false, confirm: true)
                let account = try s.addAccount(
                    StaffRole.self, username: username, name: nama, roles: roles,
                    passwordHash: try PasswordHasher().hashNew(secret, isPIN: false), isPIN: false)
                try AccountText.added(account, store: s, json: store.json)
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
                _ = try AccountText.existing(StaffRole.self, username, store: s)
                let secret = try readSecret(isPIN: false, confirm: true)
                try s.setPassword(
                    StaffRole.self, username: username,
                    passwordHash: try PasswordHasher().hashNew(secret, isPIN: false), isPIN: false)
                try AccountText.changed(
                    StaffRole.self, username, store: s, json: store.json, done: "kata sandi diganti")
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
                try AccountText.changed(StaffRole.self, username, store: s, json: store.json, done: "dinonaktifkan")
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
                try AccountText.changed(StaffRole.self, username, store: s, json: store.json, done: "diaktifkan")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Semua akun staf: username, nama, peran, keadaan.")
        @OptionGroup var store: HubOptions

        func run() throws {
            try execute { () throws(SimpulError) in
                try AccountText.list(
                    StaffRole.self, store: try store.open(), json: store.json, none: "Belum ada akun staf PTSP.")
            }
        }
    }
}

private let staffRoleChoices = AccountText.choices(StaffRole.self)
