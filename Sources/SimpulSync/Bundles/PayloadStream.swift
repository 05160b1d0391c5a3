import Crypto
import Foundation
import SimpulDomain
import SimpulStore

/// ChaCha20-Poly1305 over chunks, with the STREAM nonce of age: an 11-byte big-endian chunk counter and
/// a last-chunk flag byte, so a reordered, dropped or appended chunk does not authenticate.
struct PayloadStream {
    let key: SymmetricKey
    private(set) var counter: UInt64 = 0

    init(key: SymmetricKey) { self.key = key }

    static func nonce(counter: UInt64, final: Bool) -> ChaChaPoly.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        for i in 0..<8 { bytes[3 + i] = UInt8(truncatingIfNeeded: counter >> UInt64(8 * (7 - i))) }
        bytes[11] = final ? 1 : 0
        return try! ChaChaPoly.Nonce(data: bytes)
    }

    mutating func seal(_ chunk: [UInt8], final: Bool) throws -> [UInt8] {
        let box = try ChaChaPoly.seal(chunk, using: key, nonce: Self.nonce(counter: counter, final: final))
        counter += 1
        return [UInt8](box.ciphertext) + box.tag
    }

    mutating func open(_ chunk: ArraySlice<UInt8>, final: Bool) throws -> [UInt8] {
        let split = chunk.endIndex - OfflineBundle.tagSize
        let box = try ChaChaPoly.SealedBox(
            nonce: Self.nonce(counter: counter, final: final), ciphertext: chunk[..<split], tag: chunk[split...])
        counter += 1
        return [UInt8](try ChaChaPoly.open(box, using: key))
    }
}
