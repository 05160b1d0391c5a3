import SimpulDomain
import SimpulStore

/// The monthly report as the command line prints it and as both the page and the command export it.
public enum LaporanText {
    /// Reads `2026-11`.
    public static func month(_ text: String) throws(SimpulError) -> (year: Int, month: Int) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
            (1...12).contains(m)
        else {
            throw SimpulError(.usage, "bulan: '\(FreeText.shown(String(text.prefix(20))))' harus YYYY-MM, mis. 2026-11")
        }
        return (y, m)
    }

    /// `2026-11`.
    public static func monthText(year: Int, month: Int) -> String { "\(year)-\(month < 10 ? "0" : "")\(month)" }

    public static let header = [
        "layanan", "diterima", "selesai", "selesai_tepat_waktu", "selesai_bertenggat", "ditarik", "ditolak",
        "diteruskan", "disetujui_penerima", "ditolak_penerima", "pembayaran", "retribusi", "responden_skm", "ikm",
        "mutu",
    ]

    public static func cells(_ r: MonthlyReport.Row) -> [String] {
        [
            r.layanan, String(r.received), String(r.finished), String(r.finishedOnTime), String(r.finishedWithDue),
            String(r.withdrawn), String(r.rejected), String(r.forwarded), String(r.approved), String(r.refused),
            String(r.payments), String(r.fees), String(r.ikm.respondents),
            r.ikm.hundredths.map(IKM.plain(hundredths:)) ?? "", r.ikm.grade?.rawValue ?? "",
        ]
    }

    /// The office's figures below the table: deposits and complaints.
    public static func summary(_ report: MonthlyReport) -> [(key: String, label: String, value: String)] {
        let c = report.complaints
        return [
            ("retribusi_disetor", "Retribusi disetor ke kas daerah", String(report.deposited)),
            ("pengaduan_diterima", "Pengaduan diterima", String(c.received)),
            ("pengaduan_ditindaklanjuti", "Tindak lanjut pengaduan", String(c.followedUp)),
            ("pengaduan_ditutup", "Pengaduan ditutup", String(c.closed)),
            ("pengaduan_terbuka", "Pengaduan masih terbuka (akhir bulan)", String(c.open)),
            ("pengaduan_terlambat", "Pengaduan terlambat (akhir bulan)", String(c.late)),
        ]
    }

    /// "79,17 (B, Baik) dari 12 responden", or "-" without responses.
    public static func ikm(_ ikm: IKM) -> String {
        guard let h = ikm.hundredths, let grade = ikm.grade else { return "-" }
        return "\(IKM.decimal(hundredths: h)) (\(grade.rawValue), \(grade.label)) dari \(ikm.respondents) responden"
    }

    /// UTF-8 with a byte order mark so a spreadsheet reads it right; fees as plain rupiah so they add up.
    public static func csv(_ report: MonthlyReport) -> String {
        var out = "\u{FEFF}" + header.joined(separator: ",") + "\r\n"
        for r in report.rows + [report.total] { out += cells(r).map(CSV.cell).joined(separator: ",") + "\r\n" }
        // The office's figures as a second small table after an empty line, so the first stays a table.
        out += "\r\nringkasan,nilai\r\n"
        for s in summary(report) { out += "\(s.key),\(s.value)\r\n" }
        return out
    }

    /// "7 dari 9 (78%)", or "-" when nothing with a due date was handed over.
    public static func onTime(_ r: MonthlyReport.Row) -> String {
        guard r.finishedWithDue > 0 else { return "-" }
        return "\(r.finishedOnTime) dari \(r.finishedWithDue) (\(r.finishedOnTime * 100 / r.finishedWithDue)%)"
    }

    public static func text(_ report: MonthlyReport, office: String) -> String {
        var lines = ["Laporan bulanan PATEN \(office), \(report.monthText)", ""]
        if report.rows.isEmpty { lines.append("Tidak ada kegiatan pada bulan ini.") }
        for r in report.rows + (report.rows.isEmpty ? [] : [report.total]) {
            lines.append(
                "\(r.layanan): diterima \(r.received), selesai \(r.finished) (tepat waktu \(onTime(r))), "
                    + "ditarik \(r.withdrawn), ditolak \(r.rejected), diteruskan \(r.forwarded), "
                    + "keputusan penerima \(r.approved) setuju / \(r.refused) tolak, "
                    + "retribusi \(Rupiah.format(r.fees)) (\(r.payments) kuitansi), IKM \(ikm(r.ikm))")
        }
        let c = report.complaints
        lines += [
            "",
            "Retribusi disetor ke kas daerah: \(Rupiah.format(report.deposited))",
            "Pengaduan: diterima \(c.received), ditindaklanjuti \(c.followedUp), ditutup \(c.closed); "
                + "pada akhir bulan masih terbuka \(c.open), terlambat \(c.late)",
        ]
        return lines.joined(separator: "\n")
    }
}
