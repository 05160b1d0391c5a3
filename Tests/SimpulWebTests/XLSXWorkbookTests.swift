import Foundation
import SimpulDomain
import SimpulTestSupport
import Testing

@testable import SimpulBackOfficeWeb

@Suite(.timeLimit(.minutes(10)), .serialized)
struct XLSXWorkbookTests {
    static let columns: [XLSXWorkbook.Column] = [
        .init(title: "nomor", width: 18), .init(title: "retribusi", width: 16), .init(title: "diterima", width: 12),
    ]

    /// Every member of the zip by name, read by Python's zipfile (which also checks each member's CRC),
    /// so that the archive is judged by a reader other than the one that wrote it.
    static func members(_ data: Data) throws -> [String: String] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-test-\(UUID().uuidString).xlsx")
        try data.write(to: file)
        let answer = file.appendingPathExtension("json")
        defer {
            try? FileManager.default.removeItem(at: file)
            try? FileManager.default.removeItem(at: answer)
        }
        // Through the suite's own spawn and reaper: Foundation's Process.waitUntilExit was seen to block
        // for minutes in the loaded parallel run. The answer goes through a file, not a pipe.
        let (termination, _, stderr) = try Child.run(
            "/usr/bin/python3",
            [
                "-c",
                """
                import json, sys, zipfile
                z = zipfile.ZipFile(sys.argv[1])
                assert z.testzip() is None
                with open(sys.argv[2], "w") as out:
                    json.dump({n: z.read(n).decode("utf-8") for n in z.namelist()}, out)
                """,
                file.path, answer.path,
            ])
        #expect(termination == .exited(0), "\(String(decoding: stderr, as: UTF8.self))")
        return try JSONDecoder().decode([String: String].self, from: Data(contentsOf: answer))
    }

    @Test func writesOneSheetWithTypedCellsAsAZip() throws {
        var workbook = XLSXWorkbook(sheet: "Berkas diteruskan", columns: Self.columns)
        workbook.append([.text("01-26-00042-7"), .rupiah(150_000), .date(LocalDate(year: 2026, month: 3, day: 17)!)])
        workbook.append([.text("=HYPERLINK(\"x\")"), .empty, .text("Ñgawi & <Jepara>")])
        let data = try workbook.data()
        #expect(data.prefix(4) == Data([0x50, 0x4B, 0x03, 0x04]))

        let members = try Self.members(data)
        #expect(
            Set(members.keys).isSuperset(of: [
                "[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                "xl/styles.xml",
            ]))
        #expect(members["xl/workbook.xml"]?.contains(#"<sheet name="Berkas diteruskan""#) == true)
        let strings = try #require(members["xl/sharedStrings.xml"])
        for text in ["nomor", "retribusi", "diterima", "01-26-00042-7", #"=HYPERLINK("x")"#] {
            #expect(strings.contains("<t>\(text)</t>"), "\(text) not among the shared strings")
        }
        #expect(strings.contains("<t>Ñgawi &amp; &lt;Jepara&gt;</t>"))

        let sheet = try #require(members["xl/worksheets/sheet1.xml"])
        // The amount and the day are numbers (2026-03-17 is Excel's day 46098), the would-be formula a string.
        #expect(sheet.contains("<v>150000</v>"))
        #expect(sheet.contains("<v>46098</v>"))
        #expect(!sheet.contains("<f>"))
        #expect(sheet.contains(#"<autoFilter ref="A1:C3"/>"#))
        #expect(sheet.contains(#"ySplit="1""#) && sheet.contains(#"state="frozen""#))
        #expect(sheet.contains(#"width="18"#))
        let styles = try #require(members["xl/styles.xml"])
        #expect(styles.contains(#"formatCode="[$-421]&quot;Rp &quot;#,##0""#))
        #expect(styles.contains(#"formatCode="dd-mm-yyyy""#))
        #expect(styles.contains("<b/>"))
    }

    @Test func anEmptyQueueIsAHeaderAlone() throws {
        let members = try Self.members(try XLSXWorkbook(sheet: "Berkas diteruskan", columns: Self.columns).data())
        #expect(members["xl/worksheets/sheet1.xml"]?.contains(#"<autoFilter ref="A1:C1"/>"#) == true)
    }

    @Test func refusesWhatExcelCannotHoldWithAnErrorNotATrap() {
        for name in ["", "Berkas [diteruskan]", String(repeating: "x", count: 32)] {
            #expect(throws: SimpulError.self) { try XLSXWorkbook(sheet: name, columns: Self.columns).data() }
        }
        var long = XLSXWorkbook(sheet: "Berkas", columns: Self.columns)
        long.append([.empty, .empty, .empty, .text("kolom keempat")])
        let error = #expect(throws: SimpulError.self) { try long.data() }
        #expect(error?.code == .invalidData)
        #expect(error?.message.contains("baris 1") == true)
        // A string longer than a cell holds is libxlsxwriter's own refusal, passed on as an error.
        var huge = XLSXWorkbook(sheet: "Berkas", columns: Self.columns)
        huge.append([.text(String(repeating: "a", count: 40_000))])
        #expect(throws: SimpulError.self) { try huge.data() }
    }
}
