import Foundation
import SimpulDomain
import SimpulStore

/// The hub's bundle endpoints for relays: `POST /v2/bundles` and `POST /v2/bundles/reply`.
extension HubService {
    /// `POST /v2/bundles`: a relay hands over a bundle it carries (another node's, or its own). The
    /// relay is authenticated like any request; the bundle is imported exactly as `simpul-hub import`
    /// does, so what counts is the bundle's sender and the signatures inside, not who carried it.
    func respondImportingBundle(
        _ request: HTTPRequestMessage, from relay: NodeID
    ) throws(SyncError) -> HTTPResponseMessage {
        let result = try BundleExchange.importAtHub(request.body, service: self)
        if relay.rawValue != result.sender {
            record(relay, "relay bundle \(result.bundle) dari \(result.sender)")
            // Handing over a node's bundle is what makes a relay that node's: it may fetch the reply.
            try storeCall { () throws(SimpulError) in try store.registerRelay(relay.rawValue, for: result.sender) }
        }
        return try bundleJSON(result)
    }

    /// `POST /v2/bundles/reply`: the hub's reply bundle for a node, for a relay to carry. It is
    /// encrypted to that node, so the relay learns no more than the manifest tells anyone; still, it is
    /// written only for the caller itself or a node whose bundle the caller handed over before
    /// (`registerRelay`), and only up to `maxReplyBytes` of change sets, since it costs the hub the
    /// node's whole history in memory.
    func respondWithReplyBundle(
        _ request: HTTPRequestMessage, from relay: NodeID
    ) throws(SyncError) -> HTTPResponseMessage {
        let asked: BundleReplyRequest
        do { asked = try Canonical.decode(BundleReplyRequest.self, from: request.body) } catch {
            throw SyncError(.malformed, "isi permintaan bukan BundleReplyRequest JSON yang sah", cause: error)
        }
        guard let node = NodeID(asked.node) else {
            throw SyncError(.malformed, "node '\(asked.node.prefix(40))' bukan kode node")
        }
        if node != relay {
            let registered = try storeCall { () throws(SimpulError) in
                try store.isRelay(relay.rawValue, for: node.rawValue)
            }
            guard registered else {
                throw SyncError(
                    .forbiddenRead,
                    "node \(relay) bukan relay untuk \(node): balasan hanya untuk node itu sendiri atau relay "
                        + "yang pernah menyerahkan bundle-nya")
            }
        }
        let at = now()
        let export = try BundleExchange.reply(
            for: node, service: self, createdAt: at,
            expiresAt: BundleExchange.expiry(from: at, days: BundleExchange.defaultExpiryDays),
            maxChangeSetBytes: Self.maxReplyBytes)
        record(relay, "relay balasan untuk \(node)")
        return HTTPResponseMessage(
            status: 200, headers: ["content-type": BundleExchange.contentType], body: export.bytes)
    }

    /// The most bytes of change sets a reply fetched over the network carries (the agent takes answers
    /// of 64 MiB at most); a node further behind syncs, or gets `simpul-hub export --for` on a stick.
    static let maxReplyBytes = 48 * 1024 * 1024

    private func record(_ node: NodeID, _ result: String) {
        do { try store.recordContact(node: node.rawValue, result: result, refused: false) } catch {
            logger.warning("contact not recorded", metadata: ["node": "\(node)"])
        }
    }

    private func bundleJSON<T: Encodable>(_ value: T) throws(SyncError) -> HTTPResponseMessage {
        do {
            return HTTPResponseMessage(
                status: 200, headers: ["content-type": SyncProtocol.jsonContentType], body: try Canonical.encode(value))
        } catch {
            throw SyncError(.store, "jawaban tidak bisa dikodekan", cause: error)
        }
    }
}
