import Foundation
import Hummingbird
import SimpulDomain
import SimpulStore
import SimpulWeb

/// The waiting room: tickets at the pemandu, calls from the desks, the TV screen, the day's waits.
extension CounterApp {
    /// The browser remembers its desk, so an officer picks "Loket 2" once a day, not at every call.
    static let deskCookie = "simpul_meja"

    func antrianPage(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        struct Group {
            var code, label: String
            var waiting: Int
        }
        struct Call {
            var code, desk, at, group: String
        }
        struct View {
            var csrf, desk: String
            var groups: [Group]
            var called: [Call]
            var hasCalled: Bool
        }
        let store = self.store
        let board = try await blocking { () throws(SimpulError) in try store.antrianBoard(limit: 10) }
        let view = View(
            csrf: session.csrf,
            desk: request.cookies[Self.deskCookie].flatMap { FormBody.decode(Substring($0.value)) } ?? "",
            groups: AntrianGroup.allCases.map {
                Group(code: $0.rawValue, label: $0.label, waiting: board.waiting[$0] ?? 0)
            },
            called: board.called.map(call), hasCalled: !board.called.isEmpty)
        return await page(
            "Antrian", section: .antrian, session: session, body: renderer.render("antrian", view), request: request)

        func call(_ t: AntrianTicket) -> Call {
            Call(
                code: t.code, desk: FreeText.shown(t.desk ?? ""),
                at: t.lastCalledAt.map { WebPage.clock($0, zona: zona) } ?? "", group: t.group.label)
        }
    }

    /// The pemandu gives a ticket; the answer is the ticket to print.
    func takeTicket(request: Request, context: CounterContext) async throws -> Response {
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
        guard let group = form["kelompok"].flatMap(AntrianGroup.init(rawValue:)) else {
            return redirect("/antrian", flash: "Pilih kelompok layanan untuk nomor antrian.")
        }
        let store = self.store
        let (ticket, _) = try await blocking { () throws(SimpulError) in try store.takeTicket(group) }
        logger.info("queue ticket taken", metadata: ["ticket": "\(ticket.code)"])
        return redirect("/antrian/tiket/\(ticket.id)")
    }

    /// A desk calls the next visitor (or the last one again).
    func callTicket(request: Request, context: CounterContext) async throws -> Response {
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
        let desk = String((form["meja"] ?? "").prefix(200))
        let groups = Set(form.all("kelompok").compactMap(AntrianGroup.init(rawValue:)))
        let again = form["aksi"] == "ulang"
        let officer = "\(session.account.name) (\(session.account.username))"
        let store = self.store
        let answer: String
        do {
            let called = try await blocking { () throws(SimpulError) in
                again ? try store.recall(desk: desk) : try store.callNext(groups: groups, desk: desk, officer: officer)
            }
            if let called {
                logger.info("queue ticket called", metadata: ["ticket": "\(called.code)", "again": "\(again)"])
                answer = "Memanggil \(called.code) ke \(FreeText.shown(called.desk ?? desk))."
            } else {
                answer = again ? "Meja ini belum memanggil nomor hari ini." : "Tidak ada nomor yang menunggu."
            }
        } catch {
            return redirect("/antrian", flash: "Ditolak: \(error.message)")
        }
        var response = redirect("/antrian", flash: answer)
        response.setCookie(
            Cookie(
                name: Self.deskCookie, value: FormBody.encode(String(desk.prefix(40))), maxAge: 86400 * 30, path: "/",
                secure: settings.secure, httpOnly: true, sameSite: .strict))
        return response
    }

    /// The ticket on a 58 mm roll.
    func ticketPaper(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let store = self.store
        guard let id = context.parameters.get("id").flatMap(Int64.init),
            let ticket = try await blocking({ () throws(SimpulError) in try store.antrianTicket(id: id) })
        else {
            return await message(
                "Nomor antrian tidak ada", "Tiket itu tidak ada di node ini.", session: session, status: .notFound,
                back: "/antrian", backLabel: "Kembali ke antrian")
        }
        let ahead = try await blocking { () throws(SimpulError) in
            try store.antrianDay(ticket.day).filter {
                $0.group == ticket.group && $0.calledAt == nil && $0.number < ticket.number
            }.count
        }
        struct Ticket {
            var office, code, group, taken, ahead: String
        }
        let view = Ticket(
            office: store.info.name, code: ticket.code, group: ticket.group.label,
            taken: WebPage.moment(ticket.takenAt, zona: zona),
            ahead: ahead == 0 ? "Anda berikutnya." : "\(ahead) orang menunggu sebelum Anda.")
        return WebPage.html(printRenderer.render("tiket", view))
    }

