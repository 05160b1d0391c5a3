import ArgumentParser
import SimpulConsole
import SimpulDomain
import SimpulStore

struct LaporanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "laporan",
        abstract:
            "Laporan bulanan untuk Camat: per layanan diterima, selesai (dan tepat waktu), ditarik, ditolak, diteruskan, diputus, retribusi, IKM; setoran dan pengaduan."
    )
    @OptionGroup var store: StoreOptions
    @Option(help: "Bulan laporan, YYYY-MM (mis. 2026-11).") var bulan: String
    @Flag(help: "Cetak sebagai CSV.") var csv = false

    func run() throws {
        try execute { () throws(SimpulError) in
            let (year, month) = try LaporanText.month(bulan)
            let s = try store.open()
            let report = try s.monthlyReport(year: year, month: month)
            if store.json {
                struct Row: Encodable {
                    var layanan: String
                    var received, finished, finishedOnTime, finishedWithDue, withdrawn, rejected, forwarded: Int
                    var approved, refused, payments: Int
                    var fees: Int64
                    var skmRespondents: Int
                    var ikm: String?
                    var ikmGrade: String?
                    init(_ r: MonthlyReport.Row) {
                        layanan = r.layanan
                        received = r.received
                        finished = r.finished
                        finishedOnTime = r.finishedOnTime
                        finishedWithDue = r.finishedWithDue
                        withdrawn = r.withdrawn
                        rejected = r.rejected
                        forwarded = r.forwarded
                        approved = r.approved
                        refused = r.refused
                        payments = r.payments
                        fees = r.fees
                        skmRespondents = r.ikm.respondents
                        ikm = r.ikm.hundredths.map(IKM.plain(hundredths:))
                        ikmGrade = r.ikm.grade?.rawValue
                    }
                }
                struct Complaints: Encodable {
                    var received, followedUp, closed, open, late: Int
                }
                struct Report: Encodable {
                    var bulan: String
                    var rows: [Row]
                    var total: Row
                    var deposited: Int64
                    var complaints: Complaints
                }
                let c = report.complaints
                return try Console.printJSON(
                    Report(
                        bulan: report.monthText, rows: report.rows.map(Row.init), total: Row(report.total),
                        deposited: report.deposited,
                        complaints: Complaints(
                            received: c.received, followedUp: c.followedUp, closed: c.closed, open: c.open, late: c.late
                        )))
            }
            // The console keeps line feeds and escapes every other control character, so on a terminal or
            // in a pipe the CSV's lines end with a line feed alone.
            if csv {
                return print(LaporanText.csv(report).replacingOccurrences(of: "\r\n", with: "\n"), terminator: "")
            }
            print(LaporanText.text(report, office: s.info.name))
        }
    }
}
