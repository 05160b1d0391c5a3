import Hummingbird
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

/// The register of complaints: the information desk, the loket and the office's heads receive them;
/// the Kasi Pelayanan, the Sekcam and the Camat follow them up and close them.
extension CounterApp {
    func complaintsPage(
        request: Request, context: CounterContext, flash: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let account = session.account
        guard (NodeStore.complaintReceivers + NodeStore.complaintHandlers).contains(where: account.holds) else {
            return await message(
                "Tidak diizinkan",
                "Register pengaduan untuk petugas informasi, loket, Kasi Pelayanan, Sekcam dan Camat.",
                session: session, status: .forbidden)
        }
        let all = request.uri.queryParameters.get("semua") == "1"
        let store = self.store
        let offset = zona.offsetMinutes
        let today = self.today()
        let (complaints, catalog) = try await blocking { () throws(SimpulError) in
            (try store.complaints(partition: store.info.node.homePartition, openOnly: !all), try store.catalog())
        }
        let names = Dictionary(uniqueKeysWithValues: catalog.services.map { ($0.code, $0.name) })
        struct Step {
            var when, officer, note: String
        }
        struct Row {
            var record, received, channel, layanan, text, complainant, officer, respondBy, closeBy: String
            var number: String?
            var state, stateKind: String
            var rowKind: String
            var steps: [Step]
            var open, canHandle: Bool
            var csrf: String
        }
        let canHandle = NodeStore.complaintHandlers.contains(where: account.holds)
        let rows = complaints.map { c -> Row in
            let standing = c.standing(on: today, offsetMinutes: offset)
            let (state, kind) =
                !standing.open
                ? ("Ditutup", "hijau")
                : standing.lateResponse
                    ? ("Terlambat: belum ditanggapi", "merah")
                    : standing.lateClosing ? ("Terlambat: belum selesai", "merah") : ("Terbuka", "kuning")
            func step(_ s: Complaint.Step, _ label: String) -> Step {
                Step(
                    when: WebPage.moment(s.at, zona: zona), officer: FreeText.shown(s.officer),
                    note: "\(label): \(FreeText.shown(s.note))")
            }
            return Row(
                record: c.record, received: c.received.receivedOn.indonesian, channel: c.received.channel.label,
                layanan: c.received.layanan.map { names[$0].map { n in "\(n) (\(c.received.layanan ?? ""))" } ?? $0 }
                    ?? "-",
                text: FreeText.shown(c.received.text),
                complainant: FreeText.shown(
                    (c.received.name ?? "Tanpa nama") + (c.received.contact.map { ", \($0)" } ?? "")),
                officer: FreeText.shown(c.officer), respondBy: c.received.respondBy.indonesian,
                closeBy: c.received.closeBy.indonesian, number: c.received.number, state: state, stateKind: kind,
                rowKind: standing.late ? "late" : "",
                steps: c.followUps.map { step($0, "Tindak lanjut") } + (c.closing.map { [step($0, "Ditutup")] } ?? []),
                open: c.isOpen, canHandle: canHandle && c.isOpen, csrf: session.csrf)
        }
        struct View {
            var csrf: String
            var canReceive: Bool
            var rows: [Row]
            var empty: Bool
            var all: Bool
            var channels: [Choice]
            var services: [Choice]
            var responseDays, closingDays: Int
            var lateText: String?
        }
        let view = View(
            csrf: session.csrf, canReceive: NodeStore.complaintReceivers.contains(where: account.holds), rows: rows,
            empty: rows.isEmpty, all: all,
            channels: Pengaduan.Channel.allCases.map { Choice(value: $0.rawValue, label: $0.label) },
            services: catalog.services.map { Choice(value: $0.code, label: "\($0.name) (\($0.code))") },
            responseDays: Pengaduan.responseDays, closingDays: Pengaduan.closingDays,
            lateText: rows.contains { $0.rowKind == "late" }
                ? "\(rows.filter { $0.rowKind == "late" }.count) terlambat." : nil)
        return await page(
            "Pengaduan", section: .pengaduan, session: session, body: renderer.render("pengaduan", view), flash: flash,
            flashIsError: status != .ok, status: status, request: flash == nil ? request : nil)
    }

    /// Receives a complaint (`aksi=terima`), or follows one up (`tindak-lanjut`) or closes it (`tutup`).
    func changeComplaint(request: Request, context: CounterContext) async throws -> Response {
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
        func field(_ name: String, _ max: Int) -> String? {
            form[name].map { String($0.prefix(max + 1)) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        do {
            let done: String
            switch form["aksi"] ?? "" {
            case "terima":
                guard let channel = Pengaduan.Channel(rawValue: form["saluran"] ?? "") else {
                    throw SimpulError(.invalidData, "saluran: pilih saluran pengaduan")
                }
                let (layanan, nomor, isi) = (
                    field("layanan", 40), field("nomor", 40), field("isi", Pengaduan.maxTextLength)
                )
                let (nama, kontak) = (field("nama", 100), field("kontak", 200))
                let c = try await blocking { () throws(SimpulError) in
                    try store.receiveComplaint(
                        channel: channel, layanan: layanan, number: nomor, text: isi ?? "", name: nama,
                        contact: kontak, by: actor)
                }
                done =
                    "Pengaduan \(c.record) tercatat; tanggapi paling lambat \(c.received.respondBy.indonesian), "
                    + "selesaikan paling lambat \(c.received.closeBy.indonesian)."
            case let verb where verb == "tindak-lanjut" || verb == "tutup":
                let record = String((form["id"] ?? "").prefix(64))
                let note = field("catatan", Pengaduan.maxNoteLength) ?? ""
                if verb == "tutup" {
                    _ = try await blocking { () throws(SimpulError) in
                        try store.closeComplaint(record, note: note, by: actor)
                    }
                    done = "Pengaduan \(record) ditutup."
                } else {
                    _ = try await blocking { () throws(SimpulError) in
                        try store.followUpComplaint(record, note: note, by: actor)
                    }
                    done = "Tindak lanjut pengaduan \(record) tercatat."
                }
            case let other:
                throw SimpulError(.invalidData, "aksi: '\(FreeText.shown(String(other.prefix(40))))' tidak dikenal")
            }
            logger.info("complaint changed on the web", metadata: ["username": "\(session.account.username)"])
            return redirect("/pengaduan", flash: done)
        } catch let error as SimpulError {
            return try await complaintsPage(
                request: request, context: context, flash: "Ditolak: \(error.message)",
                status: error.code == .notFound ? .notFound : .unprocessableContent)
        }
    }
}