    /// The TV in the waiting room: no login (it shows only ticket numbers and desks). Its script asks
    /// `/antrian/layar.json` every two seconds and redraws.
    func screenPage(request: Request) async throws -> Response {
        let store = self.store
        let board = try await blocking { () throws(SimpulError) in try store.antrianBoard() }
        return WebPage.html(printRenderer.render("layar", screenView(board)))
    }

    func screenJSON(request: Request) async throws -> Response {
        let store = self.store
        let board = try await blocking { () throws(SimpulError) in try store.antrianBoard() }
        let view = screenView(board)
        // Built by hand: five short fields, each escaped by JSONSerialization-equivalent rules below.
        var parts: [String] = []
        parts.append("\"current\":" + (view.current.map(Self.json) ?? "null"))
        parts.append("\"recent\":[" + view.recent.map(Self.json).joined(separator: ",") + "]")
        parts.append("\"waiting\":\(Self.jsonString(view.waiting))")
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        WebPage.secure(&headers)
        return Response(
            status: .ok, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: "{" + parts.joined(separator: ",") + "}")))
    }

    struct ScreenCall {
        var code, desk, at: String
    }

    struct ScreenView {
        var office: String
        var current: ScreenCall?
        var recent: [ScreenCall]
        var waiting: String
    }

    func screenView(_ board: AntrianBoard) -> ScreenView {
        let calls = board.called.map {
            ScreenCall(
                code: $0.code, desk: FreeText.shown($0.desk ?? ""),
                at: $0.lastCalledAt.map { WebPage.clock($0, zona: zona) } ?? "")
        }
        let waiting = AntrianGroup.allCases.map { "\($0.label): \(board.waiting[$0] ?? 0)" }.joined(separator: " · ")
        return ScreenView(
            office: store.info.name, current: calls.first, recent: Array(calls.dropFirst()),
            waiting: "Menunggu: " + waiting)
    }

    static func json(_ call: ScreenCall) -> String {
        "{\"code\":\(jsonString(call.code)),\"desk\":\(jsonString(call.desk)),\"at\":\(jsonString(call.at))}"
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The day's tickets with how long each waited, per group and in all: what the Camat's report counts.
    func antrianReport(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let asked = request.uri.queryParameters.get("tanggal").map { String($0) }
        let day: LocalDate
        if let asked {
            guard let d = LocalDate(iso: String(asked.prefix(10))) else {
                return await message(
                    "Tanggal tidak sah",
                    "tanggal: '\(FreeText.shown(String(asked.prefix(20))))' bukan tanggal (YYYY-MM-DD)",
                    session: session, status: .unprocessableContent, back: "/antrian/laporan",
                    backLabel: "Laporan hari ini")
            }
            day = d
        } else {
            day = today()
        }
        let store = self.store
        let tickets = try await blocking { () throws(SimpulError) in try store.antrianDay(day) }
        struct Row {
            var code, group, taken, called, desk, officer, wait: String
        }
        struct Summary {
            var group: String
            var taken, called: Int
            var average, longest: String
        }
        struct View {
            var day, dayISO: String
            var rows: [Row]
            var hasRows: Bool
            var summary: [Summary]
        }
        func minutes(_ seconds: Int64?) -> String {
            guard let seconds else { return "-" }
            return seconds < 60 ? "\(seconds) detik" : "\(seconds / 60) menit \(seconds % 60) detik"
        }
        let rows = tickets.map {
            Row(
                code: $0.code, group: $0.group.label, taken: WebPage.clock($0.takenAt, zona: zona),
                called: $0.calledAt.map { WebPage.clock($0, zona: zona) } ?? "belum dipanggil",
                desk: FreeText.shown($0.desk ?? "-"), officer: FreeText.shown($0.calledBy ?? "-"),
                wait: minutes($0.waitSeconds))
        }
        var summary: [Summary] = []
        let groups: [AntrianGroup?] = [nil] + AntrianGroup.allCases.map { $0 }
        for group in groups {
            let mine = tickets.filter { group == nil || $0.group == group }
            let waits = mine.compactMap(\.waitSeconds)
            summary.append(
                Summary(
                    group: group?.label ?? "Semua", taken: mine.count, called: waits.count,
                    average: waits.isEmpty ? "-" : minutes(waits.reduce(0, +) / Int64(waits.count)),
                    longest: minutes(waits.max())))
        }
        let view = View(
            day: day.indonesian, dayISO: day.description, rows: rows, hasRows: !rows.isEmpty, summary: summary)
        return await page(
            "Laporan antrian", section: .antrian, session: session, body: renderer.render("antrianlaporan", view),
            request: request)
    }
}
