import Hummingbird
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

/// The public's view of the kecamatan counters as it reached the hub: each kecamatan's IKM for a
/// month from the anonymous survey responses, and its complaints, open and late ones first.
extension BackOfficeApp {
    func kepuasanPage(request: Request, context: BackOfficeContext) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let today = self.today()
        let store = self.store
        let year: Int
        let month: Int
        do throws(SimpulError) {
            (year, month) =
                try request.uri.queryParameters.get("bulan").map { (text) throws(SimpulError) in
                    try LaporanText.month(String(text.prefix(20)))
                } ?? (today.year, today.month)
        } catch {
            return await message(
                "Bulan tidak sah", error.message, session: session, status: .unprocessableContent, back: "/kepuasan",
                backLabel: "Bulan ini")
        }
        let loaded: (IKMReport, [String: ComplaintSummary], [Complaint])
        do {
            loaded = try await blocking { () throws(SimpulError) in
                (
                    try store.ikm(year: year, month: month),
                    try store.complaintSummary(year: year, month: month),
                    try store.complaints(openOnly: true)
                )
            }
        } catch {
            return await message(
                "Bulan tidak sah", error.message, session: session, status: .unprocessableContent, back: "/kepuasan",
                backLabel: "Bulan ini")
        }
        let (ikm, summaries, open) = loaded
        let partitions = Array(Set(Array(ikm.perPartition.keys) + Array(summaries.keys) + open.map(\.partition)))
            .sorted()
        let names = try await blocking { () throws(SimpulError) in try self.kecamatanNames(partitions) }
        func name(_ partition: String) -> String {
            names[partition].map { "\(FreeText.shown($0)) (\(partition))" } ?? partition
        }
        struct Row {
            var kecamatan, respondents, ikm, grade, gradeKind: String
            var received, closed, open, late: Int
            var lateKind: String
        }
        struct OpenRow {
            var record, kecamatan, received, channel, layanan, text, respondBy, closeBy, state, stateKind,
                rowKind: String
        }
        struct View {
            var month, previous, next: String
            var rows: [Row]
            var hasRows: Bool
            var overall: String
            var open: [OpenRow]
            var hasOpen: Bool
            var lateText: String?
        }
        func gradeKind(_ g: SKM.Grade?) -> String {
            switch g {
            case .a?, .b?: "hijau"
            case .c?: "kuning"
            case .d?: "merah"
            case nil: "netral"
            }
        }
        let rows = partitions.map { p -> Row in
            let i = ikm.perPartition[p] ?? IKM()
            let s = summaries[p] ?? ComplaintSummary()
            return Row(
                kecamatan: name(p), respondents: "\(i.respondents)",
                ikm: i.hundredths.map(IKM.decimal(hundredths:)) ?? "-",
                grade: i.grade.map { "\($0.rawValue) \($0.label)" } ?? "belum ada survei",
                gradeKind: gradeKind(i.grade),
                received: s.received, closed: s.closed, open: s.open, late: s.late,
                lateKind: s.late > 0 ? "merah" : "hijau")
        }
        let offset = zona.offsetMinutes
        let openRows = open.map { c -> OpenRow in
            let standing = c.standing(on: today, offsetMinutes: offset)
            let state =
                standing.lateResponse
                ? "Terlambat: belum ditanggapi" : standing.lateClosing ? "Terlambat: belum selesai" : "Terbuka"
            return OpenRow(
                record: c.record, kecamatan: name(c.partition), received: c.received.receivedOn.indonesian,
                channel: c.received.channel.label, layanan: c.received.layanan ?? "-",
                text: FreeText.shown(c.received.text), respondBy: c.received.respondBy.indonesian,
                closeBy: c.received.closeBy.indonesian, state: state, stateKind: standing.late ? "merah" : "kuning",
                rowKind: standing.late ? "late" : "")
        }.sorted { ($0.rowKind, $1.received) > ($1.rowKind, $0.received) }
        let months = [
            "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
            "November", "Desember",
        ]
        let first = LocalDate(year: year, month: month, day: 1) ?? today
        let before = first.adding(days: -1)
        let after = first.adding(days: LocalDate.daysInMonth(year: year, month: month))
        let view = View(
            month: "\(months[month - 1]) \(year)",
            previous: "/kepuasan?bulan=\(SurveyResponse.monthText(year: before.year, month: before.month))",
            next: "/kepuasan?bulan=\(SurveyResponse.monthText(year: after.year, month: after.month))",
            rows: rows, hasRows: !rows.isEmpty, overall: LaporanText.ikm(ikm.overall), open: openRows,
            hasOpen: !openRows.isEmpty,
            lateText: openRows.contains { $0.rowKind == "late" }
                ? "\(openRows.filter { $0.rowKind == "late" }.count) terlambat" : nil)
        return await page(
            "IKM dan pengaduan", section: .kepuasan, session: session, body: renderer.render("kepuasan", view),
            request: request)
    }

    static let kepuasanTemplates: [String: String] = [
        "kepuasan": """
        <h1>IKM dan pengaduan {{month}}</h1>
        <p><a class="button secondary" href="{{previous}}">&larr; Bulan sebelumnya</a> <a class="button secondary" href="{{next}}">Bulan berikutnya &rarr;</a></p>
        <p class="muted">Dari survei kepuasan masyarakat (Permenpan-RB 14/2017, tanpa nama) dan register pengaduan yang sudah sampai di hub. IKM seluruh kecamatan: <strong>{{overall}}</strong>.</p>
        {{^hasRows}}<div class="card"><p>Belum ada survei atau pengaduan bulan ini yang sampai di hub.</p></div>{{/hasRows}}
        {{#hasRows}}
        <table><thead><tr><th scope="col">Kecamatan</th><th scope="col" class="num">Responden</th><th scope="col" class="num">IKM</th><th scope="col">Mutu</th><th scope="col" class="num">Pengaduan diterima</th><th scope="col" class="num">Ditutup</th><th scope="col" class="num">Terbuka</th><th scope="col" class="num">Terlambat</th></tr></thead>
        <tbody>{{#rows}}<tr><td>{{kecamatan}}</td><td class="num">{{respondents}}</td><td class="num">{{ikm}}</td><td><span class="due {{gradeKind}}">{{grade}}</span></td><td class="num">{{received}}</td><td class="num">{{closed}}</td><td class="num">{{open}}</td><td class="num"><span class="due {{lateKind}}">{{late}}</span></td></tr>{{/rows}}</tbody></table>
        <p class="muted">Terbuka dan terlambat: pada akhir bulan (hari ini untuk bulan berjalan). Tenggat UU 25/2009: ditanggapi 14 hari, diselesaikan 60 hari sejak diterima.</p>
        {{/hasRows}}
        <h2>Pengaduan yang masih terbuka{{#lateText}} <span class="due merah">{{lateText}}</span>{{/lateText}}</h2>
        {{^hasOpen}}<div class="card"><p>Tidak ada pengaduan terbuka.</p></div>{{/hasOpen}}
        {{#hasOpen}}
        <table><thead><tr><th scope="col">Nomor</th><th scope="col">Kecamatan</th><th scope="col">Diterima</th><th scope="col">Pengaduan</th><th scope="col">Tenggat</th><th scope="col">Status</th></tr></thead>
        <tbody>{{#open}}<tr class="{{rowKind}}"><td><strong class="nomor">{{record}}</strong></td><td>{{kecamatan}}</td><td>{{received}}<br><span class="muted">{{channel}}</span></td><td>{{text}}<br><span class="muted">Layanan: {{layanan}}</span></td><td>Tanggapi: {{respondBy}}<br>Selesai: {{closeBy}}</td><td><span class="due {{stateKind}}">{{state}}</span></td></tr>{{/open}}</tbody></table>
        {{/hasOpen}}
        """
    ]
}
