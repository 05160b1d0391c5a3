import Foundation
import Hummingbird
import Logging
import SimpulConcurrency
import SimpulDomain
import SimpulStore

/// A request context that carries the session its cookie opened, for `SessionMiddleware`.
public protocol SessionContext<Role>: RequestContext {
    associatedtype Role: AccountRole
    var session: AccountSession<Role>? { get set }
}

/// Logging in and out, and finding a request's session: the same for the counter's officers and the
/// PTSP's staff, who differ only in their roles and their tables.
public struct WebLogin<Role: AccountRole>: Sendable {
    public let store: NodeStore
    /// How long a session lasts without a new login.
    public let sessionSeconds: Int64
    /// Whether cookies carry `Secure` (the pages are served over HTTPS).
    public let secure: Bool
    /// bcrypt's cost for the passwords checked here (lower only in tests).
    public let passwordCost: UInt8
    let logger: Logger
    let now: @Sendable () -> Timestamp

    public init(
        store: NodeStore, sessionSeconds: Int64, secure: Bool, passwordCost: UInt8, logger: Logger,
        now: @escaping @Sendable () -> Timestamp
    ) {
        self.store = store
        self.sessionSeconds = sessionSeconds
        self.secure = secure
        self.passwordCost = passwordCost
        self.logger = logger
        self.now = now
    }

    /// A token for a login form and the cookie it is checked against: before there is a session, the
    /// login form's CSRF token has a cookie of its own.
    public func formToken() -> (token: String, cookie: Cookie) {
        let token = SessionToken.make()
        return (
            token,
            Cookie(
                name: SessionToken.loginCookieName, value: token, maxAge: 3600, path: "/masuk", secure: secure,
                httpOnly: true, sameSite: .strict)
        )
    }

    /// The login page: the front end's `login` template inside its `frame`, with a fresh form token and
    /// its cookie, and the line a refusal left.
    public func page(
        renderer: PageRenderer, office: String, message: String? = nil, username: String = "",
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let (token, cookie) = formToken()
        let fields: [String: Any] = ["office": office, "csrf": token, "username": username]
        let body = renderer.render("login", fields)
        let frame: [String: Any] = [
            "title": "Masuk", "office": office, "body": body, "flash": message as Any, "flashKind": "err",
        ]
        var response = WebPage.html(renderer.render("frame", frame), status: status)
        response.setCookie(cookie)
        return response
    }

    public enum Outcome: Sendable {
        /// A redirect to the first page, setting the session cookie.
        case loggedIn(Response)
        /// One line to show on the login page again, the username typed, and the status to answer with.
        case refused(String, username: String, status: HTTPResponse.Status)
    }

    /// Checks a posted login form (its token, then the password) and opens a session.
    public func login(_ request: Request, zona: Zona) async throws -> Outcome {
        let buffer = try await request.body.collect(upTo: FormBody.maxBytes)
        guard let form = try? FormBody(parsing: Substring(String(buffer: buffer))) else {
            return .refused("Formulir masuk tidak terbaca.", username: "", status: .badRequest)
        }
        guard let cookie = request.cookies[SessionToken.loginCookieName]?.value, let token = form["csrf"],
            SessionToken.equal(cookie, token)
        else {
            return .refused("Halaman masuk sudah kedaluwarsa; silakan coba lagi.", username: "", status: .forbidden)
        }
        let username = String((form["username"] ?? "").lowercased().prefix(64))
        let password = form.fields.first(where: { $0.name == "password" })?.value ?? ""
        let store = self.store
        let now = self.now()
        let hasher = PasswordHasher(cost: passwordCost)
        let outcome = try await BlockingPool.shared.run { () throws(SimpulError) -> AccountLoginOutcome<Role> in
            try OfficerLogin.authenticate(
                Role.self, username: username, password: password, store: store, now: now, hasher: hasher)
        }
        let shownName = FreeText.shown(String(username.prefix(32)))
        switch outcome {
        case .success(let account):
            let session = SessionToken.make()
            let csrf = SessionToken.make()
            let expires = Timestamp(milliseconds: now.milliseconds + sessionSeconds * 1000)
            try await BlockingPool.shared.run { () throws(SimpulError) in
                try store.createSession(
                    Role.self, username: account.username, tokenHash: SessionToken.hash(session), csrf: csrf,
                    expiresAt: expires)
            }
            logger.info("logged in", metadata: ["username": "\(account.username)"])
            var response = WebPage.redirect("/", secureCookies: secure)
            response.setCookie(
                Cookie(
                    name: SessionToken.cookieName, value: session, maxAge: Int(sessionSeconds), path: "/",
                    secure: secure, httpOnly: true, sameSite: .strict))
            return .loggedIn(response)
        case .refused(let text):
            logger.notice("login refused", metadata: ["username": "\(shownName)"])
            return .refused(text, username: username, status: .unauthorized)
        case .locked(let until):
            logger.notice("login locked", metadata: ["username": "\(shownName)"])
            return .refused(
                "Akun ini dikunci karena terlalu sering salah; coba lagi setelah \(WebPage.moment(until, zona: zona)).",
                username: username, status: .tooManyRequests)
        }
    }

