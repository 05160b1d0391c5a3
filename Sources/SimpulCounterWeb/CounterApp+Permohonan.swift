import Foundation
import Hummingbird
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

extension CounterApp {
    // MARK: - Queue and search

    func queuePage(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        struct Queue {
            var heading: String
            var empty: Bool
            var total: Int
            var rows: [PermohonanRow]
            var pageText: String?
            var previous, next: String?
        }
        let account = session.account
        let store = self.store
        let today = self.today()
        let perPage = settings.queuePageSize
        // `hal` counts from 0, as on the search page; a page past the end shows an empty one.
        let shown = max(0, min(Int(request.uri.queryParameters.get("hal") ?? "0") ?? 0, 10_000))
        let (rows, total) = try await blocking { () throws(SimpulError) in
            let steps = Self.steps(for: account)
            let list = try store.workQueue(
                steps: steps, unpaid: account.holds(.kasir), incomplete: account.holds(.loket), limit: perPage,
                offset: shown * perPage)
            let calendar = try store.calendar()
            return (list.map { PermohonanRow($0, today: today, calendar: calendar) }, try self.queueCount(account))
        }
        let pages = max(1, (total + perPage - 1) / perPage)
        let body = renderer.render(
            "queue",
            Queue(
                heading: "Antrean \(account.roles.map(\.label).joined(separator: ", "))",
                empty: total == 0, total: total, rows: rows,
                pageText: pages > 1 ? "Halaman \(shown + 1) dari \(pages)" : nil,
                previous: shown > 0 ? "/?hal=\(min(shown, pages) - 1)" : nil,
                next: shown + 1 < pages ? "/?hal=\(shown + 1)" : nil))
        return await page("Antrean saya", section: .queue, session: session, body: body, request: request)
    }

    func searchPage(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let query = request.uri.queryParameters
        func param(_ name: String) -> String? {
            guard let v = query.get(name)?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return String(v.prefix(200))
        }
        var search = PermohonanSearch(limit: 50)
        var problems: [String] = []
        if let nomor = param("nomor") {
            do throws(SimpulError) {
                search.number = try RegistrationNumber(parsing: nomor).text
            } catch { problems.append(error.message) }
        }
        if let nik = param("nik") {
            do throws(NIK.Problem) { search.nik = try NIK(validating: nik).digits } catch {
                problems.append(error.description)
            }
        }
        search.name = param("nama")
        search.layanan = param("layanan")
        if let s = param("status") {
            if let status = Status(rawValue: s) {
                search.status = status
            } else {
                problems.append("status: '\(s)' tidak dikenal")
            }
        }
        if let d = param("dari") {
            if let date = LocalDate(iso: d) {
                search.from = date
            } else {
                problems.append("dari: '\(d)' bukan tanggal")
            }
        }
        if let d = param("sampai") {
            if let date = LocalDate(iso: d) {
                search.to = date
            } else {
                problems.append("sampai: '\(d)' bukan tanggal")
            }
        }
        let page = max(0, min(Int(param("hal") ?? "0") ?? 0, 10_000))
        search.offset = page * search.limit
        let searched =
            problems.isEmpty
            && ["nomor", "nik", "nama", "layanan", "status", "dari", "sampai"].contains { param($0) != nil }
        struct Query {
            var nomor, nik, nama, dari, sampai: String
        }
        struct Search {
            var q: Query
            var services: [Choice]
            var statuses: [Choice]
            var searched: Bool
            var rows: [PermohonanRow]
            var hasRows: Bool
            var previous: String?
            var next: String?
        }
        let store = self.store
        let today = self.today()
        let finalSearch = search
        let (catalog, found) = try await blocking { () throws(SimpulError) in
            let calendar = try store.calendar()
            let found =
                searched
                ? try store.search(finalSearch).map { PermohonanRow($0, today: today, calendar: calendar) } : []
            return (try store.catalog(), found)
        }
        func link(_ page: Int) -> String {
            var parts = ["nomor", "nik", "nama", "layanan", "status", "dari", "sampai"].compactMap { name in
                param(name).map { "\(name)=\(FormBody.encode($0))" }
            }
            parts.append("hal=\(page)")
            return "/cari?" + parts.joined(separator: "&")
        }
        let body = renderer.render(
            "cari",
            Search(
                q: Query(
                    nomor: param("nomor") ?? "", nik: param("nik") ?? "", nama: param("nama") ?? "",
                    dari: param("dari") ?? "", sampai: param("sampai") ?? ""),
                services: catalog.services.map {
                    Choice(value: $0.code, label: $0.name, selected: $0.code == search.layanan)
                }
                .map { Choice(value: $0.value, label: $0.label, selected: $0.selected) },
                statuses: Status.allCases.map {
                    Choice(value: $0.rawValue, label: $0.label, selected: $0 == search.status)
                },
                searched: searched, rows: found, hasRows: !found.isEmpty, previous: page > 0 ? link(page - 1) : nil,
                next: found.count == search.limit ? link(page + 1) : nil))
        return await self.page(
            "Cari permohonan", section: .cari, session: session, body: body,
            flash: problems.isEmpty ? nil : problems.joined(separator: "; "), flashIsError: !problems.isEmpty,
            status: problems.isEmpty ? .ok : .unprocessableContent, request: request)
    }

