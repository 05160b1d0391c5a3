import Foundation
import Hummingbird
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

extension CounterApp {
    /// The loket's register form for one service: its requirements as a checklist, its fee inputs as
    /// fields, the fee and due date as they would be if saved now.
    func registerPage(
        request: Request, context: CounterContext, form: FormBody? = nil, flash: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        guard session.account.holds(.loket) else {
            return await message(
                "Tidak diizinkan", "Pendaftaran permohonan hanya untuk \(OfficerRole.loket.label).", session: session,
                status: .forbidden)
        }
        struct Field {
            var key, value: String
        }
        struct Requirement {
            var code, name: String
            var checked: Bool
        }
        struct Service {
            var csrf, code, name, kind, place, duration, feeRule: String
            var requirements: [Requirement]
            var inputs: [Field]
            var hasInputs: Bool
            var nik, nama, alamat, telepon: String
            var feeNow, dueNow: String
        }
        struct Register {
            var services: [Choice]
            var service: Service?
        }
        let store = self.store
        let today = self.today()
        let (catalog, calendar) = try await blocking { () throws(SimpulError) in
            (try store.catalog(), try store.calendar())
        }
        let chosen = form?["layanan"] ?? request.uri.queryParameters.get("layanan")
        let layanan = chosen.flatMap { catalog.service(code: $0) }
        var service: Service?
        if let l = layanan {
            let ticked = Set(form?.all("syarat") ?? [])
            var inputs: [Field] = []
            if case .formula(_, let names, _) = l.fee {
                inputs = names.map { Field(key: $0, value: form?["isian.\($0)"] ?? "") }
            }
            let check = Self.check(
                layanan: l, nik: form?["nik"], isian: Self.isian(form), today: today, calendar: calendar)
            service = Service(
                csrf: session.csrf, code: l.code, name: l.name, kind: l.kind.label,
                place: l.isDelegated ? "selesai di kecamatan" : "diteruskan ke \(l.forwardTo ?? "PTSP")",
                duration: l.durationWorkingDays.map { "\($0) hari kerja" } ?? "ditetapkan \(l.forwardTo ?? "PTSP")",
                feeRule: l.fee.label,
                requirements: l.requirements.map {
                    Requirement(code: $0.code, name: $0.name, checked: ticked.contains($0.code))
                },
                inputs: inputs, hasInputs: !inputs.isEmpty, nik: form?["nik"] ?? "", nama: form?["nama"] ?? "",
                alamat: form?["alamat"] ?? "", telepon: form?["telepon"] ?? "", feeNow: check["biaya"]?.text ?? "",
                dueNow: check["jatuhtempo"]?.text ?? "")
        }
        let body = renderer.render(
            "daftar",
            Register(
                services: catalog.services.map {
                    Choice(value: $0.code, label: $0.name, selected: $0.code == layanan?.code)
                }
                .map { Choice(value: $0.value, label: $0.label, selected: $0.selected) },
                service: service))
        var flashText = flash
        if flash == nil, let chosen, layanan == nil {
            flashText =
                "layanan: kode '\(FreeText.shown(String(chosen.prefix(40))))' tidak ada di katalog versi \(catalog.version)"
        }
        return await page(
            "Daftarkan permohonan", section: .daftar, session: session, body: body, flash: flashText,
            flashIsError: flashText != nil, status: flashText != nil && status == .ok ? .notFound : status,
            request: flash == nil ? request : nil)
    }

    func register(request: Request, context: CounterContext) async throws -> Response {
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
        let store = self.store
        let actor = Actor.account(session.account, substitution: nil)
        do {
            let application = try await blocking { () throws(SimpulError) -> SimpulStore.Application in
                let catalog = try store.catalog()
                guard let code = form["layanan"], let layanan = catalog.service(code: code) else {
                    throw SimpulError(.invalidData, "layanan: pilih layanan dari katalog")
                }
                let ticked = Set(form.all("syarat"))
                let missing = layanan.requirements.filter { !ticked.contains($0.code) }
                guard missing.isEmpty else {
                    throw SimpulError(
                        .invalidData,
                        "Persyaratan belum lengkap: \(missing.map(\.name).joined(separator: ", ")). Minta pemohon melengkapinya dulu."
                    )
                }
                let nik: NIK
                do throws(NIK.Problem) { nik = try NIK(validating: form["nik"] ?? "") } catch {
                    throw SimpulError(.invalidData, error.description)
                }
                guard let nama = form["nama"] else { throw SimpulError(.invalidData, "nama: nama pemohon wajib diisi") }
                return SimpulStore.Application(
                    layanan: layanan.code,
                    pemohon: Pemohon(nik: nik, nama: nama, alamat: form["alamat"], telepon: form["telepon"]),
                    syarat: layanan.requirements.map(\.code), isian: Self.isian(form))
            }
            let p = try await blocking { () throws(SimpulError) in try store.register(application, by: actor) }
            logger.info(
                "permohonan registered on the web",
                metadata: [
                    "number": "\(p.number)", "layanan": "\(p.layanan.code)", "username": "\(session.account.username)",
                ])
            return redirect(
                "/permohonan/\(p.number)",
                flash:
                    "Permohonan \(p.number) terdaftar; selesai paling lambat \(p.dueOn?.indonesian ?? "sesuai keputusan \(p.layanan.forwardTo ?? "PTSP")")."
            )
        } catch {
            return try await registerPage(
                request: request, context: context, form: form, flash: error.message, status: .unprocessableContent)
        }
    }

