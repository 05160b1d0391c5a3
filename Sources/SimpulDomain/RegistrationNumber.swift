/// A permohonan's registration number, printed on the tanda terima and read over the phone:
/// `01-26-00042-7` is kecamatan 01 (or `011` for its sub-node 1), year 2026, the node's 42nd
/// registration that year, and a Damm check digit.
///
/// Each node numbers its own registrations, and node prefixes are unique inside a kabupaten, so
/// numbers made offline never collide; the check digit catches every single wrong digit and every
/// swap of two neighbouring digits, the usual slips on a phone line.
public struct RegistrationNumber: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let text: String

    public init(prefix: String, year: Int, sequence: Int) {
        let yy = String(year % 100).leftPadded(to: 2)
        let seq = String(sequence).leftPadded(to: 5)
        let check = Damm.checkDigit(prefix + yy + seq)
        self.text = "\(prefix)-\(yy)-\(seq)-\(check)"
    }

    /// Parses a number typed by an officer, checking its form and its check digit.
    public init(parsing input: String) throws(SimpulError) {
        let parts = input.split(separator: "-", omittingEmptySubsequences: false)
        // Exactly the generator's form: five digits, more only past 99999 and then with no leading zero.
        guard parts.count == 4, (2...3).contains(parts[0].count), parts[1].count == 2,
            parts[2].count == 5 || (parts[2].count > 5 && parts[2].first != "0"),
            parts[3].count == 1, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) })
        else {
            throw SimpulError(
                .usage, "nomor pendaftaran '\(input)' harus berbentuk KK-TT-NNNNN-C, misalnya 01-26-00042-7")
        }
        let digits = parts.dropLast().joined()
        guard Damm.checkDigit(digits) == Int(parts[3])! else {
            throw SimpulError(.usage, "nomor pendaftaran '\(input)' salah ketik: digit periksa tidak cocok")
        }
        self.text = input
    }

    public var description: String { text }

    public static func < (a: RegistrationNumber, b: RegistrationNumber) -> Bool { a.text < b.text }
}

/// The Damm algorithm: one check digit that detects all single-digit errors and all adjacent
/// transpositions.
enum Damm {
    private static let table: [[Int]] = [
        [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
        [4, 2, 0, 6, 8, 7, 1, 3, 5, 9], [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
        [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
        [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
        [9, 4, 3, 8, 6, 1, 7, 2, 0, 5], [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
    ]

    static func checkDigit(_ digits: String) -> Int {
        var interim = 0
        for c in digits { interim = table[interim][Int(String(c))!] }
        return interim
    }
}
