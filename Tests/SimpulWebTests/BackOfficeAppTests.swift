import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SimpulBackOfficeWeb
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import SimpulWeb
import Testing

/// The back office's queue of forwarded files over real HTTP on 127.0.0.1: its order by column and
/// direction, kept across pages, filters and both exports.
@Suite(.timeLimit(.minutes(10)))
struct BackOfficeAppTests {
    /// A hub that received files of four services from three kecamatan over five days, some with an
    /// OSS code, served with three files a page.
    struct Hub {
        let world: SyncWorld
        let app: Hummingbird.Application<RouterResponder<BackOfficeContext>>
        /// Every forwarded file, by number.
        let files: [String: Permohonan]

        init() throws {
            // Monday 6 April 2026, 08:00 WIB: a week without holidays.
            let world = try SyncWorld(clock: TestClock("2026-04-06T01:00:00Z"))
            let kecamatan = try ["33.74.10", "33.74.01", "33.74.05"].map { try world.kecamatan($0) }
            // (kecamatan, service) per day: numbers, dates, services and kecamatan each in another order.
            let days: [[(Int, String)]] = [
                [(0, "PBG-KECIL"), (1, "NIB-UMK")], [(2, "REK-PAUD")], [(1, "PENGANTAR-DUKCAPIL"), (0, "NIB-UMK")],
                [(2, "PBG-KECIL")], [(1, "REK-PAUD"), (2, "NIB-UMK")],
            ]
            var numbers: [String] = []
            for day in days {
                for (k, code) in day {
                    let node = kecamatan[k]
                    let number = try node.register(code).number
                    while let p = try? node.store.permohonan(number), p.status == .diproses, let t = p.tahap,
                        t != .penerusan
                    {
                        try node.store.perform(.advance(tahap: t, note: nil), on: number, officer: "Petugas")
                    }
                    try node.store.perform(.forward(note: nil), on: number, officer: "Sari")
                    numbers.append(number)
                }
                world.clock.advance(seconds: 86_400)
            }
            for node in kecamatan { #expect(world.sync(node).outcome.result == .inSync) }
            let hub = world.hub.store
            for (i, code) in [(0, "10"), (2, "05"), (4, "20"), (6, "05")] {
                try hub.perform(.ptspProgress(code: code, note: nil), on: numbers[i], officer: "Rudi")
            }
            let hash = try PasswordHasher(cost: 4).hashNew("rahasia-ptsp-1", isPIN: false)
            _ = try hub.addAccount(
                StaffRole.self, username: "rina", name: "Rina Kusuma", roles: [.petugas], passwordHash: hash,
                isPIN: false)
            let app = try BackOfficeApp(
                store: hub, settings: .init(secure: false, passwordCost: 4, queuePageSize: 3),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                now: { world.clock.now() })
            self.world = world
            self.app = Hummingbird.Application(router: app.router())
            files = Dictionary(uniqueKeysWithValues: try numbers.map { ($0, try hub.permohonan($0)) })
        }
    }

    /// Logs in as rina and returns the headers that carry her session.
    static func login(_ client: some TestClientProtocol) async throws -> HTTPFields {
        let form = try await client.execute(uri: "/masuk", method: .get)
        let token = try #require(cookie(SessionToken.loginCookieName, in: form))
        let answer = try await client.execute(
            uri: "/masuk", method: .post,
            headers: [
                .contentType: "application/x-www-form-urlencoded",
                .cookie: "\(SessionToken.loginCookieName)=\(token)",
            ],
            body: ByteBuffer(string: "csrf=\(token)&username=rina&password=rahasia-ptsp-1"))
        #expect(answer.status == .seeOther)
        let session = try #require(cookie(SessionToken.cookieName, in: answer))
        return [.cookie: "\(SessionToken.cookieName)=\(session)"]
    }

