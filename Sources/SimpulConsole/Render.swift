import SimpulDomain
import SimpulStore

/// The JSON shape of a permohonan (documented in the README).
public struct PermohonanView: Encodable {
    struct LayananRef: Encodable {
        var code, name: String
        var version: Int
    }
    var number: String
    var layanan: LayananRef
    var catalogVersion: Int
    var status: String
    var statusLabel: String
    var tahap: String?
    var tahapLabel: String?
    var pemohon: Pemohon
    var syarat: [String]
    var isian: [String: String]
    var fee: Int64?
    var paid: Int64
    var outstanding: Int64
    var acceptedOn: LocalDate
    var dueOn: LocalDate?
    var workingDaysLeft: Int?
    var registeredAt: Timestamp
    var updatedAt: Timestamp
    var forwardedTo: String?
    var ptspCode: String?
    var ptspLabel: String?
    var closingReason: String?
    var receipts: [String]
    var attachments: [AttachmentView]
    var next: [String]

    /// One attached document, with what the store that shows it holds of its bytes.
    struct AttachmentView: Encodable {
        var name: String
        var sha256: String
        var size: Int64
        var mediaType: String
        var syarat: String?
        /// The number of the document the PTSP issued, on the one the hub attached.
        var issuedNumber: String?
        /// The nomor surat of a letter the kecamatan made at the operator step.
        var letterNumber: String?
        var attachedBy: String
        /// Bytes of the blob this store holds.
        var received: Int64
        var complete: Bool
        /// At a kecamatan: whether the hub said it holds the blob complete; absent at the hub.
        var atHub: Bool?
    }

    /// - Parameter blobs: what the store holds of each attachment's blob, by SHA-256.
    public init(
        _ p: Permohonan, today: LocalDate, calendar: WorkingDayCalendar, blobs: [String: StoredBlob] = [:],
        isHub: Bool = false
    ) {
        number = p.number
        layanan = LayananRef(code: p.layanan.code, name: p.layanan.name, version: p.layanan.version)
        catalogVersion = p.catalogVersion
        status = p.status.rawValue
        statusLabel = Render.statusLabel(p)
        tahap = p.tahap?.rawValue
        tahapLabel = p.tahap?.label
        pemohon = p.pemohon
        syarat = p.syarat
        isian = p.isian
        fee = p.fee
        paid = p.paid
        outstanding = p.outstanding
        acceptedOn = p.acceptedOn
        dueOn = p.dueOn
        workingDaysLeft = p.status.isClosed ? nil : p.dueOn.map { calendar.workingDaysLeft(from: today, until: $0) }
        registeredAt = p.registeredAt
        updatedAt = p.updatedAt
        forwardedTo = p.forwardedTo
        ptspCode = p.ptspCode
        ptspLabel = p.ptspCode.map(PTSPStatus.label)
        closingReason = p.closingReason
        receipts = p.receipts
        attachments = p.attachments.map { f in
            let blob = blobs[f.attachment.sha256]
            return AttachmentView(
                name: f.attachment.name, sha256: f.attachment.sha256, size: f.attachment.size,
                mediaType: f.attachment.mediaType, syarat: f.attachment.syarat,
                issuedNumber: f.attachment.issuedNumber, letterNumber: f.attachment.letterNumber,
                attachedBy: f.dot.node,
                received: blob?.received ?? 0, complete: blob?.complete ?? false,
                atHub: isHub ? nil : (blob?.atHub ?? false))
        }
        next = Workflow.nextActions(p).map(\.description)
    }
}

/// Text for officers, in Bahasa Indonesia.
public enum Render {
    public static func statusLabel(_ p: Permohonan) -> String {
        p.status == .diteruskan ? "Diteruskan ke \(p.forwardedTo ?? "PTSP")" : p.status.label
    }

    public static func feeText(_ p: Permohonan) -> String {
        guard let fee = p.fee else { return "ditetapkan PTSP" }
        if fee == 0 { return "Gratis (Rp 0)" }
        let state = p.outstanding == 0 ? "lunas" : "sisa \(Rupiah.format(p.outstanding))"
        return "\(Rupiah.format(fee)) (\(state))"
    }

