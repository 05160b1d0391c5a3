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

    var accountAdmin: AccountAdmin<OfficerRole> {
        AccountAdmin(store: store, base: "/petugas", passwordCost: settings.passwordCost, logger: logger)
    }

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
        let view = try await accountAdmin.view(heading: "Akun petugas", session: session)
        return await page(
            "Akun petugas", section: .petugas, session: session, body: renderer.render("petugas", view), flash: flash,
            flashIsError: flashIsError, status: status, request: flash == nil ? request : nil)
    }

    /// Adds an account (`POST /petugas`) or changes one (`POST /petugas/:username/:verb`).
    func changeAccounts(request: Request, context: CounterContext) async throws -> Response {
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
                "Tidak diizinkan", "Hanya peran \(OfficerRole.admin.label) yang mengelola akun.", session: session,
                status: .forbidden)
        }
        do {
            let done: String
            if let username = context.parameters.get("username") {
                done = try await accountAdmin.change(
                    username, verb: context.parameters.get("verb") ?? "", form: form, by: session)
            } else {
                done = try await accountAdmin.add(form, by: session)
            }
            return redirect("/petugas", flash: done)
        } catch {
            return try await accountsPage(
                request: request, context: context, flash: error.message, flashIsError: true,
                status: error.code == .notFound ? .notFound : .unprocessableContent)
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
