import Crypto
import Foundation

/// Session and CSRF tokens: random, shown to the browser once, kept in the store only as a hash, so a
/// copied store file opens no session.
public enum SessionToken {
    /// The session cookie: HttpOnly, SameSite=Strict, Secure over HTTPS.
    public static let cookieName = "simpul_sesi"
    /// The login form's own CSRF cookie, before there is a session to hold a token.
    public static let loginCookieName = "simpul_masuk"
    /// A result to show once on the next page (after a redirect).
    public static let flashCookieName = "simpul_pesan"

    /// 32 random bytes, base64url without padding (43 characters, valid in a cookie and a form).
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The SHA-256 of a token, in hex: what the store keeps.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two tokens in time that depends only on their length.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    /// Whether text has the shape of a token (so a hostile cookie never reaches the store).
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 43
            && text.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D
                    || c == 0x5F
            }
    }
}
