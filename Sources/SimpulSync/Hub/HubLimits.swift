/// What the hub allows one request and one node, the limits of its trust boundary.
public struct HubLimits: Sendable, Equatable {
    /// How far a request's `Simpul-Date` may be from the hub's clock.
    public var maxSkewSeconds: Int
    /// Requests of one node being answered at once; more get `busy`.
    public var maxInFlightPerNode: Int
    /// Nonces kept per node within the skew window; more get `busy`.
    public var noncesPerNode: Int
    /// Decompressed size of a push or a bundle.
    public var bulkBodyBytes: Int
    /// Decompressed size of any other request body (knowledge, pull, bundle reply).
    public var smallBodyBytes: Int

    public init(
        maxSkewSeconds: Int = RequestSignature.defaultMaxSkewSeconds, maxInFlightPerNode: Int = 4,
        noncesPerNode: Int = 4096, bulkBodyBytes: Int = 16 * 1024 * 1024, smallBodyBytes: Int = 1024 * 1024
    ) {
        self.maxSkewSeconds = maxSkewSeconds
        self.maxInFlightPerNode = maxInFlightPerNode
        self.noncesPerNode = noncesPerNode
        self.bulkBodyBytes = bulkBodyBytes
        self.smallBodyBytes = smallBodyBytes
    }
}
