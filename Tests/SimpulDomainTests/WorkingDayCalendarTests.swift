import Foundation
import SimpulDomain
import Testing

/// The configuration files the package ships, read from `conf/` at the package root: the tests check
/// the data that is deployed, not a copy of it that could drift.
enum Conf {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Tests/SimpulDomainTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the package root
        .appendingPathComponent("conf")

    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }

    static func text(_ name: String) throws -> String { String(decoding: try data(name), as: UTF8.self) }

    static func calendar2026() throws -> WorkingDayCalendar {
        try WorkingDayCalendar.parse(tsv: text("hari-libur-2026.tsv"), source: "hari-libur-2026.tsv")
    }
}

@Suite("WorkingDayCalendar", .timeLimit(.minutes(10)))
struct WorkingDayCalendarTests {
    let calendar: WorkingDayCalendar

    init() throws { calendar = try Conf.calendar2026() }

    private func date(_ iso: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> LocalDate {
        try #require(LocalDate(iso: iso), sourceLocation: sourceLocation)
    }

    private func parseError(_ tsv: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> SimpulError {
        let error = try #require(throws: SimpulError.self, sourceLocation: sourceLocation) {
            try WorkingDayCalendar.parse(tsv: tsv, source: "kalender.tsv")
        }
        #expect(error.code == .configuration, sourceLocation: sourceLocation)
        return error
    }

    static let header = "tanggal\tjenis\tketerangan\n"

    // MARK: parsing

    @Test func parsesTheShippedCalendar() throws {
        #expect(calendar.holidays.count == 25)
        #expect(calendar.years == [2026])
        let idulFitri = try #require(calendar.holidays[date("2026-03-21")])
        #expect(idulFitri.kind == "libur")
        #expect(idulFitri.name == "Idul Fitri 1447 H")
        #expect(try calendar.holidays[date("2026-03-23")]?.kind == "cuti-bersama")
        #expect(try calendar.holidays[date("2026-12-25")]?.name == "Kelahiran Yesus Kristus")
    }

    @Test func workingDaysOfTheShippedCalendar() throws {
        #expect(try calendar.isWorkingDay(date("2026-03-17")))
        for day in 18...24 {
            #expect(try !calendar.isWorkingDay(date("2026-03-\(day)")), "2026-03-\(day) is a holiday")
        }
        #expect(try calendar.isWorkingDay(date("2026-03-25")))
        #expect(try !calendar.isWorkingDay(date("2026-03-28")), "Saturday")
        #expect(try !calendar.isWorkingDay(date("2026-03-29")), "Sunday")
        #expect(try !calendar.isWorkingDay(date("2026-08-17")), "Proklamasi on a Monday")
    }

    @Test func badDateNamesFileAndLine() throws {
        let error = try parseError(Self.header + "2026-01-01\tlibur\tTahun Baru\n2026-02-30\tlibur\tTidak ada\n")
        #expect(error.message.contains("kalender.tsv:3"))
        #expect(error.message.contains("'2026-02-30'"))
    }

    @Test func badKindNamesFileAndLine() throws {
        let error = try parseError(Self.header + "2026-01-01\tcuti\tTahun Baru\n")
        #expect(error.message.contains("kalender.tsv:2"))
        #expect(error.message.contains("jenis"))
        #expect(error.message.contains("'cuti'"))
    }

    @Test(arguments: [
        ("2026-01-01\tlibur", 2), ("2026-01-01\tlibur\tTahun Baru\textra", 4), ("2026-01-01 libur Tahun Baru", 1),
    ])
    func wrongColumnCountNamesFileAndLine(line: String, columns: Int) throws {
        let error = try parseError(Self.header + line + "\n")
        #expect(error.message.contains("kalender.tsv:2"))
        #expect(error.message.contains("3 kolom"))
        #expect(error.message.contains("ada \(columns)"))
    }

    @Test func emptyNameIsRefused() throws {
        let error = try parseError(Self.header + "2026-01-01\tlibur\t  \n")
        #expect(error.message.contains("kalender.tsv:2"))
        #expect(error.message.contains("keterangan kosong"))
    }

    @Test func missingHeaderIsRefused() throws {
        let error = try parseError("2026-01-01\tlibur\tTahun Baru\n")
        #expect(error.message.contains("kalender.tsv:1"))
        #expect(error.message.contains("header"))
    }

    @Test(arguments: ["", WorkingDayCalendarTests.header, WorkingDayCalendarTests.header + "# belum terbit\n\n"])
    func fileWithoutHolidaysIsRefused(tsv: String) throws {
        let error = try parseError(tsv)
        #expect(error.message.contains("kalender.tsv"))
        #expect(error.message.contains("tidak ada satu pun"))
    }

    @Test func lineNumbersCountCommentsAndBlankLines() throws {
        let error = try parseError(Self.header + "# libur nasional\n\n2026-13-01\tlibur\tX\n")
        #expect(error.message.contains("kalender.tsv:4"))
    }

    @Test func acceptsCommentsBeforeTheHeaderAndBetweenLines() throws {
        let tsv =
            "# SKB 3 Menteri\n" + Self.header + "2026-01-01\tlibur\tTahun Baru\n\n# cuti\n"
            + "2026-02-16\tcuti-bersama\tCuti bersama Imlek\n"
        let parsed = try WorkingDayCalendar.parse(tsv: tsv, source: "kalender.tsv")
        #expect(parsed.holidays.count == 2)
        #expect(try parsed.holidays[date("2026-01-01")]?.name == "Tahun Baru")
        #expect(try parsed.holidays[date("2026-02-16")]?.kind == "cuti-bersama")
    }

    @Test func acceptsWindowsLineEnds() throws {
        // A calendar saved from a spreadsheet on Windows ends its lines with CR LF.
        let tsv =
            "tanggal\tjenis\tketerangan\r\n2026-01-01\tlibur\tTahun Baru\r\n"
            + "2026-02-16\tcuti-bersama\tCuti bersama Imlek\r\n"
        let parsed = try WorkingDayCalendar.parse(tsv: tsv, source: "kalender.tsv")
        #expect(parsed.holidays.count == 2)
        #expect(try parsed.holidays[date("2026-01-01")]?.name == "Tahun Baru")
        #expect(try parsed.holidays[date("2026-02-16")]?.name == "Cuti bersama Imlek")
    }

    // MARK: due dates

    @Test func dueDateSkipsIdulFitri2026() throws {
        let tuesday = try date("2026-03-17")
        #expect(try calendar.dueDate(acceptedOn: tuesday, workingDays: 1) == date("2026-03-25"))
        #expect(try calendar.dueDate(acceptedOn: tuesday, workingDays: 2) == date("2026-03-26"))
        // Without the holidays the same service would be due the next day.
        let noHolidays = WorkingDayCalendar(holidays: [])
        #expect(try noHolidays.dueDate(acceptedOn: tuesday, workingDays: 1) == date("2026-03-18"))
    }

    @Test func sameDayServiceAcceptedOnADayOffRollsToTheNextWorkingDay() throws {
        #expect(try calendar.dueDate(acceptedOn: date("2026-03-07"), workingDays: 0) == date("2026-03-09"))
        #expect(try calendar.dueDate(acceptedOn: date("2026-03-08"), workingDays: 0) == date("2026-03-09"))
        #expect(try calendar.dueDate(acceptedOn: date("2026-03-18"), workingDays: 0) == date("2026-03-25"))
        #expect(try calendar.dueDate(acceptedOn: date("2026-03-09"), workingDays: 0) == date("2026-03-09"))
    }

    @Test func weekendsAndHolidaysAreSkipped() throws {
        #expect(try calendar.dueDate(acceptedOn: date("2026-03-06"), workingDays: 1) == date("2026-03-09"))
        #expect(try calendar.dueDate(acceptedOn: date("2026-03-05"), workingDays: 3) == date("2026-03-10"))
        // Isra Mikraj falls on Friday 16 January.
        #expect(try calendar.dueDate(acceptedOn: date("2026-01-09"), workingDays: 5) == date("2026-01-19"))
        // Waisak on Sunday 31 May and Pancasila on Monday 1 June.
        #expect(try calendar.dueDate(acceptedOn: date("2026-05-29"), workingDays: 1) == date("2026-06-02"))
        #expect(try calendar.dueDate(acceptedOn: date("2026-03-07"), workingDays: 1) == date("2026-03-09"))
    }

    @Test func workingDaysLeftIsPositiveZeroAndNegative() throws {
        let due = try date("2026-03-25")
        #expect(try calendar.workingDaysLeft(from: date("2026-03-16"), until: due) == 2)
        #expect(try calendar.workingDaysLeft(from: date("2026-03-17"), until: due) == 1)
        #expect(calendar.workingDaysLeft(from: due, until: due) == 0)
        #expect(try calendar.workingDaysLeft(from: date("2026-03-26"), until: due) == -1)
        #expect(try calendar.workingDaysLeft(from: date("2026-03-30"), until: due) == -3)
    }

    @Test func workingDaysLeftCountsBackTheDueDate() throws {
        // For every working day of 2026, the due date of an n-day service is n working days away.
        var day = try date("2026-01-01")
        let end = try date("2026-12-20")
        while day < end {
            if calendar.isWorkingDay(day) {
                for n in 0...5 {
                    let due = calendar.dueDate(acceptedOn: day, workingDays: n)
                    #expect(calendar.workingDaysLeft(from: day, until: due) == n, "\(day) + \(n)")
                    #expect(calendar.workingDaysLeft(from: due, until: day) == -n, "\(day) + \(n)")
                }
            }
            day = day.adding(days: 1)
        }
    }

    @Test func coversOnlyPublishedYears() throws {
        #expect(try calendar.covers(from: date("2026-01-01"), to: date("2026-12-31")))
        #expect(try calendar.covers(from: date("2026-12-31"), to: date("2026-01-01")))
        #expect(try !calendar.covers(from: date("2026-12-20"), to: date("2027-01-05")))
        #expect(try !calendar.covers(from: date("2025-12-31"), to: date("2026-01-02")))
        let tsv = try Conf.text("hari-libur-2026.tsv") + "2027-01-01\tlibur\tTahun Baru 2027 Masehi\n"
        let twoYears = try WorkingDayCalendar.parse(tsv: tsv, source: "dua-tahun.tsv")
        #expect(try twoYears.covers(from: date("2026-12-20"), to: date("2027-01-05")))
        #expect(try !twoYears.covers(from: date("2026-12-20"), to: date("2028-01-05")))
    }

    @Test func duplicateDatesKeepTheFirst() throws {
        let d = try date("2026-01-01")
        let cal = try WorkingDayCalendar.parse(
            tsv: Self.header + "2026-01-01\tlibur\tTahun Baru\n2026-01-01\tcuti-bersama\tDobel\n", source: "dobel.tsv")
        #expect(cal.holidays.count == 1)
        #expect(cal.holidays[d]?.name == "Tahun Baru")
    }

    // MARK: folding published calendars

    @Test func publishedCalendarsFoldInLogOrderEachReplacingItsYears() throws {
        let first2026 = WorkingDayCalendar(holidays: [
            .init(date: try date("2026-01-01"), kind: "libur", name: "Tahun Baru"),
            .init(date: try date("2026-05-01"), kind: "libur", name: "Hari Buruh"),
        ])
        let with2027 = WorkingDayCalendar(holidays: [
            .init(date: try date("2026-01-01"), kind: "libur", name: "Tahun Baru 2026"),
            .init(date: try date("2027-01-01"), kind: "libur", name: "Tahun Baru 2027"),
        ])
        let folded = WorkingDayCalendar.folding([CalendarPublication(first2026), CalendarPublication(with2027)])
        // The second publication lists 2026 again: its 2026 replaces the first's whole (1 May is gone).
        #expect(folded.years == [2026, 2027])
        #expect(folded.holidays.count == 2)
        #expect(try folded.holidays[date("2026-01-01")]?.name == "Tahun Baru 2026")
        #expect(try folded.isWorkingDay(date("2026-05-01")))
        #expect(try !folded.isWorkingDay(date("2027-01-01")))
        // The shipped file, published once, is that file.
        #expect(WorkingDayCalendar.folding([CalendarPublication(calendar)]) == calendar)
        #expect(WorkingDayCalendar.folding([]).years.isEmpty)
    }
}
