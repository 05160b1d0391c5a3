import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

/// One row of the forwarded files' queue.
struct FileRow {
    var number, kecamatan, layanan, nama, nik, status, code, accepted, dueDate, dueLevel, dueText: String

    init(_ p: Permohonan, today: LocalDate, calendar: WorkingDayCalendar, kecamatan name: String?) {
        number = p.number
        kecamatan = name.map { FreeText.shown($0) } ?? p.partition
        layanan = "\(p.layanan.code) - \(p.layanan.name)"
        nama = FreeText.shown(p.pemohon.nama)
        nik = p.pemohon.nik.masked
        status = Render.statusLabel(p)
        code = p.ptspCode.map(PTSPStatus.label) ?? "belum ada kode"
        accepted = p.acceptedOn.shortIndonesian
        dueDate = p.dueOn?.shortIndonesian ?? "-"
        let due = DueState(p, today: today, calendar: calendar)
        dueLevel = due.level.rawValue
        dueText = due.text
    }
}

/// What the file page shows, and the actions the account's roles allow on the file's state.
struct FileView {
    struct Fact {
        var key, value: String
    }
    struct Requirement {
        var code, name: String
        var scanned: Bool
    }
    struct Scan {
        var sha, name, label, state: String
        var complete, isImage, isPDF, isDownload: Bool
    }
    struct Entry {
        var when, officer, role, what, dot: String
    }

    var csrf: String
    var number, layananCode, layananName, kecamatan: String
    var nama, nik: String
    var alamat, telepon: String?
    var accepted, dueDate, dueLevel, dueText, status: String
    var ptspCode: String?
    var fee: String
    var receipts: String?
    var reason: String?
    var isian: [Fact]
    var hasIsian: Bool
    var syarat: [Requirement]
    var scans: [Scan]
    var history: [Entry]
    /// The progress form, for an account holding `petugas` on a file waiting at the PTSP.
    var canProgress: Bool
    var progressCodes: [Choice]
    /// The decision form, for an account holding `pengambil-keputusan`.
    var canDecide: Bool
    var decisionCodes: [Choice]
    /// Whether the decision sets the fee (the service's fee is set by the PTSP).
    var feeSetHere: Bool
    var noActionText: String?
    /// Said when the file has open conflicts, with a link to them.
    var conflictNotice: String? = nil
    /// The document the PTSP issued, once attached.
    var issued: IssuedDocumentView?
    /// The file was approved, so an issued document belongs on it.
    var issuedDue: Bool
    /// The upload form for the issued document, for an account holding `petugas`.
    var canIssue: Bool

    init(
        _ p: Permohonan, history events: [Event], blobs: [String: StoredBlob], session: StaffSession,
        today: LocalDate, calendar: WorkingDayCalendar, zona: Zona, kecamatan name: String?
    ) {
        let account = session.account
        csrf = session.csrf
        number = p.number
        layananCode = p.layanan.code
        layananName = p.layanan.name
        kecamatan = "\(p.partition) \(name.map { FreeText.shown($0) } ?? "")"
        nama = FreeText.shown(p.pemohon.nama)
        nik = p.pemohon.nik.masked
        alamat = p.pemohon.alamat.map { FreeText.shown($0) }
        telepon = p.pemohon.telepon.map { FreeText.shown($0) }
        accepted = WebPage.moment(p.registeredAt, zona: zona)
        dueDate = p.dueOn?.indonesian ?? "-"
        let due = DueState(p, today: today, calendar: calendar)
        dueLevel = due.level.rawValue
        dueText = due.text
        status = Render.statusLabel(p)
        ptspCode = p.ptspCode.map(PTSPStatus.label)
        fee = Render.feeText(p)
        receipts = p.receipts.isEmpty ? nil : p.receipts.joined(separator: ", ")
        reason = p.closingReason.map { FreeText.shown($0) }
        isian = p.isian.sorted { $0.key < $1.key }.map {
            Fact(key: FreeText.shown($0.key), value: FreeText.shown($0.value))
        }
        hasIsian = !isian.isEmpty
        let scanned = Set(p.attachments.compactMap(\.attachment.syarat))
        syarat = p.layanan.requirements.map {
            Requirement(code: $0.code, name: $0.name, scanned: scanned.contains($0.code))
        }
        issued = IssuedDocumentView(p, blobs: blobs, events: events, zona: zona)
        issuedDue = Workflow.takesIssuedDocument(p)
        canIssue = issuedDue && account.holds(.petugas)
        scans = p.attachments.filter { !$0.attachment.isIssued }.map { f in
            let a = f.attachment
            let blob = blobs[a.sha256]
            let label = FreeText.shown(Render.attachmentLabel(a))
            return Scan(
                sha: a.sha256, name: FreeText.shown(a.name), label: label,
                state: FreeText.shown(Render.attachmentText(a, blob: blob, isHub: true))
                    .replacingOccurrences(of: label + " - ", with: ""),
                complete: blob?.complete ?? false, isImage: ScanResponse.display(a.mediaType) == .image,
                isPDF: ScanResponse.display(a.mediaType) == .pdf,
                isDownload: ScanResponse.display(a.mediaType) == .download)
        }
        history = events.map { e in
            Entry(
                when: WebPage.moment(e.at, zona: zona), officer: FreeText.shown(e.officer),
                role: FreeText.shown(e.role), what: FreeText.shown(Render.eventText(e)), dot: "\(e.dot)")
        }
        let waiting = p.status == .diteruskan
        canProgress = waiting && account.holds(.petugas)
        canDecide = waiting && account.holds(.pengambilKeputusan)
        progressCodes = PTSPStatus.all.filter { $0.kind == .progress }.map {
            Choice(value: $0.code, label: PTSPStatus.label($0.code), selected: false)
        }
        decisionCodes = PTSPStatus.all.filter { $0.kind != .progress }.map {
            Choice(
                value: $0.code,
                label: "\(PTSPStatus.label($0.code)) (\($0.kind == .approved ? "menyetujui" : "menolak"))",
                selected: false)
        }
        if case .setByPTSP = p.layanan.fee { feeSetHere = true } else { feeSetHere = false }
        if !waiting {
            noActionText =
                p.status.isClosed
                ? "Permohonan ini sudah \(Render.statusLabel(p).lowercased()); tidak ada tindakan lagi."
                : p.forwardedTo != nil
                    ? "Keputusan PTSP sudah dicatat; berkas kembali ke loket kecamatan untuk pembayaran dan penyerahan."
                        + (canIssue && issued == nil ? " Unggah dokumen terbitnya di bawah." : "")
                    : "Permohonan ini belum diteruskan ke PTSP; masih diproses di kecamatan."
        } else if !canProgress && !canDecide {
            noActionText =
                account.holds(.pimpinan)
                ? "Hanya baca: peran \(StaffRole.pimpinan.label) melihat berkas tanpa mencatat langkah."
                : "Akun Anda tidak memegang peran \(StaffRole.petugas.label) atau \(StaffRole.pengambilKeputusan.label)."
        }
    }
}
