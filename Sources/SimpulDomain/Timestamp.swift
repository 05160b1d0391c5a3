/// A wall-clock instant in milliseconds since 1970 UTC, written as ISO 8601 (`2026-03-02T02:15:00.000Z`).
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.mmm](Z|+HH:MM|-HH:MM)`.
    public init?(iso text: String) {
        // Byte by byte: every position of the format is ASCII, and change sets carry one per event.
        var text = text
        let parsed = text.withUTF8 { Timestamp.parse($0) }
        guard let parsed else { return nil }
        milliseconds = parsed
    }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        func digits(_ at: Int, _ count: Int) -> Int? { readDigits(b, at, count) }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), let y = digits(0, 4), let mo = digits(5, 2),
            let d = digits(8, 2), let date = LocalDate(year: y, month: mo, day: d), let hh = digits(11, 2),
            let mm = digits(14, 2), let ss = digits(17, 2), hh < 24, mm < 60, ss < 60
        else { return nil }
        var i = 19
        var ms = 0
        if b[i] == UInt8(ascii: ".") {
            guard b.count >= i + 4, let v = digits(i + 1, 3) else { return nil }
            ms = v
            i += 4
            guard i < b.count else { return nil }
        }
        var offsetMinutes = 0
        if b[i] == UInt8(ascii: "Z") {
            guard b.count == i + 1 else { return nil }
        } else {
            guard b.count == i + 6, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"),
                b[i + 3] == UInt8(ascii: ":"), let oh = digits(i + 1, 2), let om = digits(i + 4, 2)
            else { return nil }
            offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        }
        let seconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(hh * 3600 + mm * 60 + ss) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(ms)
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
        let msOfDay = Int(floorMod(milliseconds, 86_400_000))
        guard (0...9999).contains(date.year) else {
            func p(_ v: Int, _ w: Int) -> String { String(v).leftPadded(to: w) }
            return "\(date)T\(p(msOfDay / 3_600_000, 2)):\(p(msOfDay / 60_000 % 60, 2)):"
                + "\(p(msOfDay / 1000 % 60, 2)).\(p(msOfDay % 1000, 3))Z"
        }
        // Written into a fixed buffer: every event stored or sent formats its time.
        return String(unsafeUninitializedCapacity: 24) { out in
            date.write(into: out)
            out[10] = UInt8(ascii: "T")
            writeDigits(msOfDay / 3_600_000, width: 2, into: out, at: 11)
            out[13] = UInt8(ascii: ":")
            writeDigits(msOfDay / 60_000 % 60, width: 2, into: out, at: 14)
            out[16] = UInt8(ascii: ":")
            writeDigits(msOfDay / 1000 % 60, width: 2, into: out, at: 17)
            out[19] = UInt8(ascii: ".")
            writeDigits(msOfDay % 1000, width: 3, into: out, at: 20)
            out[23] = UInt8(ascii: "Z")
            return 24
        }
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
