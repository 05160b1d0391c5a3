import Foundation
import Hummingbird
import SimpulDomain
import SimpulStore
import SimpulWeb

/// The Admin TI's pages: staff accounts and the log of who opened which file.
extension BackOfficeApp {
    var accountAdmin: AccountAdmin<StaffRole> {
        AccountAdmin(store: store, base: "/staf", passwordCost: settings.passwordCost, logger: logger)
    }

    func staffPage(
        request: Request, context: BackOfficeContext, flash: String? = nil, flashIsError: Bool = false,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        guard session.account.holds(.adminTI) else { return await adminOnly(session) }
        let view = try await accountAdmin.view(heading: "Akun staf PTSP", session: session)
        return await page(
            "Akun staf", section: .staf, session: session, body: renderer.render("staf", view), flash: flash,
            flashIsError: flashIsError, status: status, request: flash == nil ? request : nil)
    }

    /// Adds a staff account (`POST /staf`) or changes one (`POST /staf/:username/:verb`).
    func changeStaff(request: Request, context: BackOfficeContext) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let form: FormBody
        switch try await self.form(request, session: session) {
        case .success(let f): form = f
        case .failure(let r): return r
        }
        guard session.account.holds(.adminTI) else { return await adminOnly(session) }
        do {
            let done: String
            if let username = context.parameters.get("username") {
                done = try await accountAdmin.change(
                    username, verb: context.parameters.get("verb") ?? "", form: form, by: session)
            } else {
                done = try await accountAdmin.add(form, by: session)
            }
            return redirect("/staf", flash: done)
        } catch {
            return try await staffPage(
                request: request, context: context, flash: error.message, flashIsError: true,
                status: error.code == .notFound ? .notFound : .unprocessableContent)
        }
    }

    /// Who opened which file, newest first; for one file (`?nomor=`) or one account (`?username=`).
    func accessLogPage(request: Request, context: BackOfficeContext) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        guard session.account.holds(.adminTI) else { return await adminOnly(session) }
        let query = request.uri.queryParameters
        func param(_ name: String) -> String? {
            guard let v = query.get(name)?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return String(v.prefix(40))
        }
        var problems: [String] = []
        var number: String?
        if let nomor = param("nomor") {
            do throws(SimpulError) { number = try RegistrationNumber(parsing: nomor).text } catch {
                problems.append(error.message)
            }
        }
        let username = param("username")
        let perPage = 100
        let shown = max(0, min(Int(param("hal") ?? "0") ?? 0, 10_000))
        let store = self.store
        let wanted = number
        let (entries, total) =
            problems.isEmpty
            ? try await blocking { () throws(SimpulError) in
                try store.accessLog(number: wanted, username: username, limit: perPage, offset: shown * perPage)
            } : ([], 0)
        struct Entry {
            var at, username, number, what: String
        }
        struct View {
            var nomor, username: String
            var entries: [Entry]
            var hasEntries: Bool
            var total: Int
            var previous, next: String?
        }
        func link(_ page: Int) -> String {
            var parts = ["hal=\(page)"]
            if let number { parts.append("nomor=\(FormBody.encode(number))") }
            if let username { parts.append("username=\(FormBody.encode(username))") }
            return "/log-akses?" + parts.joined(separator: "&")
        }
        let zona = self.zona
        let view = View(
            nomor: param("nomor") ?? "", username: username ?? "",
            entries: entries.map {
                Entry(
                    at: WebPage.moment($0.at, zona: zona), username: $0.username, number: $0.number,
                    what: $0.what == .berkas ? "halaman berkas" : "pindaian")
            }, hasEntries: !entries.isEmpty, total: total, previous: shown > 0 ? link(shown - 1) : nil,
            next: (shown + 1) * perPage < total ? link(shown + 1) : nil)
        return await page(
            "Log akses berkas", section: .logAkses, session: session, body: renderer.render("logakses", view),
            flash: problems.isEmpty ? nil : problems.joined(separator: "; "), flashIsError: !problems.isEmpty,
            status: problems.isEmpty ? .ok : .unprocessableContent, request: request)
    }

    /// Records a look at a file; a failure to record is logged, never shown (the look already happened).
    func recordAccess(_ session: StaffSession, number: String, what: FileAccess.What) async {
        let store = self.store
        let username = session.account.username
        do {
            try await blocking { () throws(SimpulError) in
                try store.recordAccess(username: username, number: number, what: what)
            }
        } catch {
            logger.error("file access not recorded", metadata: ["number": "\(number)", "error": "\(error)"])
        }
    }

    func adminOnly(_ session: StaffSession) async -> Response {
        await message(
            "Tidak diizinkan", "Halaman ini hanya untuk peran \(StaffRole.adminTI.label).", session: session,
            status: .forbidden, back: "/", backLabel: "Kembali ke ringkasan")
    }

    static let staffTemplates: [String: String] = [
        "staf": AccountAdmin<StaffRole>.template,
        "logakses": """
        <h1>Log akses berkas</h1>
        <p class="muted">Setiap kali staf membuka halaman berkas atau pindaiannya. {{total}} catatan cocok.</p>
        <form method="get" action="/log-akses" class="filters">
          <label for="nomor">Nomor pendaftaran</label><input id="nomor" name="nomor" type="text" value="{{nomor}}">
          <label for="username">Nama pengguna</label><input id="username" name="username" type="text" value="{{username}}">
          <button type="submit" class="secondary">Saring</button>
        </form>
        {{^hasEntries}}<div class="card"><p>Tidak ada catatan.</p></div>{{/hasEntries}}
        {{#hasEntries}}
        <table>
          <thead><tr><th scope="col">Waktu</th><th scope="col">Nama pengguna</th><th scope="col">Nomor</th><th scope="col">Yang dibuka</th></tr></thead>
          <tbody>{{#entries}}<tr><td>{{at}}</td><td><a href="/log-akses?username={{username}}">{{username}}</a></td><td><a class="nomor" href="/permohonan/{{number}}">{{number}}</a></td><td>{{what}}</td></tr>{{/entries}}</tbody>
        </table>
        <div class="pager">{{#previous}}<a class="button secondary" href="{{previous}}">&larr; Sebelumnya</a>{{/previous}}{{#next}}<a class="button secondary" href="{{next}}">Berikutnya &rarr;</a>{{/next}}</div>
        {{/hasEntries}}
        """,
    ]
}