    public static func dueText(_ p: Permohonan, today: LocalDate, calendar: WorkingDayCalendar) -> String {
        guard let due = p.dueOn else { return "ditetapkan \(p.layanan.forwardTo ?? "PTSP")" }
        var text = due.indonesian
        if p.clockStoppedAt != nil, !p.status.isClosed {
            text += " (jam layanan berhenti, menunggu pemohon; tanggal ini bergeser saat berjalan lagi)"
        } else if !p.status.isClosed {
            let left = calendar.workingDaysLeft(from: today, until: due)
            // Over a weekend after a Friday due date no working day has passed, but it is late all the same.
            if today > due {
                text += left < 0 ? " (TERLAMBAT \(-left) hari kerja)" : " (TERLAMBAT, jatuh tempo sudah lewat)"
            } else {
                text += left > 0 ? " (\(left) hari kerja lagi)" : " (hari ini)"
            }
        }
        if !calendar.covers(from: p.acceptedOn, to: due) {
            text += " [peringatan: kalender libur \(due.year) belum dimuat]"
        }
        return text
    }

    public static func lines(
        _ p: Permohonan, store: any PermohonanReader, today: LocalDate, calendar: WorkingDayCalendar
    ) -> [String] {
        let offset = store.info.zona.offsetMinutes
        let ptsp = p.ptspCode.map { ", PTSP: \(PTSPStatus.label($0))" } ?? ""
        var out = [
            "Nomor pendaftaran : \(p.number)",
            "Layanan           : \(p.layanan.code) - \(p.layanan.name) (versi \(p.layanan.version))",
            "Pemohon           : \(p.pemohon.nama), NIK \(p.pemohon.nik.masked)",
            "Diterima          : \(p.acceptedOn.indonesian) pukul \(p.registeredAt.localText(offsetMinutes: offset).suffix(5)) \(store.info.zona.rawValue)",
            "Selesai paling lambat: \(dueText(p, today: today, calendar: calendar))",
            "Retribusi         : \(feeText(p))",
            "Status            : \(statusLabel(p))\(ptsp)"
                + (p.tahap.map { ", menunggu tahap \($0.label) (\($0.role))" } ?? ""),
        ]
        if let reason = p.closingReason { out.append("Alasan            : \(reason)") }
        if !p.receipts.isEmpty { out.append("Kuitansi          : \(p.receipts.joined(separator: ", "))") }
        for (i, f) in p.attachments.enumerated() {
            let blob = try? store.blob(f.attachment.sha256)
            out.append(
                (i == 0 ? "Lampiran          : " : "                    ")
                    + attachmentText(f.attachment, blob: blob ?? nil, isHub: store.info.node.isHub))
        }
        let next = Workflow.nextActions(p)
        if !next.isEmpty { out.append("Langkah berikutnya: " + next.map(\.description).joined(separator: "; ")) }
        // One line each: a line break in a name or reason from another node must not forge a line.
        return out.map { FreeText.shown($0) }
    }

    /// `ktp.pdf (240 KB, sha256 1a2b3c4d5e6f, syarat ktp) - sudah di hub`.
    public static func attachmentText(_ a: Attachment, blob: StoredBlob?, isHub: Bool) -> String {
        let state: String
        switch (blob, isHub) {
        case (let b?, true) where b.complete: state = "lengkap di hub"
        case (let b?, true):
            state = "baru \(Attachment.sizeText(b.received)) dari \(Attachment.sizeText(b.size)) diterima"
        case (nil, true): state = "belum diterima hub"
        case (let b?, false) where b.complete && a.isIssued: state = "dari PTSP, siap dicetak"
        case (_, false) where a.isIssued: state = "dari PTSP, isinya belum terunduh dari hub"
        case (let b?, false) where b.complete && b.atHub: state = "sudah di hub"
        case (let b?, false) where b.complete: state = "belum terkirim ke hub"
        case (let b?, false):
            state = "baru \(Attachment.sizeText(b.received)) dari \(Attachment.sizeText(b.size)) ada di node ini"
        case (nil, false): state = "isi file tidak ada di node ini"
        }
        return FreeText.shown("\(attachmentLabel(a)) - \(state)")
    }

