import Foundation
import Hummingbird
import SimpulDomain
import SimpulStore
import SimpulWeb

extension BackOfficeApp {
    /// Every page and action of the back office.
    public func router() -> Router<BackOfficeContext> {
        let router = Router(context: BackOfficeContext.self)
        router.add(middleware: StaffSessionMiddleware(app: self))
        router.get("/aset/:name") { _, context -> Response in
            guard let name = context.parameters.get("name"), let response = WebAssets.response(name) else {
                return Response(status: .notFound)
            }
            return response
        }
        router.get("/masuk") { request, _ in loginPage(request: request) }
        router.post("/masuk") { request, context in try await login(request: request, context: context) }
        router.post("/keluar") { request, context in try await logout(request: request, context: context) }
        router.get("/") { request, context in try await dashboard(request: request, context: context) }
        router.get("/berkas") { request, context in try await queuePage(request: request, context: context) }
        router.get("/berkas.csv") { request, context in try await queueCSV(request: request, context: context) }
        router.get("/permohonan/:nomor") { request, context in
            try await permohonanPage(request: request, context: context)
        }
        router.post("/permohonan/:nomor/aksi") { request, context in try await act(request: request, context: context) }
        router.get("/lampiran/:sha") { request, context -> Response in
            guard context.session != nil else { return redirect("/masuk") }
            return try await ScanResponse.response(
                sha: context.parameters.get("sha") ?? "", download: request.uri.queryParameters.get("unduh") != nil,
                store: store)
        }
        return router
    }

    /// The logged-in session, or the answer to give instead: the login page for a page, 401 for a POST.
    func require(_ context: BackOfficeContext, request: Request) -> Gate<StaffSession> {
        if let session = context.session { return .success(session) }
        if request.method == .post { return .failure(Response(status: .unauthorized)) }
        return .failure(redirect("/masuk"))
    }

    /// The form of a POST, after its CSRF token matched the session's.
    func form(_ request: Request, session: StaffSession) async throws -> Gate<FormBody> {
        let form: FormBody
        do {
            let buffer = try await request.body.collect(upTo: FormBody.maxBytes)
            form = try FormBody(parsing: Substring(String(buffer: buffer)))
        } catch let error as SimpulError {
            return .failure(await message("Formulir ditolak", error.message, session: session, status: .badRequest))
        } catch {
            return .failure(
                await message(
                    "Formulir ditolak", "formulir lebih besar dari \(FormBody.maxBytes / 1024) KB", session: session,
                    status: .contentTooLarge))
        }
        guard let token = form["csrf"], SessionToken.equal(token, session.csrf) else {
            return .failure(await csrfRefused(session: session))
        }
        return .success(form)
    }

    func csrfRefused(session: StaffSession?) async -> Response {
        await message(
            "Formulir kedaluwarsa",
            "Formulir ini tidak berasal dari sesi Anda yang sekarang (mungkin dibuka sebelum masuk ulang). Buka halamannya lagi lalu ulangi.",
            session: session, status: .forbidden)
    }

    // MARK: - Login

    func loginPage(
        request: Request, message: String? = nil, username: String = "", status: HTTPResponse.Status = .ok
    ) -> Response {
        struct Login {
            var office, csrf, username: String
        }
        // Before a session exists, the login form's token is checked against a cookie of its own.
        let token = SessionToken.make()
        let body = renderer.render("login", Login(office: store.info.name, csrf: token, username: username))
        var response = WebPage.html(
            renderer.render(
                "frame",
                [
                    "title": "Masuk", "office": store.info.name, "body": body, "flash": message as Any,
                    "flashKind": "err",
                ] as [String: Any]), status: status)
        response.setCookie(
            Cookie(
                name: SessionToken.loginCookieName, value: token, maxAge: 3600, path: "/masuk",
                secure: settings.secure, httpOnly: true, sameSite: .strict))
        return response
    }

