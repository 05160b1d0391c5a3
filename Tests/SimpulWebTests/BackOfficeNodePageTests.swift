import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SimpulBackOfficeWeb
import SimpulDomain
import SimpulStore
import SimpulSync
import SimpulTestSupport
import SimpulWeb
import Testing

/// The back office's node page over real HTTP on 127.0.0.1: each enrolled node's latest report of
/// itself, in the officers' words, with a wrong clock flagged.
@Suite(.timeLimit(.minutes(10)))
struct BackOfficeNodePageTests {
    static let now = Timestamp(iso: "2026-03-17T02:00:00Z")!

    /// The page's row of `node`: from its `<tr` to the next.
    static func row(_ node: String, in html: String) -> String? {
        html.components(separatedBy: "<tr").first { $0.contains("<strong>\(node)</strong>") }
    }

    @Test func theNodePageShowsEachNodesReportAndFlagsAWrongClock() async throws {
        let store = try Fixture.newStore(node: "33.74")
        _ = try store.addAccount(
            StaffRole.self, username: "rina", name: "Rina Admin", roles: [.adminTI],
            passwordHash: try PasswordHasher(cost: 4).hashNew("rahasia-ptsp-1", isPIN: false), isPIN: false)
        for code in ["33.74.01", "33.74.02", "33.74.03"] {
            let identity = try NodeIdentity.create(node: NodeID(code)!, directory: Fixture.tempDirectory())
            _ = try store.enroll(
                node: identity.node, publicKey: identity.publicKey, fingerprint: identity.fingerprint)
        }
        let reportedAt = Timestamp(iso: "2026-03-17T01:30:00Z")!
        try store.recordNodeReport(
            NodeReport(
                node: "33.74.01", reportedAt: reportedAt, version: "simpul/1", clockOffsetSeconds: 3,
                storeBytes: 12_400_000, waitingEvents: 7))
        try store.recordNodeReport(
            NodeReport(
                node: "33.74.02", reportedAt: reportedAt, version: "simpul/1", clockOffsetSeconds: -300,
                storeBytes: 2_048, waitingEvents: 0))
        let app = try BackOfficeApp(
            store: store, settings: .init(secure: false, passwordCost: 4),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), now: { Self.now })
        let html = try await Hummingbird.Application(router: app.router()).test(.live) { client in
            let form = try await client.execute(uri: "/masuk", method: .get)
            var loginToken: String?
            for field in form.headers[values: .setCookie] where field.hasPrefix(SessionToken.loginCookieName + "=") {
                loginToken = String(field.dropFirst(SessionToken.loginCookieName.count + 1).prefix { $0 != ";" })
            }
            let token = try #require(loginToken)
            let answer = try await client.execute(
                uri: "/masuk", method: .post,
                headers: [
                    .contentType: "application/x-www-form-urlencoded",
                    .cookie: "\(SessionToken.loginCookieName)=\(token)",
                ],
                body: ByteBuffer(string: "csrf=\(token)&username=rina&password=rahasia-ptsp-1"))
            #expect(answer.status == .seeOther)
            var session: String?
            for field in answer.headers[values: .setCookie] where field.hasPrefix(SessionToken.cookieName + "=") {
                session = String(field.dropFirst(SessionToken.cookieName.count + 1).prefix { $0 != ";" })
            }
            let cookie = try #require(session)
            let page = try await client.execute(
                uri: "/node", method: .get, headers: [.cookie: "\(SessionToken.cookieName)=\(cookie)"])
            #expect(page.status == .ok)
            return String(buffer: page.body)
        }
        let reported = try #require(Self.row("33.74.01", in: html), "\(html)")
        let zona = store.info.zona
        for text in [
            "Versi agen", "simpul/1", "Selisih jam", "+3 dtk", "Ukuran penyimpanan", "12,4 MB", "Event menunggu",
            "<dd>7</dd>", "dilaporkan \(WebPage.moment(reportedAt, zona: zona))",
        ] {
            #expect(reported.contains(text), "\(text) not in \(reported)")
        }
        #expect(!reported.contains("JAM SALAH"))
        let wrongClock = try #require(Self.row("33.74.02", in: html))
        #expect(wrongClock.contains("-300 dtk (5 mnt)"))
        #expect(wrongClock.contains("JAM SALAH"))
        #expect(wrongClock.contains("2,0 KB"))
        let silent = try #require(Self.row("33.74.03", in: html))
        #expect(silent.contains("belum dilaporkan"))
        #expect(!silent.contains("Versi agen"))
    }
}
