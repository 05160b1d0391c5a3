import Crypto
import Foundation
import SimpulDomain
import SimpulStore

/// Parses payload records as chunks are decrypted; holds at most one unfinished record.
struct RecordReader {
    private var buffer: [UInt8] = []
    private var start = 0
    private var contents = BundleContents()
    private var sawKnowledge = false
    private var sawKeys = false
    private var sawBlobsHeld = false

    mutating func feed(_ bytes: [UInt8]) throws(BundleError) {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer += bytes
        while buffer.count - start >= 5 {
            let length = Int(readBigEndian(buffer, at: start + 1))
            guard buffer.count - start - 5 >= length else { break }
            try take(type: buffer[start], body: Array(buffer[(start + 5)..<(start + 5 + length)]))
            start += 5 + length
        }
    }

    mutating func finish() throws(BundleError) -> BundleContents {
        guard start == buffer.count else {
            throw BundleError(.corrupted, "isi bundle berakhir di tengah sebuah catatan")
        }
        return contents
    }

    private mutating func take(type: UInt8, body: [UInt8]) throws(BundleError) {
        switch OfflineBundle.RecordType(rawValue: type) {
        case .changeSet:
            contents.changeSets.append(body)
        case .blob:
            guard body.count >= 32 else { throw BundleError(.corrupted, "lampiran tanpa hash di isi bundle") }
            let bytes = Array(body[32...])
            let hash = [UInt8](SHA256.hash(data: bytes))
            guard hash[...] == body[..<32] else {
                throw BundleError(.corrupted, "lampiran \(body[..<32].hex) di isi bundle tidak cocok dengan hash-nya")
            }
            contents.blobs.append(.init(sha256: hash.hex, bytes: bytes))
        case .knowledge:
            guard !sawKnowledge else { throw BundleError(.corrupted, "isi bundle memuat pengetahuan dua kali") }
            sawKnowledge = true
            do {
                contents.knowledge = try Canonical.decode([String: VersionVector].self, from: body)
            } catch {
                throw BundleError(.corrupted, "pengetahuan di isi bundle tidak bisa dibaca", cause: error)
            }
        case .keys:
            guard !sawKeys else { throw BundleError(.corrupted, "isi bundle memuat daftar kunci dua kali") }
            sawKeys = true
            do {
                contents.keys = try Canonical.decode([NodeKey].self, from: body)
            } catch {
                throw BundleError(.corrupted, "daftar kunci di isi bundle tidak bisa dibaca", cause: error)
            }
        case .blobsHeld:
            guard !sawBlobsHeld else {
                throw BundleError(.corrupted, "isi bundle memuat daftar lampiran yang dipegang dua kali")
            }
            sawBlobsHeld = true
            let names: [String]
            do { names = try Canonical.decode([String].self, from: body) } catch {
                throw BundleError(
                    .corrupted, "daftar lampiran yang dipegang di isi bundle tidak bisa dibaca", cause: error)
            }
            // One way to write it: names of blobs, ascending, each once.
            guard names.allSatisfy(Attachment.isSHA256), zip(names, names.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw BundleError(
                    .corrupted, "daftar lampiran yang dipegang di isi bundle bukan nama SHA-256 yang urut dan unik")
            }
            contents.blobsHeld = names
        case nil:
            throw BundleError(
                .unsupportedVersion, "isi bundle memuat catatan jenis \(type) yang tidak dikenal; perbarui Simpul")
        }
    }
}

/// The bundle format's lengths: four bytes, big-endian.
func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
}

func readBigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
}
