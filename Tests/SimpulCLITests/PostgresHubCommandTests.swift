import Foundation
import GRDB
import SimpulLinkSimulator
import SimpulTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL server `make test` starts (`SIMPUL_TEST_POSTGRES_URL`, a throwaway cluster from
/// scripts/postgres-test-cluster), and a database of its own per test, made and dropped with psql.
/// Without a server the suite is skipped, unless `CI` or `SIMPUL_REQUIRE_POSTGRES` asks for it.
struct PostgresServer {
    static let url = ProcessInfo.processInfo.environment["SIMPUL_TEST_POSTGRES_URL"]
    static let given: ConditionTrait = .enabled(
        if: url != nil || ProcessInfo.processInfo.environment["CI"] != nil
            || ProcessInfo.processInfo.environment["SIMPUL_REQUIRE_POSTGRES"] != nil,
        "SIMPUL_TEST_POSTGRES_URL is not set: no PostgreSQL server for the hub on PostgreSQL (make test starts one)")

    let name: String
    /// `postgres://simpul@127.0.0.1:PORT/NAME`.
    let url: String
    private let server: String

    init() throws {
        guard let server = Self.url, var parts = URLComponents(string: server) else {
            Issue.record("SIMPUL_TEST_POSTGRES_URL is not set but CI or SIMPUL_REQUIRE_POSTGRES asks for it")
            throw HarnessError("SIMPUL_TEST_POSTGRES_URL is not set")
        }
        self.server = server
        name = "simpul_cli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        parts.path = "/" + name
        url = parts.string ?? server
        _ = try Self.psql(server, "CREATE DATABASE \(name)")
    }

    func drop() {
        _ = try? Self.psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// The rows of `sql` in this database, each row's columns joined by `|`.
    func rows(_ sql: String) throws -> [String] {
        try Self.psql(url, sql).split(separator: "\n").map(String.init)
    }

    private static func psql(_ url: String, _ sql: String) throws -> String {
        let (ended, out, err) = try Child.run(
            "/usr/bin/psql", ["--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-tAc", sql, url],
            environment: ProcessInfo.processInfo.environment, timeout: .seconds(60))
        guard ended.status == 0 else {
            throw HarnessError("psql failed: \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Black-box: `simpul-hub init --database`, `serve` on PostgreSQL (one process and two behind a TCP
/// round robin), and the built `simpul` syncing with it over TLS.
@Suite(.serialized, .timeLimit(.minutes(10)), PostgresServer.given) struct PostgresHubCommandTests {
    /// A kecamatan office set up against `hubURL`, enrolled at `hub`, with `count` SKTM registered.
    private func office(_ hub: RealHub, at path: String, hubURL: String? = nil, count: Int) throws {
        let r = try RealHub.run(
            "simpul",
            [
                "init", "--node", "33.74.01", "--name", "Kec", "--conf", Simpul.conf, "--data", path, "--hub",
                hubURL ?? hub.url, "--hub-ca", hub.certs + "/cert.pem", "--json",
            ])
        let key = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["publicKey"]
        guard r.status == 0, let key = key as? String else { throw HarnessError("simpul init failed: \(r.stderr)") }
        #expect(try hub.enroll("33.74.01", key).status == 0)
        for i in 0..<count { _ = try RealHub.createPermohonan(at: path, nama: "Warga \(i)") }
    }

    /// The kecamatan's own events as the hub must hold them: place, record, type and data text.
    private func events(ofOfficeAt path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path + "/simpul.sqlite")
        return try queue.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT partition || '|' || node || '|' || seq || '|' || record || '|' || type || '|' || data
                    FROM event WHERE node = '33.74.01' ORDER BY partition, node, seq
                    """)
        }
    }

    private func events(in database: PostgresServer) throws -> [String] {
        try database.rows(
            """
            SELECT partition || '|' || node || '|' || seq || '|' || record || '|' || type || '|' || data
            FROM event WHERE node = '33.74.01' ORDER BY partition, node, seq
            """)
    }

    @Test func aKecamatanSyncsWithAHubOnPostgresAndNothingIsAppliedTwice() throws {
        let database = try PostgresServer()
        defer { database.drop() }
        let hub = try RealHub(name: "pg-hub", database: database.url)
        // The folder keeps the key and where the data is; the data itself is in PostgreSQL.
        #expect(FileManager.default.fileExists(atPath: hub.data + "/database.json"))
        #expect(!FileManager.default.fileExists(atPath: hub.data + "/simpul.sqlite"))
        let mode = try FileManager.default.attributesOfItem(atPath: hub.data + "/database.json")[.posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o600)

        let office = hub.dir + "/kec"
        try self.office(hub, at: office, count: 3)
        #expect(try RealHub.run("simpul", ["sync", "--data", office]).status == 0)
        let held = try events(in: database)
        #expect(held.count > 0)
        #expect(held == (try events(ofOfficeAt: office)))

        // Restarted on the same database, the hub still holds it all; a second sync sends nothing new.
        #expect(try hub.stop().status == 0)
        try hub.restart()
        _ = try RealHub.createPermohonan(at: office, nama: "Warga Akhir")
        #expect(try RealHub.run("simpul", ["sync", "--data", office]).status == 0)
        #expect(try RealHub.run("simpul", ["sync", "--data", office]).status == 0)
        let after = try events(in: database)
        #expect(after.count > held.count)
        #expect(after == (try events(ofOfficeAt: office)))
        let hashes = try database.rows("SELECT count(*), count(DISTINCT hash) FROM changeset WHERE node = '33.74.01'")
        let parts = hashes.first?.split(separator: "|") ?? []
        #expect(parts.count == 2 && parts[0] == parts[1] && parts[0] != "0")

        let status = try RealHub.run("simpul-hub", ["status", "--data", hub.data, "--json"])
        #expect(status.status == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]]
        let row = rows?.first { $0["node"] as? String == "33.74.01" }
        #expect((row?["holds"] as? Int) == after.count)
        #expect(row?["lastResult"] != nil)

        // What the PostgreSQL hub cannot do yet is refused in one line, and changes nothing.
        let staff = try RealHub.run("simpul-hub", ["user", "list", "--data", hub.data])
        #expect(staff.status == 65)
        #expect(staff.stderr.contains("PostgreSQL"))
        #expect(staff.stderr.split(separator: "\n").count == 1)
        let web = try RealHub.run(
            "simpul-hub",
            [
                "serve", "--data", hub.data, "--listen", "127.0.0.1:0", "--insecure-http", "--web", "127.0.0.1:0",
            ])
        #expect(web.status == 64)
        #expect(web.stderr.contains("web"))
        #expect(try events(in: database) == after)
    }

    @Test func thePTSPsStepAndDecisionOnAHubOnPostgresReachTheCounter() throws {
        let database = try PostgresServer()
        defer { database.drop() }
        let hub = try RealHub(name: "pg-acts", database: database.url)
        // The IT officer publishes the catalog and the year's holidays: a hub on PostgreSQL counts working
        // days on the calendar it published.
        let published = try RealHub.run(
            "simpul-hub",
            [
                "layanan", "publish", Simpul.conf + "/layanan.json", "--kalender", Simpul.conf + "/hari-libur-2026.tsv",
                "--data", hub.data, "--petugas", "Admin TI",
            ])
        #expect(published.status == 0, "\(published.stderr)")
        #expect(
            try database.rows("SELECT type FROM event WHERE node = '33.74' AND partition = '33.74' ORDER BY seq")
                == ["katalog.published", "kalender.published"])
        let republished = try RealHub.run(
            "simpul-hub", ["layanan", "publish", Simpul.conf + "/layanan.json", "--data", hub.data, "--petugas", "A"])
        #expect(republished.status != 0)
        #expect(republished.stderr.contains("tidak lebih baru"), "\(republished.stderr)")

        let office = hub.dir + "/kec"
        try self.office(hub, at: office, count: 0)
        let created = try RealHub.run(
            "simpul",
            [
                "permohonan", "create", "--data", office, "--layanan", "PBG-KECIL", "--nik", "3374010101850003",
                "--nama", "Ahmad", "--syarat", "ktp", "--syarat", "persetujuan-tetangga", "--syarat", "bukti-tanah",
                "--syarat", "sppt-pbb", "--syarat", "gambar", "--syarat", "pengantar-desa", "--petugas", "Sari",
                "--json",
            ])
        let object = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any]
        let number = try #require((object?["permohonan"] as? [String: Any])?["number"] as? String)
        #expect(
            try RealHub.run("simpul", ["permohonan", "forward", number, "--data", office, "--petugas", "Sari"]).status
                == 0)
        #expect(try RealHub.run("simpul", ["sync", "--data", office]).status == 0)

        // The PTSP reads the forwarded file and records its steps from the PostgreSQL hub's folder.
        let listed = try RealHub.run("simpul-hub", ["permohonan", "list", "--data", hub.data])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains(number))
        let checked = try RealHub.run(
            "simpul-hub",
            ["permohonan", "advance", number, "--data", hub.data, "--kode", "10", "--petugas", "Rina"])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("Nomor pendaftaran : \(number)"), "\(checked.stdout)")
        let decided = try RealHub.run(
            "simpul-hub",
            [
                "permohonan", "decide", number, "--data", hub.data, "--kode", "50", "--retribusi", "150000",
                "--petugas", "Kabid",
            ])
        #expect(decided.status == 0, "\(decided.stderr)")
        let hubEvents = try database.rows("SELECT seq || '|' || type || '|' || officer FROM event WHERE node = '33.74'")
        #expect(hubEvents.contains("1|permohonan.ptsp-progress|Rina"), "\(hubEvents)")
        #expect(hubEvents.contains("2|permohonan.decided|Kabid"), "\(hubEvents)")

        // A second decision is refused by the workflow in one line and writes nothing.
        let again = try RealHub.run(
            "simpul-hub", ["permohonan", "decide", number, "--data", hub.data, "--kode", "90", "--petugas", "Kabid"])
        #expect(again.status != 0)
        #expect(again.stderr.split(separator: "\n").count == 1, "\(again.stderr)")
        #expect(try database.rows("SELECT seq FROM event WHERE node = '33.74' AND record = '\(number)'").count == 2)
        let log = try RealHub.run("simpul-hub", ["permohonan", "log", number, "--data", hub.data])
        #expect(log.status == 0)
        #expect(log.stdout.contains("Kabid"))

        // The signed permit, issued as a PDF, goes with the decision.
        let permit = Data((0..<90_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) })
        try permit.write(to: URL(fileURLWithPath: hub.dir + "/izin.pdf"))
        let issued = try RealHub.run(
            "simpul-hub",
            [
                "permohonan", "terbit", number, hub.dir + "/izin.pdf", "--nomor-dokumen", "503/0123/DPMPTSP/2026",
                "--data", hub.data, "--petugas", "Kabid",
            ])
        #expect(issued.status == 0, "\(issued.stderr)")
        #expect(
            try database.rows("SELECT size, complete, owner FROM blob")
                == ["\(permit.count)|t|33.74"])

        // The serving hub seals its acts into its chain at the counter's next pull.
        let pulled = try RealHub.run("simpul", ["sync", "--data", office, "--json"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        let run = try JSONSerialization.jsonObject(with: Data(pulled.stdout.utf8)) as? [String: Any]
        #expect(run?["downloaded"] as? Int == 1, "\(pulled.stdout)")
        let shown =
            try JSONSerialization.jsonObject(
                with: Data(
                    try RealHub.run("simpul", ["permohonan", "show", number, "--data", office, "--json"]).stdout.utf8)
            ) as? [String: Any]
        let p = try #require(shown?["permohonan"] as? [String: Any])
        #expect(p["tahap"] as? String == "penyerahan")
        #expect(p["fee"] as? Int == 150_000)
        #expect(p["ptspCode"] as? String == "50")
        #expect(
            try database.rows(
                "SELECT last_seq FROM changeset WHERE node = '33.74' AND partition = '33.74.01' ORDER BY first_seq"
            ).last == "3")
        // The published catalog and calendar came down to the counter as well.
        let global = try DatabaseQueue(path: office + "/simpul.sqlite").read { db in
            try String.fetchAll(
                db, sql: "SELECT type FROM event WHERE node = '33.74' AND partition = '33.74' ORDER BY seq")
        }
        #expect(global == ["katalog.published", "kalender.published"])
    }

    @Test func initRefusesAPasswordOnTheCommandLineAndADatabaseAnotherHubHolds() throws {
        let database = try PostgresServer()
        defer { database.drop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-pg-init-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var withPassword = URLComponents(string: database.url)!
        withPassword.password = "rahasia-sekali"
        let refused = try RealHub.run(
            "simpul-hub",
            [
                "init", "--node", "33.74", "--name", "DPMPTSP", "--conf", Simpul.conf, "--data", dir + "/a",
                "--database", withPassword.string!,
            ])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("PGPASSWORD"))
        #expect(!refused.stderr.contains("rahasia"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/a"))

        let first = try RealHub.run(
            "simpul-hub",
            [
                "init", "--node", "33.74", "--name", "DPMPTSP", "--conf", Simpul.conf, "--data", dir + "/a",
                "--database", database.url,
            ])
        #expect(first.status == 0)
        // A second folder would make a second hub key for data the first key signed: refused, no key made.
        let second = try RealHub.run(
            "simpul-hub",
            [
                "init", "--node", "33.74", "--name", "DPMPTSP", "--conf", Simpul.conf, "--data", dir + "/b",
                "--database", database.url,
            ])
        #expect(second.status == 73)
        #expect(second.stderr.contains("sudah dipakai hub 33.74"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/b/node.key"))
    }

    @Test func twoHubProcessesOnOneDatabaseServeANodeWhicheverAnswersAndAKilledOneLosesNothing() throws {
        let database = try PostgresServer()
        defer { database.drop() }
        let hub = try RealHub(name: "pg-two", database: database.url)
        var second = try hub.serveAnother()
        defer { second.process.signal(SIGKILL) }
        let ports = [hub.port, second.port]
        // A TCP round robin, as a load balancer in front of the two: connection n goes to ports[(n-1) % 2].
        // Slow enough upward that a kill lands inside a push.
        let balancer = try LinkSimulator(
            upstreamPorts: ports, plan: .init(up: .init(bytesPerSecond: 600), down: .init(bytesPerSecond: 64_000)))
        defer { balancer.stop() }
        let url = "https://127.0.0.1:\(balancer.port)"
        let office = hub.dir + "/kec"
        try self.office(hub, at: office, hubURL: url, count: 2)
        #expect(try RealHub.run("simpul", ["sync", "--data", office]).status == 0)
        #expect(try RealHub.run("simpul", ["sync", "--data", office]).status == 0)
        let upstreams = Set(balancer.counters.perConnection.map { ports[($0.number - 1) % 2] })
        #expect(upstreams.count == 2, "both processes answered the node")

        // Enough new work (about 3 KB compressed) that the push takes seconds on the slow link; kill the
        // process carrying it once the handshake and the first requests are through.
        for i in 0..<60 { _ = try RealHub.createPermohonan(at: office, nama: "Warga Baru \(i)") }
        let before = balancer.counters
        let sync = try Child(
            try RealHub.binary("simpul"), ["sync", "--data", office], environment: RealHub.environment())
        let pushing = balancer.wait(timeout: .seconds(60)) { $0.bytesUp - before.bytesUp >= 1_800 }
        #expect(
            pushing,
            "\(balancer.counters.bytesUp - before.bytesUp) bytes up, sync \(String(describing: sync.wait(timeout: .zero)))"
        )
        let carrying = balancer.counters.perConnection.last { $0.state == .open }?.number ?? before.connections + 1
        let killedPort = ports[(carrying - 1) % 2]
        if killedPort == hub.port {
            try hub.kill()
        } else {
            second.process.signal(SIGKILL)
            _ = try second.process.waitOrKill(timeout: .seconds(30))
        }
        _ = try sync.waitOrKill(timeout: .seconds(120))
        // Back on its port, as systemd would restart it; the node's next run finishes the work.
        if killedPort == hub.port {
            try hub.restart()
        } else {
            second = try hub.serveAnother(port: killedPort)
        }
        #expect(try RealHub.run("simpul", ["sync", "--data", office]).status == 0)
        let held = try events(in: database)
        #expect(held == (try events(ofOfficeAt: office)))
        let counts = try database.rows("SELECT count(*), count(DISTINCT hash) FROM changeset WHERE node = '33.74.01'")
        let parts = counts.first?.split(separator: "|") ?? []
        #expect(parts.count == 2 && parts[0] == parts[1])
        #expect(try database.rows("SELECT count(*) FROM parked") == ["0"])

        // The same knowledge and folded state whichever process answers: a replica restored from each
        // process directly pulls exactly what the office holds.
        for (name, port) in [("restored-a", ports[0]), ("restored-b", ports[1])] {
            let path = hub.dir + "/" + name
            let restored = try RealHub.run(
                "simpul",
                [
                    "init", "--restore", "--key", office + "/node.key", "--node", "33.74.01", "--name", "Kec",
                    "--conf", Simpul.conf, "--data", path, "--hub", "https://127.0.0.1:\(port)", "--hub-ca",
                    hub.certs + "/cert.pem",
                ])
            #expect(restored.status == 0, "\(restored.stderr)")
            #expect(try events(ofOfficeAt: path) == held)
        }
    }
}
