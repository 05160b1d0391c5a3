import Foundation
import Hummingbird
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

/// Revenue reconciliation: the kecamatan's receipts as they reached the hub.
extension BackOfficeApp {
    func penerimaanPage(request: Request, context: BackOfficeContext) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let p: Penerimaan
        let kas: KasMonth
        switch await penerimaan(request) {
        case .success(let r): (p, kas) = r
        case .failure(let error):
            return await message(
                "Bulan tidak sah", error.message, session: session, status: .unprocessableContent, back: "/penerimaan",
                backLabel: "Penerimaan bulan ini")
        }
        struct Sum {
            var kecamatan: String
            var receipts: Int
            var total, deposited, outstanding: String
            var owes: Bool
        }
        struct DayRow {
            var kecamatan, node, day, total, closing: String
            var receipts: Int
            var state: String
            var stateClass: String
        }
        struct DepositRow {
            var kecamatan, node, day, amount, reference, officer: String
        }
        struct GapRow {
            var node, missing: String
        }
        struct Owed {
            var number, kecamatan, layanan, nama, fee, paid, owed: String
        }
        struct View {
            var month, previous, next, csv, xlsx: String
            var sums: [Sum]
            var hasSums: Bool
            var days: [DayRow]
            var hasDays: Bool
            var deposits: [DepositRow]
            var hasDeposits: Bool
            var grand, grandDeposited, grandOutstanding: String
            var gaps: [GapRow]
            var hasGaps: Bool
            var repeated: [String]
            var hasRepeated: Bool
            var owed: [Owed]
            var hasOwed: Bool
        }
        let partitions = Array(Set(kas.days.map(\.partition) + kas.deposits.map(\.partition) + p.owed.map(\.partition)))
            .sorted()
        let names = try await blocking { () throws(SimpulError) in try self.kecamatanNames(partitions) }
        func name(_ partition: String) -> String {
            names[partition].map { "\(FreeText.shown($0)) (\(partition))" } ?? partition
        }
        var counts: [String: Int] = [:]
        for d in kas.days { counts[d.partition, default: 0] += d.receipts }
        let months = [
            "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
            "November", "Desember",
        ]
        let first = LocalDate(year: p.year, month: p.month, day: 1) ?? today()
        let before = first.adding(days: -1)
        let after = first.adding(days: LocalDate.daysInMonth(year: p.year, month: p.month))
        func iso(_ d: LocalDate) -> String { "\(d.year)-\(d.month < 10 ? "0" : "")\(d.month)" }
        let received = kas.totals.values.reduce(Int64(0)) { $0 + $1.received }
        let deposited = kas.totals.values.reduce(Int64(0)) { $0 + $1.deposited }
        let view = View(
            month: "\(months[p.month - 1]) \(p.year)", previous: "/penerimaan?bulan=\(iso(before))",
            next: "/penerimaan?bulan=\(iso(after))", csv: "/penerimaan.csv?bulan=\(iso(first))",
            xlsx: "/penerimaan.xlsx?bulan=\(iso(first))",
            sums: kas.totals.keys.sorted().map {
                let t = kas.totals[$0] ?? KasMonth.Totals()
                return Sum(
                    kecamatan: name($0), receipts: counts[$0] ?? 0, total: Rupiah.format(t.received),
                    deposited: Rupiah.format(t.deposited), outstanding: Rupiah.format(t.outstanding),
                    owes: t.outstanding != 0)
            }, hasSums: !kas.totals.isEmpty,
            days: kas.days.map { d in
                let state = Self.closingState(d)
                return DayRow(
                    kecamatan: name(d.partition), node: d.node, day: d.day.shortIndonesian,
                    total: Rupiah.format(d.total),
                    closing: d.closing.map {
                        "\($0.receipts ?? 0) kuitansi, \(Rupiah.format($0.amount))"
                            + (d.earlierClosings > 0 ? " (ditutup ulang)" : "")
                    } ?? "belum ditutup", receipts: d.receipts, state: state.text, stateClass: state.cssClass)
            }, hasDays: !kas.days.isEmpty,
            deposits: kas.deposits.map {
                DepositRow(
                    kecamatan: name($0.partition), node: $0.node, day: $0.day.shortIndonesian,
                    amount: Rupiah.format($0.amount), reference: FreeText.shown($0.reference ?? ""),
                    officer: FreeText.shown($0.officer))
            }, hasDeposits: !kas.deposits.isEmpty, grand: Rupiah.format(received),
            grandDeposited: Rupiah.format(deposited), grandOutstanding: Rupiah.format(received - deposited),
            gaps: p.gaps.map {
                GapRow(
                    node: $0.node,
                    missing: $0.missing.map(String.init).joined(separator: ", ")
                        + ($0.missingCount > $0.missing.count ? " dan \($0.missingCount - $0.missing.count) lagi" : "")
                        + " (tertinggi \($0.highest))")
            }, hasGaps: !p.gaps.isEmpty, repeated: p.repeated.map { FreeText.shown($0) },
            hasRepeated: !p.repeated.isEmpty,
            owed: p.owed.map {
                Owed(
                    number: $0.number, kecamatan: name($0.partition), layanan: $0.layanan.code,
                    nama: FreeText.shown($0.pemohon.nama), fee: Rupiah.format($0.fee ?? 0),
                    paid: Rupiah.format($0.paid),
                    owed: Rupiah.format($0.outstanding))
            }, hasOwed: !p.owed.isEmpty)
        return await page(
            "Penerimaan retribusi", section: .penerimaan, session: session,
            body: renderer.render("penerimaan", view), request: request)
    }

    /// How a day's closing stands against the receipts that reached the hub.
    static func closingState(_ d: KasMonth.Day) -> (text: String, cssClass: String) {
        switch d.closingMatches {
        case nil: ("Belum ditutup", "netral")
        case true?: ("Cocok", "hijau")
        case false?:
            // More receipts closed than arrived: the rest is still on its way (not synced yet).
            (d.closing?.receipts ?? 0) > d.receipts
                ? ("Kuitansi belum sampai di hub", "kuning") : ("TIDAK COCOK", "merah")
        }
    }

    /// One line of the month's export: a node's day (receipts and closing) or a deposit.
    struct PenerimaanRow {
        var kind, partition, node: String
        var day: LocalDate
        var receipts: Int?
        var amount: Int64
        var closedReceipts: Int?
        var closedAmount: Int64?
        var state, reference, officer: String

        static let header = [
            "jenis", "kecamatan", "node", "tanggal", "kuitansi", "jumlah", "tutup_kuitansi", "tutup_jumlah",
            "keadaan", "bukti_setor", "kasir",
        ]

        static let columns: [XLSXWorkbook.Column] = [
            .init(title: "Jenis", width: 9), .init(title: "Kecamatan", width: 11), .init(title: "Node", width: 11),
            .init(title: "Tanggal", width: 11), .init(title: "Kuitansi", width: 9), .init(title: "Jumlah", width: 14),
            .init(title: "Tutup kas: kuitansi", width: 17), .init(title: "Tutup kas: jumlah", width: 17),
            .init(title: "Keadaan", width: 26), .init(title: "Bukti setor", width: 22),
            .init(title: "Kasir", width: 24),
        ]

        static func rows(_ kas: KasMonth) -> [PenerimaanRow] {
            kas.days.map { d in
                PenerimaanRow(
                    kind: "harian", partition: d.partition, node: d.node, day: d.day, receipts: d.receipts,
                    amount: d.total, closedReceipts: d.closing?.receipts, closedAmount: d.closing?.amount,
                    state: closingState(d).text, reference: "", officer: d.closing?.officer ?? "")
            }
                + kas.deposits.map { e in
                    PenerimaanRow(
                        kind: "setoran", partition: e.partition, node: e.node, day: e.day, receipts: nil,
                        amount: e.amount, closedReceipts: nil, closedAmount: nil, state: "",
                        reference: e.reference ?? "",
                        officer: e.officer)
                }
        }

        var csvCells: [String] {
            [
                kind, partition, node, day.description, receipts.map(String.init) ?? "", String(amount),
                closedReceipts.map(String.init) ?? "", closedAmount.map(String.init) ?? "", state, reference, officer,
            ]
        }

        var workbookCells: [XLSXWorkbook.Cell] {
            [
                .text(kind), .text(partition), .text(node), .date(day), receipts.map { .text(String($0)) } ?? .empty,
                .rupiah(amount), closedReceipts.map { .text(String($0)) } ?? .empty,
                closedAmount.map { .rupiah($0) } ?? .empty,
                .text(state), .text(reference), .text(officer),
            ]
        }
    }

    /// The month's days and deposits per kecamatan, as CSV.
    func penerimaanCSV(request: Request, context: BackOfficeContext) async throws -> Response {
        try await penerimaanExport(request: request, context: context, xlsx: false)
    }

    /// The same rows as an XLSX workbook, amounts and dates as the spreadsheet's own.
    func penerimaanXLSX(request: Request, context: BackOfficeContext) async throws -> Response {
        try await penerimaanExport(request: request, context: context, xlsx: true)
    }

    private func penerimaanExport(request: Request, context: BackOfficeContext, xlsx: Bool) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let kas: KasMonth
        switch await penerimaan(request) {
        case .success(let r): kas = r.kas
        case .failure(let error):
            return await message("Bulan tidak sah", error.message, session: session, status: .unprocessableContent)
        }
        let rows = PenerimaanRow.rows(kas)
        let month = "\(kas.year)-\(kas.month < 10 ? "0" : "")\(kas.month)"
        var headers = HTTPFields()
        let body: ByteBuffer
        if xlsx {
            do throws(SimpulError) {
                let bytes = try await blocking { () throws(SimpulError) in
                    var workbook = XLSXWorkbook(sheet: "Penerimaan \(month)", columns: PenerimaanRow.columns)
                    for row in rows { workbook.append(row.workbookCells) }
                    return try workbook.data()
                }
                body = ByteBuffer(bytes: bytes)
            } catch {
                logger.error(
                    "receipts export failed",
                    metadata: [
                        "username": "\(session.account.username)", "format": "xlsx", "error": "\(error.message)",
                    ])
                return await message(
                    "Unduhan gagal", "Berkas XLSX tidak dapat dibuat (\(error.message)). Coba lagi, atau unduh CSV.",
                    session: session, status: .internalServerError)
            }
            headers[.contentType] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        } else {
            var out = "\u{FEFF}" + PenerimaanRow.header.joined(separator: ",") + "\r\n"
            for row in rows { out += row.csvCells.map(CSV.cell).joined(separator: ",") + "\r\n" }
            body = ByteBuffer(string: out)
            headers[.contentType] = "text/csv; charset=utf-8"
        }
        headers[.contentDisposition] = "attachment; filename=\"penerimaan-\(month).\(xlsx ? "xlsx" : "csv")\""
        WebPage.secure(&headers)
        logger.info(
            "receipts exported",
            metadata: [
                "month": "\(month)", "username": "\(session.account.username)", "format": "\(xlsx ? "xlsx" : "csv")",
            ])
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    private func penerimaan(_ request: Request) async -> Result<(p: Penerimaan, kas: KasMonth), SimpulError> {
        let today = self.today()
        let store = self.store
        do throws(SimpulError) {
            let (year, month) =
                try request.uri.queryParameters.get("bulan").map { (text) throws(SimpulError) in
                    try LaporanText.month(String(text.prefix(20)))
                } ?? (today.year, today.month)
            return .success(
                try await blocking { () throws(SimpulError) in
                    (try store.penerimaan(year: year, month: month), try store.kasMonth(year: year, month: month))
                })
        } catch {
            return .failure(error)
        }
    }

    static let penerimaanTemplates: [String: String] = [
        "penerimaan": """
        <h1>Penerimaan retribusi {{month}}</h1>
        <p><a class="button secondary" href="{{previous}}">&larr; Bulan sebelumnya</a> <a class="button secondary" href="{{next}}">Bulan berikutnya &rarr;</a> <a class="button secondary" href="{{csv}}" download>Unduh CSV</a> <a class="button secondary" href="{{xlsx}}" download>Unduh XLSX</a></p>
        <p class="muted">Kuitansi, tutup kas dan setoran yang sudah sampai di hub, menurut tanggal di zona kantor. Diterima bulan ini: <strong>{{grand}}</strong>; disetor: <strong>{{grandDeposited}}</strong>; belum disetor: <strong>{{grandOutstanding}}</strong>.</p>
        {{^hasDays}}{{^hasDeposits}}<div class="card"><p>Belum ada kuitansi atau setoran bulan ini yang sampai di hub.</p></div>{{/hasDeposits}}{{/hasDays}}
        {{#hasSums}}
        <h2>Per kecamatan</h2>
        <table><thead><tr><th scope="col">Kecamatan</th><th scope="col" class="num">Kuitansi</th><th scope="col" class="num">Diterima</th><th scope="col" class="num">Disetor</th><th scope="col" class="num">Belum disetor</th></tr></thead>
        <tbody>{{#sums}}<tr><td>{{kecamatan}}</td><td class="num">{{receipts}}</td><td class="num">{{total}}</td><td class="num">{{deposited}}</td><td class="num">{{#owes}}<strong>{{outstanding}}</strong>{{/owes}}{{^owes}}{{outstanding}}{{/owes}}</td></tr>{{/sums}}</tbody></table>
        {{/hasSums}}
        {{#hasDays}}
        <h2>Per hari, dengan tutup kas</h2>
        <p class="muted">Tutup kas adalah jumlah yang dicatat kasir kecamatan pada akhir hari; bila berbeda dari kuitansi yang sampai di hub, ada kuitansi yang belum sinkron atau kas yang perlu diperiksa.</p>
        <table><thead><tr><th scope="col">Kecamatan</th><th scope="col">Node</th><th scope="col">Tanggal</th><th scope="col" class="num">Kuitansi</th><th scope="col" class="num">Jumlah</th><th scope="col">Tutup kas</th><th scope="col">Keadaan</th></tr></thead>
        <tbody>{{#days}}<tr><td>{{kecamatan}}</td><td>{{node}}</td><td>{{day}}</td><td class="num">{{receipts}}</td><td class="num">{{total}}</td><td>{{closing}}</td><td><span class="due {{stateClass}}">{{state}}</span></td></tr>{{/days}}</tbody></table>
        {{/hasDays}}
        <h2>Setoran ke kas daerah</h2>
        {{^hasDeposits}}<div class="card"><p>Belum ada setoran bulan ini yang sampai di hub.</p></div>{{/hasDeposits}}
        {{#hasDeposits}}
        <table><thead><tr><th scope="col">Kecamatan</th><th scope="col">Node</th><th scope="col">Tanggal</th><th scope="col" class="num">Jumlah</th><th scope="col">Bukti setor</th><th scope="col">Kasir</th></tr></thead>
        <tbody>{{#deposits}}<tr><td>{{kecamatan}}</td><td>{{node}}</td><td>{{day}}</td><td class="num">{{amount}}</td><td>{{reference}}</td><td>{{officer}}</td></tr>{{/deposits}}</tbody></table>
        {{/hasDeposits}}
        <h2>Urutan nomor kuitansi</h2>
        {{^hasGaps}}{{^hasRepeated}}<div class="card"><p>Tidak ada nomor yang hilang atau berulang: setiap node bernomor urut dari 1 tanpa celah.</p></div>{{/hasRepeated}}{{/hasGaps}}
        {{#hasGaps}}<div class="card"><p>Nomor yang belum sampai di hub padahal nomor sesudahnya sudah (belum sinkron, tertahan, atau hilang):</p><ul>{{#gaps}}<li><strong>{{node}}</strong>: {{missing}}</li>{{/gaps}}</ul></div>{{/hasGaps}}
        {{#hasRepeated}}<div class="card"><p>Nomor kuitansi yang dipakai lebih dari satu pembayaran:</p><ul>{{#repeated}}<li><strong>{{.}}</strong></li>{{/repeated}}</ul></div>{{/hasRepeated}}
        <h2>Retribusi belum dibayar atas keputusan PTSP</h2>
        {{^hasOwed}}<div class="card"><p>Tidak ada.</p></div>{{/hasOwed}}
        {{#hasOwed}}
        <table><thead><tr><th scope="col">Nomor</th><th scope="col">Kecamatan</th><th scope="col">Layanan</th><th scope="col">Pemohon</th><th scope="col" class="num">Retribusi</th><th scope="col" class="num">Dibayar</th><th scope="col" class="num">Sisa</th></tr></thead>
        <tbody>{{#owed}}<tr><td><a class="nomor" href="/permohonan/{{number}}">{{number}}</a></td><td>{{kecamatan}}</td><td>{{layanan}}</td><td>{{nama}}</td><td class="num">{{fee}}</td><td class="num">{{paid}}</td><td class="num">{{owed}}</td></tr>{{/owed}}</tbody></table>
        {{/hasOwed}}
        """
    ]
}
