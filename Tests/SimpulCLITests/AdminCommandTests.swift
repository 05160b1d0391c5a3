import Foundation
import SimpulDomain
import Testing

@Suite("simpul admin", .timeLimit(.minutes(10)))
struct AdminCommandTests {
    /// A node with work in every state: done and paid, forwarded, withdrawn, waiting; built once,
    /// copied for each test.
    private static let busy: Result<TestNode, any Error> = Result(catching: {
        try TestNode.template("busy") { node in
            let jalan = try node.createIzinJalan()["number"]?.string ?? ""
            try node.advance(jalan, through: Catalog.stepsWithFieldCheck)
            try node.pay(jalan, "25000")
            try node.advance(jalan, "penyerahan")
            let pbg = try node.create("PBG-KECIL")["number"]?.string ?? ""
            try node.json(["permohonan", "forward", pbg, "--petugas", Officer.loket])
            let sktm = try node.create("SKTM")["number"]?.string ?? ""
            try node.json(["permohonan", "withdraw", sktm, "--alasan", "Batal", "--petugas", Officer.loket])
            try node.create("REK-KERAMAIAN")
        }
    })

    private func busyNode() throws -> TestNode { try TestNode.copy(of: Self.busy.get()) }

    @Test func checkReportsAHealthyStore() throws {
        let node = try busyNode()
        let check = try node.json(["admin", "check"])
        #expect(check["integrity"]?.string == "ok")
        #expect(check["foldMatches"]?.bool == true)
        // 9 for the IZIN-JALAN, 2 for the forwarded PBG, 2 for the withdrawn SKTM, 1 waiting.
        #expect(check["events"]?.int == 14)
        #expect(check["permohonan"]?.int == 4)

        let text = try node.run(["admin", "check"])
        expectSuccess(text)
        #expect(text.stdout.contains("Keutuhan SQLite : ok\n"))
        #expect(text.stdout.contains("Keadaan = log   : cocok\n"))
    }

    @Test func checkOfAFreshStore() throws {
        let node = try TestNode.fresh()
        let check = try node.json(["admin", "check"])
        #expect(check["integrity"]?.string == "ok")
        #expect(check["foldMatches"]?.bool == true)
        #expect(check["events"]?.int == 0)
        #expect(check["permohonan"]?.int == 0)
    }

    @Test func rebuildKeepsTheState() throws {
        let node = try busyNode()
        let list = try node.run(["permohonan", "list"], json: true)
        let laporan = try node.run(["kasir", "laporan"], json: true)
        expectSuccess(list)
        let rebuilt = try node.json(["admin", "rebuild"])
        #expect(rebuilt["events"]?.int == 14)
        #expect(try node.run(["permohonan", "list"], json: true).stdout == list.stdout)
        #expect(try node.run(["kasir", "laporan"], json: true).stdout == laporan.stdout)
        let check = try node.json(["admin", "check"])
        #expect(check["foldMatches"]?.bool == true)
        #expect(check["events"]?.int == 14)

        let text = try node.run(["admin", "rebuild"])
        expectSuccess(text)
        #expect(text.stdout == "Tabel keadaan dibangun ulang dari 14 event.\n")
    }

    /// conf/layanan.json raised to `version` with the IZIN-JALAN rate changed, as a new Perbup would.
    private func catalogFile(in node: TestNode, version: Int, jalanRate: Int) throws -> String {
        let original = try Data(contentsOf: URL(fileURLWithPath: Simpul.conf).appendingPathComponent("layanan.json"))
        guard case .object(var root) = try JSONDecoder().decode(JSONValue.self, from: original),
            case .array(let services) = root["services"]
        else { throw HarnessError("conf/layanan.json is not a catalog object") }
        root["version"] = .number(Double(version))
        root["services"] = .array(
            services.map { service in
                guard case .object(var s) = service, s["code"] == .string("IZIN-JALAN") else { return service }
                s["version"] = .number(Double(version))
                s["fee"] = .object([
                    "type": .string("formula"), "rate": .number(Double(jalanRate)),
                    "inputs": .array([.string("panjang_m"), .string("lebar_m")]), "unit": .string("m2"),
                ])
                return .object(s)
            })
        let text = String(decoding: try JSONEncoder().encode(root), as: UTF8.self)
        return try node.writeFile("layanan-v\(version).json", text)
    }

    @Test func newerCatalogAppliesOnlyToNewPermohonan() throws {
        let node = try TestNode.fresh()
        let old = try #require(try node.createIzinJalan()["number"]?.string)

        let same = try node.run(["admin", "katalog", Simpul.conf + "/layanan.json"])
        expectRefused(same, exit: 65, mentioning: "version", "versi 1", "terpasang 1")

        let v2 = try catalogFile(in: node, version: 2, jalanRate: 750)
        let loaded = try node.json(["admin", "katalog", v2])
        #expect(loaded["version"]?.int == 2)
        #expect(try node.json(["layanan", "show", "IZIN-JALAN"])["fee"]?["rate"]?.int == 750)
        #expect(try node.json(["layanan", "list"])["version"]?.int == 2)

        let before = try node.snapshot()
        let older = try node.run(["admin", "katalog", Simpul.conf + "/layanan.json"])
        expectRefused(older, exit: 65, mentioning: "version", "versi 1", "terpasang 2")
        let again = try node.run(["admin", "katalog", v2])
        expectRefused(again, exit: 65, mentioning: "version", "versi 2", "terpasang 2")
        #expect(try node.snapshot() == before)

        let new = try node.createIzinJalan()
        #expect(new["fee"]?.int == 37_500)
        #expect(new["catalogVersion"]?.int == 2)
        #expect(new["layanan"]?["version"]?.int == 2)

        // The permohonan registered before keeps the definition and the fee it was accepted under,
        // also after its state is folded again from the log.
        try node.json(["admin", "rebuild"])
        let kept = try node.show(old)
        #expect(kept["fee"]?.int == 25_000)
        #expect(kept["catalogVersion"]?.int == 1)
        #expect(kept["layanan"]?["version"]?.int == 1)
        try node.advance(old, through: Catalog.stepsWithFieldCheck)
        let over = try node.run(["kasir", "pay", old, "--jumlah", "37500", "--petugas", Officer.kasir])
        expectRefused(over, exit: 65, mentioning: "sisa retribusi Rp 25.000")
        #expect(try node.pay(old, "25000")["permohonan"]?["outstanding"]?.int == 0)
    }

