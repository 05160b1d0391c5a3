import Foundation
import Hummingbird
import Logging
import SimpulConcurrency
import SimpulDomain
import SimpulStore
import SimpulSync
import SimpulWeb

/// A request's context in the back office: who is logged in, once the session cookie has been checked.
public struct BackOfficeContext: SessionContext {
    public typealias Role = StaffRole

    public var coreContext: CoreRequestContextStorage
    public var session: StaffSession?

    public init(source: Source) {
        coreContext = .init(source: source)
        session = nil
    }

    /// The back office posts only small forms.
    public var maxUploadSize: Int { 64 * 1024 }
}

/// The PTSP's back office over the hub's store. Every action calls the same store operation as the
/// CLI (`perform` with the logged-in staff account as the actor, which checks the account's role in
/// the write transaction); this type only reads forms, checks the session and renders.
public struct BackOfficeApp: Sendable {
    public struct Settings: Sendable {
        /// How long a session lasts without a new login: one working day.
        public var sessionSeconds: Int64
        /// Whether the pages are served over HTTPS (cookies then carry `Secure`).
        public var secure: Bool
        /// bcrypt's cost for passwords checked here (lower only in tests).
        public var passwordCost: UInt8
        /// A kecamatan whose last contact is older than this many days stands out on the dashboard.
        public var staleDays: Int
        /// A waiting file that sat at one OSS code longer than this many working days counts as ageing.
        public var ageingDays: Int
        /// Files per page of the forwarded-files queue (lower in tests, to page a few files).
        public var queuePageSize: Int

        public init(
            sessionSeconds: Int64 = 10 * 3600, secure: Bool, passwordCost: UInt8 = PasswordHasher.productionCost,
            staleDays: Int = 3, ageingDays: Int = 5, queuePageSize: Int = 50
        ) {
            self.ageingDays = ageingDays
            self.sessionSeconds = sessionSeconds
            self.secure = secure
            self.passwordCost = passwordCost
            self.staleDays = staleDays
            self.queuePageSize = max(1, min(queuePageSize, 1000))
        }
    }

    let store: NodeStore
    let settings: Settings
    let renderer: PageRenderer
    let login: WebLogin<StaffRole>
    let logger: Logger
    let now: @Sendable () -> Timestamp

    public init(
        store: NodeStore, settings: Settings, logger: Logger, now: @escaping @Sendable () -> Timestamp
    ) throws {
        self.store = store
        self.settings = settings
        self.renderer = try PageRenderer(
            templates: BackOfficeTemplates.all.merging(Self.staffTemplates) { first, _ in first }
                .merging(Self.nodeTemplates) { first, _ in first }
                .merging(Self.penerimaanTemplates) { first, _ in first }
                .merging(Self.kepuasanTemplates) { first, _ in first })
        self.login = WebLogin(
            store: store, sessionSeconds: settings.sessionSeconds, secure: settings.secure,
            passwordCost: settings.passwordCost, logger: logger, now: now)
        self.logger = logger
        self.now = now
    }

