import Testing

@Suite("simpul kasir", .timeLimit(.minutes(10)))
struct KasirCommandTests {
    /// Two permohonan ready for handover: Rp 25.000 (12.5 x 4) and Rp 16.250 (10 x 3.25); built once,
    /// copied for each test.
    private static let twoReady: Result<(node: TestNode, a: String, b: String), any Error> = Result(catching: {
        var a = ""
        var b = ""
        let node = try TestNode.template("two-ready") { node in
            a = try node.createIzinJalan()["number"]?.string ?? ""
            b = try node.createIzinJalan(panjang: "10", lebar: "3.25")["number"]?.string ?? ""
            for number in [a, b] { try node.advance(number, through: Catalog.stepsWithFieldCheck) }
        }
        return (node, a, b)
    })

    private func twoReadyForHandover() throws -> (node: TestNode, a: String, b: String) {
        let (template, a, b) = try Self.twoReady.get()
        let node = try TestNode.copy(of: template)
        #expect(try node.show(a)["fee"]?.int == 25_000)
        #expect(try node.show(b)["fee"]?.int == 16_250)
        return (node, a, b)
    }

    @Test func receiptNumbersAreGapFreeAcrossPermohonan() throws {
        let (node, a, b) = try twoReadyForHandover()
        #expect(try node.pay(a, "10000")["receipt"]?.string == "33.74.01/000001")

        // A refused payment takes no receipt number.
        let over = try node.run(["kasir", "pay", a, "--jumlah", "15001", "--petugas", Officer.kasir])
        expectRefused(over, exit: 65, mentioning: "jumlah:", "Rp 15.001", "sisa retribusi Rp 15.000")

        #expect(try node.pay(b, "16.250")["receipt"]?.string == "33.74.01/000002")
        let last = try node.pay(a, "15000")
        #expect(last["receipt"]?.string == "33.74.01/000003")
        #expect(last["permohonan"]?["receipts"]?.strings == ["33.74.01/000001", "33.74.01/000003"])
        #expect(last["permohonan"]?["outstanding"]?.int == 0)
        #expect(try node.show(b)["receipts"]?.strings == ["33.74.01/000002"])

        let report = try node.json(["kasir", "laporan"])
        #expect(report["count"]?.int == 3)
        #expect(report["total"]?.int == 41_250)
        let rows = try #require(report["payments"]?.array)
        #expect(rows.compactMap { $0["receipt"]?.string } == ["33.74.01/000001", "33.74.01/000002", "33.74.01/000003"])
        #expect(rows.compactMap { $0["number"]?.string } == [a, b, a])
        #expect(rows.compactMap { $0["amount"]?.int } == [10_000, 16_250, 15_000])
        #expect(rows.allSatisfy { $0["officer"]?.string == Officer.kasir })
        #expect(rows.allSatisfy { $0["at"]?.string == "2026-03-17T02:00:00.000Z" })

        let text = try node.run(["kasir", "laporan"])
        expectSuccess(text)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Laporan penerimaan retribusi Kecamatan Semarang Tengah (33.74.01)")
        #expect(lines.contains("  33.74.01/000002  \(b)  Rp 16.250  \(Officer.kasir)  2026-03-17 09:00"))
        #expect(lines.last == "Jumlah: 3 kuitansi, Rp 41.250")
    }

