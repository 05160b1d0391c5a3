import Foundation
import Hummingbird
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

extension CounterApp {
    /// The paper a print page is laid out for.
    enum Paper: String {
        case a5
        case thermal = "58mm"

        var sheet: String { self == .a5 ? "cetak-a5.css" : "cetak-58.css" }
        var qrMillimetres: Double { self == .a5 ? 30 : 36 }
    }

    static func paper(_ request: Request) -> Paper {
        Paper(rawValue: request.uri.queryParameters.get("kertas") ?? "") ?? .a5
    }

    /// "SALINAN ke-2" on every printing after the first.
    static func copyMark(printedBefore: Int) -> String? { printedBefore == 0 ? nil : "SALINAN ke-\(printedBefore)" }

    func tandaTerima(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
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
        let paper = Self.paper(request)
        let loaded: (Permohonan, PaperCode, Event, Int)
        do {
            loaded = try await blocking { () throws(SimpulError) in
                let p = try store.permohonan(number)
                let code = try store.tandaTerimaCode(number)
                let registration = try store.history(number).first { $0.body.type == .registered }
                guard let registration else { throw SimpulError(.notFound, "permohonan \(number) tidak ada") }
                return (p, code, registration, try store.recordPrint(.tandaTerima, key: number))
            }
        } catch {
            return await message("Tidak ditemukan", error.message, session: session, status: .notFound)
        }
        let (p, code, registration, before) = loaded
        struct TandaTerima {
            var title, sheet, office, number, accepted, layanan, nama, nik, fee, due, officer, code, qr: String
            var alamat, copy: String?
            var syarat: [String]
        }
        let qr = (try? QRCode(code.description).svg(millimetres: paper.qrMillimetres, label: "Kode QR \(code)")) ?? ""
        let view = TandaTerima(
            title: "Tanda terima \(p.number)", sheet: paper.sheet, office: store.info.name, number: p.number,
            accepted: WebPage.moment(p.registeredAt, zona: zona), layanan: "\(p.layanan.code) - \(p.layanan.name)",
            nama: FreeText.shown(p.pemohon.nama), nik: p.pemohon.nik.masked, fee: Render.feeText(p),
            due: p.dueOn?.indonesian ?? "ditetapkan \(p.layanan.forwardTo ?? "PTSP")",
            officer: FreeText.shown(registration.officer), code: code.description, qr: qr,
            alamat: p.pemohon.alamat.map { FreeText.shown($0) }, copy: Self.copyMark(printedBefore: before),
            syarat: p.layanan.requirements.filter { p.syarat.contains($0.code) }.map(\.name))
        logger.info(
            "paper printed", metadata: ["kind": "tanda-terima", "number": "\(number)", "copy": "\(before)"])
        return WebPage.html(printRenderer.render("tandaterima", view))
    }

    func kuitansi(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let receipt = String((request.uri.queryParameters.get("nomor") ?? "").prefix(40))
        let store = self.store
        let paper = Self.paper(request)
        let loaded: (PaperCode, Permohonan, Event, Int)
        do {
            loaded = try await blocking { () throws(SimpulError) in
                let (code, number, event) = try store.kuitansiCode(receipt)
                return (code, try store.permohonan(number), event, try store.recordPrint(.kuitansi, key: receipt))
            }
        } catch {
            return await message("Tidak ditemukan", error.message, session: session, status: .notFound)
        }
        let (code, p, event, before) = loaded
        guard case .paymentReceived(let payment) = event.body else {
            return await message(
                "Tidak ditemukan", "kuitansi \(receipt) tidak tercatat", session: session, status: .notFound)
        }
        struct Kuitansi {
            var title, sheet, office, receipt, nama, words, layanan, number, amount, paidAt, officer, code, qr: String
            var copy: String?
        }
        let qr = (try? QRCode(code.description).svg(millimetres: paper.qrMillimetres, label: "Kode QR \(code)")) ?? ""
        let view = Kuitansi(
            title: "Kuitansi \(payment.receipt)", sheet: paper.sheet, office: store.info.name, receipt: payment.receipt,
            nama: FreeText.shown(p.pemohon.nama), words: Terbilang.rupiah(payment.amount).capitalizedFirst,
            layanan: p.layanan.name, number: p.number, amount: Rupiah.format(payment.amount),
            paidAt: WebPage.moment(event.at, zona: zona), officer: FreeText.shown(event.officer),
            code: code.description,
            qr: qr, copy: Self.copyMark(printedBefore: before))
        logger.info("paper printed", metadata: ["kind": "kuitansi", "receipt": "\(receipt)", "copy": "\(before)"])
        return WebPage.html(printRenderer.render("kuitansi", view))
    }

    func verifyPage(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        struct Fact {
            var key, value: String
        }
        struct Result {
            var kind, verdict: String
            var facts: [Fact]
            var number: String?
        }
        struct Verify {
            var kode: String
            var result: Result?
        }
        let typed = String((request.uri.queryParameters.get("kode") ?? "").prefix(120))
        var view = Verify(kode: typed, result: nil)
        var status = HTTPResponse.Status.ok
        if !typed.trimmingCharacters(in: .whitespaces).isEmpty {
            let store = self.store
            do {
                let code = try PaperCode(parsing: typed)
                let (verification, state) = try await blocking {
                    () throws(SimpulError) -> (PaperVerification, Permohonan?) in
                    let v = try store.verify(code)
                    if case .genuine(let number, _) = v { return (v, try store.permohonan(number)) }
                    return (v, nil)
                }
                switch verification {
                case .genuine(let number, let event):
                    var facts = [Fact(key: "Nomor pendaftaran", value: number)]
                    if let p = state {
                        facts += [
                            Fact(key: "Pemohon", value: FreeText.shown(p.pemohon.nama)),
                            Fact(key: "NIK", value: p.pemohon.nik.masked),
                            Fact(key: "Layanan", value: "\(p.layanan.code) - \(p.layanan.name)"),
                            Fact(key: "Status sekarang", value: Render.statusLabel(p)),
                        ]
                    }
                    if case .paymentReceived(let payment) = event.body {
                        facts.append(
                            Fact(key: "Kuitansi", value: "\(payment.receipt), \(Rupiah.format(payment.amount))"))
                    }
                    facts.append(
                        Fact(
                            key: "Dicatat",
                            value: "\(WebPage.moment(event.at, zona: zona)) oleh \(FreeText.shown(event.officer))"))
                    view.result = Result(
                        kind: "ok", verdict: "ASLI: \(code.kind.label) ini sesuai catatan.", facts: facts,
                        number: number)
                case .mismatch(let number):
                    status = .unprocessableContent
                    view.result = Result(
                        kind: "err",
                        verdict:
                            "TIDAK COCOK: \(code.kind.label) dengan nomor ini ada, tetapi kode periksanya lain. Kertas ini diubah atau dipalsukan.",
                        facts: [], number: number)
                case .unknown:
                    status = .notFound
                    view.result = Result(
                        kind: "err",
                        verdict:
                            "Tidak ada di node ini: \(code.kind.label) \(FreeText.shown(code.key)) belum tercatat di sini (mungkin dari kecamatan lain yang belum tersinkron).",
                        facts: [], number: nil)
                }
            } catch {
                status = .unprocessableContent
                view.result = Result(kind: "err", verdict: error.message, facts: [], number: nil)
            }
        }
        return await page(
            "Cek kertas", section: .verifikasi, session: session, body: printRenderer.render("verifikasi", view),
            status: status, request: request)
    }
}

extension String {
    /// `seratus ribu rupiah` -> `Seratus ribu rupiah`.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
