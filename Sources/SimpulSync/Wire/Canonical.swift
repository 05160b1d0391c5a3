import Foundation

/// Canonical JSON: object keys sorted, no insignificant white space, strings as UTF-8 with only `"`,
/// `\` and control characters escaped, integers only. For the values Simpul signs (integers,
/// strings without control characters, booleans, objects, arrays) this is the JSON Canonicalization
/// Scheme of RFC 8785, so another implementation can compute the same hash.
public enum Canonical {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal.
    public var hex: String {
        var out = ""
        for b in self {
            out.append(Character(Unicode.Scalar(hexDigits[Int(b >> 4)])))
            out.append(Character(Unicode.Scalar(hexDigits[Int(b & 0x0f)])))
        }
        return out
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

extension Array where Element == UInt8 {
    /// Parses lowercase or uppercase hexadecimal; nil on anything else.
    public init?(hex: String) {
        guard hex.utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        self = out
    }
}
