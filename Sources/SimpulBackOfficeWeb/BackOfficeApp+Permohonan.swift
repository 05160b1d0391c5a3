import Foundation
import Hummingbird
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

/// One forwarded file: its page, the PTSP's actions on it, and the issued document.
extension BackOfficeApp {
    func permohonanPage(
        request: Request, context: BackOfficeContext, flash: String? = nil, flashIsError: Bool = false,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let number: String
        do throws(SimpulError) {
            number = try RegistrationNumber(parsing: context.parameters.get("nomor") ?? "").text
        } catch {
            return await message("Nomor tidak sah", error.message, session: session, status: .notFound)
        }
        let store = self.store
        let loaded: (Permohonan, [Event], [String: StoredBlob], WorkingDayCalendar, String?, Int)
        do {
            loaded = try await blocking { () throws(SimpulError) in
                let p = try store.permohonan(number)
                var blobs: [String: StoredBlob] = [:]
                for f in p.attachments { blobs[f.attachment.sha256] = try store.blob(f.attachment.sha256) }
                return (
                    p, try store.history(number), blobs, try store.calendar(), try store.wilayahName(p.partition),
                    try store.conflicts(openOnly: true, record: number).count
                )
            }
        } catch {
            return await message(
                "Tidak ditemukan", "Permohonan \(number) tidak ada di hub ini.", session: session, status: .notFound)
        }
        let (p, history, blobs, calendar, kecamatan, conflicts) = loaded
        logger.info("file viewed", metadata: ["number": "\(number)", "username": "\(session.account.username)"])
        await recordAccess(session, number: number, what: .berkas)
        var view = FileView(
            p, history: history, blobs: blobs, session: session, today: today(), calendar: calendar, zona: zona,
            kecamatan: kecamatan)
        view.conflictNotice = Self.conflictNotice(conflicts)
        let body = renderer.render("permohonan", view)
        return await page(
            p.number, section: .berkas, session: session, body: body, flash: flash, flashIsError: flashIsError,
            status: status, request: flash == nil ? request : nil)
    }

    /// A progress code or a decision, by the logged-in account; the store checks the role again in
    /// the write transaction, so a forged form from a read-only account is refused there too.
    func act(request: Request, context: BackOfficeContext) async throws -> Response {
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
        let number: String
        do throws(SimpulError) {
            number = try RegistrationNumber(parsing: context.parameters.get("nomor") ?? "").text
        } catch {
            return await message("Nomor tidak sah", error.message, session: session, status: .notFound)
        }
        let command: Command
        do throws(SimpulError) {
            command = try Self.command(from: form)
        } catch {
            return try await permohonanPage(
                request: request, context: context, flash: error.message, flashIsError: true,
                status: .unprocessableContent)
        }
        if let required = StaffRole.required(for: command), !session.account.holds(required) {
            logger.notice(
                "back office action refused for role",
                metadata: ["number": "\(number)", "username": "\(session.account.username)"])
            return try await permohonanPage(
                request: request, context: context,
                flash:
                    "Ditolak: akun Anda tidak memegang peran \(required.label); tindakan ini hanya untuk peran itu.",
                flashIsError: true, status: .forbidden)
        }
        let store = self.store
        let actor = Actor.staff(session.account)
        do {
            let event = try await blocking { () throws(SimpulError) in try store.perform(command, on: number, by: actor)
            }
            logger.info(
                "permohonan changed on the back office",
                metadata: [
                    "number": "\(number)", "type": "\(event.body.type)", "username": "\(session.account.username)",
                ])
            return redirect("/permohonan/\(number)", flash: "Tercatat: \(FreeText.shown(Render.eventText(event))).")
        } catch {
            return try await permohonanPage(
                request: request, context: context, flash: "Ditolak: \(error.message)", flashIsError: true,
                status: .conflict)
        }
    }

    /// The document the PTSP issued, sent by the page's script as the request body with its file name
    /// and number in the query: the one-line answer shows under the progress bar.
    func uploadIssued(request: Request, context: BackOfficeContext) async throws -> Response {
        guard let session = context.session else {
            return ScanUpload.plain(.unauthorized, "Sesi berakhir; silakan masuk lagi.")
        }
        let number: String
        let name: String
        let body: ByteBuffer
        switch await ScanUpload.receive(
            request, csrf: session.csrf,
            roleRefusal: !session.account.holds(.petugas)
                ? "Mengunggah dokumen terbit hanya untuk peran \(StaffRole.petugas.label)." : nil,
            number: context.parameters.get("nomor"), defaultName: "dokumen-terbit.pdf")
        {
        case .refused(let response): return response
        case .received(let n, let f, let b): (number, name, body) = (n, f, b)
        }
        let issuedNumber = request.uri.queryParameters.get("nomor").map { String($0.prefix(200)) } ?? ""
        let store = self.store
        let actor = Actor.staff(session.account)
        do {
            let attached = try await blocking { () throws(SimpulError) -> AttachedFile in
                try ScanUpload.withUploadedFile(body, name: name) { (path) throws(SimpulError) in
                    try store.attach(file: path, to: number, syarat: nil, issuedNumber: issuedNumber, by: actor)
                }
            }
            logger.info(
                "issued document attached on the back office",
                metadata: [
                    "number": "\(number)", "sha256": "\(attached.attachment.sha256.prefix(12))",
                    "username": "\(session.account.username)",
                ])
            return ScanUpload.plain(.ok, "Tersimpan: \(attached.attachment.name)")
        } catch {
            return ScanUpload.plain(.unprocessableContent, error.message)
        }
    }

    /// The workflow command a posted action form asks for.
    static func command(from form: FormBody) throws(SimpulError) -> Command {
        let note = form["catatan"].map { String($0.prefix(2000)) }
        switch form["aksi"] ?? "" {
        case "kode":
            guard let code = form["kode"] else { throw SimpulError(.invalidData, "kode: pilih kode proses OSS") }
            return .ptspProgress(code: code, note: note)
        case "putuskan":
            guard let code = form["kode"] else { throw SimpulError(.invalidData, "kode: pilih kode keputusan OSS") }
            let fee = try form["retribusi"].map { (r) throws(SimpulError) in try Console.rupiah(r, field: "retribusi") }
            return .decide(code: code, fee: fee, note: note)
        case let other:
            throw SimpulError(.invalidData, "aksi: '\(FreeText.shown(String(other.prefix(40))))' tidak dikenal")
        }
    }
}
