import Crypto
import Foundation
import SimpulDomain
import SimpulStore

/// Cuts the plaintext into chunks as it is written; at most one chunk is held in the clear.
struct ChunkWriter {
    var stream: PayloadStream
    let plaintextLength: Int
    private var buffer: [UInt8] = []
    private var written = 0

    init(stream: PayloadStream, plaintextLength: Int) {
        self.stream = stream
        self.plaintextLength = plaintextLength
        buffer.reserveCapacity(OfflineBundle.chunkSize)
    }

    mutating func write(_ bytes: [UInt8], into out: inout [UInt8]) throws(BundleError) {
        var from = 0
        while from < bytes.count {
            // A full buffer is flushed only once more follows: the last chunk must carry the final flag.
            if buffer.count == OfflineBundle.chunkSize { try flush(final: false, into: &out) }
            let take = min(OfflineBundle.chunkSize - buffer.count, bytes.count - from)
            buffer += bytes[from..<(from + take)]
            from += take
            written += take
        }
    }

    mutating func finish(into out: inout [UInt8]) throws(BundleError) {
        precondition(written == plaintextLength)
        try flush(final: true, into: &out)
    }

    private mutating func flush(final: Bool, into out: inout [UInt8]) throws(BundleError) {
        do {
            out += try stream.seal(buffer, final: final)
        } catch {
            throw BundleError(.sealFailed, "isi bundle tidak bisa dienkripsi", cause: error)
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
