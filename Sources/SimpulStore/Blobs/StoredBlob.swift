import SimpulDomain

/// What a store holds of one content-addressed blob.
public struct StoredBlob: Sendable, Equatable {
    public var sha256: String
    public var size: Int64
    /// Bytes held, from the start: the offset the next piece must begin at.
    public var received: Int64
    /// All `size` bytes are held and they hash to `sha256`.
    public var complete: Bool
    /// At a kecamatan: the hub has said it holds the blob complete, so it need not go up again.
    public var atHub: Bool

    public init(sha256: String, size: Int64, received: Int64, complete: Bool, atHub: Bool) {
        self.sha256 = sha256
        self.size = size
        self.received = received
        self.complete = complete
        self.atHub = atHub
    }
}
