import Crypto
import Foundation
import SimpulDomain
import SimpulStore

/// The cleartext header of an offline bundle: who sent it to whom, until when, and what the recipient
/// needs to decrypt it. Anyone holding the file can read it (a relay must, to pass the bundle on); it
/// names nodes and key fingerprints only, never a citizen.
public struct BundleManifest: Sendable, Equatable, Codable {
    /// A node and the fingerprint of the key it signs (sender) or decrypts (recipient) with.
    public struct Party: Sendable, Equatable, Codable {
        public var node: String
        public var key: String

        public init(node: String, key: String) {
            self.node = node
            self.key = key
        }
    }

    /// The container's format version; equal to the version byte after the magic.
    public var format: Int
    /// 16 random bytes in hex, naming this bundle in logs and messages.
    public var id: String
    /// The kabupaten code both nodes belong to.
    public var network: String
    public var sender: Party
    public var recipient: Party
    public var createdAt: Timestamp
    /// After this instant the bundle is refused as expired.
    public var expiresAt: Timestamp
    /// Base64 of the sender's one-time X25519 public key for this bundle.
    public var ephemeralKey: String
    /// The length in bytes of the encrypted payload that follows the header.
    public var payloadLength: Int
}
