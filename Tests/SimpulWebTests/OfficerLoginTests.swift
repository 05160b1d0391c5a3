import SimpulDomain
import SimpulStore
import SimpulTestSupport
import SimpulWeb
import Testing

@Suite(.timeLimit(.minutes(10))) struct OfficerLoginTests {
    /// bcrypt's lowest cost, so that a test's hashes take milliseconds.
    private static let hasher = PasswordHasher(cost: 4)
    private static let t0 = Timestamp(iso: "2026-03-16T01:00:00Z")!

    private static func minutes(_ m: Int64, after t: Timestamp = t0) -> Timestamp {
        Timestamp(milliseconds: t.milliseconds + m * 60_000)
    }

    private static func store(pin: String? = nil, password: String? = nil) throws -> NodeStore {
        let store = try Fixture.newStore()
        if let pin {
            _ = try store.addAccount(
                username: "siti", name: "Siti Aminah", roles: [.loket],
                passwordHash: try hasher.hashNew(pin, isPIN: true),
                isPIN: true)
        }
        if let password {
            _ = try store.addAccount(
                username: "budi", name: "Budi", roles: [.verifikasi],
                passwordHash: try hasher.hashNew(password, isPIN: false), isPIN: false)
        }
        return store
    }

    private static func login(
        _ username: String, _ password: String, _ store: NodeStore, at now: Timestamp = t0
    ) throws -> LoginOutcome {
        try OfficerLogin.authenticate(username: username, password: password, store: store, now: now, hasher: hasher)
    }

    @Test func aHashVerifiesItsSecretOnlyAndIsSaltedEachTime() throws {
        let hash = Self.hasher.hash("rahasia-loket")
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(Self.hasher.verify("rahasia-loket", hash: hash))
        #expect(!Self.hasher.verify("rahasia-lokeT", hash: hash))
        #expect(!Self.hasher.verify("rahasia-loket", hash: "bukan hash"))
        #expect(Self.hasher.hash("rahasia-loket") != hash)
        #expect(PasswordHasher().cost == 12)
        #expect(PasswordHasher(cost: 1).cost == 4)
    }

    @Test func passwordsAndPINsFollowThePolicy() throws {
        for (secret, isPIN) in [("1234", true), ("12345678", true), ("delapan8", false), ("kata sandi panjang", false)]
        {
            #expect(throws: Never.self) { try PasswordHasher.validate(secret, isPIN: isPIN) }
        }
        func refusal(_ secret: String, _ isPIN: Bool) throws -> String {
            try #require(throws: SimpulError.self) { try PasswordHasher.validate(secret, isPIN: isPIN) }.message
        }
        #expect(try refusal("123", true) == "PIN: harus 4-8 angka, tanpa huruf atau spasi")
        #expect(try refusal("123456789", true) == "PIN: harus 4-8 angka, tanpa huruf atau spasi")
        #expect(try refusal("12a4", true) == "PIN: harus 4-8 angka, tanpa huruf atau spasi")
        #expect(try refusal("١٢٣٤", true) == "PIN: harus 4-8 angka, tanpa huruf atau spasi")
        #expect(try refusal("tujuh77", false) == "kata sandi: paling sedikit 8 karakter")
        #expect(try refusal(String(repeating: "a", count: 73), false) == "kata sandi: paling panjang 72 byte")
        #expect(try refusal("baris\nbaru!", false).hasPrefix("kata sandi: tidak boleh"))
    }

    @Test func theRightPasswordLogsInAndAWrongOneIsRefused() throws {
        let store = try Self.store(password: "rahasia-verifikasi")
        guard case .success(let account) = try Self.login(" Budi ", "rahasia-verifikasi", store) else {
            Issue.record("the right password logs in")
            return
        }
        #expect(account.username == "budi")
        #expect(try Self.login("budi", "rahasia-salah", store) == .refused(OfficerLogin.refusal))
        #expect(try store.credential(username: "budi")?.failedLogins == 1)
    }

    @Test func anUnknownUsernameGetsTheSameAnswerAsAWrongPassword() throws {
        let store = try Self.store(password: "rahasia-verifikasi")
        let unknown = try Self.login("tidak-ada", "rahasia-verifikasi", store)
        let wrong = try Self.login("budi", "rahasia-salah", store)
        #expect(unknown == wrong)
        #expect(unknown == .refused("Username atau kata sandi salah."))
    }

    @Test func fivePINFailuresLockFor15MinutesThenItOpensAgain() throws {
        let store = try Self.store(pin: "2468")
        for attempt in 1...4 {
            #expect(
                try Self.login("siti", "0000", store, at: Self.minutes(Int64(attempt)))
                    == .refused(OfficerLogin.refusal))
        }
        let until = Self.minutes(5 + 15)
        #expect(try Self.login("siti", "0000", store, at: Self.minutes(5)) == .locked(until: until))
        // While locked even the right PIN is not checked.
        #expect(
            try Self.login("siti", "2468", store, at: Self.minutes(14, after: Self.minutes(5))) == .locked(until: until)
        )
        guard case .success = try Self.login("siti", "2468", store, at: until) else {
            Issue.record("the lock ends after 15 minutes")
            return
        }
        let credential = try #require(try store.credential(username: "siti"))
        #expect(credential.failedLogins == 0 && credential.lockedUntil == nil)
    }

    @Test func afterALockTheOfficerHasTheFullNumberOfTriesAgain() throws {
        let store = try Self.store(pin: "2468")
        for m in 1...5 { _ = try Self.login("siti", "0000", store, at: Self.minutes(Int64(m))) }
        let reopened = Self.minutes(30)
        for m in 0..<4 {
            #expect(
                try Self.login("siti", "0000", store, at: Self.minutes(Int64(m), after: reopened))
                    == .refused(OfficerLogin.refusal))
        }
        #expect(
            try Self.login("siti", "0000", store, at: Self.minutes(4, after: reopened))
                == .locked(until: Self.minutes(19, after: reopened)))
    }

    @Test func passwordsLockFor5MinutesAfter10Failures() {
        let policy = LoginPolicy.standard
        let password = StoredCredential(passwordHash: "", isPIN: false, failedLogins: 8, lockedUntil: nil)
        #expect(policy.lockAfterFailure(password, now: Self.t0) == nil)
        var ninth = password
        ninth.failedLogins = 9
        #expect(policy.lockAfterFailure(ninth, now: Self.t0) == Self.minutes(5))
        let pin = StoredCredential(passwordHash: "", isPIN: true, failedLogins: 4, lockedUntil: nil)
        #expect(policy.lockAfterFailure(pin, now: Self.t0) == Self.minutes(15))
        let locked = StoredCredential(passwordHash: "", isPIN: true, failedLogins: 0, lockedUntil: Self.minutes(15))
        #expect(policy.lockedUntil(locked, now: Self.minutes(14)) == Self.minutes(15))
        #expect(policy.lockedUntil(locked, now: Self.minutes(15)) == nil)
    }

    @Test func aDisabledAccountIsRefusedEvenWithTheRightPassword() throws {
        let store = try Self.store(password: "rahasia-verifikasi")
        try store.setDisabled(username: "budi", true)
        #expect(try Self.login("budi", "rahasia-verifikasi", store) == .refused(OfficerLogin.disabledRefusal))
        #expect(try Self.login("budi", "rahasia-salah", store) == .refused(OfficerLogin.refusal))
    }
}
