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
        if relay.rawValue != result.sender { record(relay, "relay bundle \(result.bundle) dari \(result.sender)") }
        return try bundleJSON(result)
    }

    /// `POST /v2/bundles/reply`: the hub's reply bundle for a node, for a relay to carry. It is
    /// encrypted to that node, so the relay learns no more than the manifest tells anyone.
    func respondWithReplyBundle(
        _ request: HTTPRequestMessage, from relay: NodeID
    ) throws(SyncError) -> HTTPResponseMessage {
        let asked: BundleReplyRequest
        do { asked = try Canonical.decode(BundleReplyRequest.self, from: request.body) } catch {
            throw SyncError(.malformed, "isi permintaan bukan BundleReplyRequest JSON yang sah", cause: error)
        }
        guard let node = NodeID(asked.node) else {
            throw SyncError(.malformed, "node '\(asked.node)' bukan kode node")
        }
        let at = now()
        let export = try BundleExchange.reply(
            for: node, service: self, createdAt: at,
            expiresAt: BundleExchange.expiry(from: at, days: BundleExchange.defaultExpiryDays))
        record(relay, "relay balasan untuk \(node)")
        return HTTPResponseMessage(
            status: 200, headers: ["content-type": BundleExchange.contentType], body: export.bytes)
    }

    private func record(_ node: NodeID, _ result: String) {
        do { try store.recordContact(node: node.rawValue, result: result) } catch {
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
