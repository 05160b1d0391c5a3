import Crypto
import Foundation
import SimpulTestSupport
import Testing

/// Black-box: the built `simpul-hub serve` process serving TLS on 127.0.0.1 with a dev certificate,
/// and `simpul sync` processes talking to it through libcurl; the hub is stopped with SIGTERM.
@Suite(.timeLimit(.minutes(10))) struct HubSyncCommandTests {
    @discardableResult
    private func run(_ tool: String, _ args: [String]) throws -> RealHub.Run { try RealHub.run(tool, args) }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func aKecamatanSyncsWithARealHubProcessFromEnrollmentToRevocation() throws {
        let realHub = try RealHub(name: "hubsync")
        let (dir, hubData, certs, url) = (realHub.dir, realHub.data, realHub.certs, realHub.url)
        let kec = dir + "/kec"
        #expect(url.hasPrefix("https://127.0.0.1:"))

        let initRun = try run(
            "simpul",
            [
                "init", "--node", "33.74.01", "--name", "Kec", "--conf", Simpul.conf, "--data", kec, "--hub", url,
                "--hub-ca", certs + "/cert.pem", "--json",
            ])
        #expect(initRun.status == 0)
        let publicKey = try #require(try json(initRun.stdout)["publicKey"] as? String)

        let unenrolled = try run("simpul", ["sync", "--data", kec])
        #expect(unenrolled.status == 77)
        #expect(unenrolled.stderr.split(separator: "\n").count == 1)
        #expect(unenrolled.stderr.contains("belum terdaftar"))

        #expect(
            try run(
                "simpul-hub", ["node", "enroll", "--data", hubData, "--node", "33.74.01", "--public-key", publicKey]
            ).status == 0)
        let created = try run(
            "simpul",
            [
                "permohonan", "create", "--data", kec, "--layanan", "PBG-KECIL", "--nik", "3374010101850003", "--nama",
                "Ahmad",
                "--syarat", "ktp", "--syarat", "persetujuan-tetangga", "--syarat", "bukti-tanah", "--syarat",
                "sppt-pbb",
                "--syarat", "gambar", "--syarat", "pengantar-desa", "--petugas", "Sari", "--json",
            ])
        let number = try #require((try json(created.stdout)["permohonan"] as? [String: Any])?["number"] as? String)
        // The building drawing, scanned at the loket, goes with the file.
        let drawing = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 9) })
        try drawing.write(to: URL(fileURLWithPath: dir + "/gambar.pdf"))
        let attached = try run(
            "simpul",
            [
                "permohonan", "attach", number, dir + "/gambar.pdf", "--syarat", "gambar", "--data", kec, "--petugas",
                "Sari",
            ])
        #expect(attached.status == 0, "\(attached.stderr)")
        let sha = SHA256.hash(data: drawing).map { String(format: "%02x", $0) }.joined()
        #expect(attached.stdout.contains("sha256 \(sha.prefix(12))"))
        #expect(try run("simpul", ["permohonan", "forward", number, "--data", kec, "--petugas", "Sari"]).status == 0)
        let pushed = try run("simpul", ["sync", "--data", kec, "--json"])
        #expect(pushed.status == 0)
        #expect(try json(pushed.stdout)["result"] as? String == "in-sync")
        #expect(try json(pushed.stdout)["uploaded"] as? Int == 1)
        // The sync left the agent's report of itself at the hub, and the node list prints it: the same
        // clock on both sides, and the forwarded file's events were waiting when it reported.
        let listed = try run("simpul-hub", ["node", "list", "--data", hubData])
        let reported = listed.stdout.split(separator: "\n").first { $0.hasPrefix("33.74.01  laporan ") }
        #expect(reported?.contains("versi agen simpul/1, selisih jam ") == true, "\(listed.stdout)")
        #expect(reported?.contains("JAM SALAH") == false, "\(listed.stdout)")
        #expect(reported?.contains(", ukuran penyimpanan ") == true, "\(listed.stdout)")
        #expect(reported?.contains(", event menunggu 0") == false, "\(listed.stdout)")
        #expect(
            try run("simpul", ["permohonan", "show", number, "--data", kec]).stdout.contains(
                "gambar.pdf (293 KB, sha256 \(sha.prefix(12)), syarat gambar) - sudah di hub"))
        let atHub = try run("simpul-hub", ["permohonan", "show", number, "--data", hubData])
        #expect(
            atHub.stdout.contains(
                "Lampiran          : gambar.pdf (293 KB, sha256 \(sha.prefix(12)), syarat gambar) - lengkap di hub"),
            "\(atHub.stdout)")
        let got = try run(
            "simpul-hub", ["blob", "get", String(sha.prefix(12)), "--out", dir + "/diterima.pdf", "--data", hubData])
        #expect(got.status == 0, "\(got.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/diterima.pdf")) == drawing)
        let unknown = try run(
            "simpul-hub", ["blob", "get", "0123456789ab", "--out", dir + "/x.pdf", "--data", hubData])
        #expect(unknown.status == 66)
        #expect(unknown.stderr.split(separator: "\n").count == 1)

        // The kecamatan PC's disk dies: set up again from the key backup, the scan comes back with the
        // records in the same run.
        let restored = dir + "/pulih"
        let restoring = try run(
            "simpul",
            [
                "init", "--node", "33.74.01", "--name", "Kec", "--conf", Simpul.conf, "--data", restored, "--hub", url,
                "--hub-ca", certs + "/cert.pem", "--key", kec + "/node.key", "--restore", "--json",
            ])
        #expect(restoring.status == 0, "\(restoring.stderr)")
        // Its progress on stderr (not a terminal here: one line per report), the end of the pull always.
        let progress = restoring.stderr.split(separator: "\n").filter { $0.hasPrefix("Pemulihan: ") }
        #expect(progress.last?.contains(" event diterima, ") == true, "\(restoring.stderr)")
        #expect(progress.last?.hasSuffix(" masuk, selesai") == true, "\(restoring.stderr)")
        let restoredRun = try #require(try json(restoring.stdout)["restore"] as? [String: Any])
        #expect(restoredRun["result"] as? String == "in-sync")
        #expect(restoredRun["downloaded"] as? Int == 1)
        #expect(
            try run("simpul", ["permohonan", "show", number, "--data", restored]).stdout.contains(
                "gambar.pdf (293 KB, sha256 \(sha.prefix(12)), syarat gambar) - sudah di hub"))

        let decided = try run(
            "simpul-hub",
            [
                "permohonan", "decide", number, "--data", hubData, "--kode", "50", "--retribusi", "150000", "--petugas",
                "Kabid",
            ])
        #expect(decided.status == 0)
        let pulled = try run("simpul", ["sync", "--data", kec, "--json"])
        #expect(pulled.status == 0)
        #expect(try json(pulled.stdout)["pulled"] as? Int == 1)
        let shown = try json(try run("simpul", ["permohonan", "show", number, "--data", kec, "--json"]).stdout)
        let p = try #require(shown["permohonan"] as? [String: Any])
        #expect(p["tahap"] as? String == "penyerahan")
        #expect(p["fee"] as? Int == 150_000)
        #expect(p["ptspCode"] as? String == "50")

        #expect(try run("simpul-hub", ["node", "revoke", "--data", hubData, "--node", "33.74.01"]).status == 0)
        let revoked = try run("simpul", ["sync", "--data", kec])
        #expect(revoked.status == 77)
        #expect(revoked.stderr.contains("dicabut"))

        #expect(try realHub.stop() == .exited(0))
        let down = try run("simpul", ["sync", "--data", kec])
        #expect(down.status == 75)
    }
}