    /// Runs store work on the blocking pool: SQLite calls block.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws(SimpulError) -> T) async throws(SimpulError) -> T {
        try await BlockingPool.shared.run(body)
    }

    var zona: Zona { store.info.zona }

    func today() -> LocalDate { now().localDate(offsetMinutes: zona.offsetMinutes) }

    enum Section: String {
        case dashboard = "/"
        case berkas = "/berkas"
        case staf = "/staf"
        case logAkses = "/log-akses"
        case node = "/node"
        case penerimaan = "/penerimaan"
        case konflik = "/konflik"
        case kepuasan = "/kepuasan"
        case none = ""
    }

    /// A whole page: the frame with its navigation, the hub's status strip and a one-time message.
    func page(
        _ title: String, section: Section, session: StaffSession?, body: String, flash: String? = nil,
        flashIsError: Bool = false, status: HTTPResponse.Status = .ok, request: Request? = nil
    ) async -> Response {
        struct Nav {
            var href, label: String
            var current: Bool
            var count: Int? = nil
        }
        struct Frame {
            var title, office, csrf, flashKind, body: String
            var officer: String?
            var nav: [Nav]
            var strip: HubStrip?
            var flash: String?
        }
        let carried = request.flatMap(WebPage.takeFlash)
        var frame = Frame(
            title: title, office: store.info.name, csrf: session?.csrf ?? "", flashKind: flashIsError ? "err" : "ok",
            body: body, officer: nil, nav: [], strip: nil, flash: flash ?? carried)
        if let session {
            // The name alone: with six menu items for the Admin TI, the roles would push the bar onto two lines.
            frame.officer = session.account.name
            frame.strip = await strip()
            frame.nav = [
                Nav(href: "/", label: "Ringkasan", current: section == .dashboard),
                Nav(href: "/berkas", label: "Berkas diteruskan", current: section == .berkas),
                Nav(
                    href: "/konflik", label: "Konflik", current: section == .konflik, count: frame.strip?.openConflicts),
            ]
            frame.nav.append(Nav(href: "/penerimaan", label: "Penerimaan", current: section == .penerimaan))
            frame.nav.append(Nav(href: "/kepuasan", label: "IKM & pengaduan", current: section == .kepuasan))
            if session.account.holds(.adminTI) {
                frame.nav.append(Nav(href: "/node", label: "Node", current: section == .node))
                frame.nav.append(Nav(href: "/staf", label: "Akun staf", current: section == .staf))
                frame.nav.append(Nav(href: "/log-akses", label: "Log akses", current: section == .logAkses))
            }
        }
        var response = WebPage.html(renderer.render("frame", frame), status: status)
        if carried != nil { WebPage.forgetFlash(&response, secureCookies: settings.secure) }
        return response
    }

    /// What every page shows of the hub's sync: how many kecamatan it heard from today, events parked,
    /// conflicts open.
    struct HubStrip {
        var heard: Int
        var known: Int
        var lastContact: String
        var parked: Int
        var conflicts: Int
        var readable: Bool

        /// For the navigation: nothing rather than a 0 that is not known.
        var openConflicts: Int? { readable ? conflicts : nil }
    }

    func strip() async -> HubStrip {
        let store = self.store
        let now = self.now()
        let zona = self.zona
        let strip = try? await blocking { () throws(SimpulError) -> HubStrip in
            let contacts = try store.contacts()
            let dayAgo = Timestamp(milliseconds: now.milliseconds - 86_400_000)
            let parked = try store.parkedPerWriter().reduce(0) { $0 + $1.changeSets }
            return HubStrip(
                heard: contacts.filter { $0.lastContact > dayAgo }.count, known: contacts.count,
                lastContact: contacts.map(\.lastContact).max().map { WebPage.moment($0, zona: zona) } ?? "belum ada",
                parked: parked, conflicts: try store.conflicts(openOnly: true).count, readable: true)
        }
        return strip
            ?? HubStrip(heard: 0, known: 0, lastContact: "tidak terbaca", parked: 0, conflicts: 0, readable: false)
    }

    /// A page that only says something: not found, not allowed, expired form.
    func message(
        _ heading: String, _ text: String, session: StaffSession?, status: HTTPResponse.Status,
        back: String = "/berkas", backLabel: String = "Kembali ke berkas diteruskan"
    ) async -> Response {
        struct Message {
            var heading, text, back, backLabel: String
        }
        let body = renderer.render("pesan", Message(heading: heading, text: text, back: back, backLabel: backLabel))
        return await page(heading, section: .none, session: session, body: body, status: status)
    }

    func redirect(_ location: String, flash: String? = nil) -> Response {
        WebPage.redirect(location, flash: flash, secureCookies: settings.secure)
    }

    /// The name of a kecamatan by its partition code, from the Kemendagri list loaded at init.
    func kecamatanNames(_ codes: [String]) throws(SimpulError) -> [String: String] {
        var names: [String: String] = [:]
        for code in Set(codes) { names[code] = try store.wilayahName(code) }
        return names
    }
}
