import SimpulDomain
import SimpulStore
import SimpulTestSupport
import SimpulWeb
import Testing

/// The hub's staff accounts share the officers' login, lockout and sessions but live in tables of their
/// own: they neither turn on the counter's account rule nor take a counter step.
@Suite(.timeLimit(.minutes(10))) struct StaffAccountTests {
    private static let hasher = PasswordHasher(cost: 4)
    private static let t0 = Timestamp(iso: "2026-03-16T01:00:00Z")!

    private static func storeWithStaff() throws -> NodeStore {
        let store = try Fixture.newStore()
        _ = try store.addAccount(
            StaffRole.self, username: "kabid", name: "Ir. Bambang", roles: [.pengambilKeputusan, .pengambilKeputusan],
            passwordHash: try hasher.hashNew("rahasia-ptsp", isPIN: false), isPIN: false)
        return store
    }

    @Test func staffAccountsAreKeptApartFromOfficers() throws {
        let store = try Self.storeWithStaff()
        #expect(try store.accounts(StaffRole.self).map(\.username) == ["kabid"])
        #expect(try store.account(StaffRole.self, username: "kabid")?.roles == [.pengambilKeputusan])
        #expect(try store.accounts().isEmpty)
        #expect(try store.hasAccounts() == false)
        #expect(try store.account(username: "kabid") == nil)
        // Typed names keep working for the command line.
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        _ = try store.register(Fixture.application(sktm), officer: "Sari")
    }

    @Test func staffLogInLockAndLoseSessionsWhenDisabled() throws {
        let store = try Self.storeWithStaff()
        let ok = try OfficerLogin.authenticate(
            StaffRole.self, username: " KABID ", password: "rahasia-ptsp", store: store, now: Self.t0,
            hasher: Self.hasher)
        guard case .success(let account) = ok else { Issue.record("login refused: \(ok)"); return }
        #expect(account.officerText == "Ir. Bambang (kabid)")
        // An officer account of the same name does not exist: the counter's login does not see staff.
        #expect(
            try OfficerLogin.authenticate(
                username: "kabid", password: "rahasia-ptsp", store: store, now: Self.t0, hasher: Self.hasher)
                == .refused(OfficerLogin.refusal))
        try store.createSession(
            StaffRole.self, username: "kabid", tokenHash: "h", csrf: "c",
            expiresAt: Timestamp(milliseconds: Self.t0.milliseconds + 60_000))
        #expect(try store.session(StaffRole.self, tokenHash: "h", now: Self.t0)?.account.username == "kabid")
        #expect(try store.session(tokenHash: "h", now: Self.t0) == nil)
        try store.setDisabled(StaffRole.self, username: "kabid", true)
        #expect(try store.session(StaffRole.self, tokenHash: "h", now: Self.t0) == nil)
        #expect(
            try OfficerLogin.authenticate(
                StaffRole.self, username: "kabid", password: "rahasia-ptsp", store: store, now: Self.t0,
                hasher: Self.hasher) == .refused("Akun ini dinonaktifkan; hubungi Admin TI PTSP."))
        var outcome: AccountLoginOutcome<StaffRole>?
        for _ in 0..<LoginPolicy.standard.passwordFailures {
            outcome = try OfficerLogin.authenticate(
                StaffRole.self, username: "kabid", password: "salah-salah", store: store, now: Self.t0,
                hasher: Self.hasher)
        }
        guard case .locked = outcome else { Issue.record("not locked: \(String(describing: outcome))"); return }
    }

    @Test func aStaffAccountCannotTakeACounterStep() throws {
        let store = try Self.storeWithStaff()
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let p = try store.register(Fixture.application(sktm), officer: "Sari")
        let kabid = try #require(try store.account(StaffRole.self, username: "kabid"))
        #expect(throws: SimpulError.self) {
            try store.perform(.advance(tahap: nil, note: nil), on: p.number, by: .staff(kabid))
        }
        #expect(try store.history(p.number).count == 1)
    }

    @Test func eachHubCommandNeedsItsStaffRole() {
        #expect(StaffRole.required(for: .ptspProgress(code: "10", note: nil)) == .petugas)
        #expect(StaffRole.required(for: .decide(code: "50", fee: 1, note: nil)) == .pengambilKeputusan)
        #expect(StaffRole.required(for: .pay(amount: 1, receipt: "")) == nil)
        #expect(throws: SimpulError.self) {
            try StaffRole.roleText(
                required: .pengambilKeputusan, holding: [.pimpinan], officer: "Dra. Endang (kadis)",
                task: "langkah PTSP")
        }
        #expect(
            (try? StaffRole.roleText(required: .petugas, holding: [.petugas], officer: "R (r)", task: "t"))
                == "Petugas PTSP")
        #expect(StaffRole.allCases.map(\.rawValue) == ["admin-ti", "petugas", "pengambil-keputusan", "pimpinan"])
    }
}
