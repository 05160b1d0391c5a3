import Foundation
import Logging
import SimpulBackOfficeWeb
import SimpulDomain
import SimpulStore
import SimpulWeb

/// `web --side hub`: the PTSP back office over a hub store of `--permohonan` forwarded files (50,000
/// by default) from the 16 kecamatan of Kota Semarang, served by the real `BackOfficeWebServer` on
/// 127.0.0.1 and asked for by libcurl over keep-alive connections, one request at a time, by a staff
/// account with the session a login gave. The static stylesheet without a session is the baseline,
/// as in the counter's bench.
enum HubWebBench {
    static let targetP95Ms = 300.0
    static let username = "rina"

    struct Result {
        var store: WebStore
        var requests: Int
        var warmup: Int
        var baseline: WebBench.PageResult
        var pages: [WebBench.PageResult]
        /// Rows of the measured CSV export, to say what it carried.
        var csvRows: Int
    }

    /// The kecamatan the filtered pages and the export ask for.
    static let filtered = WebStore.kecamatans[4].rawValue

    static func run(conf: ConfDirectory, options: Options, root: String, logger: Logger) async throws -> Result {
        let filled = try WebStore.fill(
            conf: conf, seed: options.seed, permohonan: options.permohonan, directory: root, side: .hub,
            logger: logger)
        let store = filled.store
        // bcrypt at a low cost: logging in is not what is measured.
        let hash = try PasswordHasher(cost: 4).hashNew(WebBench.password, isPIN: false)
        _ = try store.addAccount(
            StaffRole.self, username: username, name: "Rina Kusumawati", roles: [.petugas], passwordHash: hash,
            isPIN: false)
        let app = try BackOfficeApp(
            store: store, settings: BackOfficeApp.Settings(secure: false, passwordCost: 4), logger: logger,
            now: { WebStore.now })
        let (ports, bound) = AsyncStream.makeStream(of: Int.self)
        let server = try BackOfficeWebServer(
            host: "127.0.0.1", port: 0, tls: nil, app: app, logger: logger, onRunning: { bound.yield($0) })
        let serving = Task { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            serving.cancel()
            throw BenchError("the back office web server did not start")
        }
        let pages = self.pages(filled)
        let (requests, warmup) = (options.requests, max(5, options.requests / 10))
        let measured: Swift.Result<([WebBench.PageResult], Int), BenchError> = await withCheckedContinuation { done in
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
        let (results, csvRows) = try measured.get()
        return Result(
            store: filled, requests: requests, warmup: warmup, baseline: results[0], pages: Array(results.dropFirst()),
            csvRows: csvRows)
    }

    /// The pages the PTSP's staff open all day; the first is the baseline.
    static func pages(_ filled: WebStore) -> [WebBench.Page] {
        [
            .init(name: "aset (baseline)", officer: nil, paths: ["/aset/simpul.css"]),
            .init(name: "ringkasan", officer: username, paths: ["/"]),
            .init(name: "berkas", officer: username, paths: ["/berkas"]),
            .init(
                name: "berkas kecamatan", officer: username,
                paths: WebStore.kecamatans.map { "/berkas?kecamatan=\($0.rawValue)" }),
            .init(name: "berkas urut kecamatan", officer: username, paths: ["/berkas?urut=kecamatan&arah=turun"]),
            // Every file ever forwarded, ordered by service: the whole table sorted, the page's worst case.
            .init(name: "berkas semua urut layanan", officer: username, paths: ["/berkas?status=semua&urut=layanan"]),
            .init(name: "permohonan", officer: username, paths: filled.numbers.map { "/permohonan/\($0)" }),
            // The queue's own filter for one kecamatan (its files waiting at the PTSP), in another order.
            .init(
                name: "csv kecamatan", officer: username,
                paths: WebStore.kecamatans.map { "/berkas.csv?kecamatan=\($0.rawValue)&urut=layanan" }),
            // A kecamatan's every forwarded file, newest first: a year of its work in one file.
            .init(
                name: "csv kecamatan semua", officer: username,
                paths: ["/berkas.csv?kecamatan=\(filtered)&status=semua&urut=diterima&arah=turun"]),
        ]
    }

    /// Logs the staff account in, warms every page up, then asks for the pages in turn, `requests`
    /// times each, so a slow stretch of the shared machine falls on all alike.
    static func measure(
        _ pages: [WebBench.Page], port: Int, requests: Int, warmup: Int
    ) throws(BenchError) -> ([WebBench.PageResult], Int) {
        do {
            let anonymous = try WebClient(port: port)
            let staff = try WebClient(port: port)
            try staff.logIn(username: username, password: WebBench.password)
            var csvRows = 0
            let results = try WebBench.timed(pages, requests: requests, warmup: warmup) { page in
                page.officer == nil ? anonymous : staff
            } check: { _, path, answer throws(BenchError) in
                // Every queue asked for has files in it: a page without rows rendered none.
                if path.hasPrefix("/berkas?") || path == "/berkas",
                    !answer.text.contains("class=\"nomor\" href=\"/permohonan/")
                {
                    throw BenchError("GET \(path) showed no files")
                }
                if path.hasPrefix("/berkas.csv") {
                    // The header line and one line per file; the byte order mark leads the first.
                    csvRows = answer.text.split(separator: "\r\n").count - 1
                    guard csvRows > 0 else { throw BenchError("GET \(path) exported no files") }
                }
            }
            return (results, csvRows)
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError("\(error)")
        }
    }

    static func report(_ r: Result, options: Options) -> String {
        let base95 = r.baseline.percentile(0.95)
        var json = JSONLine()
        json.add("scenario", "web")
        json.add("side", "hub")
        json.add("seed", Int(options.seed))
        json.add("permohonan", r.store.permohonan)
        json.add("forwarded", r.store.forwarded)
        json.add("kecamatan", WebStore.kecamatans.count)
        json.add("events", r.store.events)
        json.add("change_sets", r.store.changeSets)
        json.add("fill_s", r.store.seconds, decimals: 1)
        json.add("store_bytes", r.store.storeBytes)
        var statuses = JSONLine()
        for (k, v) in r.store.byStatus.sorted(by: { $0.key < $1.key }) { statuses.add(k, v) }
        json.add("by_status", statuses)
        json.add("csv_rows", r.csvRows)
        json.add("requests_per_page", r.requests)
        json.add("warmup_per_page", r.warmup)
        json.add("baseline_p50_ms", r.baseline.percentile(0.5), decimals: 2)
        json.add("baseline_p95_ms", base95, decimals: 2)
        json.add("pages", WebBench.pagesJSON(r.pages, baseP95: base95, targetP95Ms: targetP95Ms))
        json.add("target_p95_ms", Int(targetP95Ms))
        json.add("all_met", r.pages.allSatisfy { $0.percentile(0.95) < targetP95Ms })

        let waiting = r.store.byStatus[Status.diteruskan.rawValue] ?? 0
        var lines = [
            json.text,
            "web --side hub: the back office over \(grouped(r.store.forwarded)) forwarded files from "
                + "\(WebStore.kecamatans.count) kecamatan (\(grouped(waiting)) waiting at the PTSP, "
                + "\(grouped(r.store.events)) events, store \(fixed(Double(r.store.storeBytes) / 1_048_576, 1)) MB, "
                + "filled in \(fixed(r.store.seconds, 1)) s), libcurl keep-alive on 127.0.0.1, \(r.requests) "
                + "requests per page after \(r.warmup) warm-up; the CSV carries \(grouped(r.csvRows)) files",
            "  " + column("page", 27, right: false) + column("p50 ms", 9) + column("p95 ms", 9) + column("p99 ms", 9)
                + column("max ms", 9) + column("KB", 8) + column("p95/css", 9) + "  < 300 ms",
        ]
        for p in [r.baseline] + r.pages {
            let p95 = p.percentile(0.95)
            let isBase = p.page.officer == nil
            lines.append(
                "  " + column(p.page.name, 27, right: false) + column(fixed(p.percentile(0.5), 2), 9)
                    + column(fixed(p95, 2), 9) + column(fixed(p.percentile(0.99), 2), 9)
                    + column(fixed(p.percentile(1), 2), 9)
                    + column(fixed(Double(p.bytes) / Double(max(1, p.samples.count)) / 1024, 1), 8)
                    + column(isBase ? "1.0" : fixed(p95 / base95, 1), 9)
                    + (isBase ? "" : p95 < targetP95Ms ? "  met" : "  MISSED"))
        }
        return lines.joined(separator: "\n")
    }
}
