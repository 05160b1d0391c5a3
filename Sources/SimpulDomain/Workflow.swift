/// A step of the PATEN counter flow after acceptance at the loket, in order.
public enum Tahap: String, Sendable, Codable, CaseIterable {
    case verifikasi
    case cekLapangan = "cek-lapangan"
    case operatorStep = "operator"
    case validasiKasi = "validasi-kasi"
    case validasiSekcam = "validasi-sekcam"
    case pengesahanCamat = "pengesahan-camat"
    case penyerahan
    /// Only for services that are not delegated: the loket sends the file on.
    case penerusan

    /// The step's name as officers know it.
    public var label: String {
        switch self {
        case .verifikasi: "Verifikasi berkas"
        case .cekLapangan: "Cek lapangan"
        case .operatorStep: "Entri data dan cetak dokumen"
        case .validasiKasi: "Validasi Kepala Seksi Pelayanan"
        case .validasiSekcam: "Validasi Sekretaris Camat"
        case .pengesahanCamat: "Pengesahan Camat"
        case .penyerahan: "Penyerahan dokumen"
        case .penerusan: "Penerusan berkas"
        }
    }

    /// The role that does the step.
    public var role: String {
        switch self {
        case .verifikasi: "Petugas Verifikasi"
        case .cekLapangan: "Petugas Teknis"
        case .operatorStep: "Operator"
        case .validasiKasi: "Kepala Seksi Pelayanan"
        case .validasiSekcam: "Sekretaris Camat"
        case .pengesahanCamat: "Camat"
        case .penyerahan: "Petugas Penyerahan"
        case .penerusan: "Petugas Loket"
        }
    }

    /// Steps where the article has an officer check the file and so where it may be rejected.
    public var mayReject: Bool {
        switch self {
        case .verifikasi, .cekLapangan, .validasiKasi, .validasiSekcam, .pengesahanCamat: true
        case .operatorStep, .penyerahan, .penerusan: false
        }
    }
}

/// Where a permohonan stands.
public enum Status: String, Sendable, Codable, CaseIterable {
    case diproses
    case diteruskan
    case selesai
    case ditarik
    case ditolak

    public var label: String {
        switch self {
        case .diproses: "Diproses"
        case .diteruskan: "Diteruskan"
        case .selesai: "Selesai"
        case .ditarik: "Ditarik pemohon"
        case .ditolak: "Ditolak"
        }
    }

    public var isClosed: Bool { self == .selesai || self == .ditarik || self == .ditolak }
}

/// The roles that act outside the numbered steps.
public enum Peran {
    public static let loket = "Petugas Loket"
    public static let kasir = "Kasir"
}

/// A permohonan's current state: a fold of its events.
public struct Permohonan: Sendable, Equatable, Codable {
    public var number: String
    public var partition: String
    public var layanan: Layanan
    public var catalogVersion: Int
    public var pemohon: Pemohon
    public var syarat: [String]
    public var isian: [String: String]
    public var fee: Int64?
    public var paid: Int64
    public var status: Status
    /// The step waiting to be done; nil once closed or forwarded.
    public var tahap: Tahap?
    public var acceptedOn: LocalDate
    public var dueOn: LocalDate?
    public var registeredAt: Timestamp
    public var updatedAt: Timestamp
    public var forwardedTo: String?
    public var closingReason: String?
    public var receipts: [String]
    /// The dots of every event folded into this state: the causal context of the next event.
    public var seen: VersionVector
    public var lastLamport: UInt64

    /// Rupiah still owed; 0 when nothing is due or the PTSP has not set the fee yet.
    public var outstanding: Int64 { max(0, (fee ?? 0) - paid) }

    /// The state right after acceptance at the loket.
    public init(registeredBy event: Event, _ r: Registration) {
        number = r.number
        partition = event.partition
        layanan = r.layanan
        catalogVersion = r.catalogVersion
        pemohon = r.pemohon
        syarat = r.syarat
        isian = r.isian
        fee = r.fee
        paid = 0
        status = .diproses
        tahap = r.layanan.isDelegated ? .verifikasi : .penerusan
        acceptedOn = r.acceptedOn
        dueOn = r.dueOn
        registeredAt = event.at
        updatedAt = event.at
        receipts = []
        seen = VersionVector()
        seen.include(event.dot)
        lastLamport = event.lamport
    }