    /// The form's `isian.KEY` fields.
    static func isian(_ form: FormBody?) -> [String: String] {
        var out: [String: String] = [:]
        for field in form?.fields ?? [] where field.name.hasPrefix("isian.") {
            let key = String(field.name.dropFirst("isian.".count))
            let value = field.value.trimmingCharacters(in: .whitespaces)
            if !key.isEmpty && !value.isEmpty { out[key] = value }
        }
        return out
    }

    struct Checked: Encodable {
        var ok: Bool
        var text: String
    }

    /// The same checks the store makes on registration, answered while the officer types.
    static func check(
        layanan: Layanan?, nik: String?, isian: [String: String], today: LocalDate, calendar: WorkingDayCalendar
    ) -> [String: Checked] {
        var out: [String: Checked] = [:]
        if let nik, !nik.isEmpty {
            do throws(NIK.Problem) {
                let valid = try NIK(validating: nik)
                out["nik"] = Checked(ok: true, text: "NIK sah (kode wilayah \(valid.regionCode))")
            } catch { out["nik"] = Checked(ok: false, text: error.description) }
        } else {
            out["nik"] = Checked(ok: false, text: "NIK 16 digit wajib diisi")
        }
        guard let layanan else { return out }
        if case .formula(_, let inputs, _) = layanan.fee, let missing = inputs.first(where: { isian[$0] == nil }) {
            out["biaya"] = Checked(ok: false, text: "isi \(missing) untuk menghitung retribusi (\(layanan.fee.label))")
        } else {
            do throws(SimpulError) {
                let amount = try layanan.fee.amount(isian: isian)
                out["biaya"] = Checked(
                    ok: true, text: amount.map { $0 == 0 ? "Gratis (Rp 0)" : Rupiah.format($0) } ?? "ditetapkan PTSP")
            } catch { out["biaya"] = Checked(ok: false, text: error.message) }
        }
        if let days = layanan.durationWorkingDays {
            let due = calendar.dueDate(acceptedOn: today, workingDays: days)
            out["jatuhtempo"] = Checked(ok: true, text: "\(due.indonesian) (\(days) hari kerja)")
        } else {
            out["jatuhtempo"] = Checked(ok: true, text: "ditetapkan \(layanan.forwardTo ?? "PTSP")")
        }
        return out
    }

    func check(request: Request, context: CounterContext) async throws -> Response {
        guard case .success = require(context, request: request) else { return Response(status: .unauthorized) }
        let query = request.uri.queryParameters
        var isian: [String: String] = [:]
        for (key, value) in query where key.hasPrefix("isian.") && isian.count < 20 {
            let v = String(value).trimmingCharacters(in: .whitespaces)
            if !v.isEmpty { isian[String(key.dropFirst(6).prefix(64))] = String(v.prefix(40)) }
        }
        let store = self.store
        let (catalog, calendar) = try await blocking { () throws(SimpulError) in
            (try store.catalog(), try store.calendar())
        }
        let answer = Self.check(
            layanan: query.get("layanan").flatMap { catalog.service(code: $0) },
            nik: query.get("nik").map { String($0.prefix(40)) },
            isian: isian, today: today(), calendar: calendar)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Response(
            status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(answer))))
    }

    // MARK: - Scans

    /// A scan sent by the page's script as the raw request body; the file name and requirement ride
    /// in the query, the CSRF token in a header.
    func upload(request: Request, context: CounterContext) async throws -> Response {
        guard let session = context.session else {
            return ScanUpload.plain(.unauthorized, "Sesi berakhir; silakan masuk lagi.")
        }
        let number: String
        let name: String
        let body: ByteBuffer
        switch await ScanUpload.receive(
            request, csrf: session.csrf,
            roleRefusal: !session.account.holds(.loket)
                ? "Melampirkan pindaian hanya untuk \(OfficerRole.loket.label)." : nil,
            number: context.parameters.get("nomor"), defaultName: "pindaian")
        {
        case .refused(let response): return response
        case .received(let n, let f, let b): (number, name, body) = (n, f, b)
        }
        let syarat = request.uri.queryParameters.get("syarat").map { String($0.prefix(64)) }.flatMap {
            $0.isEmpty ? nil : $0
        }
        let store = self.store
        let actor = Actor.account(session.account, substitution: nil)
        do {
            let attached = try await blocking { () throws(SimpulError) -> AttachedFile in
                try ScanUpload.withUploadedFile(body, name: name) { (path) throws(SimpulError) in
                    try store.attach(file: path, to: number, syarat: syarat, by: actor)
                }
            }
            logger.info(
                "scan attached on the web",
                metadata: [
                    "number": "\(number)", "sha256": "\(attached.attachment.sha256.prefix(12))",
                    "username": "\(session.account.username)",
                ])
            return ScanUpload.plain(.ok, "Tersimpan: \(attached.attachment.name)")
        } catch {
            return ScanUpload.plain(.unprocessableContent, error.message)
        }
    }

    /// A scan's bytes, inline (or as a download), only when a permohonan on this node names it.
    func scan(request: Request, context: CounterContext) async throws -> Response {
        guard context.session != nil else { return redirect("/masuk") }
        return try await ScanResponse.response(
            sha: context.parameters.get("sha") ?? "", download: request.uri.queryParameters.get("unduh") != nil,
            store: store)
    }
}
