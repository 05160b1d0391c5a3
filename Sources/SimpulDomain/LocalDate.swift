/// A calendar date with no time zone, as printed on a tanda terima (`2026-03-02`).
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date when year, month and day form a real calendar date.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...LocalDate.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso: String) {
        var iso = iso
        let parsed = iso.withUTF8 { b -> (Int, Int, Int)? in
            guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), let y = readDigits(b, 0, 4),
                let m = readDigits(b, 5, 2), let d = readDigits(b, 8, 2)
            else { return nil }
            return (y, m, d)
        }
        guard let (y, m, d) = parsed else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Days since 1970-01-01 (negative before), after Howard Hinnant's `days_from_civil`.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01, after Howard Hinnant's `civil_from_days`.
    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// ISO weekday: 1 Monday ... 7 Sunday.
    public var isoWeekday: Int {
        let w = (daysSinceEpoch + 3) % 7  // 1970-01-01 was a Thursday
        return (w < 0 ? w + 7 : w) + 1
    }

    public var isWeekend: Bool { isoWeekday >= 6 }

    public var description: String {
        guard (0...9999).contains(year) else {
            return
                "\(String(year).leftPadded(to: 4))-\(String(month).leftPadded(to: 2))-\(String(day).leftPadded(to: 2))"
        }
        return String(unsafeUninitializedCapacity: 10) { out in
            write(into: out)
            return 10
        }
    }

    /// Writes `YYYY-MM-DD` into the first ten bytes (year 0 to 9999).
    func write(into out: UnsafeMutableBufferPointer<UInt8>) {
        writeDigits(year, width: 4, into: out, at: 0)
        out[4] = UInt8(ascii: "-")
        writeDigits(month, width: 2, into: out, at: 5)
        out[7] = UInt8(ascii: "-")
        writeDigits(day, width: 2, into: out, at: 8)
    }

    /// The date as officers read it: `Senin, 2 Maret 2026`.
    public var indonesian: String {
        let days = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
        let months = [
            "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
            "Oktober", "November", "Desember",
        ]
        return "\(days[isoWeekday - 1]), \(day) \(months[month - 1]) \(year)"
    }

    /// The date as a letter is dated: `2 Maret 2026`.
    public var indonesianDate: String { String(indonesian.drop { $0 != " " }.dropFirst()) }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = LocalDate(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad date"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

/// Writes `value` (non-negative, fitting `width`) as zero-padded decimal digits.
func writeDigits(_ value: Int, width: Int, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
    var v = value
    var i = start + width - 1
    while i >= start {
        out[i] = UInt8(48 + v % 10)
        v /= 10
        i -= 1
    }
}

/// The number written by `count` ASCII digits at `at`, or nil when any is not a digit.
func readDigits(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
    var v = 0
    for i in at..<at + count {
        let d = Int(b[i]) - 48
        guard d >= 0 && d <= 9 else { return nil }
        v = v * 10 + d
    }
    return v
}
