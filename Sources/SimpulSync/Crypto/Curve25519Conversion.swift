import Crypto
import Foundation

/// Turns a node's Ed25519 key into the X25519 key that offline bundles are encrypted to, the way
/// libsodium's `crypto_sign_ed25519_pk_to_curve25519` and `crypto_sign_ed25519_sk_to_curve25519` (and age,
/// ssh-to-age) do, so a node needs no second key to enroll or carry.
///
/// Only public keys go through the field arithmetic here, so it is neither constant-time nor fast; it is
/// checked against swift-crypto's own X25519 for many keys (`Curve25519ConversionTests`).
enum Curve25519Conversion {
    /// Why a public key cannot be converted: what it is, never the key itself.
    enum Refusal: Error, Equatable, CustomStringConvertible {
        case notThirtyTwoBytes
        /// y is not below p: another encoding of a point that has a shorter one.
        case nonCanonical
        /// The identity or another point of order 1, 2, 4 or 8: encryption to it gives a known secret.
        case smallOrder
        /// No point of the curve has this y.
        case notOnCurve
        /// A point outside the prime-order subgroup that every Ed25519 key generator stays in.
        case notInPrimeOrderSubgroup

        var description: String {
            switch self {
            case .notThirtyTwoBytes: "bukan 32 byte"
            case .nonCanonical: "penulisan titik tidak kanonik"
            case .smallOrder: "titik berorde kecil"
            case .notOnCurve: "bukan titik kurva Ed25519"
            case .notInPrimeOrderSubgroup: "titik di luar subgrup berorde prima"
            }
        }
    }

    /// The X25519 private key of an Ed25519 key: the first half of SHA-512 of its seed (the clamped
    /// scalar Ed25519 itself signs with; swift-crypto clamps it on use).
    static func keyAgreementKey(for signingKey: Curve25519.Signing.PrivateKey) -> Curve25519.KeyAgreement.PrivateKey {
        let digest = SHA512.hash(data: signingKey.rawRepresentation)
        // 32 bytes are always a valid X25519 private key.
        return try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](digest.prefix(32)))
    }

    /// The X25519 public key (u) of an Ed25519 public key (y): u = (1 + y) / (1 - y) mod p.
    static func keyAgreementKey(forSigningKey raw: [UInt8]) throws(Refusal) -> Curve25519.KeyAgreement.PublicKey {
        let u = try montgomeryU(forSigningKey: raw)
        return try! Curve25519.KeyAgreement.PublicKey(rawRepresentation: u)
    }

    /// The little-endian bytes of u, after checking that `raw` encodes a point of the prime-order subgroup.
    static func montgomeryU(forSigningKey raw: [UInt8]) throws(Refusal) -> [UInt8] {
        guard raw.count == 32 else { throw .notThirtyTwoBytes }
        // Bit 255 is the sign of x; both signs are points of the curve with the same u.
        var yBytes = raw
        yBytes[31] &= 0x7f
        guard let y = FieldElement(canonical: yBytes) else { throw .nonCanonical }
        // y = 1 is the identity, y = -1 the point of order 2 (u would be 0); both have x = 0.
        guard y != .one, y != FieldElement.zero - .one else { throw .smallOrder }
        // x^2 = (y^2 - 1) / (d y^2 + 1) must have a root (d is not a square, so the divisor is never
        // 0); x = 0 happens only for y = ±1, refused above.
        let y2 = y * y
        let x2 = (y2 - .one) * (FieldElement.d * y2 + .one).inverse
        guard x2.isNonZeroSquare else { throw .notOnCurve }
        let u = (FieldElement.one + y) * (FieldElement.one - y).inverse
        // [8]P = O exactly for the points of order 1, 2, 4 and 8.
        guard !FieldElement.ladderIsInfinity(u: u, scalar: [8]) else { throw .smallOrder }
        // [L]P = O exactly for the points of the prime-order subgroup; a point with a small-order part
        // (P + T) fails, since L is prime and larger than 8.
        guard FieldElement.ladderIsInfinity(u: u, scalar: FieldElement.groupOrder) else {
            throw .notInPrimeOrderSubgroup
        }
        return u.bytes
    }
}

/// An element of GF(2^255 - 19) as four little-endian 64-bit limbs, always fully reduced (below p).
struct FieldElement: Equatable, Sendable {
    private(set) var limbs: [UInt64]

    static let p: [UInt64] = [0xFFFF_FFFF_FFFF_FFED, .max, .max, 0x7FFF_FFFF_FFFF_FFFF]
    static let zero = FieldElement(0)
    static let one = FieldElement(1)
    /// The Edwards curve constant d = -121665 / 121666.
    static let d = (zero - FieldElement(121_665)) * FieldElement(121_666).inverse
    /// L = 2^252 + 27742317777372353535851937790883648493, the order of the prime subgroup.
    static let groupOrder: [UInt64] = [0x5812_631A_5CF5_D3ED, 0x14DE_F9DE_A2F7_9CD6, 0, 0x1000_0000_0000_0000]

    init(_ small: UInt64) { limbs = [small, 0, 0, 0] }

    private init(reduced limbs: [UInt64]) { self.limbs = limbs }

    /// Reads 32 little-endian bytes; nil unless their value (all 256 bits of it) is below p.
    init?(canonical bytes: [UInt8]) {
        precondition(bytes.count == 32)
        var limbs = [UInt64](repeating: 0, count: 4)
        for i in 0..<32 { limbs[i / 8] |= UInt64(bytes[i]) << (8 * UInt64(i % 8)) }
        guard !Self.atLeastP(limbs) else { return nil }
        self.limbs = limbs
    }

