import SimpulCompression
import SimpulSync
import Testing

/// Whole-buffer zstd: what is compressed comes back, whatever its size, and a cut frame never does.
@Suite("Zstd", .timeLimit(.minutes(10)))
struct ZstdTests {
    /// Bytes that compress like a change set but are not all alike, of any length.
    static func content(_ count: Int) -> [UInt8] {
        let line = Array(#"{"record":"01-26-00064-5","seq":281,"tahap":"operator","officer":"Nur Aini"},"#.utf8)
        return (0..<count).map { i in line[(i + i / 97) % line.count] }
    }

    /// The decoder's output chunk is 128 KiB: content that fills it exactly once or more must come back
    /// whole, not be refused as truncated (which under load refused a few valid pushes).
    @Test(arguments: [1, 131_071, 131_072, 131_073, 262_144, 393_216])
    func contentOfAnySizeComesBack(count: Int) throws {
        let bytes = Self.content(count)
        #expect(try Zstd.decompress(Zstd.compress(bytes), limit: count) == bytes)
        let dictionary = BodyCoding.dictionary
        let packed = Zstd.compress(bytes, dictionary: dictionary)
        #expect(try Zstd.decompress(packed, limit: count, dictionary: dictionary) == bytes)
    }

    @Test func concatenatedFramesComeBackAsOne() throws {
        let first = Self.content(131_072)
        let second = Self.content(1_000)
        let joined = Zstd.compress(first) + Zstd.compress(second) + Zstd.compress(first)
        #expect(try Zstd.decompress(joined, limit: 1 << 20) == first + second + first)
    }

    @Test(arguments: [131_072, 262_144, 200_000])
    func aFrameCutShortIsRefused(count: Int) {
        let frame = Zstd.compress(Self.content(count))
        for cut in [1, 4, frame.count / 2] {
            #expect(throws: ZstdError.self) { try Zstd.decompress(Array(frame.dropLast(cut)), limit: count) }
        }
    }
}
