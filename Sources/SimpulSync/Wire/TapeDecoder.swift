import Foundation

/// A `Decoder` over a `CanonicalTape`: builds `Decodable` values from the nodes the canonical pass
/// recorded, reading from the bytes only the leaves it turns into strings and numbers. It decodes as
/// `JSONDecoder` does with its default strategies: members it is not asked for are ignored, a
/// missing or null member reads as nil where the type allows it, and a value of another JSON type
/// (or a number out of the type's range) is a `DecodingError`.
struct TapeDecoder: Decoder {
    let bytes: [UInt8]
    let tape: [CanonicalTape.Node]
    let index: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(bytes: [UInt8], tape: [CanonicalTape.Node], index: Int, codingPath: [any CodingKey] = []) {
        self.bytes = bytes
        self.tape = tape
        self.index = index
        self.codingPath = codingPath
    }

    /// Decodes the value whose node is `index`.
    static func decode<T: Decodable>(
        _ type: T.Type, bytes: [UInt8], tape: [CanonicalTape.Node], index: Int
    ) throws -> T {
        try T(from: TapeDecoder(bytes: bytes, tape: tape, index: index))
    }

    var node: CanonicalTape.Node { tape[index] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard node.kind == .object else { throw mismatch([String: Int].self, at: codingPath) }
        return KeyedDecodingContainer(Keyed<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard node.kind == .array else { throw mismatch([Int].self, at: codingPath) }
        return Unkeyed(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(decoder: self) }

    func child(_ index: Int, key: any CodingKey) -> TapeDecoder {
        TapeDecoder(bytes: bytes, tape: tape, index: index, codingPath: codingPath + [key])
    }

    func mismatch(_ type: Any.Type, at path: [any CodingKey]) -> DecodingError {
        mismatch(type, node: index, path: path)
    }

    func mismatch(_ type: Any.Type, node: Int, path: [any CodingKey]) -> DecodingError {
        DecodingError.typeMismatch(
            type, .init(codingPath: path, debugDescription: "nilai JSON \(tape[node].kind) bukan \(type)"))
    }

    // MARK: - Leaves

    // Leaves are read by node index, without a decoder of their own: the coding path is built only
    // for an error.

    func string(_ i: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> String {
        let n = tape[i]
        switch n.kind {
        case .string: return bytes.withUnsafeBufferPointer { String(decoding: $0[n.start..<n.end], as: UTF8.self) }
        case .escapedString:
            return bytes.withUnsafeBufferPointer {
                CanonicalReader.unescaped(UnsafeBufferPointer(rebasing: $0[n.start..<n.end]))
            }
        default: throw mismatch(String.self, node: i, path: path())
        }
    }

    func bool(_ i: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard tape[i].kind == .bool else { throw mismatch(Bool.self, node: i, path: path()) }
        return bytes[tape[i].start] == UInt8(ascii: "t")
    }

    func integer<T: FixedWidthInteger>(
        _ type: T.Type, _ i: Int, _ path: @autoclosure () -> [any CodingKey]
    ) throws -> T {
        let n = tape[i]
        guard n.kind == .number else { throw mismatch(type, node: i, path: path()) }
        let negative = bytes[n.start] == UInt8(ascii: "-")
        var magnitude: UInt64 = 0
        for k in (negative ? n.start + 1 : n.start)..<n.end {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(bytes[k] - 48))
            guard !o1 && !o2 else { throw outOfRange(type, path()) }
            magnitude = s
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw outOfRange(type, path()) }
            let value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            guard let v = T(exactly: value) else { throw outOfRange(type, path()) }
            return v
        }
        guard let v = T(exactly: magnitude) else { throw outOfRange(type, path()) }
        return v
    }

    func double(_ i: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> Double {
        let n = tape[i]
        guard n.kind == .number else { throw mismatch(Double.self, node: i, path: path()) }
        let text = bytes.withUnsafeBufferPointer { String(decoding: $0[n.start..<n.end], as: UTF8.self) }
        guard let v = Double(text) else { throw outOfRange(Double.self, path()) }
        return v
    }

    private func outOfRange(_ type: Any.Type, _ path: [any CodingKey]) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "bilangan di luar jangkauan \(type)"))
    }

    // MARK: - Containers

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: TapeDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }

        var allKeys: [Key] {
            let tape = decoder.tape
            let end = tape[decoder.index].next
            var keys: [Key] = []
            var k = decoder.index + 1
            while k < end {
                if let key = Key(stringValue: decoder.text(ofKey: k)) { keys.append(key) }
                k = tape[k + 1].next
            }
            return keys
        }

        /// The node of the member named `key`'s value, if the object has one.
        private func value(_ key: Key) -> Int? {
            var name = key.stringValue
            let tape = decoder.tape
            let end = tape[decoder.index].next
            // Compared as bytes: this runs for every member of every value decoded.
            return name.withUTF8 { wanted in
                decoder.bytes.withUnsafeBufferPointer { bytes -> Int? in
                    var k = decoder.index + 1
                    while k < end {
                        let n = tape[k]
                        if n.end - n.start == wanted.count
                            && (wanted.isEmpty
                                || memcmp(bytes.baseAddress! + n.start, wanted.baseAddress!, wanted.count) == 0)
                        {
                            return k + 1
                        }
                        k = tape[k + 1].next
                    }
                    return nil
                }
            }
        }

        private func find(_ key: Key) throws -> Int {
            guard let v = value(key) else {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: codingPath, debugDescription: "anggota \(key.stringValue) tidak ada"))
            }
            return v
        }

        private func child(_ key: Key) throws -> TapeDecoder { decoder.child(try find(key), key: key) }

        func contains(_ key: Key) -> Bool { value(key) != nil }

        func decodeNil(forKey key: Key) throws -> Bool { decoder.tape[try find(key)].kind == .null }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
            try decoder.bool(try find(key), codingPath + [key])
        }
        func decode(_ type: String.Type, forKey key: Key) throws -> String {
            try decoder.string(try find(key), codingPath + [key])
        }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
            try decoder.double(try find(key), codingPath + [key])
        }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
            Float(try decoder.double(try find(key), codingPath + [key]))
        }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
            try decoder.integer(type, try find(key), codingPath + [key])
        }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
            try decoder.integer(type, try find(key), codingPath + [key])
        }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
            try decoder.integer(type, try find(key), codingPath + [key])
        }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
            try decoder.integer(type, try find(key), codingPath + [key])
        }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
            try decoder.integer(type, try find(key), codingPath + [key])
        }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
            try decoder.integer(type, try find(key), codingPath + [key])
        }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
            try decoder.integer(type, try find(key), codingPath + [key])
        }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
            try decoder.integer(type, try find(key), codingPath + [key])
        }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
            try decoder.integer(type, try find(key), codingPath + [key])
        }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
            try decoder.integer(type, try find(key), codingPath + [key])
        }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: try child(key)) }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type, forKey key: Key
        ) throws -> KeyedDecodingContainer<NestedKey> {
            try child(key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try child(key).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            guard let key = Key(stringValue: "super") else {
                throw DecodingError.keyNotFound(
                    TapeKey("super"), .init(codingPath: codingPath, debugDescription: "anggota super tidak ada"))
            }
            return try child(key)
        }

        func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
    }

    /// The text of a key node (keys never hold escapes in canonical form).
    func text(ofKey index: Int) -> String {
        let n = tape[index]
        return bytes.withUnsafeBufferPointer { String(decoding: $0[n.start..<n.end], as: UTF8.self) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let decoder: TapeDecoder
        /// The node of the next element.
        private var at: Int
        private let end: Int
        private(set) var currentIndex = 0
        var codingPath: [any CodingKey] { decoder.codingPath }

        init(decoder: TapeDecoder) {
            self.decoder = decoder
            at = decoder.index + 1
            end = decoder.tape[decoder.index].next
        }

        var count: Int? {
            var n = 0
            var k = decoder.index + 1
            while k < end {
                n += 1
                k = decoder.tape[k].next
            }
            return n
        }

        var isAtEnd: Bool { at >= end }

        private mutating func next() throws -> TapeDecoder {
            guard at < end else {
                throw DecodingError.valueNotFound(
                    Any.self, .init(codingPath: codingPath, debugDescription: "larik sudah habis"))
            }
            let element = decoder.child(at, key: TapeKey(index: currentIndex))
            at = decoder.tape[at].next
            currentIndex += 1
            return element
        }

        mutating func decodeNil() throws -> Bool {
            guard at < end, decoder.tape[at].kind == .null else { return false }
            _ = try next()
            return true
        }

        /// Reads the next element as a leaf.
        private mutating func leaf<T>(_ read: (TapeDecoder, Int, () -> [any CodingKey]) throws -> T) throws -> T {
            guard at < end else {
                throw DecodingError.valueNotFound(
                    T.self, .init(codingPath: codingPath, debugDescription: "larik sudah habis"))
            }
            let (path, index) = (codingPath, currentIndex)
            let value = try read(decoder, at) { path + [TapeKey(index: index)] }
            at = decoder.tape[at].next
            currentIndex += 1
            return value
        }

        mutating func decode(_ type: Bool.Type) throws -> Bool { try leaf { try $0.bool($1, $2()) } }
        mutating func decode(_ type: String.Type) throws -> String { try leaf { try $0.string($1, $2()) } }
        mutating func decode(_ type: Double.Type) throws -> Double { try leaf { try $0.double($1, $2()) } }
        mutating func decode(_ type: Float.Type) throws -> Float { Float(try leaf { try $0.double($1, $2()) }) }
        mutating func decode(_ type: Int.Type) throws -> Int { try leaf { try $0.integer(type, $1, $2()) } }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try leaf { try $0.integer(type, $1, $2()) } }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try leaf { try $0.integer(type, $1, $2()) } }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try leaf { try $0.integer(type, $1, $2()) } }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try leaf { try $0.integer(type, $1, $2()) } }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try leaf { try $0.integer(type, $1, $2()) } }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try leaf { try $0.integer(type, $1, $2()) } }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try leaf { try $0.integer(type, $1, $2()) } }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try leaf { try $0.integer(type, $1, $2()) } }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try leaf { try $0.integer(type, $1, $2()) } }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: try next()) }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type
        ) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try next().unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder { try next() }
    }

    struct Single: SingleValueDecodingContainer {
        let decoder: TapeDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }

        func decodeNil() -> Bool { decoder.node.kind == .null }
        func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool(decoder.index, codingPath) }
        func decode(_ type: String.Type) throws -> String { try decoder.string(decoder.index, codingPath) }
        func decode(_ type: Double.Type) throws -> Double { try decoder.double(decoder.index, codingPath) }
        func decode(_ type: Float.Type) throws -> Float { Float(try decoder.double(decoder.index, codingPath)) }
        func decode(_ type: Int.Type) throws -> Int { try decoder.integer(type, decoder.index, codingPath) }
        func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(type, decoder.index, codingPath) }
        func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(type, decoder.index, codingPath) }
        func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(type, decoder.index, codingPath) }
        func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(type, decoder.index, codingPath) }
        func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(type, decoder.index, codingPath) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(type, decoder.index, codingPath) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(type, decoder.index, codingPath) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(type, decoder.index, codingPath) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(type, decoder.index, codingPath) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: decoder) }
    }
}

/// A coding key for array elements and `super`, for coding paths in errors.
struct TapeKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
}
