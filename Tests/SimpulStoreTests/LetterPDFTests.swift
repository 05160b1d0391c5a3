import Foundation
import SimpulDomain
import SimpulPaper
import SimpulTestSupport
import Testing

/// The letter writer's real output, read back by Poppler (`pdfinfo`, `pdftotext`): A4 pages, as many
/// as the text needs, and every line of the letter on them, none cut at the margin.
@Suite(.timeLimit(.minutes(10))) struct LetterPDFTests {
    static func letter(body: [LetterLine]) -> Letter {
        Letter(
            letterhead: ["PEMERINTAH KOTA SEMARANG", "KECAMATAN SEMARANG TENGAH", "Pelayanan Administrasi Terpadu"],
            title: "SURAT KETERANGAN DOMISILI", number: "470/0012/33.74.01/2026", body: body,
            placeAndDate: "Semarang Tengah, 17 Maret 2026", signerTitle: "CAMAT SEMARANG TENGAH")
    }

    /// Runs a Poppler tool on the bytes written to a file; its standard output.
    static func poppler(_ tool: String, _ bytes: [UInt8], _ arguments: [String] = []) throws -> String {
        let dir = Fixture.tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent("surat.pdf")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        // Through the suite's own spawn and reaper, with a deadline: a Foundation Process sharing pipes
        // with the parallel run's other children was seen to wait for minutes.
        let (termination, stdout, stderr) = try Child.run(
            "/usr/bin/\(tool)", arguments + [path] + (tool == "pdftotext" ? ["-"] : []))
        let data = stdout
        let errors = String(decoding: stderr, as: UTF8.self)
        #expect(termination == .exited(0), "\(tool): \(errors)")
        // Poppler reports a damaged file (a wrong xref offset, a bad stream length) on stderr and goes on.
        #expect(!errors.contains("Syntax Error") && !errors.contains("Syntax Warning"), "\(tool): \(errors)")
        return String(decoding: data, as: UTF8.self)
    }

    static func field(_ info: String, _ name: String) -> String? {
        info.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    static func squeezed(_ text: String) -> String { text.filter { !$0.isWhitespace } }

    @Test func aShortLetterIsOneA4PageWithEveryLineOnIt() throws {
        let body: [LetterLine] = [
            .text("Yang bertanda tangan di bawah ini, Camat Semarang Tengah, menerangkan bahwa:"), .blank,
            .field(label: "Nama", value: "Siti Aminah"), .field(label: "NIK", value: "3374014505900001"),
            .field(label: "Alamat", value: "Jl. Pemuda No. 12 (belakang pasar), RT 03/RW 05\\Sekayu"), .blank,
            .text("adalah benar berdomisili di wilayah Kecamatan Semarang Tengah."),
        ]
        let bytes = LetterPDF.render(Self.letter(body: body))
        let info = try Self.poppler("pdfinfo", bytes)
        #expect(Self.field(info, "Pages") == "1")
        #expect(Self.field(info, "Page size")?.hasPrefix("595 x 842 pts (A4)") == true, "\(info)")
        #expect(Self.field(info, "PDF version") == "1.4")
        #expect(Self.field(info, "Title") == "SURAT KETERANGAN DOMISILI 470/0012/33.74.01/2026")
        let text = Self.squeezed(try Self.poppler("pdftotext", bytes))
        for expected in [
            "PEMERINTAH KOTA SEMARANG", "SURAT KETERANGAN DOMISILI", "Nomor: 470/0012/33.74.01/2026", "Siti Aminah",
            "3374014505900001", "Jl. Pemuda No. 12 (belakang pasar), RT 03/RW 05\\Sekayu",
            "CAMAT SEMARANG TENGAH", "Semarang Tengah, 17 Maret 2026",
            "Yang bertanda tangan di bawah ini, Camat Semarang Tengah, menerangkan bahwa:",
        ] {
            #expect(text.contains(Self.squeezed(expected)), "\(expected) not in the PDF's text")
        }
    }

    @Test func aLongLetterRunsOntoNumberedPagesAndLosesNoWord() throws {
        var generator = SeededGenerator(seed: 14)
        let words = ["permohonan", "kecamatan", "pelayanan", "Semarang", "dokumen", "izin", "jalan", "warga"]
        var body: [LetterLine] = []
        var paragraphs: [String] = []
        for i in 0..<40 {
            let count = Int.random(in: 10...60, using: &generator)
            let text =
                "Paragraf \(i): "
                + (0..<count).map { _ in words.randomElement(using: &generator)! }
                .joined(separator: " ")
            paragraphs.append(text)
            body += [.text(text), .blank]
        }
        // A word wider than the whole line must be broken, not run off the page.
        let long = String(repeating: "ABCDEFGHIJ", count: 12)
        body.append(.text(long))
        body.append(.field(label: "Keterangan", value: "kata " + String(repeating: "panjang ", count: 30)))
        let bytes = LetterPDF.render(Self.letter(body: body))
        let info = try Self.poppler("pdfinfo", bytes)
        let pages = try #require(Int(Self.field(info, "Pages") ?? ""))
        #expect(pages >= 3)
        #expect(Self.field(info, "Page size")?.hasPrefix("595 x 842 pts (A4)") == true)
        let text = try Self.poppler("pdftotext", bytes)
        // A paragraph may go on over a page break, where the page's number and the next page's heading
        // come between its words in the extracted text.
        var flowing = text
        for mark in ["Nomor surat 470/0012/33.74.01/2026 (lanjutan)"]
            + (1...pages).map({ "Halaman \($0) dari \(pages)" })
        {
            flowing = flowing.replacingOccurrences(of: mark, with: "")
        }
        let squeezed = Self.squeezed(flowing)
        for p in paragraphs { #expect(squeezed.contains(Self.squeezed(p)), "\(p.prefix(20)) lost") }
        #expect(squeezed.contains(long))
        #expect(squeezed.contains(Self.squeezed("kata " + String(repeating: "panjang ", count: 30))))
        #expect(text.contains("Halaman 1 dari \(pages)") && text.contains("Halaman \(pages) dari \(pages)"))
        #expect(text.contains("Nomor surat 470/0012/33.74.01/2026 (lanjutan)"))
        // The signature block is whole on the last page.
        let last = try #require(
            text.split(separator: "\u{0C}").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        #expect(last.contains("Semarang Tengah, 17 Maret 2026") && last.contains("CAMAT SEMARANG TENGAH"))
    }

    @Test func everyLineFitsBetweenTheMargins() {
        for size in [9.0, 11.0, 15.0] {
            for width in [120.0, 300.0, 467.0] {
                let text = "Yang bertanda tangan di bawah ini WWWWWWWWWWWWWWWWWWWWWWWWWWWWWW menerangkan € “kutip” — é"
                let lines = LetterPDF.wrap(text, width: width, font: .bold, size: size)
                #expect(lines.allSatisfy { PDFFont.bold.width($0, size: size) <= width }, "\(size) \(width)")
                #expect(lines.joined().filter { !$0.isWhitespace } == text.filter { !$0.isWhitespace })
            }
        }
        // Helvetica's own widths: "W" is 944/1000 em, "i" 222.
        #expect(PDFFont.regular.width("Wi", size: 10) == 11.66)
    }

    @Test func charactersBeyondWinAnsiArePrintedAsAQuestionMark() throws {
        let bytes = LetterPDF.render(Self.letter(body: [.text("Tanda: ✓ dan é dan “kutip”")]))
        let text = try Self.poppler("pdftotext", bytes)
        #expect(text.contains("Tanda: ? dan é dan “kutip”"))
    }
}
