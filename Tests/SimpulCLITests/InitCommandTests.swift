import Foundation
import SimpulDomain
import Testing

@Suite("simpul init", .timeLimit(.minutes(10)))
struct InitCommandTests {
    @Test func printsTheNodeItCreated() throws {
        let node = try TestNode()
        let r = try node.initStore()
        expectSuccess(r)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first
                == "Node 33.74.01 siap: Kecamatan Semarang Tengah (wilayah: Kecamatan Semarang Tengah, Kota Semarang), "
                + "zona WIB.")
        #expect(lines.contains("Data: \(node.storeFile)"))
        #expect(lines.contains("Katalog layanan versi 1: 14 layanan."))
        #expect(lines.contains("Kalender hari libur: 2026."))
        #expect(lines.contains { $0.hasPrefix("Kunci publik node : ") })
        #expect(FileManager.default.fileExists(atPath: node.storeFile))
    }

    @Test func jsonDescribesTheNode() throws {
        let node = try TestNode()
        let r = try node.initStore(json: true)
        expectSuccess(r)
        let doc = try r.json()
        let keys = Set(doc.object?.keys.map { $0 } ?? [])
        let required: Set = [
            "node", "name", "kecamatan", "kabupaten", "zona", "data", "catalogVersion", "services", "holidayYears",
            "publicKey", "fingerprint",
        ]
        #expect(keys.isSuperset(of: required), "missing: \(required.subtracting(keys))")
        #expect(doc["node"]?.string == "33.74.01")
        #expect(doc["name"]?.string == TestNode.officeName)
        #expect(doc["kecamatan"]?.string == "Semarang Tengah")
        #expect(doc["kabupaten"]?.string == "Kota Semarang")
        #expect(doc["zona"]?.string == "WIB")
        #expect(doc["data"]?.string == node.storeFile)
        #expect(doc["catalogVersion"]?.int == 1)
        #expect(doc["services"]?.int == 14)
        #expect(doc["holidayYears"]?.array?.compactMap(\.int) == [2026])
        #expect(doc["publicKey"]?.string?.isEmpty == false)
        #expect(doc["fingerprint"]?.string?.isEmpty == false)
        // No hub was named, so there is none to report.
        #expect(doc["hub"] == nil)
    }

    @Test func zonaIsRecorded() throws {
        let node = try TestNode()
        let r = try Simpul.run([
            "init", "--data", node.data, "--node", "33.74.01", "--name", "Uji", "--zona", "wita", "--conf",
            Simpul.conf, "--json",
        ])
        expectSuccess(r)
        #expect(try r.json()["zona"]?.string == "WITA")
    }

    /// A field officer's laptop is a sub-node with its own registration prefix, so numbers it gives
    /// out offline never collide with the kecamatan's.
    @Test func subNodeNumbersItsOwnRegistrations() throws {
        let node = try TestNode()
        let r = try node.initStore(node: "33.74.01-1", json: true)
        expectSuccess(r)
        #expect(try r.json()["node"]?.string == "33.74.01-1")
        #expect(try r.json()["kecamatan"]?.string == "Semarang Tengah")
        let number = try node.create("SKTM")["number"]?.string
        #expect(number == RegistrationNumber(prefix: "011", year: 2026, sequence: 1).text)
        #expect(number?.hasPrefix("011-26-00001-") == true)
    }

    @Test func secondInitIntoTheSameFolderChangesNothing() throws {
        let node = try TestNode.fresh()
        try node.createIzinJalan()
        let filesBefore = try node.dataFiles()
        let r = try node.initStore(name: "Kecamatan Lain")
        expectRefused(r, exit: 73, mentioning: node.data)
        #expect(try node.dataFiles() == filesBefore)

        // The node keeps its name and its permohonan.
        let laporan = try node.run(["kasir", "laporan"])
        expectSuccess(laporan)
        #expect(laporan.stdout.contains("Laporan penerimaan retribusi \(TestNode.officeName) (33.74.01)"))
        #expect(try node.json(["permohonan", "list"])["count"]?.int == 1)
    }

    @Test(arguments: ["33.7401", "3374.01", "33.74.1", "33.74.001", "abc", "", "33.74.01-0", "33.74.01-10"])
    func malformedNodeCodeIsAUsageError(code: String) throws {
        let node = try TestNode()
        let r = try node.initStore(node: code)
        expectRefused(r, exit: 64, mentioning: "node:")
        #expect(try node.dataFiles().isEmpty)
    }

    @Test func kabupatenCodeIsRefused() throws {
        let node = try TestNode()
        let r = try node.initStore(node: "33.74")
        expectRefused(r, exit: 64, mentioning: "node:", "kabupaten/kota")
        #expect(try node.dataFiles().isEmpty)
    }

    @Test func unknownKecamatanIsRefused() throws {
        let node = try TestNode()
        let r = try node.initStore(node: "33.74.99")
        expectRefused(r, exit: 65, mentioning: "node:", "33.74.99", "wilayah")
        #expect(try node.dataFiles().isEmpty)
    }

    @Test func unknownZonaIsAUsageError() throws {
        let node = try TestNode()
        let r = try Simpul.run([
            "init", "--data", node.data, "--node", "33.74.01", "--name", "Uji", "--zona", "UTC", "--conf",
            Simpul.conf,
        ])
        expectRefused(r, exit: 64, mentioning: "zona:", "UTC")
        #expect(try node.dataFiles().isEmpty)
    }

    @Test func missingConfFolderIsNotFound() throws {
        let node = try TestNode()
        let missing = node.root.appendingPathComponent("no-conf").path
        let r = try node.initStore(conf: missing)
        expectRefused(r, exit: 66, mentioning: missing, "layanan.json")
        #expect(try node.dataFiles().isEmpty)
    }

    /// A refused init leaves nothing behind, so the officer can run it again with the mistake fixed.
    @Test func blankOfficeNameIsRefusedAndInitCanBeRetried() throws {
        let node = try TestNode()
        let r = try node.initStore(name: "   ")
        expectRefused(r, exit: 65, mentioning: "nama")
        #expect(try node.dataFiles().isEmpty)
        expectSuccess(try node.initStore())
    }

    @Test(arguments: [
        ["layanan", "list"], ["layanan", "show", "SKTM"], ["permohonan", "list"],
        ["permohonan", "show", "01-26-00001-6"], ["kasir", "laporan"], ["admin", "check"], ["admin", "rebuild"],
        TestNode.createArguments("SKTM"),
    ])
    func commandsOnAFolderWithoutAStoreAskForInit(arguments: [String]) throws {
        let node = try TestNode()
        let r = try node.run(arguments)
        expectRefused(r, exit: 73, mentioning: node.data, "simpul init")
        #expect(try node.dataFiles().isEmpty)
    }
}
