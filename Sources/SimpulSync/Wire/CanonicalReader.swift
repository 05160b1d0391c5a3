/// Reads canonical JSON (the form `Canonical.encode` writes) straight from the bytes, without
/// building values: it checks the form and tells where each member sits, so that a received change
/// set is hashed, stored and relayed as exactly the bytes that came, never re-encoded.
///
/// Canonical here means: no insignificant white space; object keys unique and in ascending byte
/// order; integers only, without leading zeros or `-0`; strings escaping only `"`, `\` and control
/// characters (`\b \t \n \f \r` short, the others as lowercase `\u00xx`).
struct CanonicalReader {
    struct Malformed: Error {
        var offset: Int
        var reason: String
    }

    let bytes: UnsafeBufferPointer<UInt8>

    /// How deep values may nest below the point `value(at:)` starts from. The reader recurses once per
    /// level and runs before any signature is checked, so without a bound a small hostile body could
    /// exhaust the stack. Event data nests three levels at most (an object of arrays of objects).
    static let maxDepth = 32

    /// The largest seq, lamport, first, last or context entry the wire carries: 2^53 - 1, so that every
    /// such integer fits the store's signed 64-bit columns with room to count on, and reads the same in
    /// any JSON implementation (sync-schemas/README.md, "Bounds").
    static let maxUnsigned: UInt64 = (1 << 53) - 1

    /// Runs `body` with a reader over `bytes`.
    static func read<T>(_ bytes: [UInt8], _ body: (CanonicalReader) throws(Malformed) -> T) throws(Malformed) -> T {
        try bytes.withUnsafeBufferPointer { buffer throws(Malformed) in try body(CanonicalReader(bytes: buffer)) }
    }

    func fail(_ at: Int, _ reason: String) -> Malformed { Malformed(offset: at, reason: reason) }

    func byte(_ i: Int) throws(Malformed) -> UInt8 {
        guard i < bytes.count else { throw fail(i, "dokumen berakhir terlalu cepat") }
        return bytes[i]
    }

    /// Checks the value starting at `i`, nested at most `maxDepth` levels; returns the index just after it.
    func value(at i: Int, depth: Int = 0) throws(Malformed) -> Int {
        guard depth <= Self.maxDepth else { throw fail(i, "nilai bersarang lebih dari \(Self.maxDepth) tingkat") }
        switch try byte(i) {
        case UInt8(ascii: "{"):
            return try object(at: i) { _, start throws(Malformed) in try value(at: start, depth: depth + 1) }
        case UInt8(ascii: "["):
            return try array(at: i) { start throws(Malformed) in try value(at: start, depth: depth + 1) }
        case UInt8(ascii: "\""): return try string(at: i)
        case UInt8(ascii: "t"): return try literal("true", at: i)
        case UInt8(ascii: "f"): return try literal("false", at: i)
        case UInt8(ascii: "n"): return try literal("null", at: i)
        default: return try integer(at: i)
        }
    }

    /// Walks an object's members; `member` gets the key's bytes (without quotes) and where its value
    /// starts, and returns where the value ends. Returns the index after the closing brace.
    func object(
        at i: Int, _ member: (_ key: UnsafeBufferPointer<UInt8>, _ valueStart: Int) throws(Malformed) -> Int
    ) throws(Malformed) -> Int {
        guard try byte(i) == UInt8(ascii: "{") else { throw fail(i, "objek diharapkan") }
        var j = i + 1
        if try byte(j) == UInt8(ascii: "}") { return j + 1 }
        var previous: UnsafeBufferPointer<UInt8>?
        while true {
            let (keyEnd, escaped) = try stringEscapes(at: j)
            let key = UnsafeBufferPointer(rebasing: bytes[(j + 1)..<(keyEnd - 1)])
            if let previous, !Self.ascending(previous, key) {
                throw fail(j, "kunci objek tidak urut atau berulang")
            }
            if escaped { throw fail(j, "kunci objek memakai escape") }
            previous = key
            guard try byte(keyEnd) == UInt8(ascii: ":") else { throw fail(keyEnd, "':' diharapkan") }
            j = try member(key, keyEnd + 1)
            switch try byte(j) {
            case UInt8(ascii: ","): j += 1
            case UInt8(ascii: "}"): return j + 1
            default: throw fail(j, "',' atau '}' diharapkan")
            }
        }
    }

