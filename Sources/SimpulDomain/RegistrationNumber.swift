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
        switch Self.read(input) {
        case .malformed:
            throw SimpulError(
                .usage, "nomor pendaftaran '\(input)' harus berbentuk KK-TT-NNNNN-C, misalnya 01-26-00042-7")
        case .wrongCheckDigit:
            throw SimpulError(.usage, "nomor pendaftaran '\(input)' salah ketik: digit periksa tidak cocok")
        case .valid:
            self.text = input
        }
    }

    enum Reading: Equatable {
        case malformed
        case wrongCheckDigit
        /// Well formed with a matching check digit; its prefix is the first `prefixLength` bytes.
        case valid(prefixLength: Int)
    }

    /// Reads a number's form and check digit over its bytes: it runs for every event received, in
    /// the authorization checks and the fold.
    static func read(_ input: String) -> Reading {
        var input = input
        return input.withUTF8 { bytes -> Reading in
            // Exactly the generator's form: five digits, more only past 99999 and then with no leading zero.
            var part = 0
            var length = 0
            var lengths = (0, 0, 0, 0)
            var firstOfSequence: UInt8 = 0
            var interim = 0
            var check = 0
            for c in bytes {
                if c == UInt8(ascii: "-") {
                    switch part {
                    case 0: lengths.0 = length
                    case 1: lengths.1 = length
                    case 2: lengths.2 = length
                    default: return .malformed
                    }
                    part += 1
                    length = 0
                    continue
                }
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return .malformed }
                let digit = Int(c - UInt8(ascii: "0"))
                if part == 3 {
                    check = digit
                } else {
                    interim = Damm.table[interim][digit]
                }
                if part == 2 && length == 0 { firstOfSequence = c }
                length += 1
            }
            guard part == 3 else { return .malformed }
            lengths.3 = length
            guard (2...3).contains(lengths.0), lengths.1 == 2,
                lengths.2 == 5 || (lengths.2 > 5 && firstOfSequence != UInt8(ascii: "0")), lengths.3 == 1
            else { return .malformed }
            return interim == check ? .valid(prefixLength: lengths.0) : .wrongCheckDigit
        }
    }

    public var description: String { text }

    public static func < (a: RegistrationNumber, b: RegistrationNumber) -> Bool { a.text < b.text }
}

/// The Damm algorithm: one check digit that detects all single-digit errors and all adjacent
/// transpositions.
enum Damm {
    static let table: [[Int]] = [
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
