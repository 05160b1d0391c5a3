import Foundation
import Logging
import SimpulDomain
import SimpulStore

/// `simpul-hub key rotate`: the hub's signing key replaced by a new one that the old key endorses,
/// so every node that pinned the old key takes the new one through the chain (`HubKeys`) on its next
/// sync, and no node has to be told by hand.
///
/// The steps are ordered so that a cut at any point leaves a hub that still works and a rotation that
/// a second run finishes: the new key file is written beside the old (`node.key.next`), the store
/// records the new key as active and the old one as retired, and only then does the new file take the
/// old one's name, the old one kept as `node.key.retired-FINGERPRINT`.
public enum HubKeyRotation {
    /// Where the new key waits until the store has recorded it.
    public static let nextFileName = "node.key.next"

    public struct Rotation: Sendable, Equatable {
        /// The key that signed until now (retired).
        public var retired: NodeKey
        /// The new active key, with its endorsement by the retired one.
        public var active: NodeKey
        /// Where the retired private key is kept.
        public var retiredFile: String
    }

    /// Rotates the hub key in `directory`. The caller holds the data folder's `SyncLock`, so no
    /// `simpul-hub serve` signs with the old key meanwhile.
    public static func rotate(store: NodeStore, directory: String, logger: Logger) throws(SimpulError) -> Rotation {
        let hub = store.info.node
        guard hub.isHub else { throw SimpulError(.usage, "hanya hub yang mengganti kuncinya dengan perintah ini") }
        let current = try NodeIdentity.load(node: hub, directory: directory)
        let nextPath = path(directory, nextFileName)
        if FileManager.default.fileExists(atPath: nextPath) {
            let next = try NodeIdentity.load(node: hub, directory: directory, fileName: nextFileName)
            if let recorded = try store.keys(node: hub.rawValue).first(where: { $0.fingerprint == next.fingerprint }),
                recorded.state == .active
            {
                // The store took the new key before the file swap was cut off: finish it.
                logger.notice("hub key rotation resumed", metadata: ["fingerprint": "\(next.fingerprint)"])
                return try finish(store: store, directory: directory, retiring: current, active: recorded)
            }
            // The store never recorded it: that key signed nothing, and a fresh one replaces it.
            guard unlink(nextPath) == 0 else {
                throw SimpulError(
                    .storeUnavailable, "\(nextPath) tidak bisa dihapus: \(String(cString: strerror(errno)))")
            }
        }
        guard
            let held = try store.keys(node: hub.rawValue).first(where: { $0.fingerprint == current.fingerprint }),
            held.state == .active
        else {
            throw SimpulError(
                .invalidData,
                "kunci di \(path(directory, NodeIdentity.fileName)) bukan kunci aktif hub yang tercatat; penggantian dibatalkan"
            )
        }
        // Everything the old key must sign is signed before it retires, so its history is whole.
        do {
            try ChangeSetSealer.sealPending(store: store, identity: current)
        } catch let error as SimpulError {
            throw error
        } catch {
            throw SimpulError(.storeUnavailable, "event hub yang tertunda tidak bisa disegel", cause: error)
        }
        let next = try NodeIdentity.create(node: hub, directory: directory, fileName: nextFileName)
        let endorsement: String
        do {
            let message = HubKeys.endorsementMessage(
                node: hub.rawValue, fingerprint: next.fingerprint, publicKey: next.publicKey)
            endorsement = Data(try current.sign(message)).base64EncodedString()
        } catch {
            throw SimpulError(.storeUnavailable, "kunci baru tidak bisa ditandatangani kunci lama", cause: error)
        }
        let active = try store.rotateOwnKey(
            publicKey: next.publicKey, fingerprint: next.fingerprint, endorsement: endorsement)
        return try finish(store: store, directory: directory, retiring: current, active: active)
    }

    /// Keeps the old key file under its retired name and moves the new one into place.
    private static func finish(
        store: NodeStore, directory: String, retiring current: NodeIdentity, active: NodeKey
    ) throws(SimpulError) -> Rotation {
        let keyPath = path(directory, NodeIdentity.fileName)
        let retiredPath = path(directory, "\(NodeIdentity.fileName).retired-\(current.fingerprint)")
        if !FileManager.default.fileExists(atPath: retiredPath), link(keyPath, retiredPath) != 0 {
            throw SimpulError(
                .storeUnavailable,
                "kunci lama tidak bisa disimpan di \(retiredPath): \(String(cString: strerror(errno)))")
        }
        guard rename(path(directory, nextFileName), keyPath) == 0 else {
            throw SimpulError(
                .storeUnavailable, "kunci baru tidak bisa dipasang di \(keyPath): \(String(cString: strerror(errno)))")
        }
        syncDirectory(directory)
        guard
            let retired = try store.keys(node: current.node.rawValue).first(where: {
                $0.fingerprint == current.fingerprint
            })
        else { throw SimpulError(.storeUnavailable, "kunci lama \(current.fingerprint) hilang dari penyimpanan") }
        return Rotation(retired: retired, active: active, retiredFile: retiredPath)
    }

    private static func path(_ directory: String, _ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    /// The renames reach the disk before the command reports success.
    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
