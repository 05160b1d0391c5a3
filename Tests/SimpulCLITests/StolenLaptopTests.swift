import Foundation
import SimpulTestSupport
import Testing

/// The README's "When a laptop or PC is stolen", run with the built programs against a real TLS hub:
/// the stolen machine's key is revoked, the office is set up again with a new key and gets its history
/// back, and whatever the thief tries afterwards is refused and changes nothing at the hub.
@Suite(.timeLimit(.minutes(10))) struct StolenLaptopTests {
    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func create(_ data: String, nama: String) throws -> String {
        try RealHub.createPermohonan(at: data, nama: nama)
    }

    @Test func aStolenLaptopIsRevokedForEverAndTheOfficeCarriesOnWithANewKey() throws {
        let hub = try RealHub(name: "stolen")
        let office = hub.dir + "/kec"
        let (initRun, key) = try hub.initNode("33.74.01", at: office)
        #expect(initRun.status == 0, "\(initRun.stderr)")
        #expect(try hub.enroll("33.74.01", try #require(key)).status == 0)
        let synced = try create(office, nama: "Ahmad")
        #expect(try RealHub.run("simpul", ["sync", "--data", office]).status == 0)

        // The laptop leaves the office with its disk, key included, and an application not yet synced.
        let thief = hub.dir + "/thief"
        try FileManager.default.copyItem(atPath: office, toPath: thief)
        try? FileManager.default.removeItem(atPath: thief + "/sync.lock")
        let unsynced = try create(thief, nama: "Budi")

        let revoked = try RealHub.run("simpul-hub", ["node", "revoke", "--data", hub.data, "--node", "33.74.01"])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let listed = try RealHub.run("simpul-hub", ["node", "list", "--data", hub.data])
        #expect(listed.stdout.lowercased().contains("dicabut"), "\(listed.stdout)")

        // The office's replacement PC: a new key, the history back from the hub.
        let replacement = hub.dir + "/baru"
        let (restoring, newKey) = try hub.initNode("33.74.01", at: replacement, extra: ["--restore"])
        #expect(restoring.status == 77, "not enrolled yet: \(restoring.stderr)")
        #expect(try hub.enroll("33.74.01", try #require(newKey)).status == 0)
        let restored = try RealHub.run("simpul", ["sync", "--data", replacement, "--json"])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(try RealHub.run("simpul", ["permohonan", "show", synced, "--data", replacement]).status == 0)

        // Whatever the thief tries now, before or after the new enrollment, is refused and changes nothing.
        let before = try hub.tables().filter { $0.key != "contact" }
        let sync = try RealHub.run("simpul", ["sync", "--data", thief])
        #expect(sync.status == 77)
        #expect(sync.stderr.contains("dicabut"), "\(sync.stderr)")
        let bundle = hub.dir + "/thief.simpul"
        let exported = try RealHub.run("simpul", ["export", "--data", thief, "--out", bundle])
        #expect(exported.status == 0, "\(exported.stderr)")
        let imported = try RealHub.run("simpul-hub", ["import", bundle, "--data", hub.data])
        #expect(imported.status == 77, "\(imported.stdout) \(imported.stderr)")
        // Enrolling the stolen key again is refused: a revocation is for ever.
        #expect(try hub.enroll("33.74.01", try #require(key)).status != 0)
        #expect(try RealHub.run("simpul", ["sync", "--data", thief]).status == 77)
        #expect(try hub.tables().filter { $0.key != "contact" } == before)
        #expect(try RealHub.run("simpul-hub", ["permohonan", "show", unsynced, "--data", hub.data]).status != 0)

        // The office still syncs.
        #expect(try RealHub.run("simpul", ["sync", "--data", replacement]).status == 0)
        #expect(try hub.stop() == .exited(0))
    }
}
