import Foundation
import Hummingbird
import SimpulDomain
import SimpulStore
import SimpulWeb

extension CounterApp {
    func loginPage(
        request: Request, message: String? = nil, username: String = "", status: HTTPResponse.Status = .ok
    )
        -> Response
    {
        login.page(
            renderer: renderer, office: store.info.name, message: message ?? WebLogin<OfficerRole>.notice(request),
            username: username, status: status)
    }

    func logIn(request: Request) async throws -> Response {
        switch try await login.login(request, zona: zona) {
        case .loggedIn(let response): return response
        case .refused(let text, let username, let status):
            return loginPage(request: request, message: text, username: username, status: status)
        }
    }

    func logout(request: Request, context: CounterContext) async throws -> Response {
        guard case .success(let session) = require(context, request: request) else { return redirect("/masuk") }
        guard case .success = try await form(request, session: session) else {
            return await csrfRefused(session: session)
        }
        return try await login.logout(request)
    }

    // MARK: - Admin: accounts

    func accountsPage(
        request: Request, context: CounterContext, flash: String? = nil, flashIsError: Bool = false,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        guard session.account.holds(.admin) else {
            return await message(
                "Tidak diizinkan", "Halaman akun petugas hanya untuk peran \(OfficerRole.admin.label).",
                session: session, status: .forbidden)
        }
        struct Row {
            var username, name, state, toggleVerb, toggleLabel, toggleConfirm, toggleClass: String
            var roles: [String]
            var `self`: Bool
            var isPIN: Bool
            var roleChoices: [Choice]
        }
        struct Accounts {
            var csrf: String
            var accounts: [Row]
            var roleChoices: [Choice]
        }
        let store = self.store
        let accounts = try await blocking { () throws(SimpulError) in try store.accounts() }
        let body = renderer.render(
            "petugas",
            Accounts(
                csrf: session.csrf,
                accounts: accounts.map { a in
                    Row(
                        username: a.username, name: FreeText.shown(a.name), state: a.disabled ? "nonaktif" : "aktif",
                        toggleVerb: a.disabled ? "aktifkan" : "nonaktifkan",
                        toggleLabel: a.disabled ? "Aktifkan" : "Nonaktifkan",
                        toggleConfirm: a.disabled
                            ? "Aktifkan lagi akun \(a.username)?"
                            : "Nonaktifkan akun \(a.username)? Semua sesinya langsung berakhir.",
                        toggleClass: a.disabled ? "secondary" : "danger", roles: a.roles.map(\.label),
                        self: a.username == session.account.username, isPIN: a.isPIN,
                        roleChoices: OfficerRole.allCases.map {
                            Choice(value: $0.rawValue, label: $0.label, selected: a.holds($0))
                        })
                },
                roleChoices: OfficerRole.allCases.map { Choice(value: $0.rawValue, label: $0.label) }))
        return await page(
            "Akun petugas", section: .petugas, session: session, body: body, flash: flash, flashIsError: flashIsError,
            status: status, request: flash == nil ? request : nil)
    }

    func addAccount(request: Request, context: CounterContext) async throws -> Response {
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
        guard session.account.holds(.admin) else {
            return await message(
                "Tidak diizinkan", "Hanya peran \(OfficerRole.admin.label) yang menambah akun.", session: session,
                status: .forbidden)
        }
        let username = form["username"] ?? ""
        let name = form["nama"] ?? ""
        let password = form.fields.first(where: { $0.name == "password" })?.value ?? ""
        let isPIN = form["pin"] == "1"
        var roles: [OfficerRole] = []
        for value in form.all("peran") {
            guard let role = OfficerRole(rawValue: value) else {
                return try await accountsPage(
                    request: request, context: context, flash: "peran: '\(value)' tidak dikenal", flashIsError: true,
                    status: .unprocessableContent)
            }
            roles.append(role)
        }
        let store = self.store
        let cost = settings.passwordCost
        let chosenRoles = roles
        do {
            let hash = try await blocking { () throws(SimpulError) in
                try PasswordHasher(cost: cost).hashNew(password, isPIN: isPIN)
            }
            let added = try await blocking { () throws(SimpulError) in
                try store.addAccount(
                    username: username, name: name, roles: chosenRoles, passwordHash: hash, isPIN: isPIN)
            }
            logger.info(
                "officer account added",
                metadata: ["username": "\(added.username)", "by": "\(session.account.username)"])
            return redirect("/petugas", flash: "Akun \(added.username) ditambahkan.")
        } catch {
            return try await accountsPage(
                request: request, context: context, flash: error.message, flashIsError: true,
                status: .unprocessableContent)
        }
    }

