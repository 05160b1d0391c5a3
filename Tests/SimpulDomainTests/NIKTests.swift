import Foundation
import SimpulDomain
import Testing

@Suite("NIK", .timeLimit(.minutes(10)))
struct NIKTests {
    // Kecamatan 33.74.01, born 12-03-1985, serial 0001; the female twin has day 12 + 40.
    static let male = "3374011203850001"
    static let female = "3374015203850002"

    @Test func validMaleNIK() throws {
        let nik = try NIK(validating: Self.male)
        #expect(nik.digits == Self.male)
        #expect(nik.regionCode == "33.74.01")
        #expect(!nik.isFemale)
    }

    @Test func validFemaleNIK() throws {
        let nik = try NIK(validating: Self.female)
        #expect(nik.digits == Self.female)
        #expect(nik.regionCode == "33.74.01")
        #expect(nik.isFemale)
    }

    @Test(arguments: ["01", "31", "41", "71"])
    func dayBoundsAreAccepted(day: String) throws {
        let nik = try NIK(validating: "337401\(day)01850001")
        #expect(nik.isFemale == (Int(day)! > 40))
    }

    @Test(arguments: [
        ("337401120385000", 15), ("33740112038500011", 17), ("", 0),
        // A wrong length wins over non-digits: the message must point at the more common slip.
        ("33740112038500a", 15), ("3374 0112 0385 0001", 19),
    ])
    func wrongLengthIsRefused(text: String, count: Int) {
        #expect(throws: NIK.Problem.length(count)) { try NIK(validating: text) }
    }

    @Test(arguments: [
        "337401120385000a", "33740112O3850001", "3374-11203850001", "337401120385 001", "３３74011203850001",
    ])
    func nonDigitsAreRefused(text: String) {
        #expect(throws: NIK.Problem.notDigits) { try NIK(validating: text) }
    }

    // A digit followed by a combining mark is one Character that compares between "0" and "9";
    // it is not an ASCII digit and must not slip into a stored NIK.
    @Test func digitWithCombiningMarkIsRefused() {
        let text = "3\u{301}374011203850001"
        #expect(text.count == 16)
        #expect(throws: NIK.Problem.notDigits) { try NIK(validating: text) }
    }

    // The same input with the mark inside the birth date must be refused as not digits, not crash the
    // process. The check runs in the child, which exits 0 only for exactly that refusal.
    @Test func digitWithCombiningMarkInBirthDateIsRefusedNotCrashed() async {
        await #expect(processExitsWith: .exitCode(0)) {
            do {
                _ = try NIK(validating: "3374011\u{301}203850001")
                exit(10)  // accepted
            } catch NIK.Problem.notDigits {
                exit(0)
            } catch {
                exit(11)  // refused for another reason
            }
        }
    }

    @Test(arguments: ["00", "32", "40", "72", "99"])
    func dayOutOfRangeIsRefused(day: String) {
        #expect(throws: NIK.Problem.day(day)) { try NIK(validating: "337401\(day)03850001") }
    }

    @Test(arguments: ["00", "13", "99"])
    func monthOutOfRangeIsRefused(month: String) {
        #expect(throws: NIK.Problem.month(month)) { try NIK(validating: "33740112\(month)850001") }
    }

    @Test func dayIsCheckedBeforeMonth() {
        #expect(throws: NIK.Problem.day("00")) { try NIK(validating: "3374010013850001") }
    }

    @Test(arguments: [
        // 31 February and 31 April never exist; 29-02-01 is in neither 1901 nor 2001 a leap day.
        ("3374013102850001", "31-02-85"), ("3374017102850001", "31-02-85"),
        ("3374013104850001", "31-04-85"), ("3374012902010001", "29-02-01"),
        ("3374013002000001", "30-02-00"),
    ])
    func impossibleDateIsRefused(text: String, shown: String) {
        #expect(throws: NIK.Problem.date(shown)) { try NIK(validating: text) }
    }

    @Test(arguments: ["3374012902000001", "3374016902000001", "3374012902040001", "3374012902960001"])
    func leapDayIsAccepted(text: String) throws {
        // 29-02-00 is real because 2000 is a leap year, even though 1900 is not.
        let nik = try NIK(validating: text)
        #expect(nik.digits == text)
    }

    @Test func serialZeroIsRefused() {
        #expect(throws: NIK.Problem.serial) { try NIK(validating: "3374011203850000") }
    }

    @Test func everyProblemHasItsOwnMessage() {
        let problems: [NIK.Problem] = [.length(15), .notDigits, .day("32"), .month("13"), .date("31-02-85"), .serial]
        let messages = problems.map(\.description)
        #expect(Set(messages).count == problems.count)
        #expect(messages[0].contains("16 digit") && messages[0].contains("15"))
        #expect(messages[2].contains("32"))
        #expect(messages[3].contains("13"))
        #expect(messages[4].contains("31-02-85"))
        #expect(messages[5].contains("0000"))
    }

    @Test func maskedHidesBirthDateAndSerial() throws {
        let nik = try NIK(validating: "3374015203859876")
        #expect(nik.masked == "337401******9876")
        #expect(!nik.masked.contains("520385"))
        #expect(nik.description == nik.masked)
    }

    @Test func nothingPrintableShowsTheFullNIK() throws {
        let nik = try NIK(validating: Self.female)
        let pemohon = Pemohon(nik: nik, nama: "Siti Aminah")
        for text in ["\(nik)", String(describing: nik), String(reflecting: nik), "\(pemohon)"] {
            #expect(!text.contains(Self.female), "\(text)")
            #expect(!text.contains("520385"), "\(text)")
        }
    }

    @Test func regionWarning() throws {
        let nik = try NIK(validating: Self.male)
        #expect(nik.regionWarning { $0 == "33.74.01" } == nil)
        let warning = try #require(nik.regionWarning { _ in false })
        #expect(warning.contains("33.74.01"))
        #expect(warning.contains("tetap diterima"))
    }

    @Test func codableKeepsDigitsAndRefusesInvalid() throws {
        let nik = try NIK(validating: Self.male)
        let data = try JSONEncoder().encode([nik])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(Self.male)\"]")
        #expect(try JSONDecoder().decode([NIK].self, from: data) == [nik])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([NIK].self, from: Data("[\"3374011203850000\"]".utf8))
        }
    }
}
