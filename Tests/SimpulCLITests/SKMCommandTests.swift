import Testing

/// `simpul skm`: a paper survey entered for a handed-over file, once, and the month's IKM.
@Suite("simpul skm", .timeLimit(.minutes(10)))
struct SKMCommandTests {
    private static func answers(_ values: [Int]) -> [String] {
        values.enumerated().flatMap { ["--u\($0.offset + 1)", String($0.element)] }
    }

    @Test func aPaperSurveyIsTakenOncePerHandedOverFileAndCountsInTheIKM() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        let open = try #require(try node.create("SKTM")["number"]?.string)
        try node.advance(number, through: Catalog.stepsWithoutFieldCheck + ["penyerahan"])

        let early = try node.run(
            ["skm", "isi", open] + Self.answers([3, 3, 3, 3, 3, 3, 3, 3, 3]) + ["--petugas", "Tono"])
        expectRefused(early, exit: 65, mentioning: "belum diserahkan")
        let outOfScale = try node.run(
            ["skm", "isi", number] + Self.answers([3, 3, 3, 3, 3, 3, 3, 3, 5]) + ["--petugas", "Tono"])
        expectRefused(outOfScale, exit: 64, mentioning: "u9", "1 sampai 4")

        let taken = try node.run(
            ["skm", "isi", number] + Self.answers([4, 4, 3, 3, 4, 3, 4, 3, 3]) + ["--petugas", "Tono"])
        expectSuccess(taken)
        #expect(taken.stdout.contains("Survei tercatat"))
        let again = try node.run(
            ["skm", "isi", number] + Self.answers([1, 1, 1, 1, 1, 1, 1, 1, 1]) + ["--petugas", "Tono"])
        expectRefused(again, exit: 65, mentioning: "sudah mengisi survei")

        // 31 / 9 = 3,4444; x 25 = 86,11: B.
        let ikm = try node.json(["skm", "ikm", "--bulan", "2026-03"])
        #expect(ikm["overall"]?["respondents"]?.int == 1)
        #expect(ikm["overall"]?["ikm"]?.string == "86.11")
        #expect(ikm["overall"]?["grade"]?.string == "B")
        #expect(ikm["layanan"]?[0]?["layanan"]?.string == "SKTM")
        let text = try node.run(["skm", "ikm", "--bulan", "2026-03"])
        expectSuccess(text)
        #expect(text.stdout.contains("IKM: 86,11 (B, Baik) dari 1 responden"))
        #expect(text.stdout.contains("U1 Persyaratan: 4,00"))

        let laporan = try node.json(["laporan", "--bulan", "2026-03"])
        #expect(laporan["rows"]?[0]?["ikm"]?.string == "86.11")
        #expect(laporan["total"]?["skmRespondents"]?.int == 1)

        // The survey's event names neither the file nor the officer.
        let log = try node.run(["permohonan", "log", number])
        #expect(!log.stdout.contains("Survei"))
    }
}
