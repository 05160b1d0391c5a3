import Foundation
import Hummingbird
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

extension BackOfficeApp {
    /// The role settling a conflict needs at the hub, asked of the workflow rather than written here
    /// again, so the form shows to exactly those the store lets through.
    static var settleRole: StaffRole? {
        StaffRole.required(for: .settle(conflicts: [], status: .diproses, tahap: nil, note: ""))
    }

    /// The file page's line about its open conflicts, nil when there is none.
    static func conflictNotice(_ open: Int) -> String? {
        open == 0
            ? nil
            : "Permohonan ini punya \(open) konflik terbuka antara loket kecamatan dan PTSP; keadaannya menunggu diselesaikan."
    }

    /// Open conflicts (or every one, `?semua=1`), optionally of one permohonan (`?nomor=`), each with
    /// its two sides side by side and, for an account holding the settling role, a form per conflict.
    func conflictsPage(
        request: Request, context: BackOfficeContext, flash: String? = nil, flashIsError: Bool = false,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let parameters = request.uri.queryParameters
        let all = parameters.get("semua") != nil
        var number: String?
        if let given = parameters.get("nomor"), !given.isEmpty {
            do throws(SimpulError) {
                number = try RegistrationNumber(parsing: given).text
            } catch {
                return await message(
                    "Nomor tidak sah", error.message, session: session, status: .notFound, back: "/konflik",
                    backLabel: "Kembali ke konflik")
            }
        }
        let store = self.store
        let zona = self.zona
        let hubName = store.info.name
        let canSettle = Self.settleRole.map { session.account.holds($0) } ?? false
        let record = number
        let cards = try await blocking { () throws(SimpulError) -> [ConflictCard] in
            let conflicts = try store.conflicts(openOnly: !all, record: record)
            var files: [String: (Permohonan, [Event])] = [:]
            for number in Set(conflicts.map(\.record)) {
                files[number] = (try store.permohonan(number), try store.history(number))
            }
            let names = try self.kecamatanNames(conflicts.map(\.partition))
            return conflicts.enumerated().compactMap { i, c in
                guard let file = files[c.record] else { return nil }
                return ConflictCard(
                    c, index: i, permohonan: file.0, history: file.1, kecamatan: names[c.partition], hubName: hubName,
                    zona: zona, csrf: session.csrf, canSettle: canSettle)
            }
        }
        let readOnly =
            Self.settleRole.map {
                "Hanya baca: konflik diselesaikan oleh akun dengan peran \($0.label)."
            } ?? "Konflik tidak diselesaikan dari back office."
        let view = ConflictsView(
            conflicts: cards, hasConflicts: !cards.isEmpty, all: all, number: number,
            emptyText: all ? "Belum pernah ada konflik." : "Tidak ada konflik terbuka.",
            readOnlyText: canSettle ? nil : readOnly,
            toggle: (all ? "/konflik" : "/konflik?semua=1") + (number.map { (all ? "?" : "&") + "nomor=\($0)" } ?? ""),
            toggleLabel: all ? "Hanya yang terbuka" : "Tampilkan juga yang sudah diselesaikan")
        return await page(
            "Konflik", section: .konflik, session: session, body: renderer.render("konflik", view), flash: flash,
            flashIsError: flashIsError, status: status, request: flash == nil ? request : nil)
    }

    /// A settlement from the page, by the logged-in account, through the same store operation as
    /// `simpul-hub conflicts resolve`; the store checks the account's role again in the write
    /// transaction, so a forged form from a read-only account is refused there too.
    func settle(request: Request, context: BackOfficeContext) async throws -> Response {
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
        guard let required = Self.settleRole, session.account.holds(required) else {
            logger.notice(
                "conflict settlement refused for role", metadata: ["username": "\(session.account.username)"])
            return try await conflictsPage(
                request: request, context: context,
                flash:
                    "Ditolak: akun Anda tidak memegang peran \(Self.settleRole?.label ?? "penyelesai konflik"); konflik hanya diselesaikan oleh peran itu.",
                flashIsError: true, status: .forbidden)
        }
        let settlement: (id: String, status: Status, tahap: Tahap?, note: String)
        do throws(SimpulError) {
            settlement = try Self.settlement(from: form)
        } catch {
            return try await conflictsPage(
                request: request, context: context, flash: "Ditolak: \(error.message)", flashIsError: true,
                status: .unprocessableContent)
        }
        let store = self.store
        let actor = Actor.staff(session.account)
        do {
            let event = try await blocking { () throws(SimpulError) in
                try store.settle(
                    conflict: settlement.id, status: settlement.status, tahap: settlement.tahap,
                    note: settlement.note, by: actor)
            }
            logger.info(
                "conflict settled on the back office",
                metadata: ["number": "\(event.record)", "username": "\(session.account.username)"])
            return redirect("/konflik", flash: "Tercatat: \(FreeText.shown(Render.eventText(event))).")
        } catch {
            return try await conflictsPage(
                request: request, context: context, flash: "Ditolak: \(error.message)", flashIsError: true,
                status: .conflict)
        }
    }

