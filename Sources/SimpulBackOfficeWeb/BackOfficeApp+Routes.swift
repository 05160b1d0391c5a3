import Foundation
import Hummingbird
import SimpulDomain
import SimpulStore
import SimpulWeb

extension BackOfficeApp {
    /// Every page and action of the back office.
    public func router() -> Router<BackOfficeContext> {
        let router = Router(context: BackOfficeContext.self)
        router.add(middleware: SessionMiddleware<BackOfficeContext>(login: login))
        router.get("/aset/:name") { _, context -> Response in
            guard let name = context.parameters.get("name"), let response = WebAssets.response(name) else {
                return Response(status: .notFound)
            }
            return response
        }
        router.get("/masuk") { request, _ in loginPage(request: request) }
        router.post("/masuk") { request, _ in try await logIn(request: request) }
        router.post("/keluar") { request, context in try await logout(request: request, context: context) }
        router.get("/") { request, context in try await dashboard(request: request, context: context) }
        router.get("/berkas") { request, context in try await queuePage(request: request, context: context) }
        router.get("/berkas.csv") { request, context in try await queueCSV(request: request, context: context) }
        router.get("/berkas.xlsx") { request, context in try await queueXLSX(request: request, context: context) }
        router.get("/permohonan/:nomor") { request, context in
            try await permohonanPage(request: request, context: context)
        }
        router.post("/permohonan/:nomor/aksi") { request, context in try await act(request: request, context: context) }
        router.post("/permohonan/:nomor/dokumen-terbit") { request, context in
            try await uploadIssued(request: request, context: context)
        }
        router.get("/staf") { request, context in try await staffPage(request: request, context: context) }
        router.post("/staf") { request, context in try await changeStaff(request: request, context: context) }
        router.post("/staf/:username/:verb") { request, context in
            try await changeStaff(request: request, context: context)
        }
        router.get("/penerimaan") { request, context in try await penerimaanPage(request: request, context: context) }
        router.get("/penerimaan.csv") { request, context in try await penerimaanCSV(request: request, context: context)
        }
        router.get("/penerimaan.xlsx") { request, context in
            try await penerimaanXLSX(request: request, context: context)
        }
        router.get("/kepuasan") { request, context in try await kepuasanPage(request: request, context: context) }
        router.get("/node") { request, context in try await nodesPage(request: request, context: context) }
        router.post("/node") { request, context in try await changeNodes(request: request, context: context) }
        router.post("/node/:node/cabut") { request, context in try await changeNodes(request: request, context: context)
        }
        router.get("/log-akses") { request, context in try await accessLogPage(request: request, context: context) }
        router.get("/konflik") { request, context in try await conflictsPage(request: request, context: context) }
        router.post("/konflik/selesaikan") { request, context in try await settle(request: request, context: context) }
        router.get("/lampiran/:sha") { request, context -> Response in
            guard let session = context.session else { return redirect("/masuk") }
            let sha = context.parameters.get("sha") ?? ""
            if Attachment.isSHA256(sha),
                let number = try? await blocking({ () throws(SimpulError) in
                    try store.numbersNaming(blob: sha).first
                })
            {
                await recordAccess(session, number: number, what: .lampiran)
            }
            return try await ScanResponse.response(
                sha: context.parameters.get("sha") ?? "", download: request.uri.queryParameters.get("unduh") != nil,
                store: store)
        }
        return router
    }

    /// The logged-in session, or the answer to give instead (`WebLogin.withoutSession`).
    func require(_ context: BackOfficeContext, request: Request) -> Gate<StaffSession> {
        if let session = context.session { return .success(session) }
        return .failure(login.withoutSession(request))
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
    )
        -> Response
    {
        login.page(
            renderer: renderer, office: store.info.name, message: message ?? WebLogin<StaffRole>.notice(request),
            username: username, status: status)
    }

    func logIn(request: Request) async throws -> Response {
        switch try await login.login(request, zona: zona) {
        case .loggedIn(let response): return response
        case .refused(let text, let username, let status):
            return loginPage(request: request, message: text, username: username, status: status)
        }
    }

    func logout(request: Request, context: BackOfficeContext) async throws -> Response {
        guard case .success(let session) = require(context, request: request) else { return redirect("/masuk") }
        guard case .success = try await form(request, session: session) else {
            return await csrfRefused(session: session)
        }
        return try await login.logout(request)
    }
}

/// A value to go on with, or the response to give instead.
enum Gate<T> {
    case success(T)
    case failure(Response)
}