    /// Where the object starting at `i` ends, found by its braces and quotes alone, without checking
    /// its form: for a value that is read and checked in full later (each change set of a pull
    /// answer, by `ReceivedChangeSet`), so that its bytes are checked once, not twice.
    func skipObject(at i: Int) throws(Malformed) -> Int {
        guard try byte(i) == UInt8(ascii: "{") else { throw fail(i, "objek diharapkan") }
        return try skipContainer(at: i)
    }

    /// Where the array starting at `i` ends, found as `skipObject` finds an object's end.
    func skipArray(at i: Int) throws(Malformed) -> Int {
        guard try byte(i) == UInt8(ascii: "[") else { throw fail(i, "larik diharapkan") }
        return try skipContainer(at: i)
    }

    private func skipContainer(at i: Int) throws(Malformed) -> Int {
        var depth = 0
        var j = i
        while true {
            switch try byte(j) {
            case UInt8(ascii: "\""):
                j += 1
                while try byte(j) != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return j + 1 }
            default:
                break
            }
            j += 1
        }
    }

    /// Walks an array's elements; `element` gets where each starts and returns where it ends.
    func array(at i: Int, _ element: (_ start: Int) throws(Malformed) -> Int) throws(Malformed) -> Int {
        guard try byte(i) == UInt8(ascii: "[") else { throw fail(i, "larik diharapkan") }
        var j = i + 1
        if try byte(j) == UInt8(ascii: "]") { return j + 1 }
        while true {
            j = try element(j)
            switch try byte(j) {
            case UInt8(ascii: ","): j += 1
            case UInt8(ascii: "]"): return j + 1
            default: throw fail(j, "',' atau ']' diharapkan")
            }
        }
    }

    func string(at i: Int) throws(Malformed) -> Int { try stringEscapes(at: i).end }

    /// Checks the string starting at `i`: canonical escapes only, and valid UTF-8 (RFC 8785 hashes
    /// text, so bytes that are not text have no canonical form). Returns the index after its closing
    /// quote and whether it holds any escape.
    func stringEscapes(at i: Int) throws(Malformed) -> (end: Int, escaped: Bool) {
        guard try byte(i) == UInt8(ascii: "\"") else { throw fail(i, "string diharapkan") }
        var j = i + 1
        var escaped = false
        while true {
            let c = try byte(j)
            switch c {
            case UInt8(ascii: "\""):
                return (j + 1, escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                let e = try byte(j + 1)
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    j += 2
                case UInt8(ascii: "u"):
                    // Only control characters without a short form are written as \u00xx.
                    guard j + 5 < bytes.count, bytes[j + 2] == UInt8(ascii: "0"), bytes[j + 3] == UInt8(ascii: "0"),
                        let high = Self.lowerHex(bytes[j + 4]), let low = Self.lowerHex(bytes[j + 5]), high <= 1
                    else { throw fail(j, "escape \\u bukan bentuk kanonik") }
                    switch high << 4 | low {
                    case 0x08, 0x09, 0x0a, 0x0c, 0x0d:
                        throw fail(j, "escape \\u untuk karakter yang punya bentuk pendek")
                    default:
                        j += 6
                    }
                default:
                    throw fail(j, "escape tidak sah")
                }
            case 0x80...:
                j += try utf8Sequence(at: j, lead: c)
            default:
                guard c >= 0x20 else { throw fail(j, "karakter kendali tanpa escape") }
                j += 1
            }
        }
    }

    /// The length of the UTF-8 sequence starting with `lead` (at least 0x80) at `i`, checked as
    /// RFC 3629 has it: no overlong forms, no surrogates, nothing above U+10FFFF.
    private func utf8Sequence(at i: Int, lead: UInt8) throws(Malformed) -> Int {
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xbf
        switch lead {
        case 0xc2...0xdf: length = 2
        case 0xe0:
            length = 3
            low = 0xa0
        case 0xed:
            length = 3
            high = 0x9f
        case 0xe1...0xef: length = 3
        case 0xf0:
            length = 4
            low = 0x90
        case 0xf4:
            length = 4
            high = 0x8f
        case 0xf1...0xf3: length = 4
        default: throw fail(i, "bukan UTF-8 yang sah")
        }
        guard i + length <= bytes.count else { throw fail(i, "bukan UTF-8 yang sah") }
        guard bytes[i + 1] >= low, bytes[i + 1] <= high else { throw fail(i, "bukan UTF-8 yang sah") }
        for k in (i + 2)..<(i + length) where bytes[k] & 0xc0 != 0x80 { throw fail(i, "bukan UTF-8 yang sah") }
        return length
    }

    func integer(at i: Int) throws(Malformed) -> Int {
        var j = i
        if try byte(j) == UInt8(ascii: "-") { j += 1 }
        let first = try byte(j)
        guard Self.isDigit(first) else { throw fail(i, "nilai JSON tidak sah") }
        j += 1
        if first == UInt8(ascii: "0") {
            guard j - i == 1 else { throw fail(i, "-0 bukan bentuk kanonik") }
        } else {
            while j < bytes.count && Self.isDigit(bytes[j]) { j += 1 }
        }
        if j < bytes.count, bytes[j] == UInt8(ascii: ".") || bytes[j] | 0x20 == UInt8(ascii: "e") {
            throw fail(j, "hanya bilangan bulat")
        }
        return j
    }

    /// Parses a non-negative integer of at most `maxUnsigned`.
    func unsigned(at i: Int) throws(Malformed) -> (value: UInt64, end: Int) {
        let end = try integer(at: i)
        guard bytes[i] != UInt8(ascii: "-") else { throw fail(i, "bilangan negatif") }
        var v: UInt64 = 0
        for k in i..<end {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(bytes[k] - 48))
            guard !o1 && !o2 else { throw fail(i, "bilangan terlalu besar") }
            v = s
        }
        guard v <= Self.maxUnsigned else { throw fail(i, "bilangan melebihi batas 2^53-1") }
        return (v, end)
    }

    /// The contents of a string without escapes (identifiers, hex, base64); nil when it has any.
    func plainString(at i: Int) throws(Malformed) -> (value: String?, end: Int) {
        let end = try string(at: i)
        let inner = UnsafeBufferPointer(rebasing: bytes[(i + 1)..<(end - 1)])
        if inner.contains(UInt8(ascii: "\\")) { return (nil, end) }
        return (String(decoding: inner, as: UTF8.self), end)
    }

    /// The text of a string's contents whose escapes the reader has checked: only the short forms
    /// and `\u00xx` occur.
    static func unescaped(_ inner: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(inner.count)
        var i = 0
        while i < inner.count {
            let c = inner[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            switch inner[i + 1] {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "u"):
                // \u00xx with lowercase hex digits.
                func hex(_ c: UInt8) -> UInt8 {
                    c <= UInt8(ascii: "9") ? c - UInt8(ascii: "0") : c - UInt8(ascii: "a") + 10
                }
                out.append(hex(inner[i + 4]) << 4 | hex(inner[i + 5]))
                i += 6
                continue
            default: out.append(inner[i + 1])
            }
            i += 2
        }
        return String(decoding: out, as: UTF8.self)
    }

    func literal(_ word: StaticString, at i: Int) throws(Malformed) -> Int {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard i + w.count <= bytes.count, bytes[i..<(i + w.count)].elementsEqual(w) else {
            throw fail(i, "nilai JSON tidak sah")
        }
        return i + w.count
    }

    static func equals(_ key: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        key.count == name.utf8CodeUnitCount
            && key.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    private static func ascending(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.lexicographicallyPrecedes(b)
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private static func lowerHex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
