import Foundation
import Hummingbird
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

/// The kasir's cash book: the day's receipts, the closing at the end of the day, the deposits to the
/// kabupaten treasury, and what is still held.
extension CounterApp {
    /// Who sees the book: the kasir keeps it, the Camat and the Sekcam answer for it, the admin
    /// supports it. Only the kasir writes in it.
    static func mayReadKas(_ account: OfficerAccount) -> Bool {
        account.holds(.kasir) || account.holds(.camat) || account.holds(.sekcam) || account.holds(.admin)
    }

    /// What the kasir typed into the deposit form, kept when it is refused.
    struct KasDraft {
        var jumlah = "", bukti = "", tanggal = "", catatan = ""
    }

    func kasPage(
        request: Request, context: CounterContext, refusal: String? = nil, draft: KasDraft = KasDraft()
    ) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        guard Self.mayReadKas(session.account) else {
            return await message(
                "Tidak berwenang", "Buku kas dibuka oleh kasir, Camat, Sekretaris Camat atau admin.",
                session: session, status: .forbidden)
        }
        let today = self.today()
        let asked = request.uri.queryParameters.get("bulan").map { String($0.prefix(20)) }
        let month: (year: Int, month: Int)
        do throws(SimpulError) {
            month =
                try asked.map { (text) throws(SimpulError) in try LaporanText.month(text) } ?? (today.year, today.month)
        } catch {
            return await message(
                "Bulan tidak sah", error.message, session: session, status: .unprocessableContent, back: "/kas",
                backLabel: "Buku kas bulan ini")
        }
        let store = self.store
        let partition = store.info.node.homePartition
        let node = store.info.node.rawValue
        let (book, todays) = try await blocking { () throws(SimpulError) in
            let book = try store.kasMonth(year: month.year, month: month.month, partition: partition)
            let current =
                month.year == today.year && month.month == today.month
                ? book : try store.kasMonth(year: today.year, month: today.month, partition: partition)
            return (book, current.days.first { $0.node == node && $0.day == today })
        }
        struct DayRow {
            var day, total, closing, state, stateClass: String
            var receipts: Int
        }
        struct DepositRow {
            var day, amount, reference, officer, note: String
        }
        struct View {
            var csrf, monthName, previous, next, todayText, todayTotal, todayClosing, outstanding: String
            var todayReceipts: Int
            var closed, needsReclosing, isKasir: Bool
            var today, received, deposited, jumlah, bukti, tanggal, catatan: String
            var days: [DayRow]
            var hasDays: Bool
            var deposits: [DepositRow]
            var hasDeposits: Bool
        }
        let totals = book.totals[partition] ?? KasMonth.Totals()
        let first = LocalDate(year: month.year, month: month.month, day: 1) ?? today
        func iso(_ d: LocalDate) -> String { "\(d.year)-\(d.month < 10 ? "0" : "")\(d.month)" }
        let months = [
            "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
            "November", "Desember",
        ]
        let view = View(
            csrf: session.csrf, monthName: "\(months[month.month - 1]) \(month.year)",
            previous: "/kas?bulan=\(iso(first.adding(days: -1)))",
            next: "/kas?bulan=\(iso(first.adding(days: LocalDate.daysInMonth(year: month.year, month: month.month))))",
            todayText: today.shortIndonesian, todayTotal: Rupiah.format(todays?.total ?? 0),
            todayClosing: todays?.closing.map {
                "Ditutup \(WebPage.clock($0.at, zona: zona)) oleh \(FreeText.shown($0.officer)): \($0.receipts ?? 0) kuitansi, \(Rupiah.format($0.amount))."
            } ?? "Kas hari ini belum ditutup.", outstanding: Rupiah.format(totals.outstanding),
            todayReceipts: todays?.receipts ?? 0, closed: todays?.closing != nil,
            needsReclosing: todays?.closingMatches == false, isKasir: session.account.holds(.kasir),
            today: today.description, received: Rupiah.format(totals.received),
            deposited: Rupiah.format(totals.deposited), jumlah: draft.jumlah, bukti: draft.bukti,
            tanggal: draft.tanggal.isEmpty ? today.description : draft.tanggal, catatan: draft.catatan,
            days: book.days.map { d in
                let state: (String, String) =
                    switch d.closingMatches {
                    case nil: ("Belum ditutup", "kuning")
                    case true?: ("Cocok", "hijau")
                    case false?: ("Ada kuitansi sesudah tutup kas", "merah")
                    }
                return DayRow(
                    day: d.day.shortIndonesian, total: Rupiah.format(d.total),
                    closing: d.closing.map { "\($0.receipts ?? 0) kuitansi, \(Rupiah.format($0.amount))" } ?? "-",
                    state: state.0, stateClass: state.1, receipts: d.receipts)
            }, hasDays: !book.days.isEmpty,
            deposits: book.deposits.map {
                DepositRow(
                    day: $0.day.shortIndonesian, amount: Rupiah.format($0.amount),
                    reference: FreeText.shown($0.reference ?? ""), officer: FreeText.shown($0.officer),
                    note: FreeText.shown($0.note ?? ""))
            }, hasDeposits: !book.deposits.isEmpty)
        return await page(
            "Buku kas", section: .kas, session: session, body: renderer.render("kas", view), flash: refusal,
            flashIsError: refusal != nil, status: refusal == nil ? .ok : .unprocessableContent, request: request)
    }

    /// The kasir closes today's cash.
    func closeKas(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        switch try await self.form(request, session: session) {
        case .success: break
        case .failure(let r): return r
        }
        let actor = Actor.account(session.account, substitution: nil)
        let store = self.store
        do {
            let entry = try await blocking { () throws(SimpulError) in try store.closeKas(by: actor) }
            return redirect(
                "/kas",
                flash:
                    "Kas \(entry.day.shortIndonesian) ditutup: \(entry.receipts ?? 0) kuitansi, \(Rupiah.format(entry.amount))."
            )
        } catch {
            return try await kasPage(request: request, context: context, refusal: "Ditolak: \(error.message)")
        }
    }

    /// The kasir records a deposit to the kabupaten treasury.
    func depositKas(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let form: FormBody
        switch try await self.form(request, session: session) {
        case .success(let f): form = f
        case .failure(let r): return r
        }
        let actor = Actor.account(session.account, substitution: nil)
        let store = self.store
        let draft = KasDraft(
            jumlah: String((form["jumlah"] ?? "").prefix(40)), bukti: String((form["bukti"] ?? "").prefix(200)),
            tanggal: String((form["tanggal"] ?? "").prefix(20)), catatan: String((form["catatan"] ?? "").prefix(600)))
        let amount: Int64
        let day: LocalDate?
        do throws(SimpulError) {
            amount = try Console.rupiah(draft.jumlah, field: "jumlah")
            day = draft.tanggal.isEmpty ? nil : try Console.date(draft.tanggal, field: "tanggal")
        } catch {
            return try await kasPage(
                request: request, context: context, refusal: "Ditolak: \(error.message)", draft: draft)
        }
        let note = draft.catatan.isEmpty ? nil : draft.catatan
        do {
            let entry = try await blocking { () throws(SimpulError) in
                try store.depositKas(amount: amount, reference: draft.bukti, note: note, day: day, by: actor)
            }
            return redirect(
                "/kas",
                flash:
                    "Setoran \(Rupiah.format(entry.amount)) dengan bukti \(FreeText.shown(entry.reference ?? "")) tercatat."
            )
        } catch {
            return try await kasPage(
                request: request, context: context, refusal: "Ditolak: \(error.message)", draft: draft)
        }
    }

    static let kasTemplate = """
        <h1>Buku kas {{monthName}}</h1>
        <p><a class="button secondary" href="{{previous}}">&larr; Bulan sebelumnya</a> <a class="button secondary" href="{{next}}">Bulan berikutnya &rarr;</a></p>
        <div class="grid">
          <section class="card">
            <h2>Hari ini, {{todayText}}</h2>
            <p><strong>{{todayReceipts}}</strong> kuitansi, <strong>{{todayTotal}}</strong>.</p>
            <p>{{todayClosing}}</p>
            {{#needsReclosing}}<p><span class="due merah">Ada kuitansi sesudah tutup kas: tutup ulang.</span></p>{{/needsReclosing}}
            {{#isKasir}}
            <form method="post" action="/kas/tutup" class="stack">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <button type="submit">{{#closed}}Tutup ulang kas hari ini{{/closed}}{{^closed}}Tutup kas hari ini{{/closed}}</button>
            </form>
            {{/isKasir}}
          </section>
          <section class="card">
            <h2>Setoran ke kas daerah</h2>
            <p>Belum disetor bulan ini: <strong>{{outstanding}}</strong></p>
            {{#isKasir}}
            <form method="post" action="/kas/setor" class="stack">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <label for="jumlah">Jumlah disetor (Rp)</label>
              <input id="jumlah" name="jumlah" type="text" inputmode="numeric" required autocomplete="off" placeholder="mis. 150.000" value="{{jumlah}}">
              <label for="bukti">Nomor bukti setor (bank atau STS bendahara)</label>
              <input id="bukti" name="bukti" type="text" maxlength="60" required autocomplete="off" value="{{bukti}}">
              <label for="tanggal">Tanggal setor</label>
              <input id="tanggal" name="tanggal" type="date" value="{{tanggal}}" max="{{today}}" required>
              <label for="catatan">Catatan (boleh kosong)</label>
              <input id="catatan" name="catatan" type="text" maxlength="500" autocomplete="off" value="{{catatan}}">
              <button type="submit">Catat setoran</button>
            </form>
            {{/isKasir}}
          </section>
        </div>
        <h2>Per hari</h2>
        <p class="muted">Diterima bulan ini {{received}}; disetor {{deposited}}; belum disetor {{outstanding}}.</p>
        {{^hasDays}}<div class="card"><p>Belum ada kuitansi bulan ini.</p></div>{{/hasDays}}
        {{#hasDays}}
        <table><thead><tr><th scope="col">Tanggal</th><th scope="col" class="num">Kuitansi</th><th scope="col" class="num">Jumlah</th><th scope="col">Tutup kas</th><th scope="col">Keadaan</th></tr></thead>
        <tbody>{{#days}}<tr><td>{{day}}</td><td class="num">{{receipts}}</td><td class="num">{{total}}</td><td>{{closing}}</td><td><span class="due {{stateClass}}">{{state}}</span></td></tr>{{/days}}</tbody></table>
        {{/hasDays}}
        <h2>Setoran</h2>
        {{^hasDeposits}}<div class="card"><p>Belum ada setoran bulan ini.</p></div>{{/hasDeposits}}
        {{#hasDeposits}}
        <table><thead><tr><th scope="col">Tanggal</th><th scope="col" class="num">Jumlah</th><th scope="col">Bukti setor</th><th scope="col">Kasir</th><th scope="col">Catatan</th></tr></thead>
        <tbody>{{#deposits}}<tr><td>{{day}}</td><td class="num">{{amount}}</td><td>{{reference}}</td><td>{{officer}}</td><td>{{note}}</td></tr>{{/deposits}}</tbody></table>
        {{/hasDeposits}}
        """
}
