/// The id of a replica: a kecamatan's code (`33.74.01`), a PTSP's kabupaten code (`33.74`), or a
/// sub-node of a kecamatan such as a field officer's laptop (`33.74.01-1` ... `33.74.01-9`).
public struct NodeID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let rawValue: String
    /// The area the node serves: its kecamatan, or the kabupaten for a PTSP hub.
    public let wilayah: KodeWilayah
    /// 1-9 for a sub-node, nil for the kecamatan's own node or a hub.
    public let subNode: Int?

    public init?(_ text: String) {
        var code = Substring(text)
        var sub: Int?
        if let dash = text.firstIndex(of: "-") {
            let suffix = text[text.index(after: dash)...]
            guard suffix.count == 1, let n = Int(suffix), (1...9).contains(n) else { return nil }
            sub = n
            code = text[..<dash]
        }
        guard let kode = KodeWilayah(String(code)), kode.level == .kecamatan || (kode.level == .kabupaten && sub == nil)
        else { return nil }
        self.rawValue = text
        self.wilayah = kode
        self.subNode = sub
    }

    /// A hub serves a kabupaten; every other node serves a kecamatan.
    public var isHub: Bool { wilayah.level == .kabupaten }

    /// The partition this node writes permohonan into: its kecamatan code (sub-nodes share it).
    public var homePartition: String { wilayah.code }

    /// The kabupaten's code: the global partition (catalog and calendar), written only by the hub.
    public var kabupaten: KodeWilayah { isHub ? wilayah : wilayah.parent! }

    /// The prefix of registration numbers made at this node, unique inside the kabupaten:
    /// the kecamatan's two digits, then the sub-node digit if any.
    public var registrationPrefix: String { wilayah.localPart + (subNode.map(String.init) ?? "") }

    public var description: String { rawValue }

    public static func < (a: NodeID, b: NodeID) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let n = NodeID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad node id"))
        }
        self = n
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