    /// Folds one more event in. Events reach this only after `Workflow.decide` accepted them (or, for
    /// a rebuild, in the same order they were first folded), so every case here is a valid transition.
    public mutating func apply(_ event: Event) {
        switch event.body {
        case .registered: break
        case .stepCompleted(let s):
            tahap = Workflow.step(after: s.tahap, layanan: layanan)
            if tahap == nil { status = .selesai }
        case .forwarded(let f):
            status = .diteruskan
            tahap = nil
            forwardedTo = f.to
        case .withdrawn(let c):
            status = .ditarik
            tahap = nil
            closingReason = c.reason
        case .rejected(let r):
            status = .ditolak
            tahap = nil
            closingReason = r.reason
        case .paymentReceived(let p):
            paid += p.amount
            receipts.append(p.receipt)
        }
        updatedAt = event.at
        seen.include(event.dot)
        lastLamport = max(lastLamport, event.lamport)
    }
}

/// What an officer asks to do with a permohonan.
public enum Command: Sendable, Equatable {
    /// Complete a step; when `tahap` is given it must be the step waiting.
    case advance(tahap: Tahap?, note: String?)
    case forward(note: String?)
    case withdraw(reason: String)
    case reject(reason: String)
    /// A payment at the kasir; the store allocates the receipt number in the same transaction.
    case pay(amount: Int64, receipt: String)
}

/// An action an officer may take next, for the message that refuses a wrong one.
public enum NextAction: Sendable, Equatable, CustomStringConvertible {
    case advance(Tahap)
    case forward(String)
    case pay(Int64)
    case withdraw
    case reject

    public var description: String {
        switch self {
        case .advance(let t): "advance --tahap \(t.rawValue) (\(t.label), oleh \(t.role))"
        case .forward(let to): "forward (teruskan ke \(to))"
        case .pay(let amount): "kasir pay (sisa retribusi \(Rupiah.format(amount)))"
        case .withdraw: "withdraw (ditarik pemohon)"
        case .reject: "reject (ditolak, dengan alasan)"
        }
    }
}

/// The PATEN flow as a state machine: pure decisions over a permohonan's state, no I/O.
public enum Workflow {
    /// The step after `tahap` for a service: the field check only when the service needs one, and
    /// nil after handover.
    public static func step(after tahap: Tahap, layanan: Layanan) -> Tahap? {
        switch tahap {
        case .verifikasi: layanan.fieldCheck ? .cekLapangan : .operatorStep
        case .cekLapangan: .operatorStep
        case .operatorStep: .validasiKasi
        case .validasiKasi: .validasiSekcam
        case .validasiSekcam: .pengesahanCamat
        case .pengesahanCamat: .penyerahan
        case .penyerahan: nil
        case .penerusan: nil
        }
    }

    /// Everything an officer may do next with this permohonan.
    public static func nextActions(_ p: Permohonan) -> [NextAction] {
        var actions: [NextAction] = []
        switch p.status {
        case .diproses:
            guard let tahap = p.tahap else { return [] }
            if tahap == .penerusan {
                actions.append(.forward(p.layanan.forwardTo ?? "PTSP"))
            } else if tahap == .penyerahan && p.outstanding > 0 {
                actions.append(.pay(p.outstanding))
            } else {
                actions.append(.advance(tahap))
            }
            if p.paid == 0 { actions.append(.withdraw) }
            if tahap.mayReject { actions.append(.reject) }
        case .diteruskan:
            if p.paid == 0 { actions.append(.withdraw) }
        case .selesai, .ditarik, .ditolak:
            break
        }
        return actions
    }

