import Foundation
import SimpulDomain

/// An `application/x-www-form-urlencoded` body or query string, read with bounds: the web pages'
/// forms are small, and anything larger or stranger is refused before it is looked at.
public struct FormBody: Sendable, Equatable {
    public static let maxBytes = 64 * 1024
    public static let maxFields = 500

    public private(set) var fields: [(name: String, value: String)]

    public init(fields: [(name: String, value: String)] = []) { self.fields = fields }

    public static func == (a: FormBody, b: FormBody) -> Bool {
        a.fields.count == b.fields.count
            && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// - Throws: `SimpulError(.invalidData)` naming what is wrong.
    public init(parsing text: Substring) throws(SimpulError) {
        guard text.utf8.count <= Self.maxBytes else {
            throw SimpulError(.invalidData, "formulir lebih besar dari \(Self.maxBytes / 1024) KB")
        }
        var fields: [(name: String, value: String)] = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            guard fields.count < Self.maxFields else {
                throw SimpulError(.invalidData, "formulir berisi lebih dari \(Self.maxFields) isian")
            }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else {
                throw SimpulError(.invalidData, "formulir: penyandian persen tidak sah")
            }
            fields.append((name, value))
        }
        self.fields = fields
    }

    /// The first value of `name`, trimmed; nil when absent or blank.
    public subscript(name: String) -> String? {
        guard let v = fields.first(where: { $0.name == name })?.value.trimmingCharacters(in: .whitespacesAndNewlines),
            !v.isEmpty
        else { return nil }
        return v
    }

    /// Every value of `name`, in order (checkboxes).
    public func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// Percent-decoding with `+` as a space; nil on a malformed escape or bytes that are not UTF-8.
    public static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let c = utf8[i]
            if c == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if c == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h < utf8.endIndex, utf8.index(after: h) < utf8.endIndex,
                    let hi = hex(utf8[h]), let lo = hex(utf8[utf8.index(after: h)])
                else { return nil }
                bytes.append(hi << 4 | lo)
                i = utf8.index(after: h)
            } else {
                bytes.append(c)
            }
            i = utf8.index(after: i)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    /// Percent-encodes text for a URL query or a cookie value.
    public static func encode(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
                out.unicodeScalars.append(UnicodeScalar(b))
            default: out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