    @Test func katalogTextOutput() throws {
        let node = try TestNode.fresh()
        let v3 = try catalogFile(in: node, version: 3, jalanRate: 600)
        let r = try node.run(["admin", "katalog", v3])
        expectSuccess(r)
        #expect(r.stdout == "Katalog versi 3 terpasang: 14 layanan.\n")
    }

    @Test func malformedCatalogIsRefusedWithItsPlace() throws {
        let node = try TestNode.fresh()
        let bad = try node.writeFile(
            "layanan-bad.json",
            #"{"version": 5, "services": [{"code": "SKTM", "name": "SKTM", "kind": "non-perizinan", "#
                + #""scale": "kecamatan", "requirements": [{"code": "ktp", "name": "KTP"}], "#
                + #""durationWorkingDays": 0, "fee": {"type": "fixed", "amount": 0}, "fieldCheck": "tidak", "#
                + #""version": 1}]}"#)
        let before = try node.snapshot()
        let r = try node.run(["admin", "katalog", bad])
        expectRefused(r, exit: 65, mentioning: bad, "layanan ke-1 (SKTM)", "fieldCheck")
        #expect(try node.snapshot() == before)
        #expect(try node.json(["layanan", "list"])["version"]?.int == 1)
    }

    @Test func missingCatalogFileIsNotFound() throws {
        let node = try TestNode.fresh()
        let missing = node.root.appendingPathComponent("tidak-ada.json").path
        expectRefused(try node.run(["admin", "katalog", missing]), exit: 66, mentioning: missing)
    }

    @Test(arguments: [
        ("2026-01-01\tlibur\tTahun Baru\n2026-02-30\tlibur\tTanggal salah\n", 3, "2026-02-30"),
        ("2026-01-01\tlibur\tTahun Baru\n2026-05-01\tlibur\n", 3, "3 kolom"),
        ("2026-01-01\tlibur\tTahun Baru\n2026-05-01\tmogok\tHari Buruh\n", 3, "mogok"),
        ("2026-01-01\tlibur\t   \n", 2, "keterangan"),
    ])
    func badCalendarIsRefusedNamingFileAndLine(body: String, line: Int, word: String) throws {
        let node = try TestNode.fresh()
        try node.createIzinJalan()
        let file = try node.writeFile("hari-libur-2026.tsv", "tanggal\tjenis\tketerangan\n" + body)
        let before = try node.snapshot()
        let r = try node.run(["admin", "kalender", file])
        expectRefused(r, exit: 65, mentioning: "\(file):\(line):", word)
        #expect(try node.snapshot() == before)
    }

    @Test func calendarWithoutHeaderIsRefused() throws {
        let node = try TestNode.fresh()
        let file = try node.writeFile("hari-libur-2027.tsv", "2027-01-01\tlibur\tTahun Baru\n")
        expectRefused(try node.run(["admin", "kalender", file]), exit: 65, mentioning: "\(file):1:", "tanggal")
    }

    /// Holidays are data: a replacement 2026 calendar changes the due dates of what is registered
    /// after it, while earlier permohonan keep the due date printed on their tanda terima.
    @Test func newCalendarReplacesItsYear() throws {
        let node = try TestNode.fresh()
        let before = try #require(try node.createIzinJalan()["number"]?.string)
        let file = try node.writeFile(
            "hari-libur-2026.tsv", "tanggal\tjenis\tketerangan\n2026-01-01\tlibur\tTahun Baru\n")
        let loaded = try node.json(["admin", "kalender", file])
        #expect(loaded["years"]?.array?.compactMap(\.int) == [2026])
        #expect(loaded["holidays"]?.int == 1)

        let after = try node.create("REK-KERAMAIAN")
        #expect(after["dueOn"]?.string == "2026-03-18")
        #expect(after["workingDaysLeft"]?.int == 1)
        let kept = try node.show(before)
        #expect(kept["dueOn"]?.string == "2026-03-25")
        // 18, 19, 20, 23, 24 and 25 March are working days under the new calendar.
        #expect(kept["workingDaysLeft"]?.int == 6)

        let text = try node.run(["admin", "kalender", file])
        expectSuccess(text)
        #expect(text.stdout == "Kalender 2026 terpasang: 1 hari libur.\n")
    }

    @Test func calendarOfAnotherYearKeepsThisYear() throws {
        let node = try TestNode.fresh()
        let file = try node.writeFile(
            "hari-libur-2027.tsv", "tanggal\tjenis\tketerangan\n2027-01-01\tlibur\tTahun Baru\n")
        #expect(try node.json(["admin", "kalender", file])["years"]?.array?.compactMap(\.int) == [2027])
        #expect(try node.createIzinJalan()["dueOn"]?.string == "2026-03-25")
    }
}
