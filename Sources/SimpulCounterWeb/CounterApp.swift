import Foundation
import Hummingbird
import Logging
import SimpulConcurrency
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulSync
import SimpulWeb

/// The counter's pages over one node store. Every action calls the same store operation as the CLI
/// (`register`, `perform`, `attach` with the logged-in account as the actor); this type only reads
/// forms, checks the session and renders.
public struct CounterApp: Sendable {
    public struct Settings: Sendable {
        /// How long a session lasts without a new login: one working day.
        public var sessionSeconds: Int64
        /// Whether the pages are served over HTTPS (cookies then carry `Secure`).
        public var secure: Bool
        /// bcrypt's cost for passwords checked and set here (lower only in tests).
        public var passwordCost: UInt8
        /// Rows on one page of a work queue: a busy kasir's 200 render well inside 100 ms (`simpul-bench web`).
        public var queuePageSize: Int
        /// The configuration folder whose `surat/KODE.txt` are the letter templates, read at each letter
        /// so that an edited template applies to the next letter without a restart.
        public var confDirectory: String

        public init(
            sessionSeconds: Int64 = 10 * 3600, secure: Bool, passwordCost: UInt8 = PasswordHasher.productionCost,
            queuePageSize: Int = 200, confDirectory: String = "/etc/simpul"
        ) {
            self.confDirectory = confDirectory
            self.sessionSeconds = sessionSeconds
            self.secure = secure
            self.passwordCost = passwordCost
            self.queuePageSize = max(1, queuePageSize)
        }
    }

    let store: NodeStore
    let settings: Settings
    let renderer: PageRenderer
    let printRenderer: PageRenderer
    let login: WebLogin<OfficerRole>
    let logger: Logger
    let now: @Sendable () -> Timestamp
    /// The agent in the same process, when there is one (`simpul serve --web`).
    let syncRequests: SyncRequests?

    public init(
        store: NodeStore, settings: Settings, logger: Logger, now: @escaping @Sendable () -> Timestamp,
        syncRequests: SyncRequests?
    ) throws {
        self.store = store
        self.settings = settings
        self.renderer = try PageRenderer(templates: CounterTemplates.all)
        self.printRenderer = try PageRenderer(templates: PrintTemplates.all)
        self.login = WebLogin(
            store: store, sessionSeconds: settings.sessionSeconds, secure: settings.secure,
            passwordCost: settings.passwordCost, logger: logger, now: now)
        self.logger = logger
        self.now = now
        self.syncRequests = syncRequests
    }

