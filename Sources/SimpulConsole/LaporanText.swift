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
        "diteruskan", "disetujui_penerima", "ditolak_penerima", "pembayaran", "retribusi",
    ]

    public static func cells(_ r: MonthlyReport.Row) -> [String] {
        [
            r.layanan, String(r.received), String(r.finished), String(r.finishedOnTime), String(r.finishedWithDue),
            String(r.withdrawn), String(r.rejected), String(r.forwarded), String(r.approved), String(r.refused),
            String(r.payments), String(r.fees),
        ]
    }

    /// UTF-8 with a byte order mark so a spreadsheet reads it right; fees as plain rupiah so they add up.
    public static func csv(_ report: MonthlyReport) -> String {
        var out = "\u{FEFF}" + header.joined(separator: ",") + "\r\n"
        for r in report.rows + [report.total] { out += cells(r).map(CSV.cell).joined(separator: ",") + "\r\n" }
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
                    + "retribusi \(Rupiah.format(r.fees)) (\(r.payments) kuitansi)")
        }
        return lines.joined(separator: "\n")
    }
}
