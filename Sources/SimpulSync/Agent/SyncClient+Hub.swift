import Foundation
import Logging
import SimpulConcurrency
import SimpulDomain
import SimpulStore
import Synchronization

/// The hub's identity at the start of a run: pinned on first contact, followed through a key
/// rotation the old key endorsed, refused otherwise.
extension SyncClient {
    /// Learns and pins the hub's identity on first contact; refuses a hub whose key changed.
    func pinHub(_ counters: Counters) throws {
        guard var hub = try store.hubConfig() else {
            throw Failure(failure: .invalidData("node ini belum punya alamat hub (simpul init --hub URL)"))
        }
        let asked = now()
        let info: HubInfo = try exchange(HTTPRequestMessage(method: "GET", path: "/v2/hub"), counters, signed: false)
        if let text = info.time, let hubTime = Timestamp(iso: text) {
            let answered = now()
            let midpoint = asked.milliseconds + (answered.milliseconds - asked.milliseconds) / 2
            clockOffset.store(hubTime.milliseconds - midpoint, ordering: .relaxed)
        }
        if let pinned = hub.publicKey {
            guard pinned == info.publicKey else { return try followRotation(info, hub: hub) }
        } else {
            guard let hubNode = NodeID(info.node), hubNode.isHub, hubNode.kabupaten == identity.node.kabupaten else {
                throw Failure(failure: .invalidData("hub \(info.node) bukan hub kabupaten \(identity.node.kabupaten)"))
            }
            hub.node = info.node
            hub.name = info.name
            hub.publicKey = info.publicKey
            try store.setHub(hub)
            let fp = try NodeIdentity.parsePublicKey(info.publicKey).fingerprint
            let offered = (info.keys ?? []).prefix(WireBounds.maxPullKeys)
            let pinned =
                offered.first { $0.node == info.node && $0.fingerprint == fp && $0.publicKey == info.publicKey }
                ?? NodeKey(
                    node: info.node, publicKey: info.publicKey, fingerprint: fp, enrolledAt: now(), revokedAt: nil,
                    active: true)
            // The keys before a rotation signed the history this node is about to pull.
            let earlier = HubKeys.ancestors(of: pinned, in: Array(offered))
            try store.learn([pinned] + earlier)
            logger.info(
                "hub pinned",
                metadata: ["hub": "\(info.node)", "fingerprint": "\(fp)", "earlierKeys": "\(earlier.count)"])
        }
    }

    /// Takes the hub's new key when the chain of endorsements in its answer leads from a key this
    /// node trusts to it (`simpul-hub key rotate`); any other key change stops the sync.
    private func followRotation(_ info: HubInfo, hub: HubConfig) throws {
        var hub = hub
        let node = hub.node ?? info.node
        let trusted = try store.keys(node: node).filter { $0.state != .revoked }
        let offered = (info.keys ?? []).prefix(WireBounds.maxPullKeys).filter { $0.node == node }
        let (accepted, _) = HubKeys.admissible(offered, hub: node, trusted: trusted)
        guard info.node == node, let key = accepted.first(where: { $0.publicKey == info.publicKey }),
            key.node == node, key.fingerprint == info.fingerprint
        else {
            throw Failure(
                failure: .problem(
                    status: 403, code: "hub-key-changed",
                    detail: "kunci hub berubah dari yang tercatat dan tidak disahkan kunci lamanya; "
                        + "hubungi admin TI kabupaten sebelum sinkron"))
        }
        try store.learn(accepted)
        hub.publicKey = info.publicKey
        try store.setHub(hub)
        logger.notice("hub key rotated", metadata: ["hub": "\(node)", "fingerprint": "\(info.fingerprint)"])
    }
}