    @Test func receiptText() throws {
        let (node, a, _) = try twoReadyForHandover()
        let r = try node.run(["kasir", "pay", a, "--jumlah", "20000", "--petugas", Officer.kasir])
        expectSuccess(r)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "KUITANSI 33.74.01/000001")
        #expect(lines.contains("Kecamatan Semarang Tengah (33.74.01)"))
        #expect(lines.contains("Diterima dari      : \(Applicant.nama)"))
        #expect(lines.contains("Jumlah             : Rp 20.000"))
        #expect(lines.contains("Kasir              : \(Officer.kasir), 2026-03-17 09:00 WIB"))
        #expect(lines.contains("Sisa retribusi     : Rp 5.000"))
    }

    @Test func emptyReport() throws {
        let node = try TestNode.fresh()
        let report = try node.json(["kasir", "laporan"])
        #expect(report["count"]?.int == 0)
        #expect(report["total"]?.int == 0)
        #expect(report["payments"]?.array == [])
        let text = try node.run(["kasir", "laporan"])
        expectSuccess(text)
        #expect(text.stdout.hasSuffix("Jumlah: 0 kuitansi, Rp 0\n"))
    }

    /// The kasir takes the fee when the document is ready to hand over, not at the loket.
    @Test func paymentBeforeTheHandoverStepIsRefused() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.createIzinJalan()["number"]?.string)
        let before = try node.snapshot()
        let r = try node.run(["kasir", "pay", number, "--jumlah", "25000", "--petugas", Officer.kasir])
        expectRefused(r, exit: 65, mentioning: "belum di tahap penyerahan", "langkah yang boleh")
        #expect(try node.snapshot() == before)

        try node.advance(number, through: Catalog.stepsWithFieldCheck)
        #expect(try node.pay(number, "25000")["receipt"]?.string == "33.74.01/000001")
    }

    /// The daily closing states the day's receipts as the log holds them; a later closing of the same
    /// day replaces the earlier one; deposits are set against what was received.
    @Test func closingAndDepositAgainstTheReceipts() throws {
        let (node, a, b) = try twoReadyForHandover()
        try node.pay(a, "10000")
        try node.pay(b, "16.250")

        let first = try node.json(["kasir", "tutup", "--petugas", Officer.kasir])
        #expect(first["kind"]?.string == "tutup")
        #expect(first["day"]?.string == "2026-03-17")
        #expect(first["receipts"]?.int == 2)
        #expect(first["amount"]?.int == 26_250)
        #expect(first["firstReceipt"]?.string == "33.74.01/000001")
        #expect(first["lastReceipt"]?.string == "33.74.01/000002")

        // A receipt after the closing: the day is closed again, and the book reads the later closing.
        try node.pay(a, "15000")
        let text = try node.run(["kasir", "tutup", "--petugas", Officer.kasir])
        expectSuccess(text)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "TUTUP KAS 2026-03-17  Kecamatan Semarang Tengah (33.74.01)")
        #expect(lines.contains("Kuitansi           : 3 (33.74.01/000001 s.d. 33.74.01/000003)"))
        #expect(lines.contains("Jumlah             : Rp 41.250"))
        #expect(lines.contains("Kasir              : \(Officer.kasir), 2026-03-17 09:00 WIB"))

        let deposit = try node.json([
            "kasir", "setor", "--jumlah", "26.250", "--bukti", "STS-0042/2026", "--petugas", Officer.kasir,
        ])
        #expect(deposit["kind"]?.string == "setor")
        #expect(deposit["amount"]?.int == 26_250)
        #expect(deposit["reference"]?.string == "STS-0042/2026")

        let book = try node.json(["kasir", "kas", "--bulan", "2026-03"])
        #expect(book["received"]?.int == 41_250)
        #expect(book["deposited"]?.int == 26_250)
        #expect(book["outstanding"]?.int == 15_000)
        let days = try #require(book["days"]?.array)
        #expect(days.count == 1)
        #expect(days.first?["receipts"]?.int == 3)
        #expect(days.first?["closing"]?["amount"]?.int == 41_250)
        #expect(days.first?["closingMatches"]?.bool == true)
        #expect(book["deposits"]?.array?.compactMap { $0["reference"]?.string } == ["STS-0042/2026"])

        let bookText = try node.run(["kasir", "kas", "--bulan", "2026-03"])
        expectSuccess(bookText)
        #expect(
            bookText.stdout.contains(
                "  2026-03-17  33.74.01  3 kuitansi  Rp 41.250  ditutup 3 kuitansi Rp 41.250, cocok"))
        #expect(bookText.stdout.hasSuffix("Diterima: Rp 41.250  Disetor: Rp 26.250  Belum disetor: Rp 15.000\n"))
    }

    @Test func closingADayWithNoReceiptsSaysSo() throws {
        let node = try TestNode.fresh()
        let r = try node.run(["kasir", "tutup", "--tanggal", "2026-03-16", "--petugas", Officer.kasir])
        expectSuccess(r)
        #expect(r.stdout.contains("Kuitansi           : 0 (nihil)"))
        #expect(r.stdout.contains("Jumlah             : Rp 0"))
    }

    @Test func badClosingsAndDepositsChangeNothing() throws {
        let node = try TestNode.fresh()
        let before = try node.snapshot()
        for (args, exit, words) in [
            (["kasir", "tutup", "--tanggal", "2026-03-18"], Int32(65), ["tanggal:", "belum tiba"]),
            (["kasir", "tutup", "--tanggal", "17-03-2026"], 64, ["tanggal:", "YYYY-MM-DD"]),
            (["kasir", "setor", "--jumlah", "0", "--bukti", "X1"], 65, ["setoran: jumlah"]),
            (["kasir", "setor", "--jumlah", "abc", "--bukti", "X1"], 65, ["jumlah:"]),
            (["kasir", "setor", "--jumlah", "1000", "--bukti", "  "], 65, ["bukti:"]),
            (["kasir", "setor", "--jumlah", "1000", "--bukti", String(repeating: "9", count: 61)], 65, ["bukti:"]),
            (["kasir", "setor", "--jumlah", "1000", "--bukti", "A\nB"], 65, ["bukti:"]),
            (["kasir", "kas", "--bulan", "2026-13"], 64, ["bulan:"]),
        ] {
            let r = try node.run(args + (args[1] == "kas" ? [] : ["--petugas", Officer.kasir]))
            #expect(r.status == exit, "\(args): \(r.stderr)")
            expectRefused(r, exit: exit)
            for word in words { #expect(r.stderr.contains(word), "\(args): \(r.stderr)") }
        }
        #expect(try node.snapshot() == before)
    }
}
