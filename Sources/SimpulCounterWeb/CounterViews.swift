import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

/// One row of a queue or a search result.
struct PermohonanRow {
    var number: String
    var layanan: String
    var nama: String
    var nik: String
    var status: String
    var waiting: String
    var accepted: String
    var dueDate: String
    var dueLevel: String
    var dueText: String
    var fee: String
    var flag: String?
    /// `warn` when the flag asks for work (an incomplete file), empty for news.
    var flagKind = ""

    init(_ p: Permohonan, today: LocalDate, calendar: WorkingDayCalendar) {
        number = p.number
        layanan = "\(p.layanan.code) - \(p.layanan.name)"
        nama = FreeText.shown(p.pemohon.nama)
        nik = p.pemohon.nik.masked
        status = Render.statusLabel(p)
        waiting = p.tahap.map { "\($0.label) (\(OfficerRole.taking($0).label))" } ?? Render.statusLabel(p)
        if p.outstanding > 0 && p.status != .ditarik && p.status != .ditolak {
            waiting += ", belum bayar \(Rupiah.format(p.outstanding))"
        }
        accepted = p.acceptedOn.shortIndonesian
        dueDate = p.dueOn?.shortIndonesian ?? "-"
        let due = DueState(p, today: today, calendar: calendar)
        dueLevel = due.level.rawValue
        dueText = due.text
        fee = p.fee.map { $0 == 0 ? "Gratis" : Rupiah.format($0) } ?? "ditetapkan PTSP"
        // A decision that came back from the PTSP is what the penyerahan desk waits for.
        if p.forwardedTo != nil && p.tahap == .penyerahan {
            flag =
                p.issuedDocument == nil
                ? "keputusan PTSP sudah tiba" : "keputusan PTSP sudah tiba, dengan dokumen terbit"
        } else if p.tahap == .kelengkapan {
            flag = "perlu dilengkapi"
            flagKind = "warn"
        } else if p.status == .diteruskan && p.ptspCode == NodeStore.incompleteCode {
            waiting = "Kelengkapan berkas diminta \(p.forwardedTo ?? "PTSP") (Petugas Loket)"
            flag = "perlu dilengkapi"
            flagKind = "warn"
        } else if p.status == .diteruskan, let code = p.ptspCode {
            flag = "PTSP: \(PTSPStatus.label(code))"
        }
    }
}

/// Looked up by name: a queue page has up to 200 rows, and reflecting each row for each of its
/// names was most of the page's time (`simpul-bench web`).
extension PermohonanRow: TemplateValues {
    func child(named name: String) -> Any? {
        switch name {
        case "number": number
        case "layanan": layanan
        case "nama": nama
        case "nik": nik
        case "status": status
        case "waiting": waiting
        case "accepted": accepted
        case "dueDate": dueDate
        case "dueLevel": dueLevel
        case "dueText": dueText
        case "fee": fee
        case "flag": flag
        case "flagKind": flagKind
        default: nil
        }
    }
}

struct NavItem {
    var href: String
    var label: String
    var current: Bool
    var count: Int
    /// Stored, not computed: templates see stored properties only.
    var hasCount: Bool

    init(href: String, label: String, current: Bool, count: Int) {
        self.href = href
        self.label = label
        self.current = current
        self.count = count
        hasCount = count > 0
    }
}

struct StatusStrip {
    var linkUp: Bool
    var linkText: String
    /// `down` in red when the hub is not reached; plain for a node that has no hub.
    var linkClass: String
    var lastSync: String
    var pending: Int
    var conflicts: Int
    var canSync: Bool
}
