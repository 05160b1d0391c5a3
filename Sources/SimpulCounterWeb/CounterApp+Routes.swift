import Foundation
import Hummingbird
import SimpulDomain
import SimpulStore
import SimpulWeb

extension CounterApp {
    /// Every page and action of the counter.
    public func router() -> Router<CounterContext> {
        let router = Router(context: CounterContext.self)
        router.add(middleware: SessionMiddleware<CounterContext>(login: login))
        router.get("/aset/:name") { _, context -> Response in
            guard let name = context.parameters.get("name"), let response = WebAssets.response(name) else {
                return Response(status: .notFound)
            }
            return response
        }
        router.get("/masuk") { request, _ in loginPage(request: request) }
        router.get("/papan") { request, _ in try await boardPage(request: request) }
        router.get("/antrian/layar") { request, _ in try await screenPage(request: request) }
        router.get("/antrian/layar.json") { request, _ in try await screenJSON(request: request) }
        router.get("/antrian") { request, context in try await antrianPage(request: request, context: context) }
        router.post("/antrian/ambil") { request, context in try await takeTicket(request: request, context: context) }
        router.post("/antrian/panggil") { request, context in try await callTicket(request: request, context: context) }
        router.get("/antrian/tiket/:id") { request, context in try await ticketPaper(request: request, context: context)
        }
        router.get("/kas") { request, context in try await kasPage(request: request, context: context) }
        router.post("/kas/tutup") { request, context in try await closeKas(request: request, context: context) }
        router.post("/kas/setor") { request, context in try await depositKas(request: request, context: context) }
        router.get("/skm/:nomor") { request, context in try await surveyPage(request: request, context: context) }
        router.post("/skm/:nomor") { request, context in try await takeSurvey(request: request, context: context) }
        router.get("/pengaduan") { request, context in try await complaintsPage(request: request, context: context) }
        router.post("/pengaduan") { request, context in try await changeComplaint(request: request, context: context) }
        router.get("/laporan") { request, context in try await laporanPage(request: request, context: context) }
        router.get("/laporan.csv") { request, context in try await laporanCSV(request: request, context: context) }
        router.get("/antrian/laporan") { request, context in
            try await antrianReport(request: request, context: context)
        }
        router.post("/masuk") { request, _ in try await logIn(request: request) }
        router.post("/keluar") { request, context in try await logout(request: request, context: context) }
        router.get("/") { request, context in try await queuePage(request: request, context: context) }
        router.get("/cari") { request, context in try await searchPage(request: request, context: context) }
        router.get("/daftar") { request, context in try await registerPage(request: request, context: context) }
        router.post("/daftar") { request, context in try await register(request: request, context: context) }
        router.get("/api/periksa") { request, context in try await check(request: request, context: context) }
        router.get("/permohonan/:nomor") { request, context in
            try await permohonanPage(request: request, context: context)
        }
        router.post("/permohonan/:nomor/aksi") { request, context in
            try await act(request: request, context: context)
        }
        router.post("/permohonan/:nomor/surat") { request, context in
            try await makeLetter(request: request, context: context)
        }
        router.post("/permohonan/:nomor/lampiran") { request, context in
            try await upload(request: request, context: context)
        }
        router.get("/permohonan/:nomor/tanda-terima") { request, context in
            try await tandaTerima(request: request, context: context)
        }
        router.get("/kuitansi") { request, context in try await kuitansi(request: request, context: context) }
        router.get("/verifikasi") { request, context in try await verifyPage(request: request, context: context) }
        router.get("/lampiran/:sha") { request, context in try await scan(request: request, context: context) }
        router.post("/sinkron") { request, context in try await syncNow(request: request, context: context) }
        router.get("/petugas") { request, context in try await accountsPage(request: request, context: context) }
        router.post("/petugas") { request, context in try await changeAccounts(request: request, context: context) }
        router.post("/petugas/:username/:verb") { request, context in
            try await changeAccounts(request: request, context: context)
        }
        return router
    }

    /// The logged-in session, or the answer to give instead (`WebLogin.withoutSession`).
    func require(_ context: CounterContext, request: Request) -> Gate<WebSession> {
        if let session = context.session { return .success(session) }
        return .failure(login.withoutSession(request))
    }

    /// The form of a POST, after its CSRF token matched the session's.
    func form(_ request: Request, session: WebSession) async throws -> Gate<FormBody> {
        let form: FormBody
        do {
            let buffer = try await request.body.collect(upTo: FormBody.maxBytes)
            form = try FormBody(parsing: Substring(String(buffer: buffer)))
        } catch let error as SimpulError {
            return .failure(
                await message("Formulir ditolak", error.message, session: session, status: .badRequest))
        } catch {
            return .failure(
                await message(
                    "Formulir ditolak", "formulir lebih besar dari \(FormBody.maxBytes / 1024) KB",
                    session: session, status: .contentTooLarge))
        }
        guard let token = form["csrf"], SessionToken.equal(token, session.csrf) else {
            return .failure(await csrfRefused(session: session))
        }
        return .success(form)
    }

    func csrfRefused(session: WebSession?) async -> Response {
        await message(
            "Formulir kedaluwarsa",
            "Formulir ini tidak berasal dari sesi Anda yang sekarang (mungkin dibuka sebelum masuk ulang). Buka halamannya lagi lalu ulangi.",
            session: session, status: .forbidden)
    }
}

/// A value to go on with, or the response to give instead.
enum Gate<T> {
    case success(T)
    case failure(Response)
}
