import Foundation
import SimpulDomain
import Testing

/// Services shaped like those of the catalog, held here so that a change to `conf/layanan.json`
/// cannot change what the workflow tests mean.
private enum Fixture {
    static let sktm = Layanan(
        code: "SKTM", name: "Surat keterangan tidak mampu", kind: .nonPerizinan, scale: .kecamatan,
        requirements: [.init(code: "ktp", name: "KTP-el"), .init(code: "kk", name: "Kartu Keluarga")],
        durationWorkingDays: 0, fee: .fixed(amount: 0), fieldCheck: false, version: 1)

    static let jalan = Layanan(
        code: "IZIN-JALAN", name: "Izin penggunaan jalan", kind: .perizinan, scale: .kecamatan,
        requirements: [
            .init(code: "pengantar-desa", name: "Surat pengantar desa"), .init(code: "ktp", name: "KTP-el"),
            .init(code: "denah", name: "Denah"),
        ],
        durationWorkingDays: 1, fee: .formula(rate: 500, inputs: ["panjang_m", "lebar_m"], unit: "m2"),
        fieldCheck: true, version: 1)

    /// 12.5 m x 4 m x Rp 500.
    static let jalanIsian = ["panjang_m": "12.5", "lebar_m": "4"]

    static let pbg = Layanan(
        code: "PBG-KECIL", name: "PBG rumah tinggal kecil", kind: .perizinan, scale: .forwarded, forwardTo: "PTSP",
        requirements: [.init(code: "ktp", name: "KTP-el"), .init(code: "bukti-tanah", name: "Bukti tanah")],
        durationWorkingDays: nil, fee: .setByPTSP, fieldCheck: true, version: 1)

    /// Forwarded, but with a duration of its own: its due date runs while the receiving office works.
    static let paud = Layanan(
        code: "REK-PAUD", name: "Rekomendasi pendirian PAUD", kind: .nonPerizinan, scale: .forwarded,
        forwardTo: "Dinas Pendidikan", requirements: [.init(code: "proposal", name: "Proposal")],
        durationWorkingDays: 3, fee: .fixed(amount: 0), fieldCheck: false, version: 1)

    static func sktm(fieldCheck: Bool) -> Layanan {
        var l = sktm
        l.fieldCheck = fieldCheck
        return l
    }

    static let number = RegistrationNumber(prefix: "01", year: 2026, sequence: 42).text

    static func pemohon() throws -> Pemohon {
        Pemohon(nik: try NIK(validating: "3374015203850002"), nama: "Siti Aminah", telepon: "081234567890")
    }

    static func day(_ iso: String) throws -> LocalDate { try #require(LocalDate(iso: iso)) }
}

/// One permohonan worked at a counter: every command the workflow accepts becomes an event folded into
/// the state, as the store records it, so a test walks the same path an officer does.
private struct Counter {
    static let node = "33.74.01"
    var p: Permohonan
    var events: [Event] = []
    private var seq: UInt64 = 1
    private let start: Int64

    init(_ layanan: Layanan, isian: [String: String] = [:], acceptedOn: String = "2026-03-17") throws {
        let registration = try Workflow.register(
            number: Fixture.number, layanan: layanan, catalogVersion: 1, pemohon: Fixture.pemohon(),
            syarat: layanan.requirements.map(\.code), isian: isian, acceptedOn: Fixture.day(acceptedOn),
            calendar: Conf.calendar2026())
        // 08:00 WIB on the day of acceptance.
        start = try #require(Timestamp(iso: "\(acceptedOn)T08:00:00+07:00")).milliseconds
        let event = Event(
            dot: Dot(node: Self.node, seq: 1), partition: Self.node, lamport: 1, context: VersionVector(),
            record: registration.number, officer: "Budi", role: Peran.loket, at: Timestamp(milliseconds: start),
            body: .registered(registration))
        p = Permohonan(registeredBy: event, registration)
        events = [event]
    }

    /// Decides a command and, when it is accepted, records and folds its event.
    @discardableResult
    mutating func run(_ command: Command) throws -> EventBody {
        let role: String
        switch command {
        case .advance: role = p.tahap?.role ?? Peran.loket
        case .pay: role = Peran.kasir
        default: role = Peran.loket
        }
        let body = try Workflow.decide(command, on: p)
        seq += 1
        let event = Event(
            dot: Dot(node: Self.node, seq: seq), partition: p.partition, lamport: p.lastLamport + 1, context: p.seen,
            record: p.number, officer: "Petugas \(seq)", role: role,
            at: Timestamp(milliseconds: start + Int64(seq) * 600_000), body: body)
        p.apply(event)
        events.append(event)
        return body
    }

