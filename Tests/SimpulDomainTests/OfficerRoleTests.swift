import SimpulDomain
import Testing

@Suite(.timeLimit(.minutes(10))) struct OfficerRoleTests {
    private static let sktm = Layanan(
        code: "SKTM", name: "Surat keterangan tidak mampu", kind: .nonPerizinan, scale: .kecamatan,
        requirements: [.init(code: "ktp", name: "KTP-el")], durationWorkingDays: 0, fee: .fixed(amount: 0),
        fieldCheck: true, version: 1)

    /// A permohonan waiting at `tahap` (nil: none waiting, as when forwarded or closed).
    private static func waiting(_ tahap: Tahap?, status: Status = .diproses) throws -> Permohonan {
        let registration = try Workflow.register(
            number: RegistrationNumber(prefix: "01", year: 2026, sequence: 1).text, layanan: sktm, catalogVersion: 1,
            pemohon: Pemohon(nik: try NIK(validating: "3374015203850002"), nama: "Siti Aminah"), syarat: ["ktp"],
            isian: [:], acceptedOn: try #require(LocalDate(iso: "2026-03-17")),
            calendar: WorkingDayCalendar(holidays: []))
        let event = Event(
            dot: Dot(node: "33.74.01", seq: 1), partition: "33.74.01", lamport: 1, context: VersionVector(),
            record: registration.number, officer: "Sari", role: Peran.loket,
            at: try #require(Timestamp(iso: "2026-03-17T01:00:00Z")), body: .registered(registration))
        var p = Permohonan(registeredBy: event, registration)
        p.tahap = tahap
        p.status = status
        return p
    }

    @Test func everyStepIsTakenByTheRoleItsLabelNames() {
        let expected: [Tahap: OfficerRole] = [
            .verifikasi: .verifikasi, .cekLapangan: .teknis, .operatorStep: .operator, .validasiKasi: .kasi,
            .validasiSekcam: .sekcam, .pengesahanCamat: .camat, .penyerahan: .penyerahan, .penerusan: .loket,
            .kelengkapan: .loket,
        ]
        #expect(Set(expected.keys) == Set(Tahap.allCases))
        for tahap in Tahap.allCases {
            #expect(OfficerRole.taking(tahap) == expected[tahap])
            // An account's event reads the same role as a typed name's did.
            #expect(OfficerRole.taking(tahap).label == tahap.role)
        }
    }

    @Test(arguments: Tahap.allCases) func stepCommandsNeedTheWaitingStepsRole(tahap: Tahap) throws {
        let p = try Self.waiting(tahap)
        #expect(OfficerRole.required(for: .advance(tahap: nil, note: nil), on: p) == OfficerRole.taking(tahap))
        #expect(OfficerRole.required(for: .advance(tahap: .verifikasi, note: nil), on: p) == OfficerRole.taking(tahap))
        #expect(OfficerRole.required(for: .reject(reason: "x"), on: p) == OfficerRole.taking(tahap))
        #expect(OfficerRole.required(for: .returnToLoket(note: "x"), on: p) == OfficerRole.taking(tahap))
        #expect(OfficerRole.task(of: .advance(tahap: nil, note: nil), on: p) == "tahap \(tahap.label)")
    }

    @Test func otherCommandsNeedTheLoketTheKasirOrNoKecamatanRole() throws {
        let p = try Self.waiting(.penyerahan)
        #expect(OfficerRole.required(for: .forward(note: nil), on: p) == .loket)
        #expect(OfficerRole.required(for: .withdraw(reason: "x"), on: p) == .loket)
        #expect(OfficerRole.required(for: .pay(amount: 1, receipt: ""), on: p) == .kasir)
        #expect(OfficerRole.required(for: .ptspProgress(code: "x", note: nil), on: p) == nil)
        #expect(OfficerRole.required(for: .decide(code: "x", fee: nil, note: nil), on: p) == nil)
        #expect(
            OfficerRole.required(for: .settle(conflicts: ["c"], status: .selesai, tahap: nil, note: "n"), on: p) == nil)
        let forwarded = try Self.waiting(nil, status: .diteruskan)
        #expect(OfficerRole.required(for: .advance(tahap: nil, note: nil), on: forwarded) == nil)
        #expect(OfficerRole.required(for: .withdraw(reason: "x"), on: forwarded) == .loket)
    }

    @Test func rolesSortInTheFlowsOrderAndHaveIndonesianLabels() {
        #expect(OfficerRole.allCases.sorted() == OfficerRole.allCases)
        #expect([OfficerRole.kasir, .loket, .admin, .verifikasi].sorted() == [.loket, .verifikasi, .kasir, .admin])
        #expect(OfficerRole.informasi.label == "Pemandu / Petugas Informasi")
        #expect(OfficerRole.kasi.label == "Kepala Seksi Pelayanan")
        #expect(Set(OfficerRole.allCases.map(\.label)).count == OfficerRole.allCases.count)
        #expect(Substitution.plt.label == "Plt.")
        #expect(Substitution.an.label == "a.n.")
    }

    @Test func anOfficerWithoutTheRoleIsRefusedNamingOfficerRoleAndTask() throws {
        let error = try #require(throws: SimpulError.self) {
            try OfficerRole.roleText(
                required: .kasi, holding: [.verifikasi], officer: "Budi (budi)",
                task: "tahap \(Tahap.validasiKasi.label)", substitution: nil)
        }
        #expect(
            error.message
                == "peran: Budi (budi) tidak memegang peran Kepala Seksi Pelayanan untuk tahap Validasi Kepala Seksi Pelayanan"
        )
        #expect(
            try OfficerRole.roleText(
                required: .kasi, holding: [.verifikasi, .kasi], officer: "B", task: "t", substitution: nil)
                == "Kepala Seksi Pelayanan")
    }

    @Test func aSubstituteSignsOnlyForTheCamatAndOnlyHoldingCamatOrSekcam() throws {
        #expect(
            try OfficerRole.roleText(required: .camat, holding: [.sekcam], officer: "S", task: "t", substitution: .plt)
                == "Plt. Camat")
        #expect(
            try OfficerRole.roleText(required: .camat, holding: [.camat], officer: "S", task: "t", substitution: .an)
                == "a.n. Camat")
        // Without a substitution the Sekretaris Camat cannot sign as Camat.
        #expect(throws: SimpulError.self) {
            try OfficerRole.roleText(required: .camat, holding: [.sekcam], officer: "S", task: "t", substitution: nil)
        }
        #expect(throws: SimpulError.self) {
            try OfficerRole.roleText(required: .camat, holding: [.kasi], officer: "S", task: "t", substitution: .plt)
        }
        let elsewhere = try #require(throws: SimpulError.self) {
            try OfficerRole.roleText(
                required: .kasi, holding: [.kasi, .sekcam], officer: "S", task: "tahap x", substitution: .an)
        }
        #expect(elsewhere.message.contains("hanya untuk tanda tangan Camat"))
    }
}
