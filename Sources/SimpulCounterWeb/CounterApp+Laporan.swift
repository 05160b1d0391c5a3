import Foundation
import Hummingbird
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

/// The Camat's monthly report, printable on A4 and as CSV.
extension CounterApp {
    func laporanPage(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let report: MonthlyReport
        switch await monthlyReport(request) {
        case .success(let r): report = r
        case .failure(let error):
            return await message(
                "Bulan tidak sah", error.message, session: session, status: .unprocessableContent,
                back: "/laporan", backLabel: "Laporan bulan ini")
        }
        struct Row {
            var layanan, received, finished, onTime, withdrawn, rejected, forwarded, decided, fees, ikm: String
        }
        struct Fact {
            var label, value: String
        }
        struct View {
            var office, month, monthISO, printed, previous, next, csv: String
            var rows: [Row]
            var hasRows: Bool
            var total: Row
            var ikmOverall: String
            var officeFacts: [Fact]
        }
        let names = Dictionary(
            uniqueKeysWithValues: ((try? await blocking { () throws(SimpulError) in try self.store.catalog() })?
                .services ?? []).map { ($0.code, $0.name) })
        func row(_ r: MonthlyReport.Row) -> Row {
            Row(
                layanan: names[r.layanan].map { "\($0) (\(r.layanan))" } ?? r.layanan, received: "\(r.received)",
                finished: "\(r.finished)", onTime: LaporanText.onTime(r), withdrawn: "\(r.withdrawn)",
                rejected: "\(r.rejected)", forwarded: "\(r.forwarded)", decided: "\(r.approved) / \(r.refused)",
                fees: "\(Rupiah.format(r.fees)) (\(r.payments) kuitansi)", ikm: LaporanText.ikm(r.ikm))
        }
        let first = LocalDate(year: report.year, month: report.month, day: 1) ?? today()
        let before = first.adding(days: -1)
        let after = first.adding(days: LocalDate.daysInMonth(year: report.year, month: report.month))
        func iso(_ d: LocalDate) -> String { "\(d.year)-\(d.month < 10 ? "0" : "")\(d.month)" }
        let months = [
            "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
            "November", "Desember",
        ]
        let view = View(
            office: store.info.name, month: "\(months[report.month - 1]) \(report.year)".uppercased(),
            monthISO: report.monthText,
            printed: WebPage.moment(now(), zona: zona), previous: "/laporan?bulan=\(iso(before))",
            next: "/laporan?bulan=\(iso(after))", csv: "/laporan.csv?bulan=\(report.monthText)",
            rows: report.rows.map(row), hasRows: !report.rows.isEmpty, total: row(report.total),
            ikmOverall: LaporanText.ikm(report.total.ikm),
            officeFacts: LaporanText.summary(report).map {
                Fact(label: $0.label, value: $0.key == "retribusi_disetor" ? Rupiah.format(report.deposited) : $0.value)
            })
        logger.info(
            "monthly report read",
            metadata: ["month": "\(report.monthText)", "username": "\(session.account.username)"])
        return WebPage.html(printRenderer.render("laporan", view))
    }

    func laporanCSV(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let report: MonthlyReport
        switch await monthlyReport(request) {
        case .success(let r): report = r
        case .failure(let error):
            return await message("Bulan tidak sah", error.message, session: session, status: .unprocessableContent)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"laporan-paten-\(report.monthText).csv\""
        WebPage.secure(&headers)
        return Response(
            status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: LaporanText.csv(report))))
    }

    /// The month asked for (`?bulan=YYYY-MM`), this month by default.
    private func monthlyReport(_ request: Request) async -> Result<MonthlyReport, SimpulError> {
        let today = self.today()
        let store = self.store
        do throws(SimpulError) {
            let (year, month) =
                try request.uri.queryParameters.get("bulan").map { (text) throws(SimpulError) in
                    try LaporanText.month(String(text.prefix(20)))
                } ?? (today.year, today.month)
            return .success(
                try await blocking { () throws(SimpulError) in try store.monthlyReport(year: year, month: month) })
        } catch {
            return .failure(error)
        }
    }
}
