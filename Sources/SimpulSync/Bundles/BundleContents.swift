import Crypto
import Foundation
import SimpulDomain
import SimpulStore

/// What a bundle carries, in the clear only after decryption.
public struct BundleContents: Sendable, Equatable {
    /// A content-addressed attachment: its bytes and the SHA-256 (hex) that names them.
    public struct Blob: Sendable, Equatable {
        public let sha256: String
        public let bytes: [UInt8]

        public init(bytes: [UInt8]) {
            self.init(sha256: SHA256.hash(data: bytes).hex, bytes: bytes)
        }

        init(sha256: String, bytes: [UInt8]) {
            self.sha256 = sha256
            self.bytes = bytes
        }
    }

    /// Signed change set documents, each exactly as stored and signed by its writer, in the order to
    /// apply them.
    public var changeSets: [[UInt8]]
    public var blobs: [Blob]
    /// What the sender holds per partition, when it says so: in the hub's reply, the acknowledgement of
    /// what it now holds; in a node's export, what the node holds, so that the reply carries what it lacks.
    public var knowledge: [String: VersionVector]?
    /// Keys that verify the change sets (the hub's reply carries them as a pull answer does).
    public var keys: [NodeKey]
    /// Blobs the sender holds complete, sorted: in the hub's reply, the confirmation of the blobs the
    /// node's last bundle carried, so that its next export leaves them out (record type 5).
    public var blobsHeld: [String]

    public init(
        changeSets: [[UInt8]] = [], blobs: [Blob] = [], knowledge: [String: VersionVector]? = nil,
        keys: [NodeKey] = [], blobsHeld: [String] = []
    ) {
        self.changeSets = changeSets
        self.blobs = blobs
        self.knowledge = knowledge
        self.keys = keys
        self.blobsHeld = blobsHeld
    }
}