    // MARK: - One file

    func permohonanPage(
        request: Request, context: CounterContext, flash: String? = nil, flashIsError: Bool = false,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let number: String
        do throws(SimpulError) {
            number = try RegistrationNumber(parsing: context.parameters.get("nomor") ?? "").text
        } catch {
            return await message(
                "Nomor tidak sah", error.message, session: session, status: .notFound, back: "/cari",
                backLabel: "Cari permohonan")
        }
        let store = self.store
        let loaded: (Permohonan, [Event], [String: StoredBlob], WorkingDayCalendar)
        do {
            loaded = try await blocking { () throws(SimpulError) in
                let p = try store.permohonan(number)
                var blobs: [String: StoredBlob] = [:]
                for f in p.attachments { blobs[f.attachment.sha256] = try store.blob(f.attachment.sha256) }
                return (p, try store.history(number), blobs, try store.calendar())
            }
        } catch {
            return await message(
                "Tidak ditemukan", "Permohonan \(number) tidak ada di node ini.", session: session, status: .notFound,
                back: "/cari", backLabel: "Cari permohonan")
        }
        let (p, history, blobs, calendar) = loaded
        var view = FileView(
            p, history: history, blobs: blobs, session: session, today: today(), calendar: calendar, zona: zona)
        // The survey is offered once the document was handed over, to the officer who hands it over.
        if p.status == .selesai, session.account.holds(.penyerahan),
            p.partition == store.info.node.homePartition,
            (try? await blocking({ () throws(SimpulError) in try store.surveyEligibility(number) })) == .open
        {
            view.survey = "/skm/\(number)"
        }
        let body = renderer.render("permohonan", view)
        return await page(
            p.number, section: .none, session: session, body: body, flash: flash, flashIsError: flashIsError,
            status: status, request: flash == nil ? request : nil)
    }

    /// One action on a file, refused in the workflow's own words when the file moved on meanwhile.
    func act(request: Request, context: CounterContext) async throws -> Response {
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
        let number: String
        do throws(SimpulError) {
            number = try RegistrationNumber(parsing: context.parameters.get("nomor") ?? "").text
        } catch {
            return await message("Nomor tidak sah", error.message, session: session, status: .notFound)
        }
        let command: Command
        var substitution: Substitution?
        do throws(SimpulError) {
            (command, substitution) = try Self.command(from: form)
        } catch {
            return try await permohonanPage(
                request: request, context: context, flash: error.message, flashIsError: true,
                status: .unprocessableContent)
        }
        if substitution != nil && !session.account.holds(.sekcam) && !session.account.holds(.camat) {
            substitution = nil
        }
        let store = self.store
        let actor = Actor.account(session.account, substitution: substitution)
        do {
            let event = try await blocking { () throws(SimpulError) in try store.perform(command, on: number, by: actor)
            }
            logger.info(
                "permohonan changed on the web",
                metadata: [
                    "number": "\(number)", "type": "\(event.body.type)", "username": "\(session.account.username)",
                ])
            let done: String
            if case .paymentReceived(let payment) = event.body {
                done = "Pembayaran \(Rupiah.format(payment.amount)) diterima; kuitansi \(payment.receipt)."
            } else {
                done = "Tercatat: \(FreeText.shown(Render.eventText(event)))."
            }
            return redirect("/permohonan/\(number)", flash: done)
        } catch {
            return try await permohonanPage(
                request: request, context: context, flash: "Ditolak: \(error.message)", flashIsError: true,
                status: .conflict)
        }
    }