    /// What the login page says after `withoutSession` sent a browser there whose session had ended.
    public static var endedMessage: String {
        "Sesi Anda sudah berakhir (lewat waktunya, keluar, atau akun dinonaktifkan). Silakan masuk lagi."
    }

    /// The line the login page shows for a request that was sent to it by `withoutSession`.
    public static func notice(_ request: Request) -> String? {
        request.uri.query == "sesi=berakhir" ? endedMessage : nil
    }

    /// The answer to a request with no live session. A page or a posted form goes to the login page,
    /// which says the session ended when the browser still sent one (an officer back from a long break
    /// should know why the form did not save); the small JSON endpoints and the scripted upload get 401
    /// with a line the script shows.
    public func withoutSession(_ request: Request) -> Response {
        let scripted =
            request.uri.path.hasPrefix("/api/")
            || (request.method == .post
                && request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") != true)
        if scripted {
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            WebPage.secure(&headers)
            return Response(
                status: .unauthorized, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: "Sesi berakhir; muat ulang halaman lalu masuk lagi.")))
        }
        guard request.cookies[SessionToken.cookieName] != nil else {
            return WebPage.redirect("/masuk", secureCookies: secure)
        }
        var response = WebPage.redirect("/masuk?sesi=berakhir", secureCookies: secure)
        response.setCookie(
            Cookie(
                name: SessionToken.cookieName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true,
                sameSite: .strict))
        return response
    }

    /// Ends the request's session (its form's CSRF token already checked) and sends the browser to the
    /// login page.
    public func logout(_ request: Request) async throws -> Response {
        if let token = request.cookies[SessionToken.cookieName]?.value, SessionToken.isWellFormed(token) {
            let store = self.store
            try await BlockingPool.shared.run { () throws(SimpulError) in
                try store.endSession(Role.self, tokenHash: SessionToken.hash(token))
            }
        }
        var response = WebPage.redirect("/masuk", secureCookies: secure)
        response.setCookie(
            Cookie(
                name: SessionToken.cookieName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true,
                sameSite: .strict))
        return response
    }

    /// The session a request's cookie opens; a token of the wrong shape never reaches the store.
    public func session(_ request: Request) async -> AccountSession<Role>? {
        guard let token = request.cookies[SessionToken.cookieName]?.value, SessionToken.isWellFormed(token) else {
            return nil
        }
        let hash = SessionToken.hash(token)
        let now = self.now()
        let store = self.store
        return try? await BlockingPool.shared.run { () throws(SimpulError) in
            try store.session(Role.self, tokenHash: hash, now: now)
        }
    }
}

/// Reads the session cookie once per request into the context.
public struct SessionMiddleware<Context: SessionContext>: RouterMiddleware {
    let login: WebLogin<Context.Role>

    public init(login: WebLogin<Context.Role>) { self.login = login }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.session = await login.session(request)
        return try await next(request, context)
    }
}
