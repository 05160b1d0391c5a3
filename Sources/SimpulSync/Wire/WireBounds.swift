import SimpulDomain

/// Bounds on what a request or an answer may carry beyond what the canonical reader checks: numbers
/// that JSON decoding takes as `UInt64` or `Int` but the store keeps in signed 64-bit columns, and how
/// many items one answer may hold. Each is documented in sync-schemas/README.md, "Bounds"; a value
/// outside them is refused as `malformed`, naming the field, and never reaches an arithmetic trap.
public enum WireBounds {
    /// The largest seq a version vector may name: 2^53 - 1, as in a change set (`CanonicalReader`).
    public static let maxSeq: UInt64 = (1 << 53) - 1
    /// The largest `maxBytes` a pull may ask for (the hub then answers at most 16 MiB anyway).
    public static let maxPullBytes = Int(maxSeq)
    /// The most change sets one pull answer carries, and the most an agent takes from one.
    public static let maxPullChangeSets = 4_096
    /// The most keys one pull answer carries.
    public static let maxPullKeys = 4_096
    /// The most partitions one knowledge request or version vector map may name.
    public static let maxPartitions = 64
    /// The most writers one version vector may name.
    public static let maxWriters = 1_024
    /// The longest `Simpul-Offset`, `Simpul-Size` or `Range` header read (digits of Int64 and some).
    public static let maxNumberHeader = 64

    /// Checks a version vector per partition, as read from `field` of a body.
    public static func check(_ knowledge: [String: VersionVector], field: String) throws(SyncError) {
        guard knowledge.count <= maxPartitions else {
            throw SyncError(.malformed, "\(field): lebih dari \(maxPartitions) partisi")
        }
        for (partition, vv) in knowledge.sorted(by: { $0.key < $1.key }) {
            try check(vv, field: "\(field).\(partition.prefix(40))")
        }
    }

    /// Checks one version vector, as read from `field` of a body.
    public static func check(_ vv: VersionVector, field: String) throws(SyncError) {
        guard vv.entries.count <= maxWriters else {
            throw SyncError(.malformed, "\(field): lebih dari \(maxWriters) penulis")
        }
        for (node, seq) in vv.entries.sorted(by: { $0.key < $1.key }) where seq > maxSeq {
            throw SyncError(.malformed, "\(field).\(node.prefix(40)) = \(seq) melebihi 2^53 - 1 (\(maxSeq))")
        }
    }

    /// A non-negative integer header of at most `maxNumberHeader` characters, or nil.
    static func header(_ text: String?) -> Int64? {
        guard let text, text.utf8.count <= maxNumberHeader, let value = Int64(text), value >= 0 else { return nil }
        return value
    }
}