    /// "Buat surat": the operator makes the file's letter from its service's template, numbered and
    /// attached in one transaction by the same store operation as `simpul permohonan surat`.
    func makeLetter(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        switch try await self.form(request, session: session) {
        case .success: break
        case .failure(let r): return r
        }
        let number: String
        do throws(SimpulError) {
            number = try RegistrationNumber(parsing: context.parameters.get("nomor") ?? "").text
        } catch {
            return await message("Nomor tidak sah", error.message, session: session, status: .notFound)
        }
        let store = self.store
        let conf = settings.confDirectory
        let actor = Actor.account(session.account, substitution: nil)
        do {
            let made = try await blocking { () throws(SimpulError) -> MadeLetter in
                let p = try store.permohonan(number)
                let template = try ConfDirectory.letterTemplate(conf, service: p.layanan.code)
                return try store.makeLetter(for: number, template: template, by: actor)
            }
            logger.info(
                "letter made on the web",
                metadata: [
                    "number": "\(number)", "nomorSurat": "\(made.number)", "username": "\(session.account.username)",
                ])
            return redirect(
                "/permohonan/\(number)", flash: "Surat nomor \(made.number) dibuat. Buka dan cetak dari kartu Surat.")
        } catch {
            return try await permohonanPage(
                request: request, context: context, flash: "Surat tidak dibuat: \(error.message)", flashIsError: true,
                status: .unprocessableContent)
        }
    }

    /// The workflow command a posted action form asks for.
    static func command(from form: FormBody) throws(SimpulError) -> (Command, Substitution?) {
        let note = form["catatan"].map { String($0.prefix(2000)) }
        switch form["aksi"] ?? "" {
        case "selesai":
            let tahap = try form["tahap"].map { (t) throws(SimpulError) -> Tahap in
                guard let tahap = Tahap(rawValue: t) else {
                    throw SimpulError(.invalidData, "tahap: '\(t)' tidak dikenal")
                }
                return tahap
            }
            let substitution = form["sebagai"].flatMap(Substitution.init(rawValue:))
            return (.advance(tahap: tahap, note: note), substitution)
        case "teruskan": return (.forward(note: note), nil)
        case "tarik":
            guard let note else { throw SimpulError(.invalidData, "alasan: alasan penarikan wajib diisi") }
            return (.withdraw(reason: note), nil)
        case "tolak":
            guard let note else { throw SimpulError(.invalidData, "alasan: alasan penolakan wajib diisi") }
            return (.reject(reason: note), nil)
        case "cek-lapangan": return (.sendToFieldCheck(note: note), nil)
        case "kembalikan":
            guard let note else {
                throw SimpulError(.invalidData, "catatan: tulis apa yang harus dilengkapi pemohon")
            }
            return (.returnToLoket(note: note), nil)
        case "bayar":
            let amount = try Console.rupiah(form["jumlah"] ?? "", field: "jumlah")
            return (.pay(amount: amount, receipt: ""), nil)
        case let other:
            throw SimpulError(.invalidData, "aksi: '\(FreeText.shown(String(other.prefix(40))))' tidak dikenal")
        }
    }
}