    /// What a posted settlement form asks for; the tahap only with status diproses, where it is needed.
    static func settlement(
        from form: FormBody
    ) throws(SimpulError) -> (
        id: String, status: Status, tahap: Tahap?, note: String
    ) {
        guard let id = form["konflik"], !id.isEmpty else {
            throw SimpulError(.invalidData, "konflik: tidak disebut konflik mana yang diselesaikan")
        }
        guard let status = form["status"].flatMap(Status.init(rawValue:)) else {
            throw SimpulError(.invalidData, "status: pilih status lanjutan")
        }
        let tahap: Tahap?
        switch (status, form["tahap"] ?? "") {
        case (.diproses, ""):
            throw SimpulError(.invalidData, "tahap: pilih tahap yang menunggu bila status lanjutannya Diproses")
        case (.diproses, let given):
            guard let t = Tahap(rawValue: given) else {
                throw SimpulError(.invalidData, "tahap: '\(FreeText.shown(String(given.prefix(40))))' tidak dikenal")
            }
            tahap = t
        case (_, ""):
            tahap = nil
        case (_, _):
            throw SimpulError(
                .invalidData, "tahap: hanya dipilih bila status lanjutannya Diproses; kosongkan untuk \(status.label)")
        }
        return (String(id.prefix(200)), status, tahap, String((form["catatan"] ?? "").prefix(2000)))
    }
}

/// The conflicts page.
struct ConflictsView {
    var conflicts: [ConflictCard]
    var hasConflicts, all: Bool
    var number: String?
    var emptyText: String
    var readOnlyText: String?
    var toggle, toggleLabel: String
}

/// One conflict: where, when, its two sides, what the fold made of them, and how it was or can be
/// settled.
struct ConflictCard {
    struct Side {
        var when, officer, role, what, writer, dot: String
    }
    struct Settled {
        var when, officer, role, what: String
    }

    var id, anchor, number, kecamatan, when, reason, state: String
    var sideOne: [Side]
    var sideTwo: [Side]
    var sideTwoFate: String
    var sideTwoApplied: Bool
    var settled: Settled?
    var open: Bool
    var canSettle: Bool
    var csrf: String
    var statuses: [Choice]
    var tahap: [Choice]

    init(
        _ c: Conflict, index: Int, permohonan p: Permohonan, history: [Event], kecamatan name: String?,
        hubName: String, zona: Zona, csrf: String, canSettle: Bool
    ) {
        let byDot = Dictionary(history.map { ("\($0.dot)", $0) }, uniquingKeysWith: { first, _ in first })
        func side(_ e: Event) -> Side {
            let isHub = NodeID(e.dot.node)?.isHub ?? false
            return Side(
                when: WebPage.moment(e.at, zona: zona), officer: FreeText.shown(e.officer),
                role: FreeText.shown(e.role), what: FreeText.shown(Render.eventText(e)),
                writer: isHub
                    ? "ditulis di hub \(e.dot.node) (\(FreeText.shown(hubName)))" : "ditulis di node \(e.dot.node)",
                dot: "\(e.dot)")
        }
        let earlier = c.concurrentWith.compactMap { byDot["\($0)"] }
        let later = byDot["\(c.event)"]
        id = c.id
        anchor = "konflik-\(index + 1)"
        number = c.record
        kecamatan = "\(name.map { FreeText.shown($0) } ?? "(tanpa nama)") (\(c.partition))"
        // The store keeps no moment of detection; the later of the two sides is when it came to be.
        when = (earlier + [later].compactMap { $0 }).map(\.at).max().map { WebPage.moment($0, zona: zona) } ?? "-"
        reason = FreeText.shown(c.reason)
        state =
            Render.statusLabel(p) + (p.tahap.map { ", menunggu tahap \($0.label)" } ?? "")
            + (p.ptspCode.map { ", kode OSS \(PTSPStatus.label($0))" } ?? "")
        sideOne = earlier.map(side)
        sideTwo = later.map { [side($0)] } ?? []
        sideTwoApplied = c.applied
        sideTwoFate = c.applied ? "berlaku" : "dikesampingkan"
        settled = c.resolvedBy.flatMap { byDot["\($0)"] }.map {
            Settled(
                when: WebPage.moment($0.at, zona: zona), officer: FreeText.shown($0.officer),
                role: FreeText.shown($0.role), what: FreeText.shown(Render.eventText($0)))
        }
        open = c.resolvedBy == nil
        self.canSettle = canSettle && open
        self.csrf = csrf
        statuses = Workflow.settlementStatuses(for: p.layanan).map {
            Choice(value: $0.rawValue, label: $0.label, selected: $0 == p.status)
        }
        tahap = Workflow.settlementTahap(for: p.layanan).map {
            Choice(value: $0.rawValue, label: $0.label, selected: $0 == p.tahap)
        }
    }
}
