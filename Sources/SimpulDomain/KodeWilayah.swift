/// A Kemendagri area code: provinsi `33`, kabupaten/kota `33.74`, kecamatan `33.74.01`,
/// desa/kelurahan `33.74.01.1001`.
public struct KodeWilayah: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public enum Level: Int, Sendable, Comparable {
        case provinsi = 1, kabupaten, kecamatan, desa
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    /// The dotted code as published (`33.74.01`).
    public let code: String
    public let level: Level

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let widths = [2, 2, 2, 4]
        guard (1...4).contains(parts.count) else { return nil }
        for (i, p) in parts.enumerated() {
            guard p.count == widths[i], p.allSatisfy(\.isASCIIDigit) else { return nil }
        }
        self.code = text
        self.level = Level(rawValue: parts.count)!
    }

    /// The code of the enclosing area (`33.74` for `33.74.01`), or nil for a provinsi.
    public var parent: KodeWilayah? {
        guard let dot = code.lastIndex(of: ".") else { return nil }
        return KodeWilayah(String(code[..<dot]))
    }

    /// The last group of digits (`01` for `33.74.01`).
    public var localPart: String { String(code.split(separator: ".").last!) }

    public var description: String { code }

    public static func < (a: KodeWilayah, b: KodeWilayah) -> Bool { a.code < b.code }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let k = KodeWilayah(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad kode"))
        }
        self = k
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(code)
    }
}

/// Names of the Kemendagri areas a node needs (kabupaten and kecamatan), from `conf/wilayah.tsv`.
public struct Wilayah: Sendable {
    public private(set) var names: [String: String]

    public init(names: [String: String]) { self.names = names }

    /// Parses the `kode<TAB>nama` format of the Kemendagri list.
    public static func parse(tsv: String, source: String) throws(SimpulError) -> Wilayah {
        var names: [String: String] = [:]
        var lineNumber = 0
        for line in tsv.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            if lineNumber == 1 && line.hasPrefix("kode\t") { continue }
            let fields = line.split(separator: "\t", maxSplits: 1)
            guard fields.count == 2, KodeWilayah(String(fields[0])) != nil else {
                throw SimpulError(
                    .configuration, "\(source):\(lineNumber): harus 'kode<TAB>nama' dengan kode Kemendagri")
            }
            names[String(fields[0])] = String(fields[1])
        }
        return Wilayah(names: names)
    }

    public func name(of code: KodeWilayah) -> String? { names[code.code] }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && ("0"..."9").contains(self) }
}
