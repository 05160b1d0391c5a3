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
        switch await penerimaan(request) {
        case .success(let r): p = r
        case .failure(let error):
            return await message(
                "Bulan tidak sah", error.message, session: session, status: .unprocessableContent, back: "/penerimaan",
                backLabel: "Penerimaan bulan ini")
        }
        struct Sum {
            var kecamatan: String
            var receipts: Int
            var total: String
        }
        struct DayRow {
            var kecamatan, day, total: String
            var receipts: Int
        }
        struct GapRow {
            var node, missing: String
        }
        struct Owed {
            var number, kecamatan, layanan, nama, fee, paid, owed: String
        }
        struct View {
            var month, previous, next, csv: String
            var sums: [Sum]
            var days: [DayRow]
            var hasDays: Bool
            var grand: String
            var gaps: [GapRow]
            var hasGaps: Bool
            var repeated: [String]
            var hasRepeated: Bool
            var owed: [Owed]
            var hasOwed: Bool
        }
        let partitions = Array(Set(p.days.map(\.partition) + p.owed.map(\.partition))).sorted()
        let names = try await blocking { () throws(SimpulError) in try self.kecamatanNames(partitions) }
        func name(_ partition: String) -> String {
            names[partition].map { "\(FreeText.shown($0)) (\(partition))" } ?? partition
        }
        var sums: [String: (Int, Int64)] = [:]
        for d in p.days {
            let (count, total) = sums[d.partition] ?? (0, 0)
            sums[d.partition] = (count + d.receipts, total + d.total)
        }
        let months = [
            "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
            "November", "Desember",
        ]
        let first = LocalDate(year: p.year, month: p.month, day: 1) ?? today()
        let before = first.adding(days: -1)
        let after = first.adding(days: LocalDate.daysInMonth(year: p.year, month: p.month))
        func iso(_ d: LocalDate) -> String { "\(d.year)-\(d.month < 10 ? "0" : "")\(d.month)" }
        let view = View(
            month: "\(months[p.month - 1]) \(p.year)", previous: "/penerimaan?bulan=\(iso(before))",
            next: "/penerimaan?bulan=\(iso(after))", csv: "/penerimaan.csv?bulan=\(iso(first))",
            sums: sums.keys.sorted().map {
                Sum(kecamatan: name($0), receipts: sums[$0]?.0 ?? 0, total: Rupiah.format(sums[$0]?.1 ?? 0))
            },
            days: p.days.map {
                DayRow(
                    kecamatan: name($0.partition), day: $0.day.shortIndonesian, total: Rupiah.format($0.total),
                    receipts: $0.receipts)
            }, hasDays: !p.days.isEmpty, grand: Rupiah.format(p.days.reduce(0) { $0 + $1.total }),
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

    /// The month's receipts per kecamatan and day, as CSV.
    func penerimaanCSV(request: Request, context: BackOfficeContext) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let p: Penerimaan
        switch await penerimaan(request) {
        case .success(let r): p = r
        case .failure(let error):
            return await message("Bulan tidak sah", error.message, session: session, status: .unprocessableContent)
        }
        var out = "\u{FEFF}kecamatan,tanggal,kuitansi,jumlah\r\n"
        for d in p.days {
            out +=
                [d.partition, d.day.description, String(d.receipts), String(d.total)].map(CSV.cell)
                .joined(separator: ",") + "\r\n"
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        let month = "\(p.year)-\(p.month < 10 ? "0" : "")\(p.month)"
        headers[.contentDisposition] = "attachment; filename=\"penerimaan-\(month).csv\""
        WebPage.secure(&headers)
        logger.info("receipts exported", metadata: ["month": "\(month)", "username": "\(session.account.username)"])
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: out)))
    }

    private func penerimaan(_ request: Request) async -> Result<Penerimaan, SimpulError> {
        let today = self.today()
        let store = self.store
        do throws(SimpulError) {
            let (year, month) =
                try request.uri.queryParameters.get("bulan").map { (text) throws(SimpulError) in
                    try LaporanText.month(String(text.prefix(20)))
                } ?? (today.year, today.month)
            return .success(
                try await blocking { () throws(SimpulError) in try store.penerimaan(year: year, month: month) })
        } catch {
            return .failure(error)
        }
    }

    static let penerimaanTemplates: [String: String] = [
        "penerimaan": """
        <h1>Penerimaan retribusi {{month}}</h1>
        <p><a class="button secondary" href="{{previous}}">&larr; Bulan sebelumnya</a> <a class="button secondary" href="{{next}}">Bulan berikutnya &rarr;</a> <a class="button secondary" href="{{csv}}" download>Unduh CSV</a></p>
        <p class="muted">Kuitansi yang sudah sampai di hub, menurut tanggal di zona kantor. Jumlah bulan ini: <strong>{{grand}}</strong>.</p>
        {{^hasDays}}<div class="card"><p>Belum ada kuitansi bulan ini yang sampai di hub.</p></div>{{/hasDays}}
        {{#hasDays}}
        <h2>Per kecamatan</h2>
        <table><thead><tr><th scope="col">Kecamatan</th><th scope="col" class="num">Kuitansi</th><th scope="col" class="num">Jumlah</th></tr></thead>
        <tbody>{{#sums}}<tr><td>{{kecamatan}}</td><td class="num">{{receipts}}</td><td class="num">{{total}}</td></tr>{{/sums}}</tbody></table>
        <h2>Per hari</h2>
        <table><thead><tr><th scope="col">Kecamatan</th><th scope="col">Tanggal</th><th scope="col" class="num">Kuitansi</th><th scope="col" class="num">Jumlah</th></tr></thead>
        <tbody>{{#days}}<tr><td>{{kecamatan}}</td><td>{{day}}</td><td class="num">{{receipts}}</td><td class="num">{{total}}</td></tr>{{/days}}</tbody></table>
        {{/hasDays}}
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
