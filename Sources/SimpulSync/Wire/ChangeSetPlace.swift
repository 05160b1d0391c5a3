import SimpulDomain

/// Where a change set document says it sits: its partition, its writer and the last seq it holds,
/// read from the bytes as they came without reading its events. A pull uses it to ask for the next
/// answer while the one before is still being read and applied (`SyncClient`); nothing here is
/// trusted or kept, since every document is read and checked in full before it is applied.
struct ChangeSetPlace: Equatable, Sendable {
    var partition: String
    var node: String
    var last: UInt64

    init(partition: String, node: String, last: UInt64) {
        self.partition = partition
        self.node = node
        self.last = last
    }

    /// Reads the place of the signed change set document `document`; nil when it does not say it
    /// plainly (it will be refused when it is read in full).
    init?(document: [UInt8]) {
        var partition: String?
        var node: String?
        var last: UInt64?
        do {
            try CanonicalReader.read(document) { r throws(CanonicalReader.Malformed) in
                _ = try r.object(at: 0) { key, start throws(CanonicalReader.Malformed) in
                    guard CanonicalReader.equals(key, "changeSet") else { return try r.value(at: start) }
                    return try r.object(at: start) { key, start throws(CanonicalReader.Malformed) in
                        if CanonicalReader.equals(key, "events") { return try r.skipArray(at: start) }
                        if CanonicalReader.equals(key, "last") {
                            let (value, end) = try r.unsigned(at: start)
                            last = value
                            return end
                        }
                        if CanonicalReader.equals(key, "node") {
                            let (value, end) = try r.plainString(at: start)
                            node = value
                            return end
                        }
                        if CanonicalReader.equals(key, "partition") {
                            let (value, end) = try r.plainString(at: start)
                            partition = value
                            return end
                        }
                        return try r.value(at: start)
                    }
                }
            }
        } catch {
            return nil
        }
        guard let partition, let node, let last else { return nil }
        self.init(partition: partition, node: node, last: last)
    }

    /// `knowledge` raised by the change sets `documents` say they hold, in the partitions it names
    /// (others are left for a later request to ask about); nil when a document does not say where
    /// it sits.
    static func knowledge(
        _ knowledge: [String: VersionVector], after documents: [[UInt8]]
    ) -> [String: VersionVector]? {
        var out = knowledge
        for document in documents {
            guard let place = ChangeSetPlace(document: document) else { return nil }
            guard var vv = out[place.partition] else { continue }
            vv.include(Dot(node: place.node, seq: place.last))
            out[place.partition] = vv
        }
        return out
    }
}
