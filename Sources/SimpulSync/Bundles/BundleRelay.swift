import Foundation
import SimpulDomain
import SimpulStore

/// `POST /v2/bundles/reply` request: the node whose reply bundle the relay carries.
public struct BundleReplyRequest: Sendable, Equatable, Codable {
    public var node: String

    public init(node: String) { self.node = node }
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
        let body = try send("/v2/bundles", bundle, contentType: BundleExchange.contentType)
        do { return try Canonical.decode(BundleImport.self, from: body) } catch {
            throw TransportError(.other, "jawaban hub atas /v2/bundles tidak bisa dibaca", cause: error)
        }
    }

    /// Fetches the hub's reply bundle for `node`, checked as signed by the hub and addressed to `node`.
    public func fetch(for node: NodeID) throws -> [UInt8] {
        let bytes = try send(
            "/v2/bundles/reply", try Canonical.encode(BundleReplyRequest(node: node.rawValue)),
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
        let unsigned = request
        try RequestSignature.sign(&request, identity: identity, at: now(), host: transport.host)
        var response = try transport.send(request)
        // A relay PC whose clock is off learns the hub's from the refusal and signs once more with it.
        if response.status == 401, let problem = try? Canonical.decode(Problem.self, from: response.body),
            problem.code == SyncError.Code.clockSkew.rawValue,
            let hubTime = problem.hubTime.flatMap(Timestamp.init(iso:))
        {
            request = unsigned
            try RequestSignature.sign(&request, identity: identity, at: hubTime, host: transport.host)
            response = try transport.send(request)
        }
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
