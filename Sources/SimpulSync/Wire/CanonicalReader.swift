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
            let keyEnd = try string(at: j)
            let key = UnsafeBufferPointer(rebasing: bytes[(j + 1)..<(keyEnd - 1)])
            if let previous, !Self.ascending(previous, key) {
                throw fail(j, "kunci objek tidak urut atau berulang")
            }
            if key.contains(UInt8(ascii: "\\")) { throw fail(j, "kunci objek memakai escape") }
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

    func string(at i: Int) throws(Malformed) -> Int {
        guard try byte(i) == UInt8(ascii: "\"") else { throw fail(i, "string diharapkan") }
        var j = i + 1
        while true {
            let c = try byte(j)
            switch c {
            case UInt8(ascii: "\""):
                return j + 1
            case UInt8(ascii: "\\"):
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
            default:
                guard c >= 0x20 else { throw fail(j, "karakter kendali tanpa escape") }
                j += 1
            }
        }
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