    /// Completes steps until `tahap` is the one waiting, paying nothing on the way.
    mutating func advance(until tahap: Tahap) throws {
        for _ in 0..<Tahap.allCases.count where p.tahap != tahap {
            try run(.advance(tahap: nil, note: nil))
        }
        try #require(p.tahap == tahap)
    }

    /// The message of a command the workflow refuses; the state must not change.
    func refusal(_ command: Command, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let error = try #require(throws: SimpulError.self, sourceLocation: sourceLocation) {
            try Workflow.decide(command, on: p)
        }
        #expect(error.code == .invalidData, sourceLocation: sourceLocation)
        return error.message
    }
}

@Suite("Workflow", .timeLimit(.minutes(10)))
struct WorkflowTests {
    private func registrationError(
        _ layanan: Layanan, syarat: [String]? = nil, isian: [String: String] = [:], pemohon: Pemohon? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let who = try pemohon ?? Fixture.pemohon()
        let calendar = try Conf.calendar2026()
        let accepted = try Fixture.day("2026-03-17")
        let error = try #require(throws: SimpulError.self, sourceLocation: sourceLocation) {
            try Workflow.register(
                number: Fixture.number, layanan: layanan, catalogVersion: 1, pemohon: who,
                syarat: syarat ?? layanan.requirements.map(\.code), isian: isian, acceptedOn: accepted,
                calendar: calendar)
        }
        #expect(error.code == .invalidData, sourceLocation: sourceLocation)
        return error.message
    }

    // MARK: registration

    @Test func registrationComputesFeeAndDueDate() throws {
        let calendar = try Conf.calendar2026()
        let r = try Workflow.register(
            number: Fixture.number, layanan: Fixture.jalan, catalogVersion: 7, pemohon: Fixture.pemohon(),
            syarat: ["denah", "ktp", "pengantar-desa"], isian: Fixture.jalanIsian,
            acceptedOn: Fixture.day("2026-03-17"), calendar: calendar)
        #expect(r.fee == 25_000)
        // One working day after Tuesday 17 March is Wednesday 25 March, past Nyepi and Idul Fitri.
        #expect(try r.dueOn == Fixture.day("2026-03-25"))
        #expect(r.syarat == ["pengantar-desa", "ktp", "denah"])
        #expect(r.catalogVersion == 7)
        #expect(r.layanan == Fixture.jalan)
    }

    @Test func stateRightAfterRegistration() throws {
        let counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        let p = counter.p
        #expect(p.number == Fixture.number)
        #expect(p.partition == Counter.node)
        #expect(p.status == .diproses)
        #expect(p.tahap == .verifikasi)
        #expect(p.fee == 25_000 && p.paid == 0 && p.outstanding == 25_000)
        #expect(p.registeredAt == p.updatedAt)
        #expect(p.seen.covers(Dot(node: Counter.node, seq: 1)))
        #expect(Workflow.nextActions(p) == [.advance(.verifikasi), .returnToLoket, .withdraw, .reject])
    }

    @Test func sameDayServiceAcceptedOnSaturdayIsDueMonday() throws {
        let counter = try Counter(Fixture.sktm, acceptedOn: "2026-03-07")
        #expect(try counter.p.dueOn == Fixture.day("2026-03-09"))
        #expect(counter.p.fee == 0 && counter.p.outstanding == 0)
    }

    @Test func missingRequirementIsRefusedByCode() throws {
        let message = try registrationError(Fixture.sktm, syarat: ["ktp"])
        #expect(message.contains("belum ada: kk (Kartu Keluarga)"), "\(message)")
        #expect(!message.contains("ktp"), "\(message)")
        let none = try registrationError(Fixture.jalan, syarat: [], isian: Fixture.jalanIsian)
        #expect(none.contains("pengantar-desa") && none.contains("ktp") && none.contains("denah"), "\(none)")
    }

    @Test func unknownRequirementIsRefused() throws {
        let message = try registrationError(Fixture.sktm, syarat: ["ktp", "kk", "paspor"])
        #expect(message.contains("'paspor'"), "\(message)")
        #expect(message.contains("SKTM"), "\(message)")
        #expect(message.contains("ktp, kk"), "\(message)")
    }

    @Test func registrationChecksTheForm() throws {
        let nik = try NIK(validating: "3374011203850001")
        #expect(try registrationError(Fixture.sktm, pemohon: Pemohon(nik: nik, nama: "  ")).contains("nama"))
        let badPhone = Pemohon(nik: nik, nama: "Budi", telepon: "0812-3456")
        #expect(try registrationError(Fixture.sktm, pemohon: badPhone).contains("telepon"))
        #expect(try registrationError(Fixture.sktm, isian: ["Luas": "3"]).contains("isian"))
        #expect(try registrationError(Fixture.sktm, isian: ["luas": " "]).contains("isian luas"))
        let missing = try registrationError(Fixture.jalan, isian: ["panjang_m": "12.5"])
        #expect(missing.contains("lebar_m"), "\(missing)")
    }

    @Test func phoneWithATrailingNewlineIsRefused() throws {
        // A pasted number often carries the line break; it must not be stored with it.
        let nik = try NIK(validating: "3374011203850001")
        let pasted = Pemohon(nik: nik, nama: "Budi", telepon: "081234567890\n")
        #expect(try registrationError(Fixture.sktm, pemohon: pasted).contains("telepon"))
    }

    // MARK: the delegated path

    @Test(arguments: [false, true])
    func fullDelegatedPath(fieldCheck: Bool) throws {
        var counter = try Counter(Fixture.sktm(fieldCheck: fieldCheck))
        var visited: [Tahap] = []
        while let tahap = counter.p.tahap {
            try #require(visited.count < Tahap.allCases.count)
            visited.append(tahap)
            #expect(counter.p.status == .diproses)
            let body = try counter.run(.advance(tahap: nil, note: nil))
            guard case .stepCompleted(let step) = body else {
                Issue.record("advance recorded \(body.type)")
                return
            }
            #expect(step.tahap == tahap)
        }
        var expected: [Tahap] = [
            .verifikasi, .operatorStep, .validasiKasi, .validasiSekcam, .pengesahanCamat, .penyerahan,
        ]
        if fieldCheck { expected.insert(.cekLapangan, at: 1) }
        #expect(visited == expected)
        #expect(visited.filter { $0 == .cekLapangan }.count == (fieldCheck ? 1 : 0))
        #expect(counter.p.status == .selesai)
        #expect(Workflow.nextActions(counter.p).isEmpty)
    }

    @Test func stepOrder() {
        let with = Fixture.sktm(fieldCheck: true)
        let without = Fixture.sktm(fieldCheck: false)
        #expect(Workflow.step(after: .verifikasi, layanan: with) == .cekLapangan)
        #expect(Workflow.step(after: .verifikasi, layanan: without) == .operatorStep)
        #expect(Workflow.step(after: .cekLapangan, layanan: with) == .operatorStep)
        #expect(Workflow.step(after: .operatorStep, layanan: without) == .validasiKasi)
        #expect(Workflow.step(after: .validasiKasi, layanan: without) == .validasiSekcam)
        #expect(Workflow.step(after: .validasiSekcam, layanan: without) == .pengesahanCamat)
        #expect(Workflow.step(after: .pengesahanCamat, layanan: without) == .penyerahan)
        #expect(Workflow.step(after: .penyerahan, layanan: without) == nil)
        #expect(Workflow.step(after: .penerusan, layanan: Fixture.pbg) == nil)
    }

    @Test func explicitTahapMustBeTheWaitingOne() throws {
        var counter = try Counter(Fixture.sktm)
        try counter.run(.advance(tahap: .verifikasi, note: nil))
        #expect(counter.p.tahap == .operatorStep)
        let message = try counter.refusal(.advance(tahap: .pengesahanCamat, note: nil))
        #expect(message.contains("tahap pengesahan-camat tidak bisa sekarang"), "\(message)")
        #expect(message.contains("menunggu tahap operator"), "\(message)")
        #expect(message.contains("langkah yang boleh: advance --tahap operator"), "\(message)")
        #expect(counter.p.tahap == .operatorStep)
    }

    @Test func wrongTahapListsTheNextAllowedSteps() throws {
        let counter = try Counter(Fixture.sktm)
        let message = try counter.refusal(.advance(tahap: .cekLapangan, note: nil))
        #expect(message.contains("langkah yang boleh"), "\(message)")
        #expect(message.contains(Tahap.verifikasi.rawValue), "\(message)")
        #expect(message.contains("advance --tahap verifikasi (Verifikasi berkas, oleh Petugas Verifikasi)"))
        #expect(message.contains("withdraw") && message.contains("reject"), "\(message)")
    }

    @Test func notesAreTrimmedAndBounded() throws {
        var counter = try Counter(Fixture.sktm)
        let body = try counter.run(.advance(tahap: nil, note: "  berkas lengkap  "))
        guard case .stepCompleted(let step) = body else {
            Issue.record("advance recorded \(body.type)")
            return
        }
        #expect(step.note == "berkas lengkap")
        guard case .stepCompleted(let blank) = try counter.run(.advance(tahap: nil, note: "   ")) else {
            Issue.record("advance did not complete a step")
            return
        }
        #expect(blank.note == nil)
        let long = String(repeating: "a", count: 501)
        #expect(try counter.refusal(.advance(tahap: nil, note: long)).contains("catatan"))
        try counter.run(.advance(tahap: nil, note: String(repeating: "a", count: 500)))
    }

    // MARK: fee and payment

    @Test func handoverWaitsUntilTheFeeIsPaid() throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        try counter.advance(until: .penyerahan)
        #expect(Workflow.nextActions(counter.p) == [.pay(25_000), .withdraw])
        let refused = try counter.refusal(.advance(tahap: .penyerahan, note: nil))
        #expect(refused.contains("belum lunas"), "\(refused)")
        #expect(refused.contains("Rp 25.000"), "\(refused)")
        #expect(refused.contains("langkah yang boleh") && refused.contains("kasir pay"), "\(refused)")

        try counter.run(.pay(amount: 10_000, receipt: "33.74.01/000017"))
        #expect(counter.p.paid == 10_000 && counter.p.outstanding == 15_000)
        #expect(try counter.refusal(.advance(tahap: nil, note: nil)).contains("Rp 15.000"))

        try counter.run(.pay(amount: 15_000, receipt: "33.74.01/000018"))
        #expect(counter.p.outstanding == 0)
        #expect(counter.p.receipts == ["33.74.01/000017", "33.74.01/000018"])
        #expect(Workflow.nextActions(counter.p) == [.advance(.penyerahan)])
        try counter.run(.advance(tahap: .penyerahan, note: nil))
        #expect(counter.p.status == .selesai)
        #expect(counter.p.paid == 25_000)
    }

    @Test func overpayIsRefused() throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        try counter.advance(until: .penyerahan)
        let message = try counter.refusal(.pay(amount: 25_001, receipt: "r1"))
        #expect(message.contains("melebihi") && message.contains("Rp 25.000"), "\(message)")
        try counter.run(.pay(amount: 10_000, receipt: "r1"))
        #expect(try counter.refusal(.pay(amount: 15_001, receipt: "r2")).contains("Rp 15.000"))
        #expect(counter.p.paid == 10_000)
        try counter.run(.pay(amount: 15_000, receipt: "r2"))
        #expect(counter.p.outstanding == 0)
    }

    @Test(arguments: [Int64(0), -1, -25_000])
    func payOfZeroOrLessIsRefused(amount: Int64) throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        try counter.advance(until: .penyerahan)
        #expect(try counter.refusal(.pay(amount: amount, receipt: "r1")).contains("harus lebih dari Rp 0"))
    }

    @Test func payWhenNoFeeIsDueIsRefused() throws {
        var counter = try Counter(Fixture.sktm)
        try counter.advance(until: .penyerahan)
        let message = try counter.refusal(.pay(amount: 1_000, receipt: "r1"))
        #expect(message.contains("tidak ada retribusi"), "\(message)")
        #expect(message.contains("advance --tahap penyerahan"), "\(message)")
    }

    @Test(arguments: [Tahap.verifikasi, .cekLapangan, .operatorStep, .pengesahanCamat])
    func payBeforeHandoverIsRefused(tahap: Tahap) throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        try counter.advance(until: tahap)
        let message = try counter.refusal(.pay(amount: 25_000, receipt: "r1"))
        #expect(message.contains("belum di tahap penyerahan"), "\(message)")
    }

    // MARK: services that are not delegated

    @Test func nonDelegatedServiceIsForwarded() throws {
        var counter = try Counter(Fixture.pbg)
        #expect(counter.p.tahap == .penerusan && counter.p.status == .diproses)
        #expect(counter.p.fee == nil && counter.p.dueOn == nil && counter.p.outstanding == 0)
        #expect(Workflow.nextActions(counter.p) == [.forward("PTSP"), .withdraw])

        let advance = try counter.refusal(.advance(tahap: nil, note: nil))
        #expect(advance.contains("tidak didelegasikan"), "\(advance)")
        #expect(advance.contains("forward (teruskan ke PTSP)"), "\(advance)")
        #expect(try counter.refusal(.advance(tahap: .penerusan, note: nil)).contains("tidak didelegasikan"))
        #expect(try counter.refusal(.advance(tahap: .verifikasi, note: nil)).contains("menunggu tahap penerusan"))
        _ = try counter.refusal(.reject(reason: "tidak lengkap"))
        _ = try counter.refusal(.pay(amount: 1_000, receipt: "r1"))

        let body = try counter.run(.forward(note: "berkas lengkap"))
        guard case .forwarded(let forwarding) = body else {
            Issue.record("forward recorded \(body.type)")
            return
        }
        #expect(forwarding.to == "PTSP" && forwarding.note == "berkas lengkap")
        #expect(counter.p.status == .diteruskan)
        #expect(counter.p.forwardedTo == "PTSP")
        #expect(counter.p.tahap == nil)
        let next = Workflow.nextActions(counter.p)
        #expect(next.contains(.withdraw))
        #expect(!next.contains(.forward("PTSP")) && !next.contains(.reject), "\(next)")
        _ = try counter.refusal(.forward(note: nil))
        _ = try counter.refusal(.advance(tahap: nil, note: nil))
        try counter.run(.withdraw(reason: "pemohon membatalkan"))
        #expect(counter.p.status == .ditarik)
    }

    @Test func forwardIsRefusedForADelegatedService() throws {
        let counter = try Counter(Fixture.sktm)
        let message = try counter.refusal(.forward(note: nil))
        #expect(message.contains("tidak bisa diteruskan"), "\(message)")
        #expect(message.contains("langkah yang boleh"), "\(message)")
    }

    // MARK: withdrawal and rejection

    @Test func withdrawBeforePaymentIsAllowed() throws {
        var counter = try Counter(Fixture.sktm)
        try counter.run(.withdraw(reason: "  pindah domisili  "))
        #expect(counter.p.status == .ditarik)
        #expect(counter.p.closingReason == "pindah domisili")
        #expect(counter.p.tahap == nil)

        var unpaid = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        try unpaid.advance(until: .penyerahan)
        try unpaid.run(.withdraw(reason: "tidak jadi"))
        #expect(unpaid.p.status == .ditarik)
    }

    @Test func withdrawAfterPaymentIsRefused() throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        try counter.advance(until: .penyerahan)
        try counter.run(.pay(amount: 5_000, receipt: "r1"))
        let message = try counter.refusal(.withdraw(reason: "tidak jadi"))
        #expect(message.contains("sudah dibayar"), "\(message)")
        #expect(counter.p.status == .diproses)
    }

    @Test(arguments: ["", "   "])
    func withdrawNeedsAReason(reason: String) throws {
        let counter = try Counter(Fixture.sktm)
        #expect(try counter.refusal(.withdraw(reason: reason)).contains("alasan: wajib diisi"))
    }

    @Test(arguments: [Tahap.verifikasi, .cekLapangan, .validasiKasi, .validasiSekcam, .pengesahanCamat])
    func rejectIsAllowedWhereTheFileIsChecked(tahap: Tahap) throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        try counter.advance(until: tahap)
        let body = try counter.run(.reject(reason: " denah tidak sesuai "))
        guard case .rejected(let rejection) = body else {
            Issue.record("reject recorded \(body.type)")
            return
        }
        #expect(rejection.tahap == tahap)
        #expect(rejection.reason == "denah tidak sesuai")
        #expect(counter.p.status == .ditolak)
        #expect(counter.p.closingReason == "denah tidak sesuai")
        #expect(counter.p.tahap == nil)
    }

    @Test(arguments: [Tahap.operatorStep, .penyerahan])
    func rejectIsRefusedAtOperatorAndHandover(tahap: Tahap) throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        try counter.advance(until: tahap)
        let message = try counter.refusal(.reject(reason: "denah tidak sesuai"))
        #expect(message.contains("tidak bisa ditolak"), "\(message)")
        #expect(message.contains("langkah yang boleh"), "\(message)")
    }

    @Test(arguments: ["", "  "])
    func rejectNeedsAReason(reason: String) throws {
        let counter = try Counter(Fixture.sktm)
        #expect(try counter.refusal(.reject(reason: reason)).contains("alasan: wajib diisi"))
    }

    // MARK: the PTSP's service clock

    @Test func theServiceClockStopsAndTheDueDateMovesByTheWorkingDaysItStoodStill() throws {
        // Accepted Tuesday 17 March 2026; 18-24 March are Nyepi and Idul Fitri: due Friday 27 March.
        var counter = try Counter(Fixture.paud)
        #expect(counter.p.dueOn == (try Fixture.day("2026-03-27")))
        try counter.run(.forward(note: nil))
        #expect(try counter.refusal(.ptspProgress(code: "42", note: nil)).contains("tidak sedang berhenti"))
        try counter.run(.ptspProgress(code: "41", note: "pemohon diminta konfirmasi luas lahan"))
        let stoppedAt = try #require(counter.p.clockStoppedAt)
        #expect(try counter.refusal(.ptspProgress(code: "43", note: nil)).contains("sudah berhenti"))
        let calendar = try Conf.calendar2026()
        // Stopped Wednesday 25, running again Monday 30: 26, 27 and 30 stood still, three working days.
        let moved = Workflow.dueDate(
            restarting: counter.p, code: "42", today: try Fixture.day("2026-03-30"),
            stoppedOn: try Fixture.day("2026-03-25"), calendar: calendar)
        #expect(moved == (try Fixture.day("2026-04-01")))
        // Started again the day it stopped: nothing stood still.
        let same = Workflow.dueDate(
            restarting: counter.p, code: "42", today: try Fixture.day("2026-03-25"),
            stoppedOn: try Fixture.day("2026-03-25"), calendar: calendar)
        #expect(same == (try Fixture.day("2026-03-27")))
        // From zero (44): three working days from Monday 30.
        let restarted = Workflow.dueDate(
            restarting: counter.p, code: "44", today: try Fixture.day("2026-03-30"),
            stoppedOn: try Fixture.day("2026-03-25"), calendar: calendar)
        #expect(restarted == (try Fixture.day("2026-04-02")))

        // The fold takes the due date the hub wrote into the event.
        var resumed = counter.p
        let event = Event(
            dot: Dot(node: "33.74", seq: 9), partition: counter.p.partition, lamport: counter.p.lastLamport + 1,
            context: counter.p.seen, record: counter.p.number, officer: "Rudi", role: Peran.ptsp,
            at: Timestamp(milliseconds: stoppedAt.milliseconds + 86_400_000),
            body: .ptspProgress(PTSPProgress(code: "42", note: nil, dueOn: moved)))
        #expect(Workflow.admissible(event.body, on: resumed) == nil)
        resumed.apply(event)
        #expect(resumed.clockStoppedAt == nil)
        #expect(resumed.dueOn == moved)
        #expect(resumed.ptspCode == "42")
    }

    @Test func theWholeListOfProcessingCodesIsKnownAndOnlyFourMoveTheClock() {
        let progress = PTSPStatus.all.filter { $0.kind == .progress }.map(\.code)
        #expect(
            progress == [
                "05", "09", "10", "11", "12", "20", "30", "31", "32", "33", "34", "40", "41", "42", "43", "44", "45",
                "49",
            ])
        let clocks = Dictionary(
            uniqueKeysWithValues: PTSPStatus.all.filter { $0.clock != .runs }.map { ($0.code, $0.clock) })
        #expect(clocks == ["41": .stop, "42": .resume, "43": .stopForRestart, "44": .restart])
        #expect(PTSPStatus.entry("60") == nil)
    }

    // MARK: a field check the verifikator asks for

    @Test func verifikatorSendsAFileToAFieldCheckTheServiceDoesNotAlwaysNeed() throws {
        var counter = try Counter(Fixture.sktm)
        #expect(Workflow.nextActions(counter.p).contains(.fieldCheck))
        let body = try counter.run(.sendToFieldCheck(note: " rumah pemohon perlu dilihat "))
        #expect(
            body
                == .stepCompleted(
                    StepCompleted(tahap: .verifikasi, note: "rumah pemohon perlu dilihat", next: .cekLapangan)))
        #expect(counter.p.tahap == .cekLapangan)
        #expect(!Workflow.nextActions(counter.p).contains(.fieldCheck))
        try counter.run(.advance(tahap: .cekLapangan, note: nil))
        #expect(counter.p.tahap == .operatorStep)
        var rebuilt = try #require(
            counter.events.first.flatMap { e -> Permohonan? in
                guard case .registered(let r) = e.body else { return nil }
                return Permohonan(registeredBy: e, r)
            })
        for e in counter.events.dropFirst() { rebuilt.apply(e) }
        #expect(rebuilt == counter.p)
    }

    @Test func aFieldCheckIsAskedForOnlyAtVerifikasiAndOnlyWhereItIsNotAlreadyTheNextStep() throws {
        // A service that always has one goes there by completing verifikasi.
        let always = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        #expect(!Workflow.nextActions(always.p).contains(.fieldCheck))
        #expect(try always.refusal(.sendToFieldCheck(note: nil)).contains("hanya dari verifikasi ke cek lapangan"))
        var later = try Counter(Fixture.sktm)
        try later.advance(until: .operatorStep)
        #expect(try later.refusal(.sendToFieldCheck(note: nil)).contains("hanya dari verifikasi ke cek lapangan"))
        // An event naming any other next step, as a forged change set might, is not admissible.
        let forged = EventBody.stepCompleted(StepCompleted(tahap: .verifikasi, note: nil, next: .penyerahan))
        #expect(Workflow.admissible(forged, on: try Counter(Fixture.sktm).p) != nil)
    }

    // MARK: returning an incomplete file to the loket

    @Test func verifikatorReturnsAnIncompleteFileAndTheLoketSendsItBack() throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        #expect(Workflow.nextActions(counter.p).contains(.returnToLoket))
        let body = try counter.run(.returnToLoket(note: "  surat pengantar desa belum dicap  "))
        guard case .returned(let r) = body else {
            Issue.record("return recorded \(body.type)")
            return
        }
        #expect(r == Pengembalian(tahap: .verifikasi, note: "surat pengantar desa belum dicap"))
        #expect(counter.p.status == .diproses)
        #expect(counter.p.tahap == .kelengkapan)
        #expect(Workflow.nextActions(counter.p) == [.advance(.kelengkapan), .withdraw])
        // Verifikasi cannot go on, nor reject, until the loket has the missing paper.
        #expect(try counter.refusal(.advance(tahap: .verifikasi, note: nil)).contains("menunggu tahap kelengkapan"))
        #expect(try counter.refusal(.reject(reason: "tidak lengkap")).contains("tidak bisa ditolak"))
        #expect(try counter.refusal(.returnToLoket(note: "lagi")).contains("hanya saat menunggu tahap verifikasi"))
        try counter.run(.advance(tahap: .kelengkapan, note: "cap sudah ada"))
        #expect(counter.p.tahap == .verifikasi)
        // As often as needed, then on through the flow; the due date never moved.
        let due = counter.p.dueOn
        try counter.run(.returnToLoket(note: "denah tidak terbaca"))
        try counter.run(.advance(tahap: nil, note: nil))
        try counter.advance(until: .penyerahan)
        try counter.run(.pay(amount: 25_000, receipt: "r1"))
        try counter.run(.advance(tahap: nil, note: nil))
        #expect(counter.p.status == .selesai)
        #expect(counter.p.dueOn == due)
        var rebuilt = try #require(
            counter.events.first.flatMap { e -> Permohonan? in
                guard case .registered(let r) = e.body else { return nil }
                return Permohonan(registeredBy: e, r)
            })
        for e in counter.events.dropFirst() { rebuilt.apply(e) }
        #expect(rebuilt == counter.p)
    }

    @Test(arguments: [Tahap.cekLapangan, .operatorStep, .validasiKasi, .penyerahan])
    func returnIsOnlyFromVerifikasi(tahap: Tahap) throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        try counter.advance(until: tahap)
        #expect(!Workflow.nextActions(counter.p).contains(.returnToLoket))
        let message = try counter.refusal(.returnToLoket(note: "kurang"))
        #expect(message.contains("hanya saat menunggu tahap verifikasi"), "\(message)")
        #expect(message.contains("langkah yang boleh"), "\(message)")
    }

    @Test(arguments: ["", "  "])
    func returnNeedsANote(note: String) throws {
        let counter = try Counter(Fixture.sktm)
        #expect(try counter.refusal(.returnToLoket(note: note)).contains("catatan: tulis apa yang harus dilengkapi"))
    }

    @Test func aForwardedServiceIsNeverReturnedFromVerifikasi() throws {
        var counter = try Counter(Fixture.pbg)
        #expect(counter.p.tahap == .penerusan)
        #expect(try counter.refusal(.returnToLoket(note: "kurang")).contains("tidak bisa dikembalikan"))
        try counter.run(.forward(note: nil))
        #expect(try counter.refusal(.returnToLoket(note: "kurang")).contains("tidak bisa dikembalikan"))
    }

    @Test func aReturnedFileMayBeWithdrawnAtTheLoket() throws {
        var counter = try Counter(Fixture.sktm)
        try counter.run(.returnToLoket(note: "KK lama"))
        try counter.run(.withdraw(reason: "pemohon tidak kembali"))
        #expect(counter.p.status == .ditarik)
    }

    @Test(arguments: [Status.selesai, .ditarik, .ditolak])
    func nothingIsAllowedAfterClosing(status: Status) throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        switch status {
        case .selesai:
            try counter.advance(until: .penyerahan)
            try counter.run(.pay(amount: 25_000, receipt: "r1"))
            try counter.run(.advance(tahap: nil, note: nil))
        case .ditarik: try counter.run(.withdraw(reason: "tidak jadi"))
        case .ditolak: try counter.run(.reject(reason: "berkas palsu"))
        case .diproses, .diteruskan: Issue.record("not a closed status")
        }
        #expect(counter.p.status == status)
        #expect(status.isClosed)
        #expect(Workflow.nextActions(counter.p).isEmpty)
        let commands: [Command] = [
            .advance(tahap: nil, note: nil), .advance(tahap: .penyerahan, note: nil), .forward(note: nil),
            .withdraw(reason: "lagi"), .reject(reason: "lagi"), .pay(amount: 1, receipt: "r9"),
            .returnToLoket(note: "lagi"),
        ]
        for command in commands {
            let message = try counter.refusal(command)
            #expect(message.contains("tidak ada langkah lagi"), "\(command): \(message)")
        }
    }

    // MARK: the fold

    @Test func foldKeepsTheCausalContext() throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        try counter.advance(until: .penyerahan)
        try counter.run(.pay(amount: 25_000, receipt: "r1"))
        try counter.run(.advance(tahap: nil, note: nil))
        let events = counter.events
        #expect(events.count == 9)
        for (i, event) in events.enumerated() {
            // Each event was written having seen every earlier one, and only those.
            for earlier in events[..<i] { #expect(event.context.covers(earlier.dot)) }
            #expect(!event.context.covers(event.dot))
            #expect(counter.p.seen.covers(event.dot))
        }
        #expect(counter.p.seen[Counter.node] == 9)
        #expect(counter.p.lastLamport == events.map(\.lamport).max())
        #expect(counter.p.registeredAt == events[0].at)
        #expect(counter.p.updatedAt == events[8].at)
        #expect(
            events.map(\.body.type.rawValue) == [
                "permohonan.registered", "permohonan.step-completed", "permohonan.step-completed",
                "permohonan.step-completed", "permohonan.step-completed", "permohonan.step-completed",
                "permohonan.step-completed", "pembayaran.received", "permohonan.step-completed",
            ])
    }

    @Test func replayingTheEventsRebuildsTheState() throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        try counter.advance(until: .penyerahan)
        try counter.run(.pay(amount: 20_000, receipt: "r1"))
        guard let first = counter.events.first, case .registered(let registration) = first.body else {
            Issue.record("the first event is not the registration")
            return
        }
        var rebuilt = Permohonan(registeredBy: first, registration)
        for event in counter.events.dropFirst().sorted(by: Event.foldOrder) { rebuilt.apply(event) }
        #expect(rebuilt == counter.p)
    }

    @Test func eventsAndStateSurviveJSON() throws {
        var counter = try Counter(Fixture.jalan, isian: Fixture.jalanIsian)
        try counter.advance(until: .penyerahan)
        try counter.run(.pay(amount: 25_000, receipt: "33.74.01/000001"))
        try counter.run(.advance(tahap: nil, note: "diterima sendiri"))
        let data = try JSONEncoder().encode(counter.events)
        #expect(try JSONDecoder().decode([Event].self, from: data) == counter.events)
        #expect(String(decoding: data, as: UTF8.self).contains(#""type":"pembayaran.received""#))
        // The stored JSON holds the NIK in full for the store, so check it is exactly the one given.
        let state = try JSONDecoder().decode(Permohonan.self, from: JSONEncoder().encode(counter.p))
        #expect(state == counter.p)
        #expect(state.pemohon.nik.digits == "3374015203850002")
        let unknown = Data(#"{"type": "permohonan.lost", "data": {}}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(EventBody.self, from: unknown) }
    }

    @Test func shippedServicesWalkTheirPaths() throws {
        let catalog = try LayananCatalog.parse(json: Conf.data("layanan.json"), source: "layanan.json")
        for layanan in catalog.services {
            var isian: [String: String] = [:]
            if case .formula(_, let inputs, _) = layanan.fee {
                for name in inputs { isian[name] = "2" }
            }
            var counter = try Counter(layanan, isian: isian)
            if layanan.isDelegated {
                var sawFieldCheck = false
                while let tahap = counter.p.tahap {
                    sawFieldCheck = sawFieldCheck || tahap == .cekLapangan
                    if tahap == .penyerahan && counter.p.outstanding > 0 {
                        try counter.run(.pay(amount: counter.p.outstanding, receipt: "r1"))
                    }
                    try counter.run(.advance(tahap: tahap, note: nil))
                }
                #expect(counter.p.status == .selesai, "\(layanan.code)")
                #expect(sawFieldCheck == layanan.fieldCheck, "\(layanan.code)")
            } else {
                try counter.run(.forward(note: nil))
                #expect(counter.p.status == .diteruskan, "\(layanan.code)")
                #expect(counter.p.forwardedTo == layanan.forwardTo, "\(layanan.code)")
            }
        }
    }

    @Test func labelsAndRoles() {
        #expect(
            Tahap.allCases.map(\.rawValue) == [
                "verifikasi", "cek-lapangan", "operator", "validasi-kasi", "validasi-sekcam", "pengesahan-camat",
                "penyerahan", "penerusan", "kelengkapan",
            ])
        #expect(Tahap.pengesahanCamat.role == "Camat")
        #expect(Tahap.cekLapangan.role == "Petugas Teknis")
        #expect(Status.allCases.filter(\.isClosed) == [.selesai, .ditarik, .ditolak])
        #expect(NextAction.pay(25_000).description == "kasir pay (sisa retribusi Rp 25.000)")
        #expect(NextAction.forward("Dukcapil").description == "forward (teruskan ke Dukcapil)")
    }
}
