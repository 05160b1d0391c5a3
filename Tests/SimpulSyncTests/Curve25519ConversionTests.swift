import Crypto
import Foundation
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// The Ed25519 to X25519 conversion that lets a bundle be encrypted to a node's enrolled signing key
/// agrees with swift-crypto's own X25519, and refuses every public key that is no honest Ed25519 key.
@Suite(.timeLimit(.minutes(10))) struct Curve25519ConversionTests {
    @Test func convertedPublicKeysAreSwiftCryptosX25519KeysOfTheSameSeed() throws {
        var rng = SeededGenerator(seed: 25_519)
        for _ in 0..<300 {
            let seed = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let signing = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
            let expected = try Curve25519.KeyAgreement.PrivateKey(
                rawRepresentation: [UInt8](SHA512.hash(data: seed).prefix(32)))
            let converted = try Curve25519Conversion.keyAgreementKey(
                forSigningKey: [UInt8](signing.publicKey.rawRepresentation))
            #expect(converted.rawRepresentation == expected.publicKey.rawRepresentation, "seed \(seed.hex)")
            let privateKey = Curve25519Conversion.keyAgreementKey(for: signing)
            #expect(privateKey.rawRepresentation == expected.rawRepresentation)
        }
    }

    /// Computed independently: u = (1 + y) / (1 - y) with Python integers, equal to the X25519 public key
    /// that Python `cryptography` derives from SHA-512(seed)[:32]. The first two are the example keys of
    /// `sync-schemas/` (seeds SHA-256("simpul example key 33.74.01") and "... 33.74").
    static let knownVectors: [(seed: String, ed25519: String, x25519: String)] = [
        (
            "a84a59f71440cfcd0674faa251f51eb02847997af3fc7f9ec92c0cbd82575dbf",
            "d7a39e77cf221aaf707f32ad34d44b476bbf7ee7dbd3f775be4bf13d0e64518b",
            "2ef7ba1739e150a75410caae838f777903a3f00ac00899bc9a5591a24166fa08"
        ),
        (
            "d7a15f0d9dcf3670396f383e48a90ad0b60ac6f6843e8737e5e0ca866c36db48",
            "616bbbf287f934ea8f06345b256184c241613231165b879320f6c84ee58e3859",
            "1d31d48b8e95d111c49819953b44cc834a233fd47df52f28660f799e14851233"
        ),
        (
            "a54dca182530bb1d6d132cded6237b2ed91e3f721fcb1971174494d6493c9d5c",
            "2fa3c670e1fb2f12fb6b3c04a3014dc627f9fb9ec099840cbe13a878ff73e1dd",
            "f217765714dbde279e86f71a1151343c610f474d42b793ceb17d82d4d1efbe2b"
        ),
        (
            "3460be31201e69fedaa0eee8b9997f5c7c2999fdafe593253cd654af4dfad714",
            "0e6f049892efa19101b080ce8978cbbaf2506b843617b3de58cac11183bd8fe7",
            "62dc81c204eb08f4bdc3979cf6f7d96623baab608a842c5380da1a7b256edc53"
        ),
    ]

    @Test func knownVectorsComputedOutsideSwift() throws {
        for v in Self.knownVectors {
            let seed = try #require([UInt8](hex: v.seed))
            let signing = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
            #expect(signing.publicKey.rawRepresentation.hex == v.ed25519)
            let converted = try Curve25519Conversion.montgomeryU(forSigningKey: try #require([UInt8](hex: v.ed25519)))
            #expect(converted.hex == v.x25519)
            #expect(Curve25519Conversion.keyAgreementKey(for: signing).publicKey.rawRepresentation.hex == v.x25519)
        }
    }

    @Test func bothEndsOfAKeyAgreementReachTheSameSecret() throws {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<20 {
            let seed = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let node = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
            let ephemeral = Curve25519.KeyAgreement.PrivateKey()
            let toNode = try ephemeral.sharedSecretFromKeyAgreement(
                with: try Curve25519Conversion.keyAgreementKey(forSigningKey: [UInt8](node.publicKey.rawRepresentation))
            )
            let atNode = try Curve25519Conversion.keyAgreementKey(for: node).sharedSecretFromKeyAgreement(
                with: ephemeral.publicKey)
            #expect(toNode == atNode)
        }
    }

    /// Small-order encodings are libsodium's blacklist; the mixed-order point is the first example key
    /// plus the point of order 2, (x, y) + (0, -1) = (-x, -y), and y = 2 has no x on the curve (both
    /// computed with Python integers).
    static let refused: [(hex: String, why: Curve25519Conversion.Refusal)] = [
        ("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", .nonCanonical),  // y = p
        ("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", .nonCanonical),  // y = p + 1, also 1
        ("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", .nonCanonical),  // y = 2^255 - 1
        ("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", .nonCanonical),  // y = p, sign set
        ("0100000000000000000000000000000000000000000000000000000000000000", .smallOrder),  // identity
        ("0100000000000000000000000000000000000000000000000000000000000080", .smallOrder),  // identity, sign set
        ("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", .smallOrder),  // order 2
        ("0000000000000000000000000000000000000000000000000000000000000000", .smallOrder),  // order 4
        ("0000000000000000000000000000000000000000000000000000000000000080", .smallOrder),  // order 4
        ("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", .smallOrder),  // order 8
        ("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", .smallOrder),  // order 8
        ("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", .smallOrder),  // order 8
        ("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", .smallOrder),  // order 8
        ("0200000000000000000000000000000000000000000000000000000000000000", .notOnCurve),
        ("165c618830dde5508f80cd52cb2bb4b894408118242c088a41b40ec2f19bae74", .notInPrimeOrderSubgroup),
    ]

    @Test func publicKeysThatAreNoHonestEd25519KeyAreRefused() throws {
        for r in Self.refused {
            let raw = try #require([UInt8](hex: r.hex))
            #expect(throws: r.why, "\(r.hex)") { try Curve25519Conversion.montgomeryU(forSigningKey: raw) }
        }
        #expect(throws: Curve25519Conversion.Refusal.notThirtyTwoBytes) {
            try Curve25519Conversion.montgomeryU(forSigningKey: [UInt8](repeating: 9, count: 31))
        }
    }

    @Test func fieldArithmeticHoldsItsIdentities() throws {
        #expect(
            FieldElement.d.bytes.reversed().hex == "52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3")
        var rng = SeededGenerator(seed: 255)
        let minusOne = FieldElement.zero - .one
        #expect(minusOne.bytes.hex == "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
        #expect(minusOne * minusOne == .one)
        for _ in 0..<50 {
            var bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes[31] &= 0x7f
            guard let a = FieldElement(canonical: bytes) else { continue }
            let b = a * a + FieldElement(3)
            #expect(a * a.inverse == (a == .zero ? .zero : .one))
            #expect(a + b - b == a)
            #expect(a - b + b == a)
            #expect((a + b) * (a - b) == a * a - b * b)
            #expect((a * a).isNonZeroSquare || a == .zero)
        }
        #expect(
            FieldElement(canonical: FieldElement.p.flatMap { limb in (0..<8).map { UInt8(limb >> (8 * $0) & 0xff) } })
                == nil)
    }
}