    /// 32 little-endian bytes.
    var bytes: [UInt8] { (0..<32).map { UInt8(truncatingIfNeeded: limbs[$0 / 8] >> (8 * UInt64($0 % 8))) } }

    private static func atLeastP(_ a: [UInt64]) -> Bool {
        for i in stride(from: 3, through: 0, by: -1) where a[i] != p[i] { return a[i] > p[i] }
        return true
    }

    /// a - b over 256 bits, wrapping.
    private static func subtract(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var r = [UInt64](repeating: 0, count: 4)
        var borrow: UInt64 = 0
        for i in 0..<4 {
            let (d1, o1) = a[i].subtractingReportingOverflow(b[i])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            r[i] = d2
            borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        return r
    }

    /// Any 256-bit value, reduced below p (2^256 < 3p, so two subtractions at most).
    private static func reduce(_ a: [UInt64]) -> FieldElement {
        var r = a
        while atLeastP(r) { r = subtract(r, p) }
        return FieldElement(reduced: r)
    }

    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        var r = [UInt64](repeating: 0, count: 4)
        var carry: UInt64 = 0
        for i in 0..<4 {
            let (s1, o1) = a.limbs[i].addingReportingOverflow(b.limbs[i])
            let (s2, o2) = s1.addingReportingOverflow(carry)
            r[i] = s2
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        // Both are below p < 2^255, so the sum fits in 256 bits: carry is 0 here.
        return reduce(r)
    }

    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        var r = subtract(a.limbs, b.limbs)
        if less(a.limbs, b.limbs) {
            // r wrapped to a - b + 2^256; adding p wraps once more, leaving a - b + p, in [0, p).
            var carry: UInt64 = 0
            for i in 0..<4 {
                let (s1, o1) = r[i].addingReportingOverflow(p[i])
                let (s2, o2) = s1.addingReportingOverflow(carry)
                r[i] = s2
                carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
            }
        }
        return FieldElement(reduced: r)
    }

    private static func less(_ a: [UInt64], _ b: [UInt64]) -> Bool {
        for i in stride(from: 3, through: 0, by: -1) where a[i] != b[i] { return a[i] < b[i] }
        return false
    }

    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        var t = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 {
            var carry: UInt64 = 0
            for j in 0..<4 {
                let (hi, lo) = a.limbs[i].multipliedFullWidth(by: b.limbs[j])
                let (s1, o1) = t[i + j].addingReportingOverflow(lo)
                let (s2, o2) = s1.addingReportingOverflow(carry)
                t[i + j] = s2
                // a * b + t + carry < 2^128, so the high word never overflows.
                carry = hi + (o1 ? 1 : 0) + (o2 ? 1 : 0)
            }
            t[i + 4] = carry
        }
        // 2^256 = 38 (mod p): fold the high half onto the low half.
        var r = [UInt64](repeating: 0, count: 4)
        var carry: UInt64 = 0
        for i in 0..<4 {
            let (hi, lo) = t[i + 4].multipliedFullWidth(by: 38)
            let (s1, o1) = t[i].addingReportingOverflow(lo)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            r[i] = s2
            carry = hi + (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        // carry < 40: fold it once more; if that wraps past 2^256, what is left is tiny.
        var add = carry * 38
        for i in 0..<4 {
            let (s, o) = r[i].addingReportingOverflow(add)
            r[i] = s
            add = o ? 1 : 0
        }
        if add == 1 { r[0] += 38 }
        return reduce(r)
    }

    /// self^exponent, the exponent as little-endian 64-bit limbs.
    func power(_ exponent: [UInt64]) -> FieldElement {
        var result = FieldElement.one
        for i in stride(from: exponent.count * 64 - 1, through: 0, by: -1) {
            result = result * result
            if exponent[i / 64] >> UInt64(i % 64) & 1 == 1 { result = result * self }
        }
        return result
    }

    /// 1 / self by Fermat (self^(p-2)); zero has none and gives zero.
    var inverse: FieldElement { power([0xFFFF_FFFF_FFFF_FFEB, .max, .max, 0x7FFF_FFFF_FFFF_FFFF]) }

    /// Euler's criterion: self^((p-1)/2) is 1 for a non-zero square, p - 1 for a non-square.
    var isNonZeroSquare: Bool {
        self != .zero && power([0xFFFF_FFFF_FFFF_FFF6, .max, .max, 0x3FFF_FFFF_FFFF_FFFF]) == .one
    }

    /// Whether [scalar] of the Montgomery point with this u is the point at infinity, by the x-only
    /// ladder of RFC 7748 (without clamping the scalar). u must not be 0.
    static func ladderIsInfinity(u: FieldElement, scalar: [UInt64]) -> Bool {
        let a24 = FieldElement(121_665)
        var (x2, z2) = (FieldElement.one, FieldElement.zero)
        var (x3, z3) = (u, FieldElement.one)
        var swapped = false
        for i in stride(from: scalar.count * 64 - 1, through: 0, by: -1) {
            let bit = scalar[i / 64] >> UInt64(i % 64) & 1 == 1
            if swapped != bit {
                swap(&x2, &x3)
                swap(&z2, &z3)
            }
            swapped = bit
            let a = x2 + z2
            let aa = a * a
            let b = x2 - z2
            let bb = b * b
            let e = aa - bb
            let c = x3 + z3
            let d = x3 - z3
            let da = d * a
            let cb = c * b
            let sum = da + cb
            let difference = da - cb
            x3 = sum * sum
            z3 = u * difference * difference
            x2 = aa * bb
            z2 = e * (aa + a24 * e)
        }
        if swapped {
            swap(&x2, &x3)
            swap(&z2, &z3)
        }
        return z2 == .zero
    }
}
