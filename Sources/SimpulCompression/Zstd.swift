import CZstd
import SimpulDomain

/// Why compressing or decompressing failed.
public struct ZstdError: SimpulFailure {
    public enum Code: String, Sendable {
        /// The input is not a zstd frame, is truncated, or was made with another dictionary.
        case corrupt
        /// The decompressed content would pass the size the caller allows.
        case tooLarge
        case failed
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)? { nil }

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var headline: String { "\(code.rawValue): \(message)" }
}

/// A zstd dictionary, digested once for compressing and decompressing with it.
///
/// `@unchecked Sendable`, and true without a lock: every property is a `let` set in `init`, and the
/// two C objects behind the pointers are never written after `ZSTD_createCDict`/`ZSTD_createDDict`
/// return. zstd.h: "ZSTD_CDict can be created once and shared by multiple threads concurrently, since
/// its usage is read-only"; a `ZSTD_DDict` is likewise only read (every decompression takes it as
/// `const`). The mutable state lives in a context per call (`Zstd.compress` and `Zstd.decompress`
/// make their own). `deinit` frees both once no thread holds a reference.
public final class ZstdDictionary: @unchecked Sendable {
    let compression: OpaquePointer
    let decompression: OpaquePointer
    /// The dictionary id written into every frame made with it.
    public let id: UInt32
    public let bytes: [UInt8]

    /// Digests a dictionary (as `Zstd.train` makes, or the `zstd --train` tool) for `level`.
    public init(_ bytes: [UInt8], level: Int32 = Zstd.defaultLevel) throws(ZstdError) {
        let made = bytes.withUnsafeBytes { raw in
            (
                ZSTD_createCDict(raw.baseAddress, raw.count, level),
                ZSTD_createDDict(raw.baseAddress, raw.count)
            )
        }
        guard let c = made.0, let d = made.1 else {
            if let c = made.0 { ZSTD_freeCDict(c) }
            if let d = made.1 { ZSTD_freeDDict(d) }
            throw ZstdError(.failed, "kamus zstd tidak bisa dimuat")
        }
        compression = c
        decompression = d
        id = bytes.withUnsafeBytes { ZDICT_getDictID($0.baseAddress, $0.count) }
        self.bytes = bytes
    }

    deinit {
        ZSTD_freeCDict(compression)
        ZSTD_freeDDict(decompression)
    }
}

/// zstd compression of whole buffers (libzstd).
public enum Zstd {
    /// The level Simpul compresses at unless told otherwise (see the README's performance section).
    public static let defaultLevel: Int32 = 3

    /// The four bytes every zstd frame starts with.
    public static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    public static func isFrame(_ bytes: [UInt8]) -> Bool { bytes.starts(with: magic) }

    /// The dictionary id a frame names (0: none, or not a frame).
    public static func dictionaryID(ofFrame bytes: UnsafeRawBufferPointer) -> UInt32 {
        ZSTD_getDictID_fromFrame(bytes.baseAddress, bytes.count)
    }

    /// Compresses `bytes` into one frame that records its content size.
    public static func compress(
        _ bytes: [UInt8], level: Int32 = defaultLevel, dictionary: ZstdDictionary? = nil
    ) -> [UInt8] {
        let bound = ZSTD_compressBound(bytes.count)
        var out = [UInt8](repeating: 0, count: bound)
        let written = out.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in
                let context = ZSTD_createCCtx()
                defer { ZSTD_freeCCtx(context) }
                if let dictionary {
                    return ZSTD_compress_usingCDict(
                        context, dst.baseAddress, dst.count, src.baseAddress, src.count, dictionary.compression)
                }
                return ZSTD_compressCCtx(context, dst.baseAddress, dst.count, src.baseAddress, src.count, level)
            }
        }
        // With a buffer of ZSTD_compressBound bytes compression cannot fail for want of room.
        precondition(ZSTD_isError(written) == 0, "zstd: \(String(cString: ZSTD_getErrorName(written)))")
        out.removeSubrange(written...)
        return out
    }

    /// Decompresses one or more concatenated frames, refusing content larger than `limit` bytes
    /// (a small body must not be able to expand into gigabytes).
    ///
    /// - Parameter windowLogMax: Refuses frames that need a window larger than 2^windowLogMax bytes,
    ///   so a hostile frame cannot make the decoder allocate much memory (nil: zstd's default, 2^27).
    public static func decompress(
        _ bytes: [UInt8], limit: Int, dictionary: ZstdDictionary? = nil, windowLogMax: Int32? = nil
    ) throws(ZstdError) -> [UInt8] {
        guard !bytes.isEmpty else { throw ZstdError(.corrupt, "isi terkompresi kosong") }
        let stream = ZSTD_createDStream()
        defer { ZSTD_freeDStream(stream) }
        if let windowLogMax {
            let set = ZSTD_DCtx_setParameter(stream, ZSTD_d_windowLogMax, windowLogMax)
            guard ZSTD_isError(set) == 0 else { throw ZstdError(.failed, "batas jendela zstd tidak bisa dipasang") }
        }
        if let dictionary { ZSTD_DCtx_refDDict(stream, dictionary.decompression) }
        var out: [UInt8] = []
        out.reserveCapacity(min(limit, max(bytes.count * 4, 4096)))
        var chunk = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
        var last = 0
        var failure: ZstdError?
        bytes.withUnsafeBytes { src in
            var input = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            while true {
                let (result, produced) = chunk.withUnsafeMutableBytes { dst in
                    var output = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let r = ZSTD_decompressStream(stream, &output, &input)
                    return (r, output.pos)
                }
                if ZSTD_isError(result) != 0 {
                    failure = ZstdError(.corrupt, "isi zstd rusak: \(String(cString: ZSTD_getErrorName(result)))")
                    return
                }
                guard out.count + produced <= limit else {
                    failure = ZstdError(.tooLarge, "isi zstd melebihi batas \(limit) byte")
                    return
                }
                out.append(contentsOf: chunk[0..<produced])
                last = result
                // Stop as soon as the last frame is whole: asked again with no input, the decoder starts
                // a next frame and asks for its header (a non-zero hint), which would read as truncated
                // whenever a frame's content filled the chunk exactly (a multiple of 128 KiB).
                if input.pos == input.size && (result == 0 || produced < chunk.count) { return }
            }
        }
        if let failure { throw failure }
        // A non-zero hint at the end of the input means the last frame is incomplete.
        guard last == 0 else { throw ZstdError(.corrupt, "isi zstd terpotong") }
        return out
    }

    /// Trains a dictionary of at most `capacity` bytes from sample documents.
    public static func train(samples: [[UInt8]], capacity: Int) throws(ZstdError) -> [UInt8] {
        let joined = samples.flatMap { $0 }
        let sizes = samples.map { $0.count }
        var out = [UInt8](repeating: 0, count: capacity)
        let written = out.withUnsafeMutableBytes { dst in
            joined.withUnsafeBytes { src in
                ZDICT_trainFromBuffer(dst.baseAddress, dst.count, src.baseAddress, sizes, UInt32(sizes.count))
            }
        }
        guard ZDICT_isError(written) == 0 else {
            throw ZstdError(.failed, "kamus zstd tidak bisa dilatih: \(String(cString: ZDICT_getErrorName(written)))")
        }
        out.removeSubrange(written...)
        return out
    }
}
