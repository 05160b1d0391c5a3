import Foundation
import SimpulDomain
import Testing

@Suite("RegistrationNumber", .timeLimit(.minutes(10)))
struct RegistrationNumberTests {
    /// The digits of a number in order, and a way to put changed digits back between the dashes.
    private func digits(_ text: String) -> [Character] { text.filter { $0 != "-" }.map { $0 } }

    private func rebuild(_ digits: [Character], like text: String) -> String {
        var rest = digits[...]
        return String(text.map { c in c == "-" ? c : rest.removeFirst() })
    }

    @Test func formatIsKecamatanYearSequenceCheck() {
        // Check digits computed by hand with the Damm table.
        #expect(RegistrationNumber(prefix: "01", year: 2026, sequence: 42).text == "01-26-00042-4")
        #expect(RegistrationNumber(prefix: "01", year: 2026, sequence: 1).text == "01-26-00001-6")
        #expect(RegistrationNumber(prefix: "011", year: 2026, sequence: 1).text == "011-26-00001-4")
        #expect(RegistrationNumber(prefix: "01", year: 2026, sequence: 42).description == "01-26-00042-4")
    }

    @Test func yearKeepsTwoDigitsAndSequenceGrowsPastFive() throws {
        let n = RegistrationNumber(prefix: "07", year: 2009, sequence: 123_456)
        #expect(n.text.hasPrefix("07-09-123456-"))
        #expect(RegistrationNumber(prefix: "07", year: 2100, sequence: 5).text.hasPrefix("07-00-00005-"))
        #expect(try RegistrationNumber(parsing: n.text) == n)
    }

    @Test func parsingAcceptsGeneratedNumbers() throws {
        for prefix in ["01", "19", "011", "029", "99"] {
            for sequence in [0, 1, 9, 42, 999, 12_345, 99_999, 100_000] {
                let made = RegistrationNumber(prefix: prefix, year: 2026, sequence: sequence)
                let parsed = try RegistrationNumber(parsing: made.text)
                #expect(parsed == made)
                #expect(parsed.text == made.text)
            }
        }
    }

    @Test(arguments: ["01-26-00042-4", "011-26-00001-4", "05-27-31415-1"])
    func everySingleDigitChangeIsRefused(valid: String) throws {
        _ = try RegistrationNumber(parsing: valid)
        let original = digits(valid)
        var tried = 0
        for i in original.indices {
            for d in "0123456789" where d != original[i] {
                var changed = original
                changed[i] = d
                let text = rebuild(changed, like: valid)
                #expect(throws: SimpulError.self, "\(text)") { try RegistrationNumber(parsing: text) }
                tried += 1
            }
        }
        #expect(tried == original.count * 9)
    }

    @Test(arguments: ["01-26-00042-4", "011-26-00001-4", "05-27-31415-1", "12-26-98765-7"])
    func everyAdjacentSwapIsRefused(valid: String) throws {
        _ = try RegistrationNumber(parsing: valid)
        let original = digits(valid)
        var tried = 0
        // Neighbours in the digit sequence, including across a dash and into the check digit.
        for i in original.indices.dropLast() where original[i] != original[i + 1] {
            var swapped = original
            swapped.swapAt(i, i + 1)
            let text = rebuild(swapped, like: valid)
            #expect(throws: SimpulError.self, "\(text)") { try RegistrationNumber(parsing: text) }
            tried += 1
        }
        #expect(tried > 0)
    }

    @Test(arguments: [
        "", "01-26-00042", "01-26-00042-4-1", "1-26-00042-4", "0101-26-00042-4", "01-2026-00042-4", "01-26-0042-4",
        "01-26-00042-44", "01 26 00042 4", "012600042-4", "01-26-00042-x", "01-26-０0042-4", "-01-26-00042-4",
        "01-26--00042-4", "01-26-00042-", "AB-26-00042-4", " 01-26-00042-4", "01-26-00042-4 ", "01–26–00042–4",
    ])
    func badShapesAreRefused(text: String) throws {
        let error = try #require(throws: SimpulError.self) { try RegistrationNumber(parsing: text) }
        #expect(error.code == .usage)
        #expect(error.message.contains("KK-TT-NNNNN-C"), "\(error.message)")
    }

    @Test func wrongCheckDigitSaysSo() throws {
        let error = try #require(throws: SimpulError.self) { try RegistrationNumber(parsing: "01-26-00042-5") }
        #expect(error.code == .usage)
        #expect(error.message.contains("'01-26-00042-5'"))
        #expect(error.message.contains("digit periksa"))
    }

    // A digit with a combining mark passes the shape check as a Character; it must be refused, not
    // crash the command that parses what an officer typed.
    // The child exits 0 only for the form refusal (usage, naming the expected shape).
    @Test func digitWithCombiningMarkIsRefusedNotCrashed() async {
        await #expect(processExitsWith: .exitCode(0)) {
            do {
                _ = try RegistrationNumber(parsing: "01-26-00042-4\u{301}")
                exit(10)  // accepted
            } catch let error as SimpulError {
                exit(error.code == .usage && error.message.contains("KK-TT-NNNNN-C") ? 0 : 11)
            } catch {
                exit(12)
            }
        }
    }

    @Test func orderFollowsText() throws {
        let a = RegistrationNumber(prefix: "01", year: 2026, sequence: 2)
        let b = RegistrationNumber(prefix: "01", year: 2026, sequence: 10)
        let c = RegistrationNumber(prefix: "02", year: 2026, sequence: 1)
        #expect([c, b, a].sorted() == [a, b, c])
    }
}
