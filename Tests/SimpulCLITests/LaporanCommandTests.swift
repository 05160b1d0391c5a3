import Testing

/// `simpul laporan`: the Camat's monthly report from the command line, as text, JSON and CSV.
@Suite("simpul laporan", .timeLimit(.minutes(10)))
struct LaporanCommandTests {
    @Test func theMonthsReportCountsWhatTheCounterDid() throws {
        let node = try TestNode.fresh()
        let kept = try #require(try node.create("SKTM")["number"]?.string)
        let gone = try #require(try node.create("SKTM")["number"]?.string)
        _ = try node.json(["permohonan", "withdraw", gone, "--alasan", "pindah", "--petugas", Officer.loket])
        let doc = try node.json(["laporan", "--bulan", "2026-03"])
        let sktm = try #require(doc["rows"]?.array?.first)
        #expect(sktm["layanan"]?.string == "SKTM")
        #expect(sktm["received"]?.int == 2)
        #expect(sktm["withdrawn"]?.int == 1)
        #expect(doc["total"]?["received"]?.int == 2)
        #expect(!kept.isEmpty)

        let text = try node.run(["laporan", "--bulan", "2026-03"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("SKTM: diterima 2"))
        let csv = try node.run(["laporan", "--bulan", "2026-03", "--csv"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("\u{FEFF}layanan,diterima,selesai") == true)
        #expect(lines.contains { $0.hasPrefix("SKTM,2,0,0,0,1,0,0,0,0,0,0") })
        let empty = try node.run(["laporan", "--bulan", "2026-02"])
        #expect(empty.stdout.contains("Tidak ada kegiatan pada bulan ini."))
    }

    @Test(arguments: ["2026-13", "2026/03", "maret", ""])
    func aMonthNotWrittenYYYYMMIsRefused(bulan: String) throws {
        let node = try TestNode.fresh()
        let r = try node.run(["laporan", "--bulan", bulan])
        #expect(r.status == 64)
        #expect(r.stderr.contains("bulan"))
    }
}
