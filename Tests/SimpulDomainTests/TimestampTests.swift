import Foundation
import SimpulDomain
import Testing

@Suite("Timestamp", .timeLimit(.minutes(10)))
struct TimestampTests {
    private func at(_ iso: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Timestamp {
        try #require(Timestamp(iso: iso), sourceLocation: sourceLocation)
    }

    @Test func isoRoundTrip() throws {
        let t = try at("2026-03-02T02:15:00.000Z")
        #expect(t.milliseconds == 1_772_417_700_000)
        #expect(t.description == "2026-03-02T02:15:00.000Z")
        #expect(try at("2026-03-02T02:15:00Z") == t)
        #expect(try at("2026-03-02T02:15:00.123Z").milliseconds == 1_772_417_700_123)
    }

    @Test func descriptionParsesBackOverARange() throws {
        // Steps that are not a divisor of a day reach every field: milliseconds, seconds, leap days.
        var ms: Int64 = -2_208_988_800_000  // 1900-01-01
        while ms < 4_102_444_800_000 {  // 2100-01-01
            let t = Timestamp(milliseconds: ms)
            #expect(Timestamp(iso: t.description) == t, "\(ms)")
            ms += 86_399_999 * 37
        }
    }

    @Test(arguments: [
        ("2026-03-02T09:15:00+07:00", "2026-03-02T02:15:00.000Z"),
        ("2026-03-02T10:15:00+08:00", "2026-03-02T02:15:00.000Z"),
        ("2026-03-02T11:15:00.500+09:00", "2026-03-02T02:15:00.500Z"),
        ("2026-03-02T00:30:00+07:00", "2026-03-01T17:30:00.000Z"),
        ("2026-03-01T21:45:00-04:30", "2026-03-02T02:15:00.000Z"),
        ("2026-03-02T02:15:00+00:00", "2026-03-02T02:15:00.000Z"),
    ])
    func offsetsAreNormalisedToUTC(local: String, utc: String) throws {
        #expect(try at(local).description == utc)
        #expect(try at(local) == at(utc))
    }

    @Test func localDateAtWIBAcrossMidnightUTC() throws {
        // 17:30 UTC is already 00:30 the next day in WIB.
        let t = try at("2026-03-01T17:30:00Z")
        #expect(t.localDate(offsetMinutes: 0).description == "2026-03-01")
        #expect(t.localDate(offsetMinutes: Zona.wib.offsetMinutes).description == "2026-03-02")
        #expect(t.localText(offsetMinutes: Zona.wib.offsetMinutes) == "2026-03-02 00:30")
        let before = try at("2026-03-01T16:59:59.999Z")
        #expect(before.localDate(offsetMinutes: Zona.wib.offsetMinutes).description == "2026-03-01")
        #expect(before.localText(offsetMinutes: Zona.wib.offsetMinutes) == "2026-03-01 23:59")
        let wit = try at("2026-03-01T15:30:00Z").localDate(offsetMinutes: Zona.wit.offsetMinutes)
        #expect(wit.description == "2026-03-02")
    }

    @Test func timesBefore1970() throws {
        let t = Timestamp(milliseconds: -1)
        #expect(t.description == "1969-12-31T23:59:59.999Z")
        #expect(try at("1969-12-31T23:59:59.999Z") == t)
        #expect(t.localDate(offsetMinutes: 0).description == "1969-12-31")
        #expect(t.localDate(offsetMinutes: Zona.wib.offsetMinutes).description == "1970-01-01")
        #expect(t.localText(offsetMinutes: 0) == "1969-12-31 23:59")
        #expect(Timestamp(milliseconds: -86_400_000).description == "1969-12-31T00:00:00.000Z")
        #expect(Timestamp(milliseconds: -86_400_001).description == "1969-12-30T23:59:59.999Z")
        #expect(try at("1945-08-17T10:00:00+07:00").description == "1945-08-17T03:00:00.000Z")
    }

    @Test(arguments: [
        "", "2026-03-02", "2026-03-02 02:15:00Z", "2026-03-02T24:00:00Z", "2026-03-02T02:60:00Z",
        "2026-03-02T02:15:60Z", "2026-03-02T02:15:00.00Z", "2026-03-02T02:15:00.0000Z", "2026-03-02T02:15:00",
        "2026-03-02T02:15:00.000", "2026-03-02T02:15:00+0700", "2026-03-02T02:15:00+07", "2026-02-30T00:00:00Z",
        "2026-03-02T02:15:00z", "2026-03-02T02:15:00ZZ", "2026-03-02T2:15:00Z", "2026-03-02T02:15:00.Z",
        "2026-03-02T02:15:00 Z", "2026-03-02T02:15:00+07:00Z",
        // Signs are not digits: "-1" is no hour, "+7" no offset hour.
        "2026-03-02T-1:15:00Z", "2026-03-02T+2:15:00Z", "2026-03-02T02:15:00++7:00",
    ])
    func rejectsMalformedText(text: String) {
        #expect(Timestamp(iso: text) == nil)
    }

    @Test func orderAndCodable() throws {
        let a = try at("2026-03-02T02:15:00Z")
        let b = try at("2026-03-02T09:14:59+07:00")
        #expect(b < a)
        let data = try JSONEncoder().encode([a])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-03-02T02:15:00.000Z"]"#)
        #expect(try JSONDecoder().decode([Timestamp].self, from: data) == [a])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Timestamp].self, from: Data(#"["2026-03-02"]"#.utf8))
        }
    }

    @Test func zones() {
        #expect(Zona.wib.offsetMinutes == 420)
        #expect(Zona.wita.offsetMinutes == 480)
        #expect(Zona.wit.offsetMinutes == 540)
        #expect(Zona.allCases.map(\.rawValue) == ["WIB", "WITA", "WIT"])
    }
}