    /// Runs store work on the blocking pool: SQLite calls block.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws(SimpulError) -> T) async throws(SimpulError) -> T {
        try await BlockingPool.shared.run(body)
    }

    var zona: Zona { store.info.zona }

    func today() -> LocalDate { now().localDate(offsetMinutes: zona.offsetMinutes) }

    // MARK: - Pages

    enum Section: String {
        case queue = "/"
        case daftar = "/daftar"
        case cari = "/cari"
        case verifikasi = "/verifikasi"
        case petugas = "/petugas"
        case antrian = "/antrian"
        case kas = "/kas"
        case pengaduan = "/pengaduan"
        case none = ""
    }

    /// A whole page: the frame with its navigation, the sync strip and a one-time message around `body`.
    func page(
        _ title: String, section: Section, session: WebSession?, body: String, flash: String? = nil,
        flashIsError: Bool = false, status: HTTPResponse.Status = .ok, request: Request? = nil
    ) async -> Response {
        struct Frame {
            var title: String
            var office: String
            var officer: String?
            var csrf: String
            var nav: [NavItem]
            var strip: StatusStrip?
            var flash: String?
            var flashKind: String
            var body: String
        }
        let carried = request.flatMap(WebPage.takeFlash)
        var frame = Frame(
            title: title, office: "\(store.info.name)", officer: nil, csrf: session?.csrf ?? "", nav: [], strip: nil,
            flash: flash ?? carried, flashKind: flashIsError ? "err" : "ok", body: body)
        if let session {
            frame.officer = "\(session.account.name) (\(session.account.roles.map(\.label).joined(separator: ", ")))"
            let queueCount =
                (try? await blocking { () throws(SimpulError) in try self.queueCount(session.account) }) ?? 0
            var nav = [NavItem(href: "/", label: "Antrean saya", current: section == .queue, count: queueCount)]
            if session.account.holds(.loket) {
                nav.append(NavItem(href: "/daftar", label: "Daftarkan", current: section == .daftar, count: 0))
            }
            nav.append(NavItem(href: "/cari", label: "Cari", current: section == .cari, count: 0))
            nav.append(NavItem(href: "/antrian", label: "Antrian", current: section == .antrian, count: 0))
            if Self.mayReadKas(session.account) {
                nav.append(NavItem(href: "/kas", label: "Buku kas", current: section == .kas, count: 0))
            }
            nav.append(NavItem(href: "/laporan", label: "Laporan", current: false, count: 0))
            if (NodeStore.complaintReceivers + NodeStore.complaintHandlers).contains(where: session.account.holds) {
                nav.append(NavItem(href: "/pengaduan", label: "Pengaduan", current: section == .pengaduan, count: 0))
            }
            nav.append(NavItem(href: "/verifikasi", label: "Cek kertas", current: section == .verifikasi, count: 0))
            if session.account.holds(.admin) {
                nav.append(NavItem(href: "/petugas", label: "Akun petugas", current: section == .petugas, count: 0))
            }
            frame.nav = nav
            frame.strip = await strip(canSync: session.account.holds(.admin))
        }
        var response = WebPage.html(renderer.render("frame", frame), status: status)
        if carried != nil { WebPage.forgetFlash(&response, secureCookies: settings.secure) }
        return response
    }

    func strip(canSync: Bool) async -> StatusStrip {
        let store = self.store
        let status = try? await blocking { () throws(SimpulError) in try SyncStatus.read(from: store) }
        guard let status else {
            return StatusStrip(
                linkUp: false, linkText: "keadaan tidak terbaca", linkClass: "down", lastSync: "-", pending: 0,
                conflicts: 0,
                canSync: false)
        }
        let linkText: String
        if status.hub == nil {
            linkText = "tidak diatur (node tanpa hub)"
        } else if let run = status.lastSync {
            linkText = run.exitCode == 0 ? "tersambung" : "terputus (\(FreeText.shown(run.result)))"
        } else {
            linkText = "belum pernah sinkron"
        }
        return StatusStrip(
            linkUp: status.linkUp, linkText: linkText, linkClass: status.hub == nil ? "" : "down",
            lastSync: status.lastSync.map { WebPage.moment($0.finishedAt, zona: zona) } ?? "belum pernah",
            pending: status.pendingEvents, conflicts: status.openConflicts,
            canSync: canSync && syncRequests != nil && status.hub != nil)
    }

    /// A page that only says something: not found, not allowed, expired form.
    func message(
        _ heading: String, _ text: String, session: WebSession?, status: HTTPResponse.Status, back: String = "/",
        backLabel: String = "Kembali ke antrean"
    ) async -> Response {
        struct Message {
            var heading, text, back, backLabel: String
        }
        let body = renderer.render(
            "pesan", Message(heading: heading, text: text, back: back, backLabel: backLabel))
        return await page(heading, section: .none, session: session, body: body, status: status)
    }

    func redirect(_ location: String, flash: String? = nil) -> Response {
        WebPage.redirect(location, flash: flash, secureCookies: settings.secure)
    }

    // MARK: - Queues

    /// The steps an account may take, as the workflow names them.
    static func steps(for account: OfficerAccount) -> Set<Tahap> {
        Set(Tahap.allCases.filter { account.holds(OfficerRole.taking($0)) })
    }

    func queueCount(_ account: OfficerAccount) throws(SimpulError) -> Int {
        try store.workQueueCount(
            steps: Self.steps(for: account), unpaid: account.holds(.kasir), incomplete: account.holds(.loket))
    }
}