    func login(request: Request, context: BackOfficeContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: FormBody.maxBytes)
        guard let form = try? FormBody(parsing: Substring(String(buffer: buffer))) else {
            return loginPage(request: request, message: "Formulir masuk tidak terbaca.", status: .badRequest)
        }
        guard let cookie = request.cookies[SessionToken.loginCookieName]?.value, let token = form["csrf"],
            SessionToken.equal(cookie, token)
        else {
            return loginPage(
                request: request, message: "Halaman masuk sudah kedaluwarsa; silakan coba lagi.", status: .forbidden)
        }
        let username = (form["username"] ?? "").lowercased()
        let password = form.fields.first(where: { $0.name == "password" })?.value ?? ""
        let store = self.store
        let now = self.now()
        let hasher = PasswordHasher(cost: settings.passwordCost)
        let outcome = try await blocking { () throws(SimpulError) -> AccountLoginOutcome<StaffRole> in
            try OfficerLogin.authenticate(
                StaffRole.self, username: username, password: password, store: store, now: now, hasher: hasher)
        }
        let shownName = FreeText.shown(String(username.prefix(32)))
        switch outcome {
        case .success(let account):
            let session = SessionToken.make()
            let csrf = SessionToken.make()
            let expires = Timestamp(milliseconds: now.milliseconds + settings.sessionSeconds * 1000)
            try await blocking { () throws(SimpulError) in
                try store.createSession(
                    StaffRole.self, username: account.username, tokenHash: SessionToken.hash(session), csrf: csrf,
                    expiresAt: expires)
            }
            logger.info("staff logged in", metadata: ["username": "\(account.username)"])
            var response = redirect("/")
            response.setCookie(
                Cookie(
                    name: SessionToken.cookieName, value: session, maxAge: Int(settings.sessionSeconds), path: "/",
                    secure: settings.secure, httpOnly: true, sameSite: .strict))
            return response
        case .refused(let text):
            logger.notice("staff login refused", metadata: ["username": "\(shownName)"])
            return loginPage(request: request, message: text, username: username, status: .unauthorized)
        case .locked(let until):
            logger.notice("staff login locked", metadata: ["username": "\(shownName)"])
            return loginPage(
                request: request,
                message:
                    "Akun ini dikunci karena terlalu sering salah; coba lagi setelah \(WebPage.moment(until, zona: zona)).",
                username: username, status: .tooManyRequests)
        }
    }

    func logout(request: Request, context: BackOfficeContext) async throws -> Response {
        guard case .success(let session) = require(context, request: request) else { return redirect("/masuk") }
        guard case .success = try await form(request, session: session) else {
            return await csrfRefused(session: session)
        }
        if let token = request.cookies[SessionToken.cookieName]?.value, SessionToken.isWellFormed(token) {
            let store = self.store
            try await blocking { () throws(SimpulError) in
                try store.endSession(StaffRole.self, tokenHash: SessionToken.hash(token))
            }
        }
        var response = redirect("/masuk")
        response.setCookie(
            Cookie(
                name: SessionToken.cookieName, value: "", maxAge: 0, path: "/", secure: settings.secure,
                httpOnly: true, sameSite: .strict))
        return response
    }
}

/// Reads the session cookie once per request; a token of the wrong shape never reaches the store.
struct StaffSessionMiddleware: RouterMiddleware {
    typealias Context = BackOfficeContext
    let app: BackOfficeApp

    func handle(
        _ request: Request, context: BackOfficeContext, next: (Request, BackOfficeContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let token = request.cookies[SessionToken.cookieName]?.value, SessionToken.isWellFormed(token) {
            let hash = SessionToken.hash(token)
            let now = app.now()
            let store = app.store
            context.session = try? await app.blocking { () throws(SimpulError) in
                try store.session(StaffRole.self, tokenHash: hash, now: now)
            }
        }
        return try await next(request, context)
    }
}

/// A value to go on with, or the response to give instead.
enum Gate<T> {
    case success(T)
    case failure(Response)
}
