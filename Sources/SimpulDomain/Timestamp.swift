/// A wall-clock instant in milliseconds since 1970 UTC, written as ISO 8601 (`2026-03-02T02:15:00.000Z`).
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.mmm](Z|+HH:MM|-HH:MM)`.
    public init?(iso text: String) {
        let chars = Array(text)
        let digitPositions = [11, 12, 14, 15, 17, 18]
        guard chars.count >= 20, chars[10] == "T", chars[13] == ":", chars[16] == ":",
            digitPositions.allSatisfy({ chars[$0].isASCIIDigit }),
            let date = LocalDate(iso: String(chars[0..<10])),
            let hh = Int(String(chars[11..<13])), let mm = Int(String(chars[14..<16])),
            let ss = Int(String(chars[17..<19])), hh < 24, mm < 60, ss < 60
        else { return nil }
        var i = 19
        var ms = 0
        if chars[i] == "." {
            let start = i + 1
            i = start
            while i < chars.count, chars[i].isASCIIDigit { i += 1 }
            guard i - start == 3 else { return nil }
            ms = Int(String(chars[start..<i]))!
        }
        var offsetMinutes = 0
        let zone = String(chars[i...])
        if zone != "Z" {
            let z = Array(zone)
            guard z.count == 6, z[0] == "+" || z[0] == "-", z[3] == ":",
                [1, 2, 4, 5].allSatisfy({ z[$0].isASCIIDigit }), let oh = Int(String(z[1...2])),
                let om = Int(String(z[4...5]))
            else { return nil }
            offsetMinutes = (oh * 60 + om) * (z[0] == "-" ? -1 : 1)
        }
        let seconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(hh * 3600 + mm * 60 + ss) - Int64(offsetMinutes * 60)
        milliseconds = seconds * 1000 + Int64(ms)
    }

    /// The date at a UTC offset (WIB +7, WITA +8, WIT +9).
    public func localDate(offsetMinutes: Int) -> LocalDate {
        let shifted = milliseconds + Int64(offsetMinutes) * 60_000
        return LocalDate(daysSinceEpoch: Int(floorDiv(shifted, 86_400_000)))
    }

    /// `2026-03-02 09:15` at the given offset, as officers read times.
    public func localText(offsetMinutes: Int) -> String {
        let shifted = milliseconds + Int64(offsetMinutes) * 60_000
        let minuteOfDay = Int(floorMod(shifted, 86_400_000) / 60_000)
        return
            "\(localDate(offsetMinutes: offsetMinutes)) \(String(minuteOfDay / 60).leftPadded(to: 2)):\(String(minuteOfDay % 60).leftPadded(to: 2))"
    }

    public var description: String {
        let date = LocalDate(daysSinceEpoch: Int(floorDiv(milliseconds, 86_400_000)))
        let msOfDay = floorMod(milliseconds, 86_400_000)
        let h = msOfDay / 3_600_000
        let m = msOfDay / 60_000 % 60
        let s = msOfDay / 1000 % 60
        let ms = msOfDay % 1000
        func p(_ v: Int64, _ w: Int) -> String { String(v).leftPadded(to: w) }
        return "\(date)T\(p(h, 2)):\(p(m, 2)):\(p(s, 2)).\(p(ms, 3))Z"
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let t = Timestamp(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad timestamp"))
        }
        self = t
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
private func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }

/// The Indonesian time zones a node can be in.
public enum Zona: String, Sendable, Codable, CaseIterable {
    case wib = "WIB"
    case wita = "WITA"
    case wit = "WIT"

    public var offsetMinutes: Int {
        switch self {
        case .wib: 7 * 60
        case .wita: 8 * 60
        case .wit: 9 * 60
        }
    }
}
