import Dispatch
import Foundation
import GRDB
import SimpulDomain
import SimpulTestSupport
import Synchronization
import Testing

@testable import SimpulStore

@Suite(.timeLimit(.minutes(10))) struct OfficerAccountTests {
    /// Hashes are opaque to the store (SimpulWeb makes them); any non-empty text does here.
    private static let hash = "$2b$04$testtesttesttesttesttuZ0w2p7Q4s7m7l8qk8y5a1b2c3d4e5f6"

    private static func add(
        _ store: NodeStore, _ username: String, _ roles: [OfficerRole], name: String? = nil
    ) throws -> SimpulStore.Actor {
        let account = try store.addAccount(
            username: username, name: name ?? username.capitalized, roles: roles, passwordHash: hash, isPIN: false)
        return .account(account, substitution: nil)
    }

    private static func registered(_ store: NodeStore, code: String = "SKTM") throws -> Permohonan {
        let layanan = try #require(try store.catalog().service(code: code))
        return try store.register(Fixture.application(layanan), officer: "Sari")
    }

    // MARK: - Accounts

    @Test func accountsAreAddedListedAndNamedInEventsWithTheirUsername() throws {
        let store = try Fixture.newStore()
        #expect(try store.hasAccounts() == false)
        let siti = try store.addAccount(
            username: "siti", name: "  Siti Aminah ", roles: [.kasir, .loket, .kasir], passwordHash: Self.hash,
            isPIN: true)
        _ = try store.addAccount(
            username: "budi.s", name: "Budi", roles: [.verifikasi], passwordHash: Self.hash, isPIN: false)
        #expect(siti.name == "Siti Aminah")
        #expect(siti.roles == [.loket, .kasir])
        #expect(siti.officerText == "Siti Aminah (siti)")
        #expect(siti.holds(.kasir) && !siti.holds(.camat))
        #expect(try store.hasAccounts())
        #expect(try store.accounts().map(\.username) == ["budi.s", "siti"])
        #expect(try store.account(username: "siti") == siti)
        #expect(try store.account(username: "tidak-ada") == nil)
        let credential = try #require(try store.credential(username: "siti"))
        #expect(credential.passwordHash == Self.hash && credential.isPIN && credential.failedLogins == 0)
        #expect(credential.lockedUntil == nil)
    }

    @Test(arguments: ["a", "Siti", "1siti", "si ti", "siti!", String(repeating: "a", count: 33), ""])
    func badUsernamesAreRefusedNamingTheField(username: String) throws {
        let store = try Fixture.newStore()
        let error = try #require(throws: SimpulError.self) {
            try store.addAccount(username: username, name: "X", roles: [.loket], passwordHash: Self.hash, isPIN: false)
        }
        #expect(error.code == .invalidData)
        #expect(error.message.hasPrefix("username: "))
        #expect(error.message.contains("2-32 karakter huruf kecil"))
    }

    @Test func namesRolesAndDuplicatesAreRefusedWithClearMessages() throws {
        let store = try Fixture.newStore()
        func refusal(_ username: String, _ name: String, _ roles: [OfficerRole]) throws -> String {
            try #require(throws: SimpulError.self) {
                try store.addAccount(
                    username: username, name: name, roles: roles, passwordHash: Self.hash, isPIN: false)
            }.message
        }
        #expect(try refusal("siti", "  ", [.loket]) == "nama: nama petugas wajib diisi")
        #expect(try refusal("siti", "Siti\nAminah", [.loket]).hasPrefix("nama: tidak boleh berisi baris baru"))
        #expect(try refusal("siti", String(repeating: "x", count: 101), [.loket]).hasPrefix("nama: paling banyak 100"))
        // The event's officer field holds at most 100 characters: name and username together.
        #expect(
            try refusal("sitiaminah", String(repeating: "x", count: 90), [.loket]).hasPrefix("nama: paling banyak 87"))
        #expect(try refusal("siti", "Siti", []).hasPrefix("peran: akun harus memegang paling sedikit satu peran"))
        _ = try Self.add(store, "siti", [.loket])
        #expect(try refusal("siti", "Siti Lain", [.kasir]) == "username: akun 'siti' sudah ada")
        let unknown = try #require(throws: SimpulError.self) { try store.setRoles(username: "x", roles: [.loket]) }
        #expect(unknown.code == .notFound)
    }

    @Test func rolesAndDisablingChangeWhatAnAccountMayDo() throws {
        let store = try Fixture.newStore()
        _ = try Self.add(store, "siti", [.loket])
        try store.setRoles(username: "siti", roles: [.kasir, .loket])
        #expect(try store.account(username: "siti")?.roles == [.loket, .kasir])
        try store.setDisabled(username: "siti", true)
        #expect(try store.account(username: "siti")?.disabled == true)
        let refused = try #require(throws: SimpulError.self) { try store.actor(petugas: "siti") }
        #expect(refused.message == "petugas: akun 'siti' nonaktif")
        try store.setDisabled(username: "siti", false)
        guard case .account(let a, nil) = try store.actor(petugas: " siti ") else {
            Issue.record("siti should resolve to her account")
            return
        }
        #expect(a.username == "siti")
    }

    // MARK: - Logins and sessions

    @Test func loginOutcomesCountFailuresLockAndResetOnSuccess() throws {
        let store = try Fixture.newStore()
        _ = try Self.add(store, "siti", [.loket])
        let until = try #require(Timestamp(iso: "2026-03-16T02:00:00Z"))
        try store.recordLogin(username: "siti", succeeded: false, lockUntil: nil)
        try store.recordLogin(username: "siti", succeeded: false, lockUntil: nil)
        #expect(try store.credential(username: "siti")?.failedLogins == 2)
        try store.recordLogin(username: "siti", succeeded: false, lockUntil: until)
        let locked = try #require(try store.credential(username: "siti"))
        #expect(locked.lockedUntil == until && locked.failedLogins == 0)
        try store.recordLogin(username: "siti", succeeded: false, lockUntil: nil)
        try store.recordLogin(username: "siti", succeeded: true, lockUntil: nil)
        let cleared = try #require(try store.credential(username: "siti"))
        #expect(cleared.lockedUntil == nil && cleared.failedLogins == 0)
        // A new password clears a lock too.
        try store.recordLogin(username: "siti", succeeded: false, lockUntil: until)
        try store.setPassword(username: "siti", passwordHash: "$2b$04$other", isPIN: true)
        let reset = try #require(try store.credential(username: "siti"))
        #expect(reset.lockedUntil == nil && reset.isPIN && reset.passwordHash == "$2b$04$other")
    }

    @Test func sessionsExpireAndEndWithLogoutPasswordChangeAndDisabling() throws {
        let store = try Fixture.newStore()
        _ = try Self.add(store, "siti", [.loket])
        _ = try Self.add(store, "budi", [.verifikasi])
        let t0 = try #require(Timestamp(iso: "2026-03-16T01:00:00Z"))
        let later = Timestamp(milliseconds: t0.milliseconds + 8 * 3_600_000)
        try store.createSession(username: "siti", tokenHash: "a", csrf: "c1", expiresAt: later)
        try store.createSession(username: "siti", tokenHash: "b", csrf: "c2", expiresAt: later)
        try store.createSession(username: "budi", tokenHash: "c", csrf: "c3", expiresAt: later)
        let session = try #require(try store.session(tokenHash: "a", now: t0))
        #expect(session.account.username == "siti" && session.csrf == "c1" && session.expiresAt == later)
        #expect(try store.session(tokenHash: "a", now: later) == nil)
        #expect(try store.session(tokenHash: "nope", now: t0) == nil)
        try store.endSession(tokenHash: "a")
        #expect(try store.session(tokenHash: "a", now: t0) == nil)
        #expect(try store.session(tokenHash: "b", now: t0) != nil)
        try store.setPassword(username: "siti", passwordHash: Self.hash, isPIN: false)
        #expect(try store.session(tokenHash: "b", now: t0) == nil)
        try store.setDisabled(username: "budi", true)
        #expect(try store.session(tokenHash: "c", now: t0) == nil)
        try store.setDisabled(username: "budi", false)
        #expect(try store.session(tokenHash: "c", now: t0) == nil)
        // A disabled account opens no session.
        try store.setDisabled(username: "budi", true)
        #expect(throws: SimpulError.self) {
            try store.createSession(username: "budi", tokenHash: "d", csrf: "c", expiresAt: later)
        }
        try store.createSession(username: "siti", tokenHash: "e", csrf: "c", expiresAt: later)
        try store.endSessions(username: "siti")
        #expect(try store.session(tokenHash: "e", now: t0) == nil)
    }

    @Test func aSessionSeesTheAccountAsItStandsNow() throws {
        let store = try Fixture.newStore()
        _ = try Self.add(store, "siti", [.loket])
        let t0 = try #require(Timestamp(iso: "2026-03-16T01:00:00Z"))
        try store.createSession(
            username: "siti", tokenHash: "a", csrf: "c", expiresAt: Timestamp(milliseconds: t0.milliseconds + 60_000))
        try store.setRoles(username: "siti", roles: [.kasir])
        #expect(try store.session(tokenHash: "a", now: t0)?.account.roles == [.kasir])
    }

    // MARK: - Roles at the counter

    @Test func aNodeWithoutAccountsKeepsTypedNames() throws {
        let store = try Fixture.newStore()
        guard case .typed(let name) = try store.actor(petugas: " Sari ") else {
            Issue.record("without accounts --petugas is a typed name")
            return
        }
        #expect(name == "Sari")
        let p = try store.register(
            Fixture.application(try #require(try store.catalog().service(code: "SKTM"))), by: .typed("Sari"))
        let event = try store.perform(.advance(tahap: nil, note: nil), on: p.number, by: .typed("Budi"))
        #expect(event.officer == "Budi" && event.role == Tahap.verifikasi.role)
        #expect(throws: SimpulError.self) { try store.actor(petugas: "  ") }
    }

    @Test func onceAccountsExistTypedNamesAndUnknownUsernamesAreRefused() throws {
        let store = try Fixture.newStore()
        let p = try Self.registered(store)
        _ = try Self.add(store, "budi", [.verifikasi])
        let unknown = try #require(throws: SimpulError.self) { try store.actor(petugas: "Sari") }
        #expect(unknown.code == .invalidData)
        #expect(unknown.message.hasPrefix("petugas: 'Sari' bukan akun petugas di node ini"))
        // The library's typed path is refused too, inside the transaction.
        let typed = try #require(throws: SimpulError.self) {
            try store.perform(.advance(tahap: nil, note: nil), on: p.number, officer: "Budi")
        }
        #expect(typed.message.hasPrefix("petugas: node ini memakai akun petugas"))
        #expect(try store.history(p.number).count == 1)
    }

    @Test func aVerifikasiAccountCannotCompleteValidasiKasi() throws {
        let store = try Fixture.newStore()
        let p = try Self.registered(store)
        for tahap in [Tahap.verifikasi, .operatorStep] {
            try store.perform(.advance(tahap: tahap, note: nil), on: p.number, officer: "X")
        }
        let budi = try Self.add(store, "budi", [.verifikasi], name: "Budi Santoso")
        let error = try #require(throws: SimpulError.self) {
            try store.perform(.advance(tahap: .validasiKasi, note: nil), on: p.number, by: budi)
        }
        #expect(error.code == .invalidData)
        #expect(
            error.message
                == "peran: Budi Santoso (budi) tidak memegang peran Kepala Seksi Pelayanan untuk tahap Validasi Kepala Seksi Pelayanan"
        )
        #expect(throws: SimpulError.self) {
            try store.perform(.reject(reason: "berkas palsu"), on: p.number, by: budi)
        }
        let kasi = try Self.add(store, "dewi", [.kasi], name: "Dewi")
        let event = try store.perform(.advance(tahap: .validasiKasi, note: nil), on: p.number, by: kasi)
        #expect(event.officer == "Dewi (dewi)" && event.role == "Kepala Seksi Pelayanan")
    }

    @Test func roleChecksReadTheAccountInTheTransaction() throws {
        let store = try Fixture.newStore()
        let p = try Self.registered(store)
        let budi = try Self.add(store, "budi", [.verifikasi])
        // The actor was resolved while budi held verifikasi; the write reads his roles afresh.
        try store.setRoles(username: "budi", roles: [.loket])
        #expect(throws: SimpulError.self) { try store.perform(.advance(tahap: nil, note: nil), on: p.number, by: budi) }
        try store.setRoles(username: "budi", roles: [.verifikasi])
        try store.setDisabled(username: "budi", true)
        let disabled = try #require(throws: SimpulError.self) {
            try store.perform(.advance(tahap: nil, note: nil), on: p.number, by: budi)
        }
        #expect(disabled.message == "petugas: akun 'budi' tidak ada atau nonaktif")
        #expect(try store.history(p.number).count == 1)
    }

    @Test func twoOfficersTakingTheSameStepAtOnceRecordItOnce() throws {
        let store = try Fixture.newStore()
        let p = try Self.registered(store)
        let q = try Self.registered(store)
        let actors = [try Self.add(store, "budi", [.verifikasi]), try Self.add(store, "dewi", [.verifikasi])]
        let outcomes = Mutex<[Result<Event, SimpulError>]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let result = Result { () throws(SimpulError) in
                try store.perform(.advance(tahap: nil, note: nil), on: p.number, by: actors[i])
            }
            outcomes.withLock { $0.append(result) }
        }
        let results = outcomes.withLock { $0 }
        let refusals = results.compactMap { r -> SimpulError? in
            if case .failure(let e) = r { return e }
            return nil
        }
        #expect(results.count == 2 && refusals.count == 1)
        // The second saw the file waiting at the operator's step, which neither holds.
        #expect(refusals.first?.message.hasPrefix("peran: ") == true)
        #expect(refusals.first?.message.contains("tahap \(Tahap.operatorStep.label)") == true)
        #expect(try store.history(p.number).filter { $0.body.type == .stepCompleted }.count == 1)
        // Naming the step: the second is refused by the workflow's own message.
        try store.perform(.advance(tahap: .verifikasi, note: nil), on: q.number, by: actors[0])
        let again = try #require(throws: SimpulError.self) {
            try store.perform(.advance(tahap: .verifikasi, note: nil), on: q.number, by: actors[1])
        }
        #expect(again.message.hasPrefix("tahap verifikasi tidak bisa sekarang"))
    }

    @Test func aSekcamSignsAsPltCamatAndTheLogSaysSo() throws {
        let store = try Fixture.newStore()
        let p = try Self.registered(store)
        for tahap in [Tahap.verifikasi, .operatorStep, .validasiKasi, .validasiSekcam] {
            try store.perform(.advance(tahap: tahap, note: nil), on: p.number, officer: "X")
        }
        guard case .account(let sekcam, _) = try Self.add(store, "hadi", [.sekcam], name: "Hadi Wibowo") else {
            Issue.record("an account")
            return
        }
        let plain = try #require(throws: SimpulError.self) {
            try store.perform(.advance(tahap: nil, note: nil), on: p.number, by: .account(sekcam, substitution: nil))
        }
        #expect(plain.message.contains("tidak memegang peran Camat untuk tahap Pengesahan Camat"))
        let event = try store.perform(
            .advance(tahap: .pengesahanCamat, note: nil), on: p.number, by: .account(sekcam, substitution: .plt))
        #expect(event.officer == "Hadi Wibowo (hadi)" && event.role == "Plt. Camat")
        #expect(try store.history(p.number).last?.role == "Plt. Camat")
        // Nowhere else: the handover is the Petugas Penyerahan's own.
        _ = try Self.add(store, "rina", [.penyerahan, .sekcam])
        guard case .account(let rina, _) = try store.actor(petugas: "rina") else { return }
        let elsewhere = try #require(throws: SimpulError.self) {
            try store.perform(.advance(tahap: nil, note: nil), on: p.number, by: .account(rina, substitution: .an))
        }
        #expect(elsewhere.message.hasPrefix("peran: a.n. hanya untuk tanda tangan Camat"))
    }

    @Test func registeringAttachingAndPayingNeedTheLoketAndTheKasir() throws {
        let store = try Fixture.newStore()
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let budi = try Self.add(store, "budi", [.verifikasi])
        let siti = try Self.add(store, "siti", [.loket], name: "Siti Aminah")
        let refused = try #require(throws: SimpulError.self) { try store.register(Fixture.application(sktm), by: budi) }
        #expect(refused.message == "peran: Budi (budi) tidak memegang peran Petugas Loket untuk pendaftaran permohonan")
        let p = try store.register(Fixture.application(sktm), by: siti)
        let registration = try #require(try store.history(p.number).first)
        #expect(registration.officer == "Siti Aminah (siti)" && registration.role == Peran.loket)
        let scan = (Fixture.tempDirectory() as NSString).appendingPathExtension("pdf")!
        try Data("%PDF-1.4 ktp".utf8).write(to: URL(fileURLWithPath: scan))
        let noLoket = try #require(throws: SimpulError.self) {
            try store.attach(file: scan, to: p.number, syarat: "ktp", by: budi)
        }
        #expect(noLoket.message.hasSuffix("untuk lampiran dokumen"))
        _ = try store.attach(file: scan, to: p.number, syarat: "ktp", by: siti)
        #expect(try store.history(p.number).last?.officer == "Siti Aminah (siti)")
        let withdraw = try #require(throws: SimpulError.self) {
            try store.perform(.withdraw(reason: "pindah"), on: p.number, by: budi)
        }
        #expect(withdraw.message.hasSuffix("untuk penarikan permohonan"))
        try store.perform(.withdraw(reason: "pindah"), on: p.number, by: siti)
        #expect(try store.permohonan(p.number).status == .ditarik)
    }

    @Test func theKasirRoleTakesPayments() throws {
        let store = try Fixture.newStore()
        let izin = try #require(try store.catalog().service(code: "IZIN-JALAN"))
        let p = try store.register(Fixture.application(izin), officer: "Sari")
        for tahap in [Tahap.verifikasi, .cekLapangan, .operatorStep, .validasiKasi, .validasiSekcam, .pengesahanCamat] {
            try store.perform(.advance(tahap: tahap, note: nil), on: p.number, officer: "X")
        }
        let loket = try Self.add(store, "siti", [.loket])
        let kasir = try Self.add(store, "ani", [.kasir], name: "Ani")
        let outstanding = try store.permohonan(p.number).outstanding
        let refused = try #require(throws: SimpulError.self) {
            try store.perform(.pay(amount: outstanding, receipt: ""), on: p.number, by: loket)
        }
        #expect(refused.message.hasSuffix("tidak memegang peran Kasir untuk pembayaran retribusi"))
        let paid = try store.perform(.pay(amount: outstanding, receipt: ""), on: p.number, by: kasir)
        #expect(paid.officer == "Ani (ani)" && paid.role == Peran.kasir)
        // The refused payment took no receipt number.
        #expect(try store.payments().map(\.receipt) == [NodeStore.receiptNumber(node: store.info.node, seq: 1)])
    }

    // MARK: - Schema

    @Test func aStoreFromBeforeAccountsOpensWithoutAccountsAndKeepsItsState() throws {
        let clock = TestClock()
        let store = try Fixture.newStore(clock: clock)
        let p = try Self.registered(store)
        let before = try store.stateDump()
        let dir = (store.path as NSString).deletingLastPathComponent
        try DatabaseQueue(path: store.path).write { db in
            try db.execute(
                sql: """
                    DROP TABLE web_session;
                    DROP TABLE officer_account;
                    DELETE FROM grdb_migrations WHERE identifier = 'v11-officer-accounts';
                    """)
        }
        let reopened = try NodeStore.open(directory: dir, now: { clock.now() }, logger: Fixture.logger)
        #expect(try reopened.stateDump() == before)
        #expect(try reopened.hasAccounts() == false)
        _ = try Self.add(reopened, "siti", [.loket])
        #expect(try reopened.accounts().count == 1)
        #expect(try reopened.check().foldMatches)
        #expect(try reopened.permohonan(p.number) == p)
    }
}
