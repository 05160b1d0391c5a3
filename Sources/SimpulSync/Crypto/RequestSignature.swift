import Crypto
import Foundation
import SimpulDomain
import SimpulStore

/// Requests to the hub are signed with the node's Ed25519 key, the same key that signs its change
/// sets, so no shared secret ever travels and no client-certificate authority has to be run.
///
/// Headers: `Simpul-Node`, `Simpul-Date` (ISO 8601 UTC with milliseconds), `Simpul-Nonce` (16 random
/// bytes, lowercase hex) and `Simpul-Signature`, the base64 signature over
/// `simpul-v2\nMETHOD\nhost\nPATH\nDATE\nNONCE\ncontent-encoding:V\nrange:V\nsimpul-offset:V\nsimpul-size:V\nhex(SHA-256(body))`,
/// where the body is hashed exactly as it goes on the wire (still compressed), so the hub checks
/// the signature before it spends anything on decompressing or parsing it.
public enum RequestSignature {
    /// How far a node's clock may be from the hub's by default; the agent corrects its clock from
    /// the hub's answer to `GET /v2/hub`, so this can be tight.
    public static let defaultMaxSkewSeconds = 300
    /// The headers the hub acts on besides the body, all signed.
    static let signedHeaders = ["content-encoding", "range", "simpul-offset", "simpul-size"]

    static func message(
        method: String, host: String, path: String, date: String, nonce: String, headers: [String: String],
        body: [UInt8]
    ) -> [UInt8] {
        var lines = ["simpul-v2", method, host.lowercased(), path, date, nonce]
        for name in signedHeaders { lines.append("\(name):\(headers[name] ?? "")") }
        lines.append(SHA256.hash(data: body).hex)
        return Array(lines.joined(separator: "\n").utf8)
    }

    /// Compresses the body (unless told not to or it already is), then signs the request.
    ///
    /// - Parameters:
    ///   - host: The `Host` the transport sends (`SyncTransport.host`); set as the request's `host`
    ///     header so both ends sign the same value. Nil keeps the request's own (or none).
    ///   - compress: Compress the body with `BodyCoding` first; the signature covers the bytes sent.
    public static func sign(
        _ request: inout HTTPRequestMessage, identity: NodeIdentity, at date: Timestamp, host: String? = nil,
        compress: Bool = true
    ) throws {
        if compress, request.headers["content-encoding"] == nil {
            let encoded = BodyCoding.encodeRequest(request.body)
            if let encoding = encoded.encoding {
                request.body = encoded.body
                request.headers["content-encoding"] = encoding
            }
        }
        if let host, !host.isEmpty { request.headers["host"] = host }
        var random = SystemRandomNumberGenerator()
        let nonce = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }.hex
        let d = date.description
        let sig = try identity.sign(
            message(
                method: request.method, host: request.headers["host"] ?? "", path: request.path, date: d, nonce: nonce,
                headers: request.headers, body: request.body))
        request.headers["simpul-node"] = identity.node.rawValue
        request.headers["simpul-date"] = d
        request.headers["simpul-nonce"] = nonce
        request.headers["simpul-signature"] = Data(sig).base64EncodedString()
    }

    /// What a request's signature headers claim, read without touching the body or the store.
    public struct Claim: Sendable, Equatable {
        public var node: NodeID
        public var date: Timestamp
        public var nonce: String
        public var signature: [UInt8]
    }

    /// Reads the four signature headers, bounded; refuses a request without them or with one malformed.
    public static func claim(_ request: HTTPRequestMessage) throws(SyncError) -> Claim {
        guard let nodeText = request.headers["simpul-node"], let date = request.headers["simpul-date"],
            let nonce = request.headers["simpul-nonce"], let signature = request.headers["simpul-signature"]
        else {
            throw SyncError(
                .unauthenticated,
                "permintaan tanpa tanda tangan node (Simpul-Node, Simpul-Date, Simpul-Nonce, Simpul-Signature)")
        }
        guard nodeText.utf8.count <= 64, let node = NodeID(nodeText) else {
            throw SyncError(.malformed, "Simpul-Node '\(nodeText.prefix(64))' bukan kode node")
        }
        guard date.utf8.count <= 40, let at = Timestamp(iso: date) else {
            throw SyncError(.malformed, "Simpul-Date '\(date.prefix(40))' bukan waktu ISO 8601")
        }
        guard nonce.utf8.count == 32,
            nonce.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else {
            throw SyncError(.malformed, "Simpul-Nonce harus 32 huruf heksadesimal kecil")
        }
        guard signature.utf8.count <= 100, let sig = Data(base64Encoded: signature), sig.count == 64 else {
            throw SyncError(.malformed, "Simpul-Signature bukan tanda tangan Ed25519 base64")
        }
        return Claim(node: node, date: at, nonce: nonce, signature: [UInt8](sig))
    }

    /// The key among `keys` whose signature the request carries, if any.
    public static func signingKey(
        of request: HTTPRequestMessage, claim: Claim, among keys: [NodeKey]
    ) -> NodeKey? {
        guard let date = request.headers["simpul-date"] else { return nil }
        let signed = message(
            method: request.method, host: request.headers["host"] ?? "", path: request.path, date: date,
            nonce: claim.nonce, headers: request.headers, body: request.body)
        return keys.first { NodeIdentity.verify(signature: claim.signature, of: signed, publicKey: $0.publicKey) }
    }
}
