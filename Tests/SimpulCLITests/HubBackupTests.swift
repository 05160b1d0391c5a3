import Foundation
import SimpulTestSupport
import Testing

/// `simpul-hub backup` and `simpul backup` with the built programs: a backup taken while the hub
/// serves is the store as it was, a restore drill from it gives a hub that every kecamatan syncs with
/// as before, and a backup never overwrites a file.
@Suite(.timeLimit(.minutes(10))) struct HubBackupTests {
    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func create(_ data: String, nama: String) throws -> String {
        try RealHub.createPermohonan(at: data, nama: nama)
    }

    @Test func aHubRestoredFromABackupTakenWhileServingSyncsAsBefore() throws {
        let hub = try RealHub(name: "backup")
        let office = hub.dir + "/kec"
        let (initRun, key) = try hub.initNode("33.74.01", at: office)
        #expect(initRun.status == 0, "\(initRun.stderr)")
        #expect(try hub.enroll("33.74.01", try #require(key)).status == 0)
        let first = try create(office, nama: "Budi")
        #expect(try RealHub.run("simpul", ["sync", "--data", office]).status == 0)

        // Taken while `serve` runs and holds the store open.
        let file = hub.dir + "/hub-backup.sqlite"
        let backedUp = try RealHub.run("simpul-hub", ["backup", "--out", file, "--data", hub.data, "--json"])
        #expect(backedUp.status == 0, "\(backedUp.stderr)")
        let summary = try json(backedUp.stdout)
        #expect((summary["events"] as? Int ?? 0) > 0 && summary["node"] as? String == "33.74", "\(backedUp.stdout)")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try StoreDigest.tables(of: file) == (try hub.tables()))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: hub.dir).filter { $0.contains(".partial") }
        #expect(leftovers.isEmpty)

        // An existing file is never replaced.
        let copy = try Data(contentsOf: URL(fileURLWithPath: file))
        let again = try RealHub.run("simpul-hub", ["backup", "--out", file, "--data", hub.data])
        #expect(again.status == 64, "\(again.stderr)")
        #expect(again.stderr.contains("sudah ada"), "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == copy)

        // After the backup the hub receives more; then its store is lost and the backup put back.
        let late = try create(office, nama: "Ani")
        #expect(try RealHub.run("simpul", ["sync", "--data", office]).status == 0)
        #expect(try hub.stop() == .exited(0))
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: hub.data + "/simpul.sqlite" + suffix)
        }
        try FileManager.default.copyItem(atPath: file, toPath: hub.data + "/simpul.sqlite")
        try hub.restart()
        #expect(try hub.tables() == (try StoreDigest.tables(of: file)))
        let lost = try RealHub.run("simpul-hub", ["permohonan", "show", late, "--data", hub.data])
        #expect(lost.status == 66, "\(lost.stdout)")
        let second = try create(office, nama: "Wati")
        let synced = try RealHub.run("simpul", ["sync", "--data", office, "--json"])
        #expect(synced.status == 0, "\(synced.stderr)")
        // The kecamatan pushes again what the restored hub lacks.
        for number in [first, late, second] {
            let shown = try RealHub.run("simpul-hub", ["permohonan", "show", number, "--data", hub.data])
            #expect(shown.status == 0, "\(number): \(shown.stderr)")
        }
        #expect(try hub.stop() == .exited(0))
    }

    @Test func aKecamatanBackupOpensOnItsOwnAndRefusesAMissingFolder() throws {
        let hub = try RealHub(name: "kec-backup")
        let office = hub.dir + "/kec"
        #expect(try hub.initNode("33.74.01", at: office).run.status == 0)
        let number = try create(office, nama: "Budi")
        let file = hub.dir + "/kec-backup.sqlite"
        let backedUp = try RealHub.run("simpul", ["backup", "--out", file, "--data", office])
        #expect(backedUp.status == 0, "\(backedUp.stderr)")
        #expect(backedUp.stdout.contains(" event, "), "\(backedUp.stdout)")
        #expect(try StoreDigest.tables(of: file) == (try StoreDigest.tables(of: office + "/simpul.sqlite")))

        // The copy is a whole store: a folder holding it and the key is the office as it was.
        let restored = hub.dir + "/restored"
        try FileManager.default.createDirectory(atPath: restored, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: file, toPath: restored + "/simpul.sqlite")
        try FileManager.default.copyItem(atPath: office + "/node.key", toPath: restored + "/node.key")
        let shown = try RealHub.run("simpul", ["permohonan", "show", number, "--data", restored])
        #expect(shown.status == 0 && shown.stdout.contains("Budi"), "\(shown.stdout) \(shown.stderr)")

        let missing = try RealHub.run(
            "simpul", ["backup", "--out", hub.dir + "/no/such/folder/b.sqlite", "--data", office])
        #expect(missing.status == 64, "\(missing.stderr)")
        #expect(missing.stderr.contains("tidak ada"), "\(missing.stderr)")
        #expect(try hub.stop() == .exited(0))
    }
}
