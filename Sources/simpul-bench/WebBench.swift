import Foundation
import Logging
import SimpulCounterWeb
import SimpulDomain
import SimpulStore
import SimpulWeb

/// `web`: the counter's pages over a store of `--permohonan` files (100,000 by default), served by
/// the real `CounterWebServer` on 127.0.0.1 and asked for by libcurl over keep-alive connections,
/// one request at a time, each officer with the session a login gave. The static stylesheet, asked
/// for on a connection without a session, is the baseline: an HTTP round trip without store work.
enum WebBench {
    static let targetP95Ms = 100.0
    static let password = "bench-sandi-2026"

    struct Page: Sendable {
        var name: String
        /// The account asking, nil for the asset (no session cookie, so no session lookup).
        var officer: String?
        /// Asked for in turn, one per request.
        var paths: [String]
    }

    struct PageResult: Sendable {
        var page: Page
        /// Milliseconds, in the order measured.
        var samples: [Double] = []
        var bytes = 0

        func percentile(_ q: Double) -> Double {
            let sorted = samples.sorted()
            guard !sorted.isEmpty else { return .nan }
            return sorted[max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1)]
        }
    }

    struct Result {
        var store: WebStore
        var requests: Int
        var warmup: Int
        var baseline: PageResult
        var pages: [PageResult]
    }

    static let accounts: [(username: String, name: String, role: OfficerRole)] = [
        ("loket", "Sri Wahyuni", .loket), ("verifikasi", "Hendra Gunawan", .verifikasi),
        ("kasir", "Rina Marlina", .kasir),
    ]

    static func run(conf: ConfDirectory, options: Options, root: String, logger: Logger) async throws -> Result {
        let filled = try WebStore.fill(
            conf: conf, seed: options.seed, permohonan: options.permohonan, directory: root, logger: logger)
        let store = filled.store
        // bcrypt at a low cost: logging in is not what is measured.
        let hasher = PasswordHasher(cost: 4)
        for a in accounts {
            _ = try store.addAccount(
                username: a.username, name: a.name, roles: [a.role],
                passwordHash: try hasher.hashNew(password, isPIN: false), isPIN: false)
        }
        let app = try CounterApp(
            store: store, settings: CounterApp.Settings(secure: false, passwordCost: 4), logger: logger,
            now: { WebStore.now }, syncRequests: nil)
        let (ports, bound) = AsyncStream.makeStream(of: Int.self)
        let server = try CounterWebServer(
            host: "127.0.0.1", port: 0, tls: nil, app: app, logger: logger, onRunning: { bound.yield($0) })
        let serving = Task { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            serving.cancel()
            throw BenchError("the counter web server did not start")
        }
        let pages = self.pages(filled)
        let (requests, warmup) = (options.requests, max(5, options.requests / 10))
        let measured: Swift.Result<[PageResult], BenchError> = await withCheckedContinuation { done in
            // libcurl blocks: a thread of its own, off the pools the server and the store use.
            Thread {
                do throws(BenchError) {
                    done.resume(returning: .success(try measure(pages, port: port, requests: requests, warmup: warmup)))
                } catch {
                    done.resume(returning: .failure(error))
                }
            }.start()
        }
        serving.cancel()
        _ = await serving.result
        let results = try measured.get()
        return Result(
            store: filled, requests: requests, warmup: warmup, baseline: results[0], pages: Array(results.dropFirst()))
    }

    /// The pages an officer opens all day; the first is the baseline.
    static func pages(_ filled: WebStore) -> [Page] {
        let names = Roster.family + ["Siti", "Budi Santoso", "Rahayu", "Joko", "Wulan Dwi"]
        return [
            Page(name: "aset (baseline)", officer: nil, paths: ["/aset/simpul.css"]),
            Page(name: "antrean loket", officer: "loket", paths: ["/"]),
            Page(name: "antrean verifikasi", officer: "verifikasi", paths: ["/"]),
            Page(name: "antrean kasir", officer: "kasir", paths: ["/"]),
            Page(name: "permohonan", officer: "verifikasi", paths: filled.numbers.map { "/permohonan/\($0)" }),
            Page(name: "cari nik", officer: "loket", paths: filled.niks.map { "/cari?nik=\($0)" }),
            Page(name: "cari nama", officer: "loket", paths: names.map { "/cari?nama=\($0.formEncoded)" }),
            Page(name: "cari layanan+status", officer: "loket", paths: ["/cari?layanan=SKTM&status=diproses"]),
            Page(name: "daftar", officer: "loket", paths: ["/daftar?layanan=IZIN-JALAN"]),
        ]
    }

    /// Logs every officer in on a connection of their own, warms every page up, then asks for the
    /// pages in turn, `requests` times each, so a slow stretch of the shared machine falls on all alike.
    static func measure(_ pages: [Page], port: Int, requests: Int, warmup: Int) throws(BenchError) -> [PageResult] {
        do {
            let anonymous = try WebClient(port: port)
            var clients: [String: WebClient] = [:]
            for a in accounts {
                let client = try WebClient(port: port)
                try client.logIn(username: a.username, password: password)
                clients[a.username] = client
            }
            return try timed(pages, requests: requests, warmup: warmup) { page in
                page.officer.flatMap { clients[$0] } ?? anonymous
            } check: { page, _, answer throws(BenchError) in
                // Every queue of this store has files in it: a page without rows rendered none.
                if page.paths == ["/"] && !answer.text.contains("class=\"nomor\" href=\"/permohonan/") {
                    throw BenchError("the queue of \(page.officer ?? "") showed no files")
                }
            }
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError("\(error)")
        }
    }

    /// Asks for every page in turn, `warmup` rounds unmeasured and then `requests` measured rounds, each
    /// answer checked to be the page itself (200, not the login page) and by `check`.
    static func timed(
        _ pages: [Page], requests: Int, warmup: Int, client: (Page) -> WebClient,
        check: (Page, String, WebClient.Answer) throws(BenchError) -> Void
    ) throws -> [PageResult] {
        var results = pages.map { PageResult(page: $0) }
        for round in 0..<(warmup + requests) {
            for (i, page) in pages.enumerated() {
                let path = page.paths[round % page.paths.count]
                let answer = try client(page).get(path)
                guard answer.status == 200, !answer.body.isEmpty else {
                    throw BenchError("GET \(path) as \(page.officer ?? "nobody") answered \(answer.status)")
                }
                if page.officer != nil && answer.text.contains("action=\"/masuk\"") {
                    throw BenchError("GET \(path) as \(page.officer ?? "") showed the login page")
                }
                try check(page, path, answer)
                guard round >= warmup else { continue }
                results[i].samples.append(answer.seconds * 1000)
                results[i].bytes += answer.body.count
            }
        }
        return results
    }

    /// Each page's figures for the JSON line: percentiles, size, and the p95 against the baseline's.
    static func pagesJSON(_ pages: [PageResult], baseP95: Double, targetP95Ms: Double) -> JSONLine {
        var json = JSONLine()
        for p in pages {
            var one = JSONLine()
            one.add("requests", p.samples.count)
            one.add("p50_ms", p.percentile(0.5), decimals: 2)
            one.add("p95_ms", p.percentile(0.95), decimals: 2)
            one.add("p99_ms", p.percentile(0.99), decimals: 2)
            one.add("max_ms", p.percentile(1), decimals: 2)
            one.add("bytes", p.samples.isEmpty ? 0 : p.bytes / p.samples.count)
            one.add("p95_ratio", p.percentile(0.95) / baseP95, decimals: 1)
            one.add("target_met", p.percentile(0.95) < targetP95Ms)
            json.add(p.page.name, one)
        }
        return json
    }

    static func report(_ r: Result, options: Options) -> String {
        let base95 = r.baseline.percentile(0.95)
        var json = JSONLine()
        json.add("scenario", "web")
        json.add("seed", Int(options.seed))
        json.add("permohonan", r.store.permohonan)
        json.add("events", r.store.events)
        json.add("change_sets", r.store.changeSets)
        json.add("fill_s", r.store.seconds, decimals: 1)
        json.add("store_bytes", r.store.storeBytes)
        var statuses = JSONLine()
        for (k, v) in r.store.byStatus.sorted(by: { $0.key < $1.key }) { statuses.add(k, v) }
        json.add("by_status", statuses)
        var open = JSONLine()
        for (k, v) in r.store.openByTahap.sorted(by: { $0.key < $1.key }) { open.add(k, v) }
        json.add("open_by_tahap", open)
        json.add("requests_per_page", r.requests)
        json.add("warmup_per_page", r.warmup)
        json.add("baseline_p50_ms", r.baseline.percentile(0.5), decimals: 2)
        json.add("baseline_p95_ms", base95, decimals: 2)
        json.add("pages", pagesJSON(r.pages, baseP95: base95, targetP95Ms: targetP95Ms))
        json.add("target_p95_ms", Int(targetP95Ms))
        json.add("all_met", r.pages.allSatisfy { $0.percentile(0.95) < targetP95Ms })

        var lines = [
            json.text,
            "web: the counter's pages over \(grouped(r.store.permohonan)) permohonan (\(grouped(r.store.events)) events, "
                + "store \(fixed(Double(r.store.storeBytes) / 1_048_576, 1)) MB, filled in \(fixed(r.store.seconds, 1)) s), "
                + "libcurl keep-alive on 127.0.0.1, \(r.requests) requests per page after \(r.warmup) warm-up",
            "  " + column("page", 22, right: false) + column("officer", 12, right: false) + column("p50 ms", 9)
                + column("p95 ms", 9) + column("p99 ms", 9) + column("max ms", 9) + column("KB", 7)
                + column("p95/css", 9) + "  < 100 ms",
        ]
        for p in [r.baseline] + r.pages {
            let p95 = p.percentile(0.95)
            let isBase = p.page.officer == nil
            lines.append(
                "  " + column(p.page.name, 22, right: false) + column(p.page.officer ?? "-", 12, right: false)
                    + column(fixed(p.percentile(0.5), 2), 9) + column(fixed(p95, 2), 9)
                    + column(fixed(p.percentile(0.99), 2), 9) + column(fixed(p.percentile(1), 2), 9)
                    + column(fixed(Double(p.bytes) / Double(max(1, p.samples.count)) / 1024, 1), 7)
                    + column(isBase ? "1.0" : fixed(p95 / base95, 1), 9)
                    + (isBase ? "" : p95 < targetP95Ms ? "  met" : "  MISSED"))
        }
        return lines.joined(separator: "\n")
    }
}
