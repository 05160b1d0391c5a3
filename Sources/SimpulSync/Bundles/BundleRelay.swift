import Foundation
import SimpulDomain
import SimpulStore

/// `POST /v1/bundles/reply` request: the node whose reply bundle the relay carries.
public struct BundleReplyRequest: Sendable, Equatable, Codable {
    public var node: String

    public init(node: String) { self.node = node }
}

extension HubService {
    /// `POST /v1/bundles`: a relay hands over a bundle it carries (another node's, or its own). The
    /// relay is authenticated like any request; the bundle is imported exactly as `simpul-hub import`
    /// does, so what counts is the bundle's sender and the signatures inside, not who carried it.
    func respondImportingBundle(_ request: HTTPRequestMessage) throws(SyncError) -> HTTPResponseMessage {
        let relay = try RequestSignature.authenticate(request, store: store, now: now())
        let result = try BundleExchange.importAtHub(request.body, service: self)
        if relay.rawValue != result.sender { record(relay, "relay bundle \(result.bundle) dari \(result.sender)") }
        return try bundleJSON(result)
    }

    /// `POST /v1/bundles/reply`: the hub's reply bundle for a node, for a relay to carry. It is
    /// encrypted to that node, so the relay learns no more than the manifest tells anyone.
    func respondWithReplyBundle(_ request: HTTPRequestMessage) throws(SyncError) -> HTTPResponseMessage {
        let relay = try RequestSignature.authenticate(request, store: store, now: now())
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

/// A node carrying another node's bundle over its own link: it hands bundles for the hub to the hub and
/// fetches the hub's replies for the node it carries them to. It checks what it can without reading
/// the payload (the file is whole, the address, the hub's signature on a reply), and cannot read more.
///
/// Errors are `SyncError` for a refusal (here or by the hub) and `TransportError` when the hub could
/// not be reached or could not answer now, worth trying again.
public struct BundleRelay: Sendable {
    let store: NodeStore
    let identity: NodeIdentity
    let transport: any SyncTransport
    let now: @Sendable () -> Timestamp

    public init(
        store: NodeStore, identity: NodeIdentity, transport: any SyncTransport,
        now: @escaping @Sendable () -> Timestamp
    ) {
        self.store = store
        self.identity = identity
        self.transport = transport
        self.now = now
    }

    /// Hands a bundle addressed to the hub to the hub, which imports it; returns what the import did.
    public func push(_ bundle: [UInt8]) throws -> BundleImport {
        let manifest: BundleManifest
        do {
            let header = try OfflineBundle.readHeader(bundle)
            try OfflineBundle.checkLength(bundle, header)
            manifest = header.manifest
        } catch {
            throw SyncError(bundle: error)
        }
        let hub = identity.node.kabupaten.code
        guard manifest.recipient.node == hub else {
            throw SyncError(
                bundle: BundleError(
                    .wronglyAddressed,
                    "bundle \(manifest.id) ditujukan ke node \(manifest.recipient.node), bukan ke hub \(hub); "
                        + "serahkan langsung ke node itu"))
        }
        let body = try send("/v1/bundles", bundle, contentType: BundleExchange.contentType)
        do { return try Canonical.decode(BundleImport.self, from: body) } catch {
            throw TransportError(.other, "jawaban hub atas /v1/bundles tidak bisa dibaca", cause: error)
        }
    }

    /// Fetches the hub's reply bundle for `node`, checked as signed by the hub and addressed to `node`.
    public func fetch(for node: NodeID) throws -> [UInt8] {
        let bytes = try send(
            "/v1/bundles/reply", try Canonical.encode(BundleReplyRequest(node: node.rawValue)),
            contentType: SyncProtocol.jsonContentType)
        let hub = identity.node.kabupaten.code
        let hubKeys = try storeCall { () throws(SimpulError) in try store.keys(node: hub) }
        let manifest: BundleManifest
        do {
            manifest = try OfflineBundle.verifySignature(bytes) { sender, fingerprint in
                sender == hub ? hubKeys.first { $0.fingerprint == fingerprint } : nil
            }
        } catch {
            throw SyncError(bundle: error)
        }
        guard manifest.recipient.node == node.rawValue else {
            throw SyncError(
                bundle: BundleError(
                    .wronglyAddressed,
                    "hub mengirim bundle untuk \(manifest.recipient.node), padahal yang diminta untuk \(node)"))
        }
        return bytes
    }

    private func send(_ path: String, _ body: [UInt8], contentType: String) throws -> [UInt8] {
        var request = HTTPRequestMessage(method: "POST", path: path, headers: ["content-type": contentType], body: body)
        try RequestSignature.sign(&request, identity: identity, at: now())
        let response = try transport.send(request)
        guard (200..<300).contains(response.status) else {
            if response.status == 413 {
                // Trying again will not help; the stick will.
                throw SyncError(
                    .malformed, "bundle terlalu besar untuk dikirim lewat jaringan hub; bawa berkasnya ke PTSP")
            }
            guard let problem = try? Canonical.decode(Problem.self, from: response.body) else {
                throw TransportError(.other, "hub menjawab HTTP \(response.status) tanpa keterangan; coba lagi nanti")
            }
            if response.status >= 500 {
                throw TransportError(.other, "hub belum bisa menjawab: \(problem.detail); coba lagi nanti")
            }
            throw SyncError(SyncError.Code(rawValue: problem.code) ?? .malformed, problem.detail)
        }
        return response.body
    }
}
