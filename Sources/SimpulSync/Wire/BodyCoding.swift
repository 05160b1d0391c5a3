import Foundation
import SimpulCompression

/// How sync bodies are compressed on the wire.
///
/// Requests (a change set pushed from a slow kecamatan link) are compressed hard, with a dictionary
/// trained on change sets: a push carries one change set alone, too small for zstd to learn its
/// repetitions. Responses (pulls, many nodes per hub) use a plain zstd frame at a cheaper level, so
/// any HTTP client, libcurl included, can decode them. The README's performance section has the
/// figures these levels were chosen from.
public enum BodyCoding {
    /// `Content-Encoding` of a request body: zstd frames, made with the change set dictionary when
    /// the frame's dictionary id says so.
    public static let requestEncoding = "simpul-zstd"
    public static let responseEncoding = "zstd"
    public static let requestLevel: Int32 = 19
    public static let responseLevel: Int32 = 9
    /// The largest zstd window a request frame may need (2^23 = 8 MiB): the decoder's memory is bounded.
    public static let windowLogMax: Int32 = 23
    /// Bodies smaller than this go as they are: a frame's header would cost more than it saves.
    public static let minimumSize = 256

    /// The dictionary every Simpul node ships (`ChangeSetDictionary.swift`).
    public static let dictionary: ZstdDictionary = {
        // The generated data is checked by a test; failing here would mean a corrupt build.
        guard let bytes = Data(base64Encoded: ChangeSetDictionaryData.base64),
            let dictionary = try? ZstdDictionary([UInt8](bytes), level: requestLevel)
        else { preconditionFailure("the built-in change set dictionary does not load") }
        return dictionary
    }()

    /// A request body ready to send, and the `Content-Encoding` to send it with (nil: as it is).
    public static func encodeRequest(_ body: [UInt8]) -> (body: [UInt8], encoding: String?) {
        guard body.count >= minimumSize else { return (body, nil) }
        return (Zstd.compress(body, level: requestLevel, dictionary: dictionary), requestEncoding)
    }

    /// Reads a request body as sent with `encoding`; refuses content larger than `limit` bytes.
    public static func decodeRequest(_ body: [UInt8], encoding: String?, limit: Int) throws(SyncError) -> [UInt8] {
        switch encoding?.lowercased() {
        case nil, "", "identity":
            return body
        case requestEncoding, responseEncoding:
            let id = body.withUnsafeBytes { Zstd.dictionaryID(ofFrame: $0) }
            guard id == 0 || id == dictionary.id else {
                throw SyncError(
                    .unsupportedEncoding, "isi dikompresi dengan kamus zstd \(id) yang tidak dikenal hub ini")
            }
            do {
                return try Zstd.decompress(
                    body, limit: limit, dictionary: id == 0 ? nil : dictionary, windowLogMax: windowLogMax)
            } catch {
                throw SyncError(
                    error.code == .tooLarge ? .tooLarge : .malformed, "isi terkompresi tidak sah: \(error.message)",
                    cause: error)
            }
        case let other?:
            throw SyncError(
                .unsupportedEncoding, "Content-Encoding '\(other)' tidak didukung (pakai \(requestEncoding))")
        }
    }

    /// A response body and its `Content-Encoding` for a client that sent `acceptEncoding`.
    public static func encodeResponse(_ body: [UInt8], acceptEncoding: String?) -> (body: [UInt8], encoding: String?) {
        guard body.count >= minimumSize, let accept = acceptEncoding, accepts(accept, responseEncoding) else {
            return (body, nil)
        }
        return (Zstd.compress(body, level: responseLevel), responseEncoding)
    }

    /// Whether an `Accept-Encoding` value allows `coding` (a `q=0` entry refuses it).
    static func accepts(_ header: String, _ coding: String) -> Bool {
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let name = parts.first, name == coding || name == "*" else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return q > 0
        }
        return false
    }
}
