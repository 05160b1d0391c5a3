/// A Nomor Induk Kependudukan: 16 digits, PPKKSS (region of registration) + DDMMYY (birth date,
/// day + 40 for women) + a 4-digit serial.
public struct NIK: Hashable, Sendable, Codable, CustomStringConvertible {
    public let digits: String

    /// A rule a NIK breaks, with the message shown at the counter.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case length(Int)
        case notDigits
        case day(String)
        case month(String)
        case date(String)
        case serial

        public var description: String {
            switch self {
            case .length(let n): return "NIK harus 16 digit, yang diberikan \(n) karakter"
            case .notDigits: return "NIK hanya boleh berisi angka 0-9"
            case .day(let d):
                return "NIK digit 7-8 (tanggal lahir) harus 01-31, atau 41-71 untuk perempuan; tertulis \(d)"
            case .month(let m): return "NIK digit 9-10 (bulan lahir) harus 01-12; tertulis \(m)"
            case .date(let d): return "NIK digit 7-12 (tanggal lahir \(d)) bukan tanggal yang ada di kalender"
            case .serial: return "NIK digit 13-16 (nomor urut) tidak boleh 0000"
            }
        }
    }

    /// Validates the structure of a NIK. A region code that is unknown is not a problem here:
    /// codes change when regions split, so `regionWarning(knownCodes:)` only warns about it.
    public init(validating text: String) throws(Problem) {
        guard text.allSatisfy(\.isASCIIDigit) else {
            // Length is reported first when both are wrong: it is the more common typing slip.
            if text.count != 16 { throw .length(text.count) }
            throw .notDigits
        }
        guard text.count == 16 else { throw .length(text.count) }
        let d = Array(text)
        let ddText = String(d[6...7])
        let mmText = String(d[8...9])
        let yyText = String(d[10...11])
        let dd = Int(ddText)!
        let mm = Int(mmText)!
        let yy = Int(yyText)!
        guard (1...31).contains(dd) || (41...71).contains(dd) else { throw .day(ddText) }
        guard (1...12).contains(mm) else { throw .month(mmText) }
        let day = dd > 40 ? dd - 40 : dd
        // Two-digit years are ambiguous; the date is valid when it exists in either century.
        guard
            LocalDate(year: 1900 + yy, month: mm, day: day) != nil
                || LocalDate(year: 2000 + yy, month: mm, day: day) != nil
        else { throw .date("\(String(day).leftPadded(to: 2))-\(mmText)-\(yyText)") }
        guard String(d[12...15]) != "0000" else { throw .serial }
        self.digits = text
    }

    /// The kecamatan code where the NIK was registered (`33.74.01`).
    public var regionCode: String {
        let d = Array(digits)
        return "\(String(d[0...1])).\(String(d[2...3])).\(String(d[4...5]))"
    }

    public var isFemale: Bool { Int(String(Array(digits)[6...7]))! > 40 }

    /// A warning when the region is not in the given list; nil when it is known.
    public func regionWarning(knownCodes: (String) -> Bool) -> String? {
        knownCodes(regionCode)
            ? nil
            : "kode wilayah NIK \(regionCode) tidak ada di daftar Kemendagri (tetap diterima; kode bisa berubah karena pemekaran)"
    }

    /// The NIK with the birth date and serial hidden, safe for logs and lists: `337401******0001`
    /// keeps the region and the last four digits an officer uses to tell people apart.
    public var masked: String { String(digits.prefix(6)) + "******" + String(digits.suffix(4)) }

    /// Never the full NIK: descriptions end up in logs.
    public var description: String { masked }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try NIK(validating: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(digits)
    }
}