    /// Checks a command against the state and returns the event body to record, or refuses it with
    /// a message that names the rule and the next allowed steps.
    public static func decide(_ command: Command, on p: Permohonan) throws(SimpulError) -> EventBody {
        let allowed = nextActions(p)
        func refuse(_ why: String) -> SimpulError {
            let next =
                allowed.isEmpty
                ? "tidak ada langkah lagi (status \(p.status.label))"
                : "langkah yang boleh: " + allowed.map(\.description).joined(separator: "; ")
            return .invalid("\(why); \(next)")
        }
        switch command {
        case .advance(let asked, let note):
            guard let current = p.tahap, p.status == .diproses else {
                throw refuse("permohonan \(p.number) berstatus \(p.status.label), tidak ada tahap yang menunggu")
            }
            if let asked, asked != current {
                throw refuse(
                    "tahap \(asked.rawValue) tidak bisa sekarang: permohonan \(p.number) menunggu tahap \(current.rawValue) (\(current.label))"
                )
            }
            if current == .penerusan {
                throw refuse("layanan \(p.layanan.code) tidak didelegasikan ke kecamatan dan tidak diproses di sini")
            }
            if current == .penyerahan && p.outstanding > 0 {
                throw refuse(
                    "dokumen belum boleh diserahkan: retribusi belum lunas, sisa \(Rupiah.format(p.outstanding))")
            }
            return .stepCompleted(StepCompleted(tahap: current, note: try cleaned(note, field: "catatan")))
        case .forward(let note):
            guard p.status == .diproses, p.tahap == .penerusan, let to = p.layanan.forwardTo else {
                throw refuse(
                    "permohonan \(p.number) tidak bisa diteruskan: layanan \(p.layanan.code) selesai di kecamatan atau permohonan tidak lagi di loket"
                )
            }
            return .forwarded(Forwarding(to: to, note: try cleaned(note, field: "catatan")))
        case .withdraw(let reason):
            guard allowed.contains(.withdraw) else {
                if p.paid > 0 && !p.status.isClosed {
                    throw refuse("permohonan \(p.number) tidak bisa ditarik: retribusi sudah dibayar")
                }
                throw refuse("permohonan \(p.number) tidak bisa ditarik")
            }
            guard let r = try cleaned(reason, field: "alasan") else { throw .invalid("alasan: wajib diisi") }
            return .withdrawn(Closure(reason: r))
        case .reject(let reason):
            guard allowed.contains(.reject), let tahap = p.tahap else {
                throw refuse(
                    "permohonan \(p.number) tidak bisa ditolak pada keadaan ini (ditolak hanya saat verifikasi, cek lapangan, validasi atau pengesahan)"
                )
            }
            guard let r = try cleaned(reason, field: "alasan") else { throw .invalid("alasan: wajib diisi") }
            return .rejected(Rejection(tahap: tahap, reason: r))
        case .pay(let amount, let receipt):
            guard amount > 0 else {
                throw .invalid("jumlah: harus lebih dari Rp 0, tertulis \(amount)")
            }
            guard p.status == .diproses, p.tahap == .penyerahan else {
                throw refuse(
                    "pembayaran diterima saat dokumen siap diserahkan; permohonan \(p.number) belum di tahap penyerahan"
                )
            }
            guard p.outstanding > 0 else {
                throw refuse("tidak ada retribusi yang harus dibayar untuk permohonan \(p.number)")
            }
            guard amount <= p.outstanding else {
                throw .invalid(
                    "jumlah: \(Rupiah.format(amount)) melebihi sisa retribusi \(Rupiah.format(p.outstanding)) permohonan \(p.number)"
                )
            }
            return .paymentReceived(Payment(receipt: receipt, amount: amount))
        }
    }

    /// Checks an application at the loket and builds its registration: every requirement present,
    /// the fee computed from the form inputs, the due date counted in working days.
    public static func register(
        number: String, layanan: Layanan, catalogVersion: Int, pemohon: Pemohon, syarat: [String],
        isian: [String: String], acceptedOn: LocalDate, calendar: WorkingDayCalendar
    ) throws(SimpulError) -> Registration {
        guard !pemohon.nama.trimmingWhitespace.isEmpty else { throw .invalid("nama: wajib diisi") }
        if let t = pemohon.telepon {
            guard t.range(of: "^\\+?[0-9]{8,15}$", options: .regularExpression) != nil else {
                throw .invalid("telepon: '\(t)' harus 8-15 angka, boleh diawali +")
            }
        }
        let known = Set(layanan.requirements.map(\.code))
        if let unknown = syarat.first(where: { !known.contains($0) }) {
            throw .invalid(
                "syarat: '\(unknown)' bukan persyaratan layanan \(layanan.code) (yang ada: \(layanan.requirements.map(\.code).joined(separator: ", ")))"
            )
        }
        let missing = layanan.requirements.filter { !syarat.contains($0.code) }
        guard missing.isEmpty else {
            throw .invalid(
                "syarat: berkas belum lengkap, belum ada: "
                    + missing.map { "\($0.code) (\($0.name))" }.joined(separator: ", "))
        }
        for (key, value) in isian {
            guard key.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil else {
                throw .invalid("isian: nama '\(key)' harus huruf kecil, angka dan _")
            }
            guard !value.trimmingWhitespace.isEmpty else { throw .invalid("isian \(key): nilai kosong") }
        }
        let fee = try layanan.fee.amount(isian: isian)
        let due = layanan.durationWorkingDays.map { calendar.dueDate(acceptedOn: acceptedOn, workingDays: $0) }
        return Registration(
            number: number, layanan: layanan, catalogVersion: catalogVersion, pemohon: pemohon,
            syarat: layanan.requirements.map(\.code), isian: isian, fee: fee, acceptedOn: acceptedOn, dueOn: due)
    }

    private static func cleaned(_ text: String?, field: String) throws(SimpulError) -> String? {
        guard let text else { return nil }
        let t = text.trimmingWhitespace
        guard t.count <= 500 else { throw .invalid("\(field): paling banyak 500 karakter") }
        return t.isEmpty ? nil : t
    }
}
