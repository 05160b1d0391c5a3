import Foundation
import Logging
import SimpulDomain
import SimpulStore

/// Which hub keys a node trusts: the key it pinned, and a key endorsed by one it trusts (a chain
/// from the pinned key), never a hub key that merely arrives in a pull answer. Keys of other
/// writers come from the hub as before: the hub is the root of trust for them.
public enum HubKeys {
    /// What a hub key signs to endorse the hub key after it.
    public static func endorsementMessage(node: String, fingerprint: String, publicKey: String) -> [UInt8] {
        Array("simpul-hub-key\n\(node)\n\(fingerprint)\n\(publicKey)".utf8)
    }

    /// The endorsement of `key` by `signer` (the hub's key before it), as `NodeKey.endorsement` carries it.
    public static func endorse(_ key: NodeKey, by signer: NodeIdentity) throws -> String {
        let message = endorsementMessage(node: key.node, fingerprint: key.fingerprint, publicKey: key.publicKey)
        return Data(try signer.sign(message)).base64EncodedString()
    }

    /// Whether `key` carries a valid endorsement by `by`.
    public static func isEndorsed(_ key: NodeKey, by: NodeKey) -> Bool {
        guard key.node == by.node, let endorsement = key.endorsement,
            let signature = Data(base64Encoded: endorsement),
            (try? NodeIdentity.parsePublicKey(key.publicKey).fingerprint) == key.fingerprint
        else { return false }
        let message = endorsementMessage(node: key.node, fingerprint: key.fingerprint, publicKey: key.publicKey)
        return NodeIdentity.verify(signature: [UInt8](signature), of: message, publicKey: by.publicKey)
    }

    /// Splits offered keys into those a node may learn and the hub keys it must ignore: a key of
    /// `hub` is taken only when it is already trusted (the same fingerprint and public key) or is
    /// endorsed by a trusted hub key, in as many steps as the chain has.
    public static func admissible(
        _ offered: [NodeKey], hub: String, trusted: [NodeKey]
    ) -> (accepted: [NodeKey], ignored: [NodeKey]) {
        var chain = trusted.filter { $0.node == hub }
        var pending = offered.filter { $0.node == hub }
        var accepted = offered.filter { $0.node != hub }
        var progress = true
        while progress {
            progress = false
            for (i, k) in pending.enumerated().reversed() {
                let known = chain.contains { $0.fingerprint == k.fingerprint && $0.publicKey == k.publicKey }
                if known || chain.contains(where: { isEndorsed(k, by: $0) }) {
                    accepted.append(k)
                    if !known { chain.append(k) }
                    pending.remove(at: i)
                    progress = true
                }
            }
        }
        return (accepted, pending)
    }

    /// The hub keys of `offered` that lead by endorsements to `key`: the keys that signed the hub's
    /// history before its rotations. A node pinning the hub for the first time takes them on the same
    /// trust as the pin itself; a hub with more keys than `limit` is not believed past it.
    public static func ancestors(of key: NodeKey, in offered: [NodeKey], limit: Int = 64) -> [NodeKey] {
        var pending = offered.filter { $0.node == key.node && $0.fingerprint != key.fingerprint }.prefix(limit)
        var found: [NodeKey] = []
        var progress = true
        while progress {
            progress = false
            for (i, k) in pending.enumerated().reversed() {
                let descendants = [key] + found
                if descendants.contains(where: { isEndorsed($0, by: k) }) {
                    found.append(k)
                    pending.remove(at: pending.index(pending.startIndex, offsetBy: i))
                    progress = true
                }
            }
        }
        return found
    }

    /// Learns the keys of a pull answer: the hub's own only through the chain from the pinned key;
    /// each one ignored is logged.
    public static func learn(_ offered: [NodeKey], store: NodeStore, logger: Logger) throws(SimpulError) {
        guard let hub = try store.hubConfig()?.node else { return try store.learn(offered) }
        let (accepted, ignored) = admissible(offered, hub: hub, trusted: try store.keys(node: hub))
        for k in ignored {
            logger.warning(
                "hub key ignored: neither pinned nor endorsed by a trusted hub key",
                metadata: ["hub": "\(hub)", "fingerprint": "\(k.fingerprint)"])
        }
        try store.learn(accepted)
    }
}
