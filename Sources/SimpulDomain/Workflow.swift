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
    /// The verifikator found the file incomplete and sent it back: the loket asks the applicant for
    /// what is missing, then sends it to verifikasi again.
    case kelengkapan

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
        case .kelengkapan: "Melengkapi berkas di loket"
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
        case .penerusan, .kelengkapan: "Petugas Loket"
        }
    }

    /// Steps where the article has an officer check the file and so where it may be rejected.
    public var mayReject: Bool {
        switch self {
        case .verifikasi, .cekLapangan, .validasiKasi, .validasiSekcam, .pengesahanCamat: true
        case .operatorStep, .penyerahan, .penerusan, .kelengkapan: false
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
    public static let ptsp = "Petugas PTSP"
    public static let rekonsiliasi = "Petugas Rekonsiliasi PTSP"
    public static let adminHub = "Admin TI Kabupaten"
    /// Who receives, follows up and closes complaints, when the node has no accounts.
    public static let pengaduan = "Petugas Pengaduan"
}

/// What an officer asks to do with a permohonan.
public enum Command: Sendable, Equatable {
    /// Complete a step; when `tahap` is given it must be the step waiting.
    case advance(tahap: Tahap?, note: String?)
    /// Complete verifikasi and send the file to the Petugas Teknis for a field check that the service
    /// does not always need.
    case sendToFieldCheck(note: String?)
    case forward(note: String?)
    case withdraw(reason: String)
    case reject(reason: String)
    /// The verifikator sends an incomplete file back to the loket, saying what the applicant must bring.
    case returnToLoket(note: String)
    /// A payment at the kasir; the store allocates the receipt number in the same transaction.
    case pay(amount: Int64, receipt: String)
    /// A PTSP processing step on a forwarded file, with its OSS status code.
    case ptspProgress(code: String, note: String?)
    /// The PTSP's decision, with the fee it sets when the service's fee is set by the PTSP.
    case decide(code: String, fee: Int64?, note: String?)
    /// A reconciler settles conflicts by naming the state the permohonan continues from.
    case settle(conflicts: [String], status: Status, tahap: Tahap?, note: String)
}

/// An action an officer may take next, for the message that refuses a wrong one.
public enum NextAction: Sendable, Equatable, CustomStringConvertible {
    case advance(Tahap)
    case forward(String)
    case pay(Int64)
    case withdraw
    case reject
    case returnToLoket
    case fieldCheck
    case ptsp

    public var description: String {
        switch self {
        case .ptsp: "PTSP: advance --kode KODE atau decide --kode KODE (di simpul-hub)"
        case .advance(let t): "advance --tahap \(t.rawValue) (\(t.label), oleh \(t.role))"
        case .forward(let to): "forward (teruskan ke \(to))"
        case .pay(let amount): "kasir pay (sisa retribusi \(Rupiah.format(amount)))"
        case .withdraw: "withdraw (ditarik pemohon)"
        case .reject: "reject (ditolak, dengan alasan)"
        case .returnToLoket: "return (kembalikan ke loket karena belum lengkap, dengan catatan)"
        case .fieldCheck: "advance --cek-lapangan (kirim ke Petugas Teknis untuk cek lapangan)"
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
        case .kelengkapan: .verifikasi
        }
    }

    /// The due date once the PTSP starts the service clock again on `today`: moved on by the working days
    /// it stood still (42), or the whole duration counted afresh from `today` (44). Nil when the file
    /// has no due date of its own (the receiving office sets it) or the clock was not stopped.
    public static func dueDate(
        restarting p: Permohonan, code: String, today: LocalDate, stoppedOn: LocalDate, calendar: WorkingDayCalendar
    ) -> LocalDate? {
        guard p.clockStoppedAt != nil, let due = p.dueOn, let clock = PTSPStatus.entry(code)?.clock else { return nil }
        switch clock {
        case .resume:
            // Working days lost: those after the stop day up to and including today.
            let stood = max(0, calendar.workingDaysLeft(from: stoppedOn, until: today))
            return stood == 0 ? due : calendar.dueDate(acceptedOn: due, workingDays: stood)
        case .restart:
            guard let days = p.layanan.durationWorkingDays else { return nil }
            return calendar.dueDate(acceptedOn: today, workingDays: days)
        case .runs, .stop, .stopForRestart:
            return nil
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
            if tahap == .verifikasi && !p.layanan.fieldCheck { actions.append(.fieldCheck) }
            if tahap == .verifikasi { actions.append(.returnToLoket) }
            if p.paid == 0 { actions.append(.withdraw) }
            if tahap.mayReject { actions.append(.reject) }
        case .diteruskan:
            actions.append(.ptsp)
            if p.paid == 0 { actions.append(.withdraw) }
        case .selesai, .ditarik, .ditolak:
            break
        }
        return actions
    }

    /// Checks a command against the state and returns the event body to record, or refuses it with
    /// a message that names the rule and the next allowed steps.
    public static func decide(_ command: Command, on p: Permohonan) throws(SimpulError) -> EventBody {
        let body: EventBody
        switch command {
        case .advance(let asked, let note):
            guard let current = p.tahap, p.status == .diproses else {
                throw refusal("permohonan \(p.number) berstatus \(p.status.label), tidak ada tahap yang menunggu", p)
            }
            if let asked, asked != current {
                throw refusal(
                    "tahap \(asked.rawValue) tidak bisa sekarang: permohonan \(p.number) menunggu tahap \(current.rawValue) (\(current.label))",
                    p)
            }
            body = .stepCompleted(StepCompleted(tahap: current, note: try cleaned(note, field: "catatan")))
        case .sendToFieldCheck(let note):
            body = .stepCompleted(
                StepCompleted(
                    tahap: p.tahap ?? .verifikasi, note: try cleaned(note, field: "catatan"), next: .cekLapangan))
        case .forward(let note):
            body = .forwarded(Forwarding(to: p.layanan.forwardTo ?? "PTSP", note: try cleaned(note, field: "catatan")))
        case .withdraw(let reason):
            guard let r = try cleaned(reason, field: "alasan") else { throw .invalid("alasan: wajib diisi") }
            body = .withdrawn(Closure(reason: r))
        case .reject(let reason):
            guard let r = try cleaned(reason, field: "alasan") else { throw .invalid("alasan: wajib diisi") }
            body = .rejected(Rejection(tahap: p.tahap ?? .verifikasi, reason: r))
        case .returnToLoket(let note):
            guard let n = try cleaned(note, field: "catatan") else {
                throw .invalid("catatan: tulis apa yang harus dilengkapi pemohon")
            }
            body = .returned(Pengembalian(tahap: p.tahap ?? .verifikasi, note: n))
        case .pay(let amount, let receipt):
            guard amount > 0 else { throw .invalid("jumlah: harus lebih dari Rp 0, tertulis \(amount)") }
            if amount > p.outstanding && p.outstanding > 0 {
                throw .invalid(
                    "jumlah: \(Rupiah.format(amount)) melebihi sisa retribusi \(Rupiah.format(p.outstanding)) permohonan \(p.number)"
                )
            }
            body = .paymentReceived(Payment(receipt: receipt, amount: amount))
        case .ptspProgress(let code, let note):
            guard let entry = PTSPStatus.entry(code), entry.kind == .progress else {
                throw .invalid("kode: '\(code)' bukan kode proses OSS (\(codes(.progress)))")
            }
            switch entry.clock {
            case .stop, .stopForRestart:
                if p.clockStoppedAt != nil {
                    throw .invalid(
                        "kode: jam layanan permohonan \(p.number) sudah berhenti; mulai lagi dengan 42 atau 44")
                }
            case .resume, .restart:
                guard p.clockStoppedAt != nil else {
                    throw .invalid("kode: jam layanan permohonan \(p.number) tidak sedang berhenti (41 atau 43)")
                }
            case .runs: break
            }
            body = .ptspProgress(PTSPProgress(code: code, note: try cleaned(note, field: "catatan")))
        case .decide(let code, let fee, let note):
            guard let entry = PTSPStatus.entry(code), entry.kind != .progress else {
                throw .invalid("kode: '\(code)' bukan kode keputusan OSS (\(codes(.approved)), \(codes(.rejected)))")
            }
            if entry.kind == .approved, case .setByPTSP = p.layanan.fee, fee == nil {
                throw .invalid(
                    "retribusi: layanan \(p.layanan.code) retribusinya ditetapkan PTSP; isi --retribusi RUPIAH")
            }
            if let fee {
                guard entry.kind == .approved else {
                    throw .invalid("retribusi: hanya untuk keputusan yang menyetujui")
                }
                guard case .setByPTSP = p.layanan.fee else {
                    throw .invalid("retribusi: layanan \(p.layanan.code) punya tarif tetap \(p.layanan.fee.label)")
                }
                guard fee >= 0 else { throw .invalid("retribusi: tidak boleh negatif") }
            }
            body = .decided(Decision(code: code, fee: fee, note: try cleaned(note, field: "catatan")))
        case .settle(let conflicts, let status, let tahap, let note):
            guard let n = try cleaned(note, field: "catatan") else {
                throw .invalid("catatan: alasan penyelesaian wajib diisi")
            }
            guard !conflicts.isEmpty else { throw .invalid("konflik: sebutkan konflik yang diselesaikan") }
            body = .settled(Settlement(conflicts: conflicts, status: status, tahap: tahap, note: n))
        }
        if let why = admissible(body, on: p) { throw refusal(why, p) }
        return body
    }

    private static func codes(_ kind: PTSPStatus.Kind) -> String {
        PTSPStatus.all.filter { $0.kind == kind }.map(\.code).joined(separator: ", ")
    }

    private static func refusal(_ why: String, _ p: Permohonan) -> SimpulError {
        let allowed = nextActions(p)
        let next =
            allowed.isEmpty
            ? "tidak ada langkah lagi (status \(p.status.label))"
            : "langkah yang boleh: " + allowed.map(\.description).joined(separator: "; ")
        return .invalid("\(why); \(next)")
    }

    /// The statuses a settlement may continue a permohonan of this service from: `diteruskan` only for
    /// a service the kecamatan forwards.
    public static func settlementStatuses(for layanan: Layanan) -> [Status] {
        Status.allCases.filter { $0 != .diteruskan || !layanan.isDelegated }
    }

    /// The steps a settlement may leave a permohonan of this service waiting at (status `diproses`): a
    /// forwarded service's file is only ever at the loket before forwarding or at handover after.
    public static func settlementTahap(for layanan: Layanan) -> [Tahap] {
        layanan.isDelegated ? Tahap.allCases.filter { $0 != .penerusan } : [.penerusan, .penyerahan]
    }

    /// Why the workflow cannot accept this event in this state, or nil when it can. The one rule
    /// set for local commands and for folding events that arrive from other replicas, so every
    /// replica sets aside exactly the same events.
    public static func admissible(_ body: EventBody, on p: Permohonan) -> String? {
        switch body {
        case .registered:
            return "permohonan \(p.number) sudah terdaftar"
        case .stepCompleted(let s):
            guard p.status == .diproses, let current = p.tahap else {
                return "permohonan \(p.number) berstatus \(p.status.label), tidak ada tahap yang menunggu"
            }
            guard s.tahap == current else {
                return
                    "tahap \(s.tahap.rawValue) tidak bisa sekarang: permohonan \(p.number) menunggu tahap \(current.rawValue)"
            }
            if current == .penerusan {
                return "layanan \(p.layanan.code) tidak didelegasikan ke kecamatan dan tidak diproses di sini"
            }
            if current == .penyerahan && p.outstanding > 0 {
                return "dokumen belum boleh diserahkan: retribusi belum lunas, sisa \(Rupiah.format(p.outstanding))"
            }
            if let next = s.next {
                guard current == .verifikasi, next == .cekLapangan, !p.layanan.fieldCheck else {
                    return
                        "permohonan \(p.number) tidak bisa dikirim ke \(next.rawValue) dari tahap \(current.rawValue): hanya dari verifikasi ke cek lapangan, untuk layanan yang tidak selalu dicek di lapangan"
                }
            }
            return nil
        case .forwarded:
            guard p.status == .diproses, p.tahap == .penerusan, p.layanan.forwardTo != nil else {
                return
                    "permohonan \(p.number) tidak bisa diteruskan: layanan \(p.layanan.code) selesai di kecamatan atau permohonan tidak lagi di loket"
            }
            return nil
        case .withdrawn:
            guard p.status == .diproses || p.status == .diteruskan else {
                return "permohonan \(p.number) tidak bisa ditarik: status \(p.status.label)"
            }
            guard p.paid == 0 else { return "permohonan \(p.number) tidak bisa ditarik: retribusi sudah dibayar" }
            return nil
        case .rejected(let r):
            guard p.status == .diproses, let current = p.tahap, current.mayReject, r.tahap == current else {
                return
                    "permohonan \(p.number) tidak bisa ditolak pada keadaan ini (ditolak hanya saat verifikasi, cek lapangan, validasi atau pengesahan)"
            }
            return nil
        case .returned(let r):
            guard p.status == .diproses, p.tahap == .verifikasi, r.tahap == .verifikasi else {
                return
                    "permohonan \(p.number) tidak bisa dikembalikan ke loket: hanya saat menunggu tahap verifikasi berkas"
            }
            return nil
        case .paymentReceived(let pay):
            guard p.status == .diproses, p.tahap == .penyerahan else {
                return
                    "pembayaran diterima saat dokumen siap diserahkan; permohonan \(p.number) belum di tahap penyerahan"
            }
            guard p.outstanding > 0 else {
                return "tidak ada retribusi yang harus dibayar untuk permohonan \(p.number)"
            }
            guard pay.amount > 0, pay.amount <= p.outstanding else {
                return "jumlah \(Rupiah.format(pay.amount)) melebihi sisa retribusi \(Rupiah.format(p.outstanding))"
            }
            return nil
        case .ptspProgress, .decided:
            guard p.status == .diteruskan else {
                return "permohonan \(p.number) tidak sedang diteruskan ke PTSP (status \(p.status.label))"
            }
            return nil
        case .settled(let st):
            switch st.status {
            case .diproses:
                guard let t = st.tahap else { return "status diproses butuh tahap yang menunggu (--tahap)" }
                let allowed = settlementTahap(for: p.layanan)
                guard allowed.contains(t) else {
                    return
                        "tahap \(t.rawValue) tidak berlaku untuk layanan \(p.layanan.code) (yang boleh: \(allowed.map(\.rawValue).joined(separator: ", ")))"
                }
            case .diteruskan:
                guard st.tahap == nil, !p.layanan.isDelegated else {
                    return "status diteruskan hanya untuk layanan yang diteruskan, tanpa tahap"
                }
            case .selesai, .ditarik, .ditolak:
                guard st.tahap == nil else { return "status \(st.status.rawValue) tidak punya tahap" }
            }
            return nil
        case .attached(let a) where a.isIssued:
            guard takesIssuedDocument(p) else {
                return
                    "dokumen terbit hanya untuk permohonan yang diteruskan dan disetujui PTSP; permohonan \(p.number) berstatus \(p.status.label)"
            }
            return nil
        case .attached(let a) where a.isLetter:
            guard p.status == .diproses, p.tahap == .operatorStep else {
                return
                    "surat dibuat pada tahap \(Tahap.operatorStep.label); permohonan \(p.number) \(p.tahap.map { "di tahap \($0.label)" } ?? "berstatus \(p.status.label)")"
            }
            return nil
        case .attached:
            guard !p.status.isClosed else {
                return
                    "permohonan \(p.number) sudah ditutup (status \(p.status.label)); lampiran tidak bisa ditambahkan"
            }
            return nil
        case .catalogPublished, .calendarPublished, .kasClosed, .kasDeposited, .skmRecorded, .complaintReceived,
            .complaintFollowedUp, .complaintClosed:
            return "event \(body.type) bukan milik permohonan"
        }
    }

    /// Whether the PTSP may attach the document it issued: a forwarded file it approved, before or
    /// after handover (a corrected document may follow one already printed).
    public static func takesIssuedDocument(_ p: Permohonan) -> Bool {
        p.forwardedTo != nil && p.ptspCode.flatMap(PTSPStatus.entry)?.kind == .approved
            && (p.status == .diproses || p.status == .selesai)
    }

    /// Checks a document the loket attaches and returns the event body to record: valid data, a
    /// requirement of the service when one is named, not attached already, and a permohonan that is
    /// still open.
    public static func attach(_ attachment: Attachment, on p: Permohonan) throws(SimpulError) -> EventBody {
        let a = try attachment.validated()
        if a.isIssued || a.isLetter, a.mediaType != "application/pdf" {
            throw .invalid("file: dokumen terbit dikirim sebagai PDF, bukan \(a.mediaType)")
        }
        if let code = a.syarat, !p.layanan.requirements.contains(where: { $0.code == code }) {
            throw .invalid(
                "syarat: '\(code)' bukan persyaratan layanan \(p.layanan.code) (yang ada: \(p.layanan.requirements.map(\.code).joined(separator: ", ")))"
            )
        }
        if let held = p.attachments.first(where: { $0.attachment.sha256 == a.sha256 }) {
            throw .invalid(
                "file: isi yang sama sudah dilampirkan pada permohonan \(p.number) sebagai \(held.attachment.name)")
        }
        let body = EventBody.attached(a)
        if let why = admissible(body, on: p) { throw refusal(why, p) }
        return body
    }

    /// Whether an event settles the outcome of a permohonan, so that two of them written without
    /// seeing each other are a conflict even when both happen to be acceptable in fold order.
    public static func isDecisive(_ body: EventBody) -> Bool {
        switch body {
        case .forwarded, .withdrawn, .rejected, .decided, .settled: true
        case .stepCompleted(let s): s.tahap == .penyerahan
        case .registered, .paymentReceived, .ptspProgress, .catalogPublished, .calendarPublished, .attached,
            .returned, .kasClosed, .kasDeposited, .skmRecorded, .complaintReceived, .complaintFollowedUp,
            .complaintClosed:
            false
        }
    }

    /// Checks an application at the loket and builds its registration: every requirement present,
    /// the fee computed from the form inputs, the due date counted in working days.
    public static func register(
        number: String, layanan: Layanan, catalogVersion: Int, pemohon: Pemohon, syarat: [String],
        isian: [String: String], acceptedOn: LocalDate, calendar: WorkingDayCalendar
    ) throws(SimpulError) -> Registration {
        var pemohon = pemohon
        guard let nama = try FreeText.clean(pemohon.nama, field: "nama", maxLength: 200) else {
            throw .invalid("nama: wajib diisi")
        }
        pemohon.nama = nama
        pemohon.alamat = try FreeText.clean(pemohon.alamat, field: "alamat")
        if let t = pemohon.telepon {
            guard t.range(of: "\\A\\+?[0-9]{8,15}\\z", options: .regularExpression) != nil else {
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
            guard key.range(of: "\\A[a-z][a-z0-9_]*\\z", options: .regularExpression) != nil else {
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
        try FreeText.clean(text, field: field)
    }

}