/// What the file page shows.
struct FileView {
    struct Fact {
        var key, value: String
    }
    struct Requirement {
        var code, name: String
        var scanned: Bool
    }
    struct Scan {
        var sha, name, label, state: String
        var complete, isImage, isPDF, isDownload: Bool
    }
    struct Action {
        var verb, button: String
        var tahap: String
        var noteLabel: String?
        var noteRequired: Bool
        var amount: String?
        var confirm: String?
        var danger: Bool
        var substitute: Bool
        var substituteOptions: [Choice]
    }
    struct Entry {
        var when, officer, role, what, dot: String
    }
    struct Receipt {
        var receipt, query: String
    }

    var csrf: String
    var number, layananCode, layananName: String
    var layananVersion: Int
    var nama, nik: String
    var alamat, telepon: String?
    var accepted, dueDate, dueLevel, dueText, status: String
    var waiting: String?
    var fee: String
    var receipts: String?
    /// Each receipt's kuitansi, for printing.
    var kuitansi: [Receipt]
    var reason: String?
    var isian: [Fact]
    var hasIsian: Bool
    var syarat: [Requirement]
    var scans: [Scan]
    var canAttach: Bool
    /// The newest letter the kecamatan made for this file, to sign and to print at penyerahan.
    struct LetterCard {
        var letterNumber, sha, name, size, madeBy, open: String
        var complete: Bool
        var handover: Bool
        /// How many letters came before it (corrections), in words, when any did.
        var older: String?
    }
    var letter: LetterCard?
    /// The Surat card shows: a letter exists, or this officer may make one now.
    var showLetter: Bool
    var canMakeLetter: Bool
    var makeLetterLabel: String
    /// The document the PTSP issued, to print at penyerahan.
    var issued: IssuedDocumentView?
    /// The PTSP approved the forwarded file, so its issued document belongs here.
    var issuedDue: Bool
    var issuedFrom: String
    var actions: [Action]
    var noActionText: String
    /// What holds the file back that no button here can change (a fee still owed before handover).
    var notice: String?
    var history: [Entry]
    /// The tablet survey's address, while the handed-over file has not answered it.
    var survey: String?

