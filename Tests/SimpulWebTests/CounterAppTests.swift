import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SimpulCounterWeb
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import SimpulWeb
import Synchronization
import Testing

/// The counter's routes over real HTTP on 127.0.0.1, with a clock the test moves: what the browser
/// tests cannot do quickly (a session outliving its day) and what no browser sends (hostile forms).
@Suite(.timeLimit(.minutes(10)))
struct CounterAppTests {
    final class Clock: Sendable {
        private let current = Mutex(Timestamp(iso: "2026-03-17T02:00:00Z")!)
        func now() -> Timestamp { current.withLock { $0 } }
        func advance(seconds: Int64) { current.withLock { $0.milliseconds += seconds * 1000 } }
    }

    struct Counter {
        let store: NodeStore
        let clock: Clock
        let app: Hummingbird.Application<RouterResponder<CounterContext>>

        init(sessionSeconds: Int64 = 3600, queuePageSize: Int = 200) throws {
            let clock = Clock()
            let store = try Fixture.newStore()
            let hash = try PasswordHasher(cost: 4).hashNew("rahasia-loket-1", isPIN: false)
            _ = try store.addAccount(
                username: "siti", name: "Siti Aminah", roles: [.loket], passwordHash: hash, isPIN: false)
            let counter = try CounterApp(
                store: store,
                settings: .init(
                    sessionSeconds: sessionSeconds, secure: false, passwordCost: 4, queuePageSize: queuePageSize),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), now: { clock.now() },
                syncRequests: nil)
            self.store = store
            self.clock = clock
            app = Hummingbird.Application(router: counter.router())
        }
    }

    /// The value of a cookie a response sets.
    static func cookie(_ name: String, in response: TestResponse) -> String? {
        for field in response.headers[values: .setCookie] where field.hasPrefix(name + "=") {
            return String(field.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }

    /// Logs in as siti and returns the session cookie and the CSRF token of the pages.
    static func login(_ client: some TestClientProtocol) async throws -> (session: String, csrf: String) {
        let form = try await client.execute(uri: "/masuk", method: .get)
        let loginToken = try #require(cookie(SessionToken.loginCookieName, in: form))
        let answer = try await client.execute(
            uri: "/masuk", method: .post,
            headers: [
                .contentType: "application/x-www-form-urlencoded",
                .cookie: "\(SessionToken.loginCookieName)=\(loginToken)",
            ],
            body: ByteBuffer(string: "csrf=\(loginToken)&username=siti&password=rahasia-loket-1"))
        #expect(answer.status == .seeOther)
        let session = try #require(cookie(SessionToken.cookieName, in: answer))
        let page = try await client.execute(
            uri: "/", method: .get, headers: [.cookie: "\(SessionToken.cookieName)=\(session)"])
        let html = String(buffer: page.body)
        let csrf = try #require(html.firstMatch(of: /name="csrf" value="([A-Za-z0-9_-]{43})"/)?.1)
        return (session, String(csrf))
    }

    @Test func aSessionEndsAfterItsTimeAndTheNextPageAsksForALogin() async throws {
        let counter = try Counter(sessionSeconds: 3600)
        try await counter.app.test(.live) { client in
            let (session, _) = try await Self.login(client)
            let headers: HTTPFields = [.cookie: "\(SessionToken.cookieName)=\(session)"]
            #expect(try await client.execute(uri: "/", method: .get, headers: headers).status == .ok)
            counter.clock.advance(seconds: 3599)
            #expect(try await client.execute(uri: "/", method: .get, headers: headers).status == .ok)
            counter.clock.advance(seconds: 2)
            let expired = try await client.execute(uri: "/", method: .get, headers: headers)
            #expect(expired.status == .seeOther)
            #expect(expired.headers[.location] == "/masuk?sesi=berakhir")
            let told = try await client.execute(uri: "/masuk?sesi=berakhir", method: .get)
            #expect(String(buffer: told.body).contains("Sesi Anda sudah berakhir"))
            // A posted form goes to the login page too; the scripted upload gets a line to show.
            var form = headers
            form[.contentType] = "application/x-www-form-urlencoded"
            let posted = try await client.execute(
                uri: "/daftar", method: .post, headers: form, body: ByteBuffer(string: "layanan=SKTM"))
            #expect(posted.headers[.location] == "/masuk?sesi=berakhir")
            let upload = try await client.execute(
                uri: "/permohonan/01-26-00001-3/lampiran?nama=a.pdf", method: .post, headers: headers,
                body: ByteBuffer(string: "%PDF-1.4"))
            #expect(upload.status == .unauthorized)
            #expect(String(buffer: upload.body).contains("Sesi berakhir"))
            // Without any session cookie the login page has nothing to explain.
            #expect(try await client.execute(uri: "/", method: .get).headers[.location] == "/masuk")
        }
    }

    @Test func aLongQueueIsPagedOldestDueFirstWithEveryFileOnExactlyOnePage() async throws {
        let counter = try Counter(queuePageSize: 2)
        let loket = Actor.account(try #require(try counter.store.account(username: "siti")), substitution: nil)
        let layanan = try #require(try counter.store.catalog().service(code: "PBG-KECIL"))
        let numbers = try (0..<5).map { _ in try counter.store.register(Fixture.application(layanan), by: loket).number
        }
        try await counter.app.test(.live) { client in
            let (session, _) = try await Self.login(client)
            let headers: HTTPFields = [.cookie: "\(SessionToken.cookieName)=\(session)"]
            var seen: [String] = []
            for (page, expected) in [(0, "Halaman 1 dari 3"), (1, "Halaman 2 dari 3"), (2, "Halaman 3 dari 3")] {
                let html = String(
                    buffer: try await client.execute(uri: "/?hal=\(page)", method: .get, headers: headers).body)
                #expect(html.contains("5 berkas menunggu"))
                #expect(html.contains(expected), "\(expected)")
                #expect(html.contains("href=\"/?hal=\(page + 1)\"") == (page < 2))
                #expect(html.contains("href=\"/?hal=\(page - 1)\"") == (page > 0))
                seen += html.matches(of: /class="nomor" href="\/permohonan\/([0-9-]+)"/).map { String($0.1) }
            }
            // Forwarded files have no due date: the queue is then in registration order.
            #expect(seen == numbers)
            let past = String(buffer: try await client.execute(uri: "/?hal=9", method: .get, headers: headers).body)
            #expect(past.contains("5 berkas menunggu"))
            #expect(!past.contains("class=\"nomor\""))
            #expect(past.contains("href=\"/?hal=2\""))
        }
    }

    @Test func aFormWithoutTheSessionsTokenIsRefusedAndChangesNothing() async throws {
        let counter = try Counter()
        try await counter.app.test(.live) { client in
            let (session, csrf) = try await Self.login(client)
            let body =
                "layanan=SKTM&syarat=pengantar-rt-rw&syarat=pengantar-desa&syarat=ktp&syarat=kk&nik=3374011205900001&nama=Sri"
            for token in ["", "&csrf=" + String(repeating: "A", count: 43)] {
                let refused = try await client.execute(
                    uri: "/daftar", method: .post,
                    headers: [
                        .contentType: "application/x-www-form-urlencoded",
                        .cookie: "\(SessionToken.cookieName)=\(session)",
                    ], body: ByteBuffer(string: body + token))
                #expect(refused.status == .forbidden)
                #expect(String(buffer: refused.body).contains("Formulir kedaluwarsa"))
            }
            #expect(try counter.store.search(PermohonanSearch()).isEmpty)
            let accepted = try await client.execute(
                uri: "/daftar", method: .post,
                headers: [
                    .contentType: "application/x-www-form-urlencoded", .cookie: "\(SessionToken.cookieName)=\(session)",
                ], body: ByteBuffer(string: body + "&csrf=" + csrf))
            #expect(accepted.status == .seeOther)
            #expect(try counter.store.search(PermohonanSearch()).count == 1)
        }
    }

    @Test func hostileRequestsGetOneClearAnswerAndNoStoreWork() async throws {
        let counter = try Counter()
        try await counter.app.test(.live) { client in
            let (session, csrf) = try await Self.login(client)
            let cookie = "\(SessionToken.cookieName)=\(session)"
            // A form past 64 KiB.
            let big = try await client.execute(
                uri: "/daftar", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
                body: ByteBuffer(string: "csrf=\(csrf)&nama=" + String(repeating: "x", count: 70_000)))
            #expect(big.status == .contentTooLarge)
            // A broken percent escape.
            let garbled = try await client.execute(
                uri: "/daftar", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
                body: ByteBuffer(string: "csrf=\(csrf)&nama=%E0%A4%A"))
            #expect(garbled.status == .badRequest)
            #expect(String(buffer: garbled.body).contains("penyandian persen"))
            // A cookie that is not a token never reaches the store; the page asks for a login.
            let forged = try await client.execute(
                uri: "/", method: .get, headers: [.cookie: "\(SessionToken.cookieName)=' OR 1=1 --"])
            #expect(forged.status == .seeOther)
            // The little JSON endpoint answers 401 without a session, and names a bad NIK with one.
            #expect(try await client.execute(uri: "/api/periksa?nik=1", method: .get).status == .unauthorized)
            let check = try await client.execute(
                uri: "/api/periksa?nik=33740112139000&layanan=SKTM", method: .get, headers: [.cookie: cookie])
            #expect(String(buffer: check.body).contains("NIK harus 16 digit"))
            // A scan that no file here names is not served, whatever its hash.
            let scan = try await client.execute(
                uri: "/lampiran/" + String(repeating: "a", count: 64), method: .get, headers: [.cookie: cookie])
            #expect(scan.status == .notFound)
            #expect(try counter.store.search(PermohonanSearch()).isEmpty)
        }
    }

    @Test func whatACitizenTypedIsShownNeverRun() async throws {
        let counter = try Counter()
        let sktm = try #require(try counter.store.catalog().service(code: "SKTM"))
        let p = try counter.store.register(
            Fixture.application(sktm, nama: "<script>alert(1)</script>"),
            by: .account(try #require(try counter.store.account(username: "siti")), substitution: nil))
        try await counter.app.test(.live) { client in
            let (session, _) = try await Self.login(client)
            let page = try await client.execute(
                uri: "/permohonan/\(p.number)", method: .get,
                headers: [.cookie: "\(SessionToken.cookieName)=\(session)"])
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(!html.contains("<script>alert"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
        }
    }
}