    static func cookie(_ name: String, in response: TestResponse) -> String? {
        for field in response.headers[values: .setCookie] where field.hasPrefix(name + "=") {
            return String(field.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }

    /// A link as the page wrote it, as a browser follows it.
    static func unescaped(_ href: Substring) -> String {
        href.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#61;", with: "=")
    }

    /// The files of a queue page in the order shown, and its link to the next page.
    static func page(_ html: String) -> (numbers: [String], next: String?) {
        let numbers = html.matches(of: /class="nomor" href="\/permohonan\/([0-9-]+)"/).map { String($0.1) }
        let next = html.firstMatch(of: /href="([^"]*)">Berikutnya/).map { unescaped($0.1) }
        return (numbers, next)
    }

    /// Every file of the queue at `uri`, following the pages' own "Berikutnya" links.
    static func allPages(
        _ uri: String, client: some TestClientProtocol, headers: HTTPFields
    ) async throws -> (numbers: [String], links: [String]) {
        var numbers: [String] = []
        var links: [String] = []
        var next: String? = uri
        while let uri = next {
            let answer = try await client.execute(uri: uri, method: .get, headers: headers)
            #expect(answer.status == .ok, "\(uri)")
            let found = page(String(buffer: answer.body))
            #expect(found.numbers.count <= 3)
            numbers += found.numbers
            next = found.next
            if let n = found.next { links.append(n) }
            if numbers.count > 100 { break }
        }
        return (numbers, links)
    }

    /// The sort key of a file for `sort`, as the queue should order it; nil keys (no due date, no code)
    /// stay last in both directions.
    static func key(_ p: Permohonan, _ sort: ForwardedQuery.Sort) -> String? {
        switch sort {
        case .jatuhTempo: p.dueOn?.description
        case .diterima: p.acceptedOn.description
        case .kecamatan: p.partition
        case .layanan: p.layanan.code
        case .kode: p.ptspCode
        case .nomor: p.number
        }
    }

    /// Whether `numbers` stand in the order `sort` and `descending` ask for on the keys of `files`.
    static func isOrdered(
        _ numbers: [String], by sort: ForwardedQuery.Sort, descending: Bool, files: [String: Permohonan]
    ) -> Bool {
        let keys = numbers.map { files[$0].flatMap { key($0, sort) } }
        for (a, b) in zip(keys, keys.dropFirst()) {
            switch (a, b) {
            case (nil, .some): return false
            case (.some(let a), .some(let b)) where descending ? a < b : a > b: return false
            default: continue
            }
        }
        return true
    }

    @Test func everyColumnOrdersTheWholeQueueBothWaysAcrossItsPages() async throws {
        let hub = try Hub()
        try await hub.app.test(.live) { client in
            let headers = try await Self.login(client)
            var orders: [String: [String]] = [:]
            for sort in ForwardedQuery.Sort.allCases {
                for descending in [false, true] {
                    let uri = "/berkas?urut=\(sort.rawValue)\(descending ? "&arah=turun" : "")"
                    let (numbers, links) = try await Self.allPages(uri, client: client, headers: headers)
                    // Every file once, on three pages whose links kept the order asked for.
                    #expect(numbers.count == hub.files.count, "\(uri)")
                    #expect(Set(numbers) == Set(hub.files.keys), "\(uri)")
                    #expect(links.count == 2, "\(uri)")
                    for link in links {
                        #expect(link.contains("urut=\(sort.rawValue)"), "\(link)")
                        #expect(link.contains("arah=turun") == descending, "\(link)")
                    }
                    #expect(
                        Self.isOrdered(numbers, by: sort, descending: descending, files: hub.files),
                        "\(uri): \(numbers.map { "\($0) \(hub.files[$0].flatMap { Self.key($0, sort) } ?? "-")" })")
                    orders["\(sort.rawValue) \(descending)"] = numbers
                }
            }
            // The direction turns every order, and each column orders the files its own way.
            for sort in ForwardedQuery.Sort.allCases {
                #expect(orders["\(sort.rawValue) false"] != orders["\(sort.rawValue) true"], "\(sort)")
            }
            let ascending = ForwardedQuery.Sort.allCases.map { orders["\($0.rawValue) false"] ?? [] }
            #expect(Set(ascending).count == ForwardedQuery.Sort.allCases.count)
            // No order asked for is the due date's, ascending.
            let plain = try await Self.allPages("/berkas", client: client, headers: headers).numbers
            #expect(plain == orders["jatuh-tempo false"])
        }
    }

