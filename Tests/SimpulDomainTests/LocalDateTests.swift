import Foundation
import SimpulDomain
import Testing

@Suite("LocalDate", .timeLimit(.minutes(10)))
struct LocalDateTests {
    private func date(_ iso: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> LocalDate {
        try #require(LocalDate(iso: iso), sourceLocation: sourceLocation)
    }

    @Test func daysSinceEpochRoundTripsEveryDayFrom1900To2100() throws {
        // Walking the calendar field by field checks the arithmetic against an independent count.
        var expected = try date("1900-01-01").daysSinceEpoch
        var checked = 0
        for year in 1900...2100 {
            for month in 1...12 {
                for day in 1...LocalDate.daysInMonth(year: year, month: month) {
                    let d = try #require(LocalDate(year: year, month: month, day: day))
                    if d.daysSinceEpoch != expected || LocalDate(daysSinceEpoch: expected) != d {
                        Issue.record("round trip broken at \(d): \(d.daysSinceEpoch) vs \(expected)")
                        return
                    }
                    expected += 1
                    checked += 1
                }
            }
        }
        #expect(checked == 73_414)
    }

    @Test(arguments: [
        ("1970-01-01", 0), ("1969-12-31", -1), ("2000-03-01", 11_017), ("1900-01-01", -25_567), ("2026-03-02", 20_514),
    ])
    func knownDaysSinceEpoch(iso: String, days: Int) throws {
        let d = try date(iso)
        #expect(d.daysSinceEpoch == days)
        #expect(LocalDate(daysSinceEpoch: days) == d)
    }

    @Test(arguments: [
        ("2026-11-29", 7), ("2026-03-02", 1), ("1970-01-01", 4), ("1969-12-31", 3), ("2000-01-01", 6),
        ("1900-01-01", 1), ("2026-03-17", 2),
    ])
    func isoWeekdayOfKnownDates(iso: String, weekday: Int) throws {
        let d = try date(iso)
        #expect(d.isoWeekday == weekday)
        #expect(d.isWeekend == (weekday >= 6))
    }

    @Test func leapYears() {
        #expect(LocalDate.isLeap(2000))
        #expect(LocalDate.isLeap(2024))
        #expect(!LocalDate.isLeap(1900))
        #expect(!LocalDate.isLeap(2100))
        #expect(!LocalDate.isLeap(2026))
        #expect(LocalDate.daysInMonth(year: 2024, month: 2) == 29)
        #expect(LocalDate.daysInMonth(year: 2026, month: 2) == 28)
        #expect(LocalDate(year: 2024, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 2000, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 1900, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2026, month: 2, day: 29) == nil)
    }

    @Test(arguments: [
        (2026, 0, 1), (2026, 13, 1), (2026, 1, 0), (2026, 1, 32), (2026, 4, 31), (0, 1, 1), (10_000, 1, 1),
    ])
    func impossibleDatesAreNil(year: Int, month: Int, day: Int) {
        #expect(LocalDate(year: year, month: month, day: day) == nil)
    }

    @Test func isoParseReadsFields() throws {
        let d = try date("2026-03-02")
        #expect(d.year == 2026 && d.month == 3 && d.day == 2)
        #expect(d.description == "2026-03-02")
        #expect(try date("0099-01-05").description == "0099-01-05")
    }

    @Test(arguments: [
        "", "2026-3-2", "2026/03/02", "26-03-02", "2026-02-30", "2026-03-02T00:00", " 2026-03-02", "2026-03-02 ",
        "abcd-ef-gh", "2026-03-0a", "2026-03", "2026-03-02-01", "-2026-03-02", "2026--3-02",
        // Signs are not digits: a date typed in a holiday file must not be read as another one.
        "2026-+3-02", "2026-03-+2", "+026-03-02",
    ])
    func isoParseRejectsBadText(text: String) {
        #expect(LocalDate(iso: text) == nil)
    }

    @Test func addingDaysCrossesMonthsYearsAndLeapDays() throws {
        #expect(try date("2024-02-28").adding(days: 1) == date("2024-02-29"))
        #expect(try date("2026-02-28").adding(days: 1) == date("2026-03-01"))
        #expect(try date("2026-12-31").adding(days: 1) == date("2027-01-01"))
        #expect(try date("2026-01-01").adding(days: -1) == date("2025-12-31"))
        #expect(try date("2026-03-02").adding(days: 0) == date("2026-03-02"))
    }

    @Test func ordering() throws {
        let dates = try ["2026-03-02", "2025-12-31", "2026-02-28", "1969-12-31"].map { try date($0) }
        #expect(dates.sorted().map(\.description) == ["1969-12-31", "2025-12-31", "2026-02-28", "2026-03-02"])
    }

    @Test func indonesianText() throws {
        #expect(try date("2026-03-02").indonesian == "Senin, 2 Maret 2026")
        #expect(try date("2026-11-29").indonesian == "Minggu, 29 November 2026")
        #expect(try date("2026-08-17").indonesian == "Senin, 17 Agustus 2026")
    }

    @Test func codableUsesISOText() throws {
        let d = try date("2026-03-02")
        let data = try JSONEncoder().encode([d])
        #expect(String(decoding: data, as: UTF8.self) == "[\"2026-03-02\"]")
        #expect(try JSONDecoder().decode([LocalDate].self, from: data) == [d])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([LocalDate].self, from: Data("[\"2026-02-30\"]".utf8))
        }
    }
}
