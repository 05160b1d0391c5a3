import Foundation
import SimpulDomain
import SimpulStore

/// Where a bundle goes: a node and the Ed25519 public key (base64) it is encrypted to.
public struct BundlePeer: Sendable, Equatable {
    public var node: NodeID
    public var publicKey: String

    public init(node: NodeID, publicKey: String) {
        self.node = node
        self.publicKey = publicKey
    }
}

/// A bundle written for its recipient, and what it carries.
public struct BundleExport: Sendable {
    public var bytes: [UInt8]
    public var manifest: BundleManifest
    public var changeSets: Int
    /// Events in those change sets.
    public var events: Int
    /// From a kecamatan, what it holds; from the hub, what the hub holds (the acknowledgement).
    public var knowledge: [String: VersionVector]
    /// Attachments carried, and their bytes.
    public var blobs: Int = 0
    public var blobBytes: Int = 0
    /// In the hub's reply: the blobs it confirms holding complete.
    public var blobsHeld: Int = 0
    /// Attachments that were to go but were left out because this store's copy no longer hashes to its
    /// name: the officer attaches the file again.
    public var blobsDamaged: [String] = []

    public var suggestedFileName: String { BundleExchange.suggestedFileName(manifest) }
}

/// What importing a bundle did. Importing it again, or one whose change sets arrived another way, is
/// all duplicates and changes nothing.
public struct BundleImport: Sendable, Equatable, Codable {
    public var bundle: String
    public var sender: String
    public var changeSets: Int
    public var applied: Int
    public var duplicate: Int
    /// Verified change sets that wait for events the bundle did not carry; they apply when those arrive.
    public var parked: Int
    /// New events in the store, those of earlier parked change sets the bundle unblocked included.
    public var events: Int
    /// At the hub, what it now holds of the sender's partitions; at a kecamatan, the hub's acknowledgement.
    public var knowledge: [String: VersionVector]
    /// Attachments the bundle carried that this store did not hold complete: stored now.
    public var blobs: Int
    /// Attachments the bundle carried that no attached event held here names (of the sender, at the
    /// hub): left out, not refused, since the event may wait in a parked change set; the sender carries
    /// them again until they are confirmed.
    public var blobsSkipped: Int
    /// At a kecamatan: this node's attachments that the hub's reply confirmed it holds, which the node
    /// did not know yet (so its next export leaves them out). At the hub, 0.
    public var blobsConfirmed: Int
}

/// What anyone holding a bundle can tell without decrypting it: a relay's view.
public struct BundleInspection: Sendable, Equatable, Codable {
    public enum Signature: String, Sendable, Codable {
        /// Signed by a key the reader knows as the sender's: not a byte changed.
        case valid
        /// The reader does not know the sender's key, so cannot check; the recipient will.
        case unknownSender = "unknown-sender"
        /// Signed by a key that has been revoked.
        case revoked
    }

    public var manifest: BundleManifest
    public var size: Int
    public var signature: Signature
    public var expired: Bool
    /// Addressed to the reader's node and current key: only then can the reader decrypt it.
    public var forThisNode: Bool
}