    func changeAccount(request: Request, context: CounterContext) async throws -> Response {
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
        guard session.account.holds(.admin) else {
            return await message(
                "Tidak diizinkan", "Hanya peran \(OfficerRole.admin.label) yang mengubah akun.", session: session,
                status: .forbidden)
        }
        let username = context.parameters.get("username") ?? ""
        let verb = context.parameters.get("verb") ?? ""
        let store = self.store
        switch verb {
        case "peran", "sandi":
            return try await changeCredentials(
                verb, username: username, form: form, session: session, request: request, context: context)
        case "nonaktifkan", "aktifkan": break
        default:
            return await message("Tidak ditemukan", "Tindakan itu tidak ada.", session: session, status: .notFound)
        }
        guard username != session.account.username else {
            return redirect("/petugas", flash: "Akun sendiri tidak bisa dinonaktifkan dari sini.")
        }
        do {
            try await blocking { () throws(SimpulError) in
                try store.setDisabled(username: username, verb == "nonaktifkan")
            }
        } catch {
            return try await accountsPage(
                request: request, context: context, flash: error.message, flashIsError: true, status: .notFound)
        }
        logger.info(
            "officer account changed",
            metadata: [
                "username": "\(username)", "disabled": "\(verb == "nonaktifkan")", "by": "\(session.account.username)",
            ])
        return redirect(
            "/petugas",
            flash: verb == "nonaktifkan"
                ? "Akun \(username) dinonaktifkan; sesinya berakhir." : "Akun \(username) aktif lagi.")
    }

    /// New roles or a new password for an account, from the admin page.
    func changeCredentials(
        _ verb: String, username: String, form: FormBody, session: WebSession, request: Request,
        context: CounterContext
    ) async throws -> Response {
        let store = self.store
        let cost = settings.passwordCost
        do throws(SimpulError) {
            if verb == "peran" {
                var roles: [OfficerRole] = []
                for value in form.all("peran") {
                    guard let role = OfficerRole(rawValue: value) else {
                        throw SimpulError(
                            .invalidData, "peran: '\(FreeText.shown(String(value.prefix(40))))' tidak dikenal")
                    }
                    roles.append(role)
                }
                if username == session.account.username && !roles.contains(.admin) {
                    throw SimpulError(
                        .invalidData, "peran: akun sendiri tidak bisa melepas peran \(OfficerRole.admin.label)")
                }
                let chosen = roles
                try await blocking { () throws(SimpulError) in try store.setRoles(username: username, roles: chosen) }
                logger.info(
                    "officer roles changed", metadata: ["username": "\(username)", "by": "\(session.account.username)"])
                return redirect("/petugas", flash: "Peran akun \(username) disimpan.")
            }
            let password = form.fields.first(where: { $0.name == "password" })?.value ?? ""
            let isPIN = form["pin"] == "1"
            try await blocking { () throws(SimpulError) in
                let hash = try PasswordHasher(cost: cost).hashNew(password, isPIN: isPIN)
                try store.setPassword(username: username, passwordHash: hash, isPIN: isPIN)
            }
            logger.info(
                "officer password set", metadata: ["username": "\(username)", "by": "\(session.account.username)"])
            return redirect(
                "/petugas", flash: "\(isPIN ? "PIN" : "Sandi") akun \(username) diganti; sesinya yang lama berakhir.")
        } catch {
            return try await accountsPage(
                request: request, context: context, flash: error.message, flashIsError: true,
                status: .unprocessableContent)
        }
    }

    func syncNow(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        switch try await self.form(request, session: session) {
        case .success: break
        case .failure(let r): return r
        }
        guard session.account.holds(.admin), let syncRequests else {
            return await message(
                "Tidak diizinkan",
                "Sinkron sekarang hanya untuk peran \(OfficerRole.admin.label) pada node yang punya hub.",
                session: session, status: .forbidden)
        }
        syncRequests.request()
        logger.info("sync requested", metadata: ["by": "\(session.account.username)"])
        return redirect("/", flash: "Sinkron dimulai; keadaannya tampil di baris atas setelah selesai.")
    }
}
