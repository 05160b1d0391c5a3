import Foundation
import GRDB
import SimpulTestSupport
import Testing

/// Black-box: `simpul-hub migrate --to` moves a SQLite hub that two kecamatan synced with (a scan
/// attached, a PTSP decision made at the hub and not yet sealed, a revoked node) into PostgreSQL,
/// and `serve` on the same folder afterwards carries on from it.
@Suite(.serialized, .timeLimit(.minutes(10)), PostgresServer.given) struct HubMigrateCommandTests {
    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// A kecamatan office enrolled at `hub`.
    private func office(_ hub: RealHub, _ node: String, at path: String) throws {
        let (made, key) = try hub.initNode(node, at: path)
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try hub.enroll(node, try #require(key)).status == 0)
    }

    private func sync(_ path: String) throws -> [String: Any] {
        let r = try RealHub.run("simpul", ["sync", "--data", path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try json(r.stdout)
    }

    @Test func aSyncedSQLiteHubMovesToPostgresWithEveryTableMatchingAndServesOnFromIt() throws {
        let database = try PostgresServer()
        defer { database.drop() }
        let hub = try RealHub(name: "migrate")
        let kecA = hub.dir + "/kec-a"
        let kecB = hub.dir + "/kec-b"
        try office(hub, "33.74.01", at: kecA)
        try office(hub, "33.74.02", at: kecB)

        // Kecamatan A: a building permit with its scanned drawing, forwarded to PTSP, and two SKTM.
        let created = try RealHub.run(
            "simpul",
            [
                "permohonan", "create", "--data", kecA, "--layanan", "PBG-KECIL", "--nik", "3374010101850003", "--nama",
                "Ahmad", "--syarat", "ktp", "--syarat", "persetujuan-tetangga", "--syarat", "bukti-tanah", "--syarat",
                "sppt-pbb", "--syarat", "gambar", "--syarat", "pengantar-desa", "--petugas", "Sari", "--json",
            ])
        let number = try #require((try json(created.stdout)["permohonan"] as? [String: Any])?["number"] as? String)
        let drawing = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) })
        try drawing.write(to: URL(fileURLWithPath: hub.dir + "/gambar.pdf"))
        let attached = try RealHub.run(
            "simpul",
            [
                "permohonan", "attach", number, hub.dir + "/gambar.pdf", "--syarat", "gambar", "--data", kecA,
                "--petugas", "Sari",
            ])
        #expect(attached.status == 0, "\(attached.stderr)")
        #expect(
            try RealHub.run("simpul", ["permohonan", "forward", number, "--data", kecA, "--petugas", "Sari"]).status
                == 0)
        for i in 0..<2 { _ = try RealHub.createPermohonan(at: kecA, nama: "Warga A\(i)") }
        #expect(try sync(kecA)["uploaded"] as? Int == 1)
        // Kecamatan B syncs its own work, and is revoked afterwards (a stolen laptop).
        _ = try RealHub.createPermohonan(at: kecB, nama: "Warga B")
        _ = try sync(kecB)
        #expect(
            try RealHub.run("simpul-hub", ["node", "revoke", "--data", hub.data, "--node", "33.74.02"]).status == 0)
        // The PTSP decision is made at the hub after the last pull: it is still unsealed when the copy starts.
        let decided = try RealHub.run(
            "simpul-hub",
            [
                "permohonan", "decide", number, "--data", hub.data, "--kode", "50", "--retribusi", "150000",
                "--petugas", "Kabid",
            ])
        #expect(decided.status == 0, "\(decided.stderr)")

        // While serve runs, migrate is refused before it touches the database.
        let busy = try RealHub.run("simpul-hub", ["migrate", "--data", hub.data, "--to", database.url])
        #expect(busy.status == 69, "\(busy.stderr)")
        #expect(busy.stderr.contains("serve"))
        #expect(busy.stderr.split(separator: "\n").count == 1)
        #expect(try database.rows("SELECT count(*) FROM pg_tables WHERE tablename = 'event'") == ["0"])
        #expect(try hub.stop().status == 0)

        // A password on the command line is refused and never echoed; nothing changes.
        var withPassword = try #require(URLComponents(string: database.url))
        withPassword.password = "rahasia-sekali"
        let password = try RealHub.run(
            "simpul-hub", ["migrate", "--data", hub.data, "--to", try #require(withPassword.string)])
        #expect(password.status == 64)
        #expect(password.stderr.contains("PGPASSWORD"))
        #expect(!password.stderr.contains("rahasia") && !password.stdout.contains("rahasia"))
        #expect(FileManager.default.fileExists(atPath: hub.data + "/simpul.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: hub.data + "/database.json"))

        // A copy of the folder as it is now, to try the same hub again into the used database below.
        let twin = hub.dir + "/hub-kembar"
        try FileManager.default.copyItem(atPath: hub.data, toPath: twin)

        let moved = try RealHub.run("simpul-hub", ["migrate", "--data", hub.data, "--to", database.url, "--json"])
        #expect(moved.status == 0, "\(moved.stderr)\n\(moved.stdout)")
        let report = try json(moved.stdout)
        #expect(report["matched"] as? Bool == true)
        #expect((report["sealed"] as? Int ?? 0) >= 1)
        let tables = try #require(report["tables"] as? [[String: Any]])
        var rows: [String: Int] = [:]
        for t in tables {
            let name = try #require(t["name"] as? String)
            #expect(t["match"] as? Bool == true, "\(name)")
            #expect(t["sqliteRows"] as? Int == t["postgresRows"] as? Int, "\(name)")
            #expect(t["sqliteDigest"] as? String == t["postgresDigest"] as? String, "\(name)")
            rows[name] = t["postgresRows"] as? Int
        }
        for name in [
            "event", "changeset", "knowledge", "node_key", "peer_knowledge", "contact", "node_report", "blob",
            "permohonan", "relay", "parked", "peer_blob", "conflict",
        ] {
            #expect(rows[name] != nil, "\(name) not compared")
        }
        for name in ["event", "changeset", "node_key", "peer_knowledge", "contact", "node_report", "permohonan"] {
            #expect((rows[name] ?? 0) > 0, "\(name) empty")
        }
        #expect(rows["blob"] == 1)
        #expect(rows["permohonan"] == 4)
        // Keys kept their state: the hub, A active, B revoked.
        #expect(
            try database.rows("SELECT node, revoked_at IS NOT NULL FROM node_key ORDER BY node")
                == ["33.74|f", "33.74.01|f", "33.74.02|t"])
        #expect(try database.rows("SELECT complete, owner FROM blob") == ["t|33.74.01"])
        // The decision made at the hub is in the database, in a change set of the hub.
        let decision = try database.rows(
            "SELECT count(*) FROM event WHERE node = '33.74' AND record = '\(number)' AND type = 'permohonan.decided'")
        #expect(decision == ["1"])

        // The folder now points at the database; the SQLite file is kept beside it under another name.
        #expect(FileManager.default.fileExists(atPath: hub.data + "/database.json"))
        #expect(!FileManager.default.fileExists(atPath: hub.data + "/simpul.sqlite"))
        let kept = try #require(report["sqliteKeptAs"] as? String)
        #expect(kept.hasPrefix(hub.data + "/simpul.sqlite.migrated-"))
        #expect(FileManager.default.fileExists(atPath: kept))
        let mode = try FileManager.default.attributesOfItem(atPath: hub.data + "/database.json")[.posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o600)
        let again = try RealHub.run("simpul-hub", ["migrate", "--data", hub.data, "--to", database.url])
        #expect(again.status == 73)
        #expect(again.stderr.contains("sudah memakai PostgreSQL"))

        // The same hub once more into the now used database: refused, saying how to start over.
        let used = try RealHub.run("simpul-hub", ["migrate", "--data", twin, "--to", database.url])
        #expect(used.status == 73, "\(used.stderr)")
        #expect(used.stderr.contains("tidak kosong"))
        #expect(used.stderr.contains("dropdb"))
        #expect(used.stderr.split(separator: "\n").count == 1)
        #expect(FileManager.default.fileExists(atPath: twin + "/simpul.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: twin + "/database.json"))

        // serve on the same folder runs on PostgreSQL; A pulls the decision once and sends new work.
        try hub.restart()
        _ = try RealHub.createPermohonan(at: kecA, nama: "Warga Setelah Pindah")
        let first = try sync(kecA)
        #expect(first["pulled"] as? Int == 1)
        let second = try sync(kecA)
        #expect(second["pulled"] as? Int == 0)
        let shown = try json(
            try RealHub.run("simpul", ["permohonan", "show", number, "--data", kecA, "--json"]).stdout)
        let p = try #require(shown["permohonan"] as? [String: Any])
        #expect(p["ptspCode"] as? String == "50")
        #expect(
            try database.rows("SELECT count(*) FROM permohonan WHERE partition = '33.74.01'") == ["4"])
        let hashes = try database.rows("SELECT count(*), count(DISTINCT hash) FROM changeset")
        let counts = hashes.first?.split(separator: "|") ?? []
        #expect(counts.count == 2 && counts[0] == counts[1])
        // The revoked laptop stays refused after the move.
        _ = try RealHub.createPermohonan(at: kecB, nama: "Warga B2")
        let refused = try RealHub.run("simpul", ["sync", "--data", kecB])
        #expect(refused.status == 77, "\(refused.stderr)")
    }

    @Test func aScanAlteredOnTheHubsDiskStopsTheMoveAndTheFolderStaysOnSQLite() throws {
        let database = try PostgresServer()
        defer { database.drop() }
        let hub = try RealHub(name: "migrate-bad")
        let kec = hub.dir + "/kec"
        try office(hub, "33.74.01", at: kec)
        let number = try RealHub.createPermohonan(at: kec, nama: "Warga")
        try Data(repeating: 0x41, count: 50_000).write(to: URL(fileURLWithPath: hub.dir + "/ktp.jpg"))
        let attached = try RealHub.run(
            "simpul", ["permohonan", "attach", number, hub.dir + "/ktp.jpg", "--data", kec, "--petugas", "Sari"])
        #expect(attached.status == 0, "\(attached.stderr)")
        #expect(try sync(kec)["uploaded"] as? Int == 1)
        #expect(try hub.stop().status == 0)
        // The disk under the hub changed a byte of the scan: the copy must not carry it as if whole.
        let queue = try DatabaseQueue(path: hub.data + "/simpul.sqlite")
        try queue.write { db in try db.execute(sql: "UPDATE blob_chunk SET bytes = zeroblob(length(bytes))") }

        let refused = try RealHub.run("simpul-hub", ["migrate", "--data", hub.data, "--to", database.url])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("tidak cocok dengan SHA-256"))
        #expect(refused.stderr.contains("folder tetap memakai SQLite"))
        #expect(refused.stderr.contains("dropdb"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(FileManager.default.fileExists(atPath: hub.data + "/simpul.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: hub.data + "/database.json"))
        #expect(try database.rows("SELECT count(*) FROM blob") == ["0"])
        // What was copied before stays in the database: a second try is refused until it is recreated.
        let again = try RealHub.run("simpul-hub", ["migrate", "--data", hub.data, "--to", database.url])
        #expect(again.status == 73)
        #expect(again.stderr.contains("tidak kosong"))
    }
}
