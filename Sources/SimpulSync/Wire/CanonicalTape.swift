/// The values of canonical JSON as `CanonicalReader` finds them, one node per value in document
/// order: what the reader's single pass over the received bytes leaves behind, so that building the
/// values (`TapeDecoder`) walks these nodes instead of parsing the bytes a second time.
///
/// An object's node is followed by its members, each a key node and then the value's nodes; an
/// array's by its elements. `next` of an object or array is the index just after its last
/// descendant, so a container's children are found by hopping from one to the next.
struct CanonicalTape: Sendable {
    enum Kind: UInt8, Sendable {
        case object, array, string, escapedString, number, bool, null
    }

    struct Node: Sendable {
        var kind: Kind
        /// For a string, the bytes between its quotes; for a number its digits; for `true`, `false`
        /// and `null` the word; for an object or array the whole value.
        var start: Int
        var end: Int
        /// The index after this node and its descendants.
        var next: Int
    }

    var nodes: [Node] = []

    /// Reads the value starting at `i` as `value(at:)` does, recording its nodes; returns the index
    /// just after it in the bytes.
    mutating func record(_ r: CanonicalReader, at i: Int, depth: Int = 0) throws(CanonicalReader.Malformed) -> Int {
        guard depth <= CanonicalReader.maxDepth else {
            throw r.fail(i, "nilai bersarang lebih dari \(CanonicalReader.maxDepth) tingkat")
        }
        let index = nodes.count
        switch try r.byte(i) {
        case UInt8(ascii: "{"):
            nodes.append(Node(kind: .object, start: i, end: i, next: index))
            let end = try r.object(at: i) { key, start throws(CanonicalReader.Malformed) in
                // The reader has checked the key: a plain string just before the ':' at `start - 1`.
                let keyStart = start - 2 - key.count
                nodes.append(Node(kind: .string, start: keyStart, end: start - 2, next: nodes.count + 1))
                return try record(r, at: start, depth: depth + 1)
            }
            nodes[index].end = end
            nodes[index].next = nodes.count
            return end
        case UInt8(ascii: "["):
            nodes.append(Node(kind: .array, start: i, end: i, next: index))
            let end = try r.array(at: i) { start throws(CanonicalReader.Malformed) in
                try record(r, at: start, depth: depth + 1)
            }
            nodes[index].end = end
            nodes[index].next = nodes.count
            return end
        case UInt8(ascii: "\""):
            let (end, escaped) = try r.stringEscapes(at: i)
            nodes.append(Node(kind: escaped ? .escapedString : .string, start: i + 1, end: end - 1, next: index + 1))
            return end
        case UInt8(ascii: "t"):
            let end = try r.literal("true", at: i)
            nodes.append(Node(kind: .bool, start: i, end: end, next: index + 1))
            return end
        case UInt8(ascii: "f"):
            let end = try r.literal("false", at: i)
            nodes.append(Node(kind: .bool, start: i, end: end, next: index + 1))
            return end
        case UInt8(ascii: "n"):
            let end = try r.literal("null", at: i)
            nodes.append(Node(kind: .null, start: i, end: end, next: index + 1))
            return end
        default:
            let end = try r.integer(at: i)
            nodes.append(Node(kind: .number, start: i, end: end, next: index + 1))
            return end
        }
    }
}
