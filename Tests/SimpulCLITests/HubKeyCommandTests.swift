import Foundation
import SimpulTestSupport
import Testing

/// `simpul-hub key rotate` with the built programs and a real TLS hub: refused while the hub serves,
/// and after it the kecamatan takes the new key on its next sync and the hub's new acts with it.
@Suite(.timeLimit(.minutes(10))) struct HubKeyCommandTests {
    @Test func aRotatedHubKeyReachesTheKecamatanOnItsNextSync() throws {
        let hub = try RealHub(name: "rotate")
        let office = hub.dir + "/kec"
        let (initRun, key) = try hub.initNode("33.74.01", at: office)
        #expect(initRun.status == 0, "\(initRun.stderr)")
        #expect(try hub.enroll("33.74.01", try #require(key)).status == 0)
        #expect(try RealHub.run("simpul", ["sync", "--data", office]).status == 0)
        let keyFile = hub.data + "/node.key"
        let oldKey = try String(contentsOfFile: keyFile, encoding: .utf8)

        // The running server holds the lock: it would go on signing with the old key.
        let busy = try RealHub.run("simpul-hub", ["key", "rotate", "--data", hub.data])
        #expect(busy.status == 69, "\(busy.stdout) \(busy.stderr)")
        #expect(busy.stderr.contains("simpul-hub serve sedang berjalan"), "\(busy.stderr)")
        #expect(try String(contentsOfFile: keyFile, encoding: .utf8) == oldKey)

        #expect(try hub.stop() == .exited(0))
        let rotated = try RealHub.run("simpul-hub", ["key", "rotate", "--data", hub.data, "--json"])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(try String(contentsOfFile: keyFile, encoding: .utf8) != oldKey)
        let listed = try RealHub.run("simpul-hub", ["key", "list", "--data", hub.data])
        #expect(listed.status == 0)
        let lines = listed.stdout.split(separator: "\n")
        #expect(lines.count == 2, "\(listed.stdout)")
        #expect(lines.first?.contains("diganti") == true && lines.last?.contains("aktif") == true, "\(listed.stdout)")
        #expect(lines.last?.contains("disahkan kunci sebelumnya") == true)
        // The new key signs the next catalog.
        let catalog = hub.dir + "/layanan-v2.json"
        let text = try String(contentsOfFile: Simpul.conf + "/layanan.json", encoding: .utf8)
        let range = try #require(text.range(of: "\"version\": 1,"))
        try text.replacingCharacters(in: range, with: "\"version\": 2,").write(
            toFile: catalog, atomically: true, encoding: .utf8)
        let published = try RealHub.run(
            "simpul-hub", ["layanan", "publish", catalog, "--petugas", "Admin TI", "--data", hub.data])
        #expect(published.status == 0, "\(published.stderr)")

        try hub.restart()
        let synced = try RealHub.run("simpul", ["sync", "--data", office, "--json"])
        #expect(synced.status == 0, "\(synced.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(synced.stdout.utf8)) as? [String: Any])
        #expect((report["pulled"] as? Int ?? 0) > 0, "\(synced.stdout)")
        let shown = try RealHub.run("simpul", ["layanan", "list", "--data", office])
        #expect(shown.status == 0 && shown.stdout.contains("Katalog layanan versi 2"), "\(shown.stdout)")
        #expect(try hub.stop() == .exited(0))
    }
}
