import HummingbirdBcrypt
import SimpulDomain

/// Hashes and checks officers' passwords and PINs with bcrypt, and holds the rules a new one must
/// meet. Every call takes as long as bcrypt at `cost` (about a quarter of a second at 12): call it off
/// the server's event loop.
public struct PasswordHasher: Sendable {
    /// The work factor accounts are hashed with in production.
    public static let productionCost: UInt8 = 12

    /// bcrypt's log2 rounds, 4 to 31; tests use 4 so that a hash takes milliseconds.
    public let cost: UInt8

    /// `cost` outside bcrypt's 4...31 is brought to the nearest bound rather than trapped on.
    public init(cost: UInt8 = PasswordHasher.productionCost) {
        self.cost = min(31, max(4, cost))
    }

    public func hash(_ secret: String) -> String { Bcrypt.hash(secret, cost: cost) }

    public func verify(_ secret: String, hash: String) -> Bool { Bcrypt.verify(secret, hash: hash) }

    /// Checks a new secret against the policy and hashes it.
    public func hashNew(_ secret: String, isPIN: Bool) throws(SimpulError) -> String {
        try Self.validate(secret, isPIN: isPIN)
        return hash(secret)
    }

    /// bcrypt reads at most 72 bytes; a longer password would be cut silently, so it is refused.
    public static let maxPasswordBytes = 72
    public static let minPasswordLength = 8
    public static let pinLengths = 4...8

    /// A password is 8 characters or more (at most 72 bytes); a PIN is 4 to 8 digits and nothing else.
    public static func validate(_ secret: String, isPIN: Bool) throws(SimpulError) {
        if isPIN {
            guard pinLengths.contains(secret.utf8.count),
                secret.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
            else {
                throw SimpulError(
                    .invalidData,
                    "PIN: harus \(pinLengths.lowerBound)-\(pinLengths.upperBound) angka, tanpa huruf atau spasi")
            }
            return
        }
        guard secret.count >= minPasswordLength else {
            throw SimpulError(.invalidData, "kata sandi: paling sedikit \(minPasswordLength) karakter")
        }
        guard secret.utf8.count <= maxPasswordBytes else {
            throw SimpulError(.invalidData, "kata sandi: paling panjang \(maxPasswordBytes) byte")
        }
        guard !secret.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw SimpulError(.invalidData, "kata sandi: tidak boleh berisi baris baru atau karakter kontrol")
        }
    }
}
