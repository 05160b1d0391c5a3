import Foundation
import GRDB
import Testing

@Suite("simpul user", .timeLimit(.minutes(10)))
struct UserCommandTests {
    private static let rinaPassword = "rahasia-verifikasi"

    /// `user add` with the secret as the first line of stdin.
    private func add(
        _ node: TestNode, _ username: String, _ nama: String, _ roles: [String], secret: String, pin: Bool = false
    ) throws -> CLIResult {
        var args = ["user", "add", "--username", username, "--nama", nama]
        for role in roles { args += ["--peran", role] }
        return try node.run(args + (pin ? ["--pin"] : []), input: secret + "\n")
    }

    @Test func typedNamesStillWorkOnANodeWithoutAccounts() throws {
        let node = try TestNode.fresh()
        let list = try node.run(["user", "list"])
        expectSuccess(list)
        #expect(list.stdout.contains("Belum ada akun petugas"))
        let number = try #require(try node.create("SKTM")["number"]?.string)
        try node.advance(number, "verifikasi")
        let log = try node.json(["permohonan", "log", number])
        #expect(log["events"]?[1]?["officer"]?.string == Officer.of("verifikasi"))
        #expect(log["events"]?[1]?["role"]?.string == "Petugas Verifikasi")
    }

    @Test func onceAccountsExistPetugasMustNameAnAccountHoldingTheStepsRole() throws {
        let node = try TestNode.fresh()
        // Registered before the first account, under a typed name.
        let number = try #require(try node.create("SKTM")["number"]?.string)

        let added = try add(node, "rina", "Rina Wulandari", ["verifikasi"], secret: Self.rinaPassword)
        expectSuccess(added)
        #expect(added.stdout == "Akun rina (Rina Wulandari) ditambahkan: Petugas Verifikasi.\n")
        expectSuccess(try add(node, "sari", "Sari", ["kasir", "loket"], secret: "2468", pin: true))

        let list = try node.run(["user", "list"])
        expectSuccess(list)
        #expect(
            list.stdout == """
                rina  Rina Wulandari  [verifikasi]  aktif
                sari  Sari  [loket, kasir]  aktif
                2 akun.

                """)
        let listed = try node.json(["user", "list"])
        #expect(listed["count"]?.int == 2)
        #expect(listed["accounts"]?[1]?["roles"]?.strings == ["loket", "kasir"])
        #expect(listed["accounts"]?[1]?["pin"]?.bool == true)

        // Only the bcrypt hash is stored, at the production cost.
        let hash = try DatabaseQueue(path: node.storeFile).read {
            try String.fetchOne($0, sql: "SELECT password_hash FROM officer_account WHERE username = 'rina'")
        }
        #expect(hash?.hasPrefix("$2b$12$") == true)
        #expect(hash?.contains(Self.rinaPassword) == false)

        let withoutRole = try node.run(["permohonan", "advance", number, "--petugas", "sari"])
        expectRefused(
            withoutRole, exit: 65, mentioning: "peran: Sari (sari) tidak memegang peran Petugas Verifikasi",
            "tahap Verifikasi berkas")
        let typed = try node.run(["permohonan", "advance", number, "--petugas", "Rina Wulandari"])
        expectRefused(typed, exit: 65, mentioning: "petugas: 'Rina Wulandari' bukan akun petugas", "simpul user list")

        let done = try node.json(["permohonan", "advance", number, "--tahap", "verifikasi", "--petugas", "rina"])
        #expect(done["permohonan"]?["tahap"]?.string == "operator")
        let events = try #require(try node.json(["permohonan", "log", number])["events"]?.array)
        #expect(events.count == 2)
        #expect(events.last?["officer"]?.string == "Rina Wulandari (rina)")
        #expect(events.last?["role"]?.string == "Petugas Verifikasi")

        // A second verifikasi of the same step is the workflow's refusal; nothing more is recorded.
        let again = try node.run(["permohonan", "advance", number, "--tahap", "verifikasi", "--petugas", "rina"])
        expectRefused(again, exit: 65, mentioning: "tahap verifikasi tidak bisa sekarang")
        #expect(try node.json(["permohonan", "log", number])["events"]?.array?.count == 2)
    }

    @Test func disablingRolesAndPasswordsAreManagedWithoutSecretsOnTheCommandLine() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        expectSuccess(try add(node, "rina", "Rina Wulandari", ["loket"], secret: Self.rinaPassword))

        let roles = try node.run(["user", "roles", "rina", "--peran", "verifikasi", "--peran", "loket"])
        expectSuccess(roles)
        #expect(try node.json(["user", "list"])["accounts"]?[0]?["roles"]?.strings == ["loket", "verifikasi"])

        expectSuccess(try node.run(["user", "disable", "rina"]))
        #expect(try node.run(["user", "list"]).stdout.contains("rina  Rina Wulandari  [loket, verifikasi]  nonaktif"))
        let disabled = try node.run(["permohonan", "advance", number, "--petugas", "rina"])
        expectRefused(disabled, exit: 65, mentioning: "petugas: akun 'rina' nonaktif")
        expectSuccess(try node.run(["user", "enable", "rina"]))

        let before = try DatabaseQueue(path: node.storeFile).read {
            try String.fetchOne($0, sql: "SELECT password_hash FROM officer_account")
        }
        expectSuccess(try node.run(["user", "passwd", "rina", "--pin"], input: "135790\n"))
        let after = try DatabaseQueue(path: node.storeFile).read {
            try Row.fetchOne($0, sql: "SELECT password_hash, is_pin FROM officer_account")
        }
        #expect(after?["password_hash"] != before && after?["is_pin"] == true)

        expectSuccess(try node.run(["permohonan", "advance", number, "--petugas", "rina"]))
    }

    @Test func badAccountsAndSecretsAreRefusedWithOneLine() throws {
        let node = try TestNode.fresh()
        expectRefused(
            try add(node, "rina", "Rina", ["verifikasi"], secret: "pendek"), exit: 65,
            mentioning: "kata sandi: paling sedikit 8 karakter")
        expectRefused(
            try add(node, "rina", "Rina", ["verifikasi"], secret: "12345", pin: false), exit: 65,
            mentioning: "kata sandi: paling sedikit 8 karakter")
        expectRefused(
            try add(node, "rina", "Rina", ["verifikasi"], secret: "12a45", pin: true), exit: 65,
            mentioning: "PIN: harus 4-8 angka")
        expectRefused(
            try add(node, "Rina", "Rina", ["verifikasi"], secret: Self.rinaPassword), exit: 65,
            mentioning: "username: 'Rina' harus 2-32 karakter")
        expectRefused(
            try add(node, "rina", "Rina", ["lurah"], secret: Self.rinaPassword), exit: 64,
            mentioning: "peran: 'lurah' tidak dikenal")
        let noSecret = try node.run(
            ["user", "add", "--username", "rina", "--nama", "Rina", "--peran", "loket"], input: "")
        expectRefused(noSecret, exit: 64, mentioning: "kata sandi: tidak ada di stdin")
        expectSuccess(try add(node, "rina", "Rina", ["verifikasi"], secret: Self.rinaPassword))
        expectRefused(
            try add(node, "rina", "Rina Lain", ["loket"], secret: Self.rinaPassword), exit: 65,
            mentioning: "username: akun 'rina' sudah ada")
        expectRefused(try node.run(["user", "disable", "budi"]), exit: 66, mentioning: "tidak ada akun 'budi'")
        #expect(try node.json(["user", "list"])["count"]?.int == 1)
    }
}