    init(
        _ p: Permohonan, history events: [Event], blobs: [String: StoredBlob], session: WebSession, today: LocalDate,
        calendar: WorkingDayCalendar, zona: Zona
    ) {
        let account = session.account
        csrf = session.csrf
        number = p.number
        layananCode = p.layanan.code
        layananName = p.layanan.name
        layananVersion = p.layanan.version
        nama = FreeText.shown(p.pemohon.nama)
        nik = p.pemohon.nik.masked
        alamat = p.pemohon.alamat.map { FreeText.shown($0) }
        telepon = p.pemohon.telepon.map { FreeText.shown($0) }
        accepted = WebPage.moment(p.registeredAt, zona: zona)
        dueDate = p.dueOn?.indonesian ?? "-"
        let due = DueState(p, today: today, calendar: calendar)
        dueLevel = due.level.rawValue
        dueText = due.text
        status = Render.statusLabel(p) + (p.ptspCode.map { ", PTSP: \(PTSPStatus.label($0))" } ?? "")
        waiting = p.tahap.map { "\($0.label) oleh \(OfficerRole.taking($0).label)" }
        fee = Render.feeText(p)
        receipts = p.receipts.isEmpty ? nil : p.receipts.joined(separator: ", ")
        kuitansi = p.receipts.map { Receipt(receipt: $0, query: FormBody.encode($0)) }
        reason = p.closingReason.map { FreeText.shown($0) }
        isian = p.isian.sorted { $0.key < $1.key }.map {
            Fact(key: FreeText.shown($0.key), value: FreeText.shown($0.value))
        }
        hasIsian = !isian.isEmpty
        let scanned = Set(p.attachments.compactMap(\.attachment.syarat))
        syarat = p.layanan.requirements.map {
            Requirement(code: $0.code, name: $0.name, scanned: scanned.contains($0.code))
        }
        issued = IssuedDocumentView(p, blobs: blobs, events: events, zona: zona)
        issuedDue = Workflow.takesIssuedDocument(p)
        issuedFrom = p.forwardedTo ?? "PTSP"
        let letters = p.attachments.filter(\.attachment.isLetter)
        letter = p.letter.map { f in
            let a = f.attachment
            let event = events.first { $0.dot == f.dot }
            let handover = p.tahap == .penyerahan
            return LetterCard(
                letterNumber: FreeText.shown(a.letterNumber ?? ""), sha: a.sha256, name: FreeText.shown(a.name),
                size: Attachment.sizeText(a.size),
                madeBy: event.map { "\(FreeText.shown($0.officer)), \(WebPage.moment($0.at, zona: zona))" }
                    ?? f.dot.node,
                open: handover ? "Cetak surat" : "Buka surat", complete: blobs[a.sha256]?.complete ?? false,
                handover: handover,
                older: letters.count > 1
                    ? "Surat perbaikan: menggantikan \(letters.count - 1) surat sebelumnya (\(letters.dropLast().compactMap(\.attachment.letterNumber).joined(separator: ", "))), yang tidak dicetak lagi."
                    : nil)
        }
        canMakeLetter =
            account.holds(.operator) && p.status == .diproses && p.tahap == .operatorStep
        makeLetterLabel = p.letter == nil ? "Buat surat" : "Buat surat perbaikan (nomor baru)"
        showLetter = letter != nil || canMakeLetter
        scans = p.attachments.filter { !$0.attachment.isIssued && !$0.attachment.isLetter }.map { f in
            let a = f.attachment
            let blob = blobs[a.sha256]
            return Scan(
                sha: a.sha256, name: FreeText.shown(a.name), label: FreeText.shown(Render.attachmentLabel(a)),
                state: FreeText.shown(Render.attachmentText(a, blob: blob, isHub: false))
                    .replacingOccurrences(of: FreeText.shown(Render.attachmentLabel(a)) + " - ", with: ""),
                complete: blob?.complete ?? false, isImage: ScanResponse.display(a.mediaType) == .image,
                isPDF: ScanResponse.display(a.mediaType) == .pdf,
                isDownload: ScanResponse.display(a.mediaType) == .download)
        }
        canAttach = account.holds(.loket) && !p.status.isClosed
        var actions: [Action] = []
        for next in Workflow.nextActions(p) {
            switch next {
            case .advance(let t)
            where account.holds(OfficerRole.taking(t)) || (t == .pengesahanCamat && account.holds(.sekcam)):
                let substitute = t == .pengesahanCamat && !account.holds(.camat)
                let button =
                    switch t {
                    case .penyerahan: "Serahkan dokumen"
                    case .kelengkapan: "Sudah dilengkapi, kirim ke verifikasi"
                    default: "Selesaikan \(t.label.lowercased())"
                    }
                actions.append(
                    Action(
                        verb: "selesai", button: button,
                        tahap: t.rawValue, noteLabel: "Catatan (boleh kosong)", noteRequired: false, amount: nil,
                        confirm: nil, danger: false, substitute: substitute,
                        substituteOptions: [
                            Choice(value: Substitution.plt.rawValue, label: "Plt. Camat"),
                            Choice(value: Substitution.an.rawValue, label: "a.n. Camat"),
                        ]))
            case .forward(let to) where account.holds(.loket):
                actions.append(
                    Action(
                        verb: "teruskan", button: "Teruskan ke \(to)", tahap: "",
                        noteLabel: "Catatan pengantar (boleh kosong)",
                        noteRequired: false, amount: nil, confirm: "Teruskan berkas \(p.number) ke \(to)?",
                        danger: false,
                        substitute: false, substituteOptions: []))
            case .pay(let owed) where account.holds(.kasir):
                actions.append(
                    Action(
                        verb: "bayar", button: "Terima pembayaran", tahap: "", noteLabel: nil, noteRequired: false,
                        amount: String(owed), confirm: nil, danger: false, substitute: false, substituteOptions: []))
            case .withdraw where account.holds(.loket):
                actions.append(
                    Action(
                        verb: "tarik", button: "Catat ditarik pemohon", tahap: "", noteLabel: "Alasan penarikan",
                        noteRequired: true, amount: nil, confirm: "Catat permohonan \(p.number) ditarik pemohon?",
                        danger: true, substitute: false, substituteOptions: []))
            case .reject where p.tahap.map({ account.holds(OfficerRole.taking($0)) }) ?? false:
                actions.append(
                    Action(
                        verb: "tolak", button: "Tolak permohonan", tahap: p.tahap?.rawValue ?? "",
                        noteLabel: "Alasan penolakan (dibaca pemohon)", noteRequired: true, amount: nil,
                        confirm: "Tolak permohonan \(p.number)? Penolakan tidak bisa dibatalkan.", danger: true,
                        substitute: false, substituteOptions: []))
            case .fieldCheck where account.holds(.verifikasi):
                actions.append(
                    Action(
                        verb: "cek-lapangan", button: "Kirim ke cek lapangan", tahap: "",
                        noteLabel: "Yang perlu dicek Petugas Teknis", noteRequired: false, amount: nil, confirm: nil,
                        danger: false, substitute: false, substituteOptions: []))
            case .returnToLoket where account.holds(.verifikasi):
                actions.append(
                    Action(
                        verb: "kembalikan", button: "Kembalikan ke loket (belum lengkap)", tahap: "",
                        noteLabel: "Yang harus dilengkapi pemohon (dibaca petugas loket)", noteRequired: true,
                        amount: nil, confirm: nil, danger: false, substitute: false, substituteOptions: []))
            default: break
            }
        }
        self.actions = actions
        if p.status == .diteruskan && p.ptspCode == NodeStore.incompleteCode {
            let asked = events.reversed().lazy.compactMap { e -> String? in
                guard case .ptspProgress(let progress) = e.body, progress.code == NodeStore.incompleteCode else {
                    return nil
                }
                return progress.note
            }.first
            notice =
                "\(p.forwardedTo ?? "PTSP") meminta berkas dilengkapi"
                + (asked.map { ": \(FreeText.shown($0))" } ?? "") + ". Minta pemohon melengkapinya, lalu "
                + (canAttach ? "lampirkan pindaiannya di sini; " : "petugas loket melampirkan pindaiannya; ")
                + "pindaian sampai ke \(p.forwardedTo ?? "PTSP") pada sinkron berikutnya."
        } else if p.status == .diproses && p.tahap == .kelengkapan {
            let asked = events.reversed().lazy.compactMap { e -> Event? in
                guard case .returned = e.body else { return nil }
                return e
            }.first
            var text = "Berkas dikembalikan dari verifikasi karena belum lengkap"
            if let asked, case .returned(let r) = asked.body {
                text += " (\(FreeText.shown(asked.officer))): \(FreeText.shown(r.note))"
            }
            notice =
                text + ". Minta pemohon melengkapinya"
                + (canAttach ? " dan lampirkan pindaiannya di sini" : "")
                + ", lalu kirim berkas kembali ke verifikasi."
        } else if p.status == .diproses && p.tahap == .penyerahan && p.outstanding > 0 {
            notice =
                "Dokumen belum boleh diserahkan: retribusi belum lunas, sisa \(Rupiah.format(p.outstanding)). "
                + "Minta pemohon membayar di kasir."
        }
        if p.status.isClosed {
            noActionText = "Permohonan ini sudah \(Render.statusLabel(p).lowercased()); tidak ada tindakan lagi."
        } else if p.status == .diteruskan {
            noActionText = "Menunggu keputusan \(p.forwardedTo ?? "PTSP"); hasilnya tiba di sini setelah sinkron."
        } else if let t = p.tahap {
            noActionText =
                "Menunggu tahap \(t.label), oleh \(OfficerRole.taking(t).label). Akun Anda tidak memegang peran itu."
        } else {
            noActionText = "Tidak ada tindakan untuk peran Anda."
        }
        history = events.map { e in
            Entry(
                when: WebPage.moment(e.at, zona: zona), officer: FreeText.shown(e.officer),
                role: FreeText.shown(e.role),
                what: FreeText.shown(Render.eventText(e)), dot: "\(e.dot)")
        }
    }
}