    @Test func theHeadersLinkEachOrderAndMarkTheOneInForce() async throws {
        let hub = try Hub()
        try await hub.app.test(.live) { client in
            let headers = try await Self.login(client)
            let answer = try await client.execute(
                uri: "/berkas?kecamatan=33.74.01&urut=layanan&arah=turun", method: .get, headers: headers)
            let html = String(buffer: answer.body)
            let sorted = html.matches(of: /<th scope="col" aria-sort="([a-z]+)">/).map { String($0.1) }
            #expect(sorted == ["descending"])
            let header = try #require(html.firstMatch(of: /aria-sort="descending"><a href="([^"]*)"[^>]*>Layanan/))
            // The sorted column turns over, from the first page, keeping the filter.
            #expect(Self.unescaped(header.1) == "/berkas?kecamatan=33.74.01&urut=layanan")
            let other = try #require(html.firstMatch(of: /<th scope="col"><a href="([^"]*)"[^>]*>Diterima/))
            #expect(Self.unescaped(other.1) == "/berkas?kecamatan=33.74.01&urut=diterima")
            // The filter form sends the order along (its selects are the only control on a narrow
            // screen, where the table's headers give way to cards); the exports carry it.
            #expect(html.contains(#"<option value="layanan" selected>Layanan</option>"#))
            #expect(html.contains(#"<option value="turun" selected>"#))
            #expect(!html.contains(#"<option value="naik" selected>"#))
            #expect(html.contains(#"href="/berkas.csv?kecamatan=33.74.01&amp;urut=layanan&amp;arah=turun""#))
            #expect(html.contains(#"href="/berkas.xlsx?kecamatan=33.74.01&amp;urut=layanan&amp;arah=turun""#))
            #expect(html.contains("diurutkan menurut layanan, urutan turun"))
            // The default order marks the due date's header, ascending.
            let plain = String(buffer: try await client.execute(uri: "/berkas", method: .get, headers: headers).body)
            #expect(plain.contains(#"aria-sort="ascending"><a href="/berkas?urut=jatuh-tempo&amp;arah=turun""#))
        }
    }

    @Test func theCSVExportFollowsTheOrderOfThePages() async throws {
        let hub = try Hub()
        try await hub.app.test(.live) { client in
            let headers = try await Self.login(client)
            for (sort, descending) in [("kecamatan", true), ("diterima", false), ("kode", true), ("nomor", false)] {
                let query = "urut=\(sort)\(descending ? "&arah=turun" : "")"
                let pages = try await Self.allPages("/berkas?\(query)", client: client, headers: headers).numbers
                let csv = try await client.execute(uri: "/berkas.csv?\(query)", method: .get, headers: headers)
                #expect(csv.status == .ok)
                let lines = String(buffer: csv.body).split(separator: "\r\n").dropFirst()
                let exported = lines.map { String($0.prefix { $0 != "," }) }
                #expect(exported == pages, "\(query)")
                #expect(exported.count == hub.files.count)
            }
            // The same filter in another order exports another order.
            let up = try await client.execute(uri: "/berkas.csv?urut=nomor", method: .get, headers: headers)
            let down = try await client.execute(
                uri: "/berkas.csv?urut=nomor&arah=turun", method: .get, headers: headers)
            let upRows = String(buffer: up.body).split(separator: "\r\n").dropFirst().map(String.init)
            let downRows = String(buffer: down.body).split(separator: "\r\n").dropFirst().map(String.init)
            #expect(upRows == downRows.reversed())
            #expect(upRows != downRows)
        }
    }

    @Test func anOrderThePageDoesNotOfferIsRefusedByThePageAndTheExports() async throws {
        let hub = try Hub()
        try await hub.app.test(.live) { client in
            let headers = try await Self.login(client)
            for uri in ["/berkas?urut=nama", "/berkas?urut=p.number%3BDROP", "/berkas?arah=atas"] {
                let answer = try await client.execute(uri: uri, method: .get, headers: headers)
                #expect(answer.status == .unprocessableContent, "\(uri)")
                let html = String(buffer: answer.body)
                #expect(html.contains("tidak dikenal"), "\(uri)")
                #expect(Self.page(html).numbers.isEmpty, "\(uri)")
            }
            for uri in ["/berkas.csv?urut=nama", "/berkas.xlsx?arah=atas"] {
                #expect(
                    try await client.execute(uri: uri, method: .get, headers: headers).status == .unprocessableContent,
                    "\(uri)")
            }
        }
    }
}
