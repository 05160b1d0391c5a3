import Foundation
import SimpulDomain
import SimpulStore

/// A blob an offline bundle carries: its name and its bytes.
public struct CarriedBlob: Sendable, Equatable {
    public let sha256: String
    public let bytes: [UInt8]

    public init(sha256: String, bytes: [UInt8]) {
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// The attachments of an offline bundle, and what the importer is to do with them.
public struct BundleBlobs: Sendable, Equatable {
    public var carried: [CarriedBlob]
    /// Only blobs that a `permohonan.attached` event of this writer names are taken (at the hub, the
    /// sender: a node sends only its own blobs, as over the chunk endpoint); nil takes any blob that
    /// an attached event in the store names.
    public var writer: String?
    /// At the hub: the sender, whose next reply is to confirm the blobs taken.
    public var rememberFor: String?
    /// At a kecamatan: the blobs the hub's reply says it holds complete.
    public var heldAtHub: [String]
    /// At a kecamatan: the bundle is the hub's, so the blobs it carries are at the hub.
    public var fromHub: Bool

    public init(
        carried: [CarriedBlob] = [], writer: String? = nil, rememberFor: String? = nil, heldAtHub: [String] = [],
        fromHub: Bool = false
    ) {
        self.carried = carried
        self.writer = writer
        self.rememberFor = rememberFor
        self.heldAtHub = heldAtHub
        self.fromHub = fromHub
    }
}

/// A carried blob that refuses the whole bundle: an attached event names it, but its bytes are not
/// what the event says.
public struct BlobRefusal: Sendable, Equatable {
    public enum Reason: String, Sendable {
        /// Another size than the attached events name.
        case size
        /// The bytes do not hash to the name.
        case hash
    }

    public var sha256: String
    public var reason: Reason
    public var message: String
}

/// What applying a batch whole did: every outcome, or the change set that made it refuse all.
public struct WholeBatch: Sendable, Equatable {
    /// One outcome per change set, in order; when `refused` is set, the outcomes up to and including
    /// it, none of which was kept (those after it were not tried or not kept either).
    public var outcomes: [ApplyOutcome]
    /// The index of the change set that breaks its writer's chain or contradicts one held; nothing of
    /// the batch, its keys or the peer's knowledge was written.
    public var refused: Int?
    /// A carried blob whose bytes are not what its event says; nothing of the batch was written.
    public var refusedBlob: BlobRefusal?
    /// Carried blobs stored now.
    public var blobsStored = 0
    /// Carried blobs that were held complete already.
    public var blobsHeld = 0
    /// Carried blobs left out because no attached event (of the writer) in the store names them.
    public var blobsSkipped = 0
    /// Blobs this store learned are complete at the hub (the reply's confirmation).
    public var blobsConfirmed = 0

    public init(
        outcomes: [ApplyOutcome], refused: Int?, refusedBlob: BlobRefusal? = nil, blobsStored: Int = 0,
        blobsHeld: Int = 0, blobsSkipped: Int = 0, blobsConfirmed: Int = 0
    ) {
        self.outcomes = outcomes
        self.refused = refused
        self.refusedBlob = refusedBlob
        self.blobsStored = blobsStored
        self.blobsHeld = blobsHeld
        self.blobsSkipped = blobsSkipped
        self.blobsConfirmed = blobsConfirmed
    }
}

extension NodeStore {
    /// Applies verified change sets whole or not at all, in one transaction, with the keys that verify
    /// them and what a peer acknowledged holding: an offline bundle is trusted whole or not at all, so a
    /// change set that breaks its chain undoes the ones before it, unlike a pull where each stands alone.
    ///
    /// Change sets apply in causal order whatever their order in the batch: one that waits for another
    /// of the batch is tried again once that one is in. Only one that waits for something the batch does
    /// not carry is parked, as from a pull; it was verified and applies when what it waits for arrives.
    ///
    /// The bundle's blobs are judged once its change sets are in, in the same transaction, by the
    /// `permohonan.attached` events the store then holds. One that no event (of `blobs.writer`) names
    /// is left out rather than refused: its event may sit in a change set parked until another node's
    /// events arrive, and the sender carries it again. One named with another size, or whose bytes do
    /// not hash to its name, refuses the whole batch, as a change set that breaks a rule does.
    public func applyWhole(
        _ batch: [RemoteChangeSet], learning keys: [NodeKey] = [], peer: String? = nil,
        peerKnowledge: [String: VersionVector] = [:], blobs: BundleBlobs = BundleBlobs()
    ) throws(SimpulError) -> WholeBatch {
        let at = clock
        return try write("menerapkan bundle") { tx -> WholeBatch in
            var outcomes = [ApplyOutcome](repeating: .duplicate, count: batch.count)
            var refused: Int?
            var result = WholeBatch(outcomes: [], refused: nil)
            try tx.savepoint {
                var waiting = Array(batch.indices)
                // Each round applies at least one more or ends: at most as many rounds as change sets.
                while !waiting.isEmpty {
                    var stillWaiting: [Int] = []
                    for i in waiting {
                        let outcome = try ChangeSetApply.apply(batch[i], at: at, tx: tx)
                        outcomes[i] = outcome
                        switch outcome {
                        case .parked: stillWaiting.append(i)
                        case .brokenChain, .conflicting:
                            refused = i
                            return false
                        case .applied, .duplicate: break
                        }
                    }
                    if stillWaiting.count == waiting.count { break }
                    waiting = stillWaiting
                }
                for i in waiting {
                    if case .parked(let reason) = outcomes[i] {
                        try tx.park(batch[i].stored, reason: reason, at: at)
                    }
                }
                try tx.foldReceived()
                try tx.learn(keys)
                if let peer { try tx.setPeerKnowledge(peer, peerKnowledge) }
                try blobs.take(at: at, into: &result, tx: tx)
                return result.refusedBlob == nil
            }
            if let refused { return WholeBatch(outcomes: Array(outcomes[...refused]), refused: refused) }
            if let blob = result.refusedBlob {
                return WholeBatch(outcomes: outcomes, refused: nil, refusedBlob: blob)
            }
            result.outcomes = outcomes
            return result
        }
    }
}

/// What taking a bundle's blobs asks of one transaction, whatever database holds it: the SQLite
/// `StoreTransaction` and the hub's PostgreSQL storage both answer it, so that both judge a carried
/// blob by the one rule of `BundleBlobs.take`.
public protocol BundleBlobTransaction {
    /// The sizes that `permohonan.attached` events in the log (of `writer`, when given) name for a blob.
    func attachedSizes(sha256 sha: String, writer: String?) throws -> [Int64]
    /// What the store holds of a blob.
    func blob(_ sha: String) throws -> StoredBlob?
    /// Stores bytes whose SHA-256 is `sha` as a complete blob, unless it is held complete already.
    func storeCompleteBlob(sha256 sha: String, bytes: [UInt8], at: Timestamp) throws
    /// Replaces the blobs a peer is to be told the store holds.
    func replacePeerBlobs(peer: String, with shas: [String]) throws
    /// Marks a complete blob as held at the hub; returns whether it was not marked before.
    func markBlobAtHub(_ sha: String, at: Timestamp) throws -> Bool
}

extension StoreTransaction: BundleBlobTransaction {}

extension BundleBlobs {
    /// Stores a bundle's blobs inside `applyWhole`'s transaction, or sets `refusedBlob` and stops.
    public func take(at: Timestamp, into result: inout WholeBatch, tx: some BundleBlobTransaction) throws {
        var taken: [String] = []
        for blob in carried {
            let sha = blob.sha256
            let named = try tx.attachedSizes(sha256: sha, writer: writer)
            guard !named.isEmpty else {
                result.blobsSkipped += 1
                continue
            }
            guard named.contains(Int64(blob.bytes.count)) else {
                let said = named.sorted().map(String.init).joined(separator: " atau ")
                result.refusedBlob = BlobRefusal(
                    sha256: sha, reason: .size,
                    message:
                        "lampiran \(sha.prefix(12)) berisi \(blob.bytes.count) byte, padahal event lampirannya menyebut \(said) byte"
                )
                return
            }
            // The container has checked the hash already; the store does not rely on its caller for it.
            guard NodeStore.sha256Hex(blob.bytes) == sha else {
                result.refusedBlob = BlobRefusal(
                    sha256: sha, reason: .hash, message: "isi lampiran \(sha.prefix(12)) tidak cocok dengan SHA-256-nya"
                )
                return
            }
            if try tx.blob(sha)?.complete == true {
                result.blobsHeld += 1
            } else {
                try tx.storeCompleteBlob(sha256: sha, bytes: blob.bytes, at: at)
                result.blobsStored += 1
            }
            taken.append(sha)
        }
        // A node's bundle with blobs carries every blob it still waits to hear about, so the list is
        // replaced rather than added to: it stays as small as one bundle's attachments.
        if let peer = rememberFor, !carried.isEmpty {
            try tx.replacePeerBlobs(peer: peer, with: taken)
        }
        for sha in heldAtHub where try tx.markBlobAtHub(sha, at: at) {
            result.blobsConfirmed += 1
        }
        if fromHub {
            for sha in taken { _ = try tx.markBlobAtHub(sha, at: at) }
        }
    }
}