    /// `ktp.pdf (240 KB, sha256 1a2b3c4d5e6f, syarat ktp)`.
    public static func attachmentLabel(_ a: Attachment) -> String {
        (a.issuedNumber.map { "Dokumen terbit PTSP nomor \($0): " } ?? "")
            + (a.letterNumber.map { "Surat nomor \($0): " } ?? "")
            + "\(a.name) (\(Attachment.sizeText(a.size)), sha256 \(a.sha256.prefix(12))"
            + (a.syarat.map { ", syarat \($0)" } ?? "") + ")"
    }

    public static func eventLine(_ e: Event, offset: Int) -> String {
        FreeText.shown(
            "\(e.at.localText(offsetMinutes: offset))  \(e.officer) (\(e.role))  \(eventText(e))  [\(e.dot)]")
    }

    /// What an event did, in one line of Bahasa Indonesia (not yet made safe to show).
    public static func eventText(_ e: Event) -> String {
        let what: String
        switch e.body {
        case .registered(let r):
            what =
                "Permohonan diterima di loket: \(r.layanan.code), persyaratan lengkap (\(r.syarat.joined(separator: ", ")))"
                + (r.fee.map { ", retribusi \(Rupiah.format($0))" } ?? "")
        case .stepCompleted(let s):
            what =
                (s.tahap == .penyerahan ? "Dokumen diserahkan kepada pemohon" : "Tahap \(s.tahap.label) selesai")
                + (s.next.map { ", dikirim ke \($0.label.lowercased())" } ?? "") + (s.note.map { ": \($0)" } ?? "")
        case .forwarded(let f): what = "Berkas diteruskan ke \(f.to)" + (f.note.map { ": \($0)" } ?? "")
        case .withdrawn(let c): what = "Permohonan ditarik pemohon: \(c.reason)"
        case .rejected(let r): what = "Permohonan ditolak pada tahap \(r.tahap.label): \(r.reason)"
        case .returned(let r): what = "Berkas dikembalikan ke loket, belum lengkap: \(r.note)"
        case .paymentReceived(let p): what = "Retribusi \(Rupiah.format(p.amount)) diterima, kuitansi \(p.receipt)"
        case .ptspProgress(let pr):
            what = "Proses PTSP: \(PTSPStatus.label(pr.code))" + (pr.note.map { ": \($0)" } ?? "")
        case .decided(let d):
            what =
                "Keputusan PTSP: \(PTSPStatus.label(d.code))" + (d.fee.map { ", retribusi \(Rupiah.format($0))" } ?? "")
                + (d.note.map { ": \($0)" } ?? "")
        case .settled(let s):
            what =
                "Konflik diselesaikan (\(s.conflicts.joined(separator: ", "))): lanjut dengan status \(s.status.label)"
                + (s.tahap.map { ", tahap \($0.label)" } ?? "") + ": \(s.note)"
        case .catalogPublished(let c): what = "Katalog layanan versi \(c.version) diterbitkan"
        case .calendarPublished(let c):
            what = "Kalender libur \(c.years.map(String.init).joined(separator: ", ")) diterbitkan"
        case .attached(let a): what = a.isIssued ? attachmentLabel(a) : "Lampiran \(attachmentLabel(a))"
        case .kasClosed(let c):
            what =
                "Kas \(c.day) ditutup: \(c.receipts) kuitansi, \(Rupiah.format(c.total))"
                + (c.firstReceipt.map { " (\($0) s.d. \(c.lastReceipt ?? $0))" } ?? "")
        case .kasDeposited(let d):
            what =
                "Setoran \(Rupiah.format(d.amount)) ke kas daerah, bukti \(d.reference)"
                + (d.note.map { ": \($0)" } ?? "")
        case .skmRecorded(let r):
            what = "Survei kepuasan \(r.month) (\(r.channel == .tablet ? "tablet" : "kertas")), layanan \(r.layanan)"
        case .complaintReceived(let c):
            what = "Pengaduan diterima (\(c.channel.label)): \(c.text)"
        case .complaintFollowedUp(let n): what = "Pengaduan ditindaklanjuti: \(n.note)"
        case .complaintClosed(let n): what = "Pengaduan ditutup: \(n.note)"
        }
        return what
    }
}
