import Crypto
import Foundation
import SimpulDomain
import SimpulStore

/// Requests to the hub are signed with the node's Ed25519 key, the same key that signs its change
/// sets, so no shared secret ever travels and no client-certificate authority has to be run.
///
/// Headers: `Simpul-Node`, `Simpul-Date` (ISO 8601) and `Simpul-Signature`, the base64 signature
/// over `simpul-v1\nMETHOD\nPATH\nDATE\nhex(SHA-256(body))`.
public enum RequestSignature {
    /// How far a node's clock may be from the hub's. Generous because kecamatan PCs drift and
    /// replaying a captured request gains nothing: pushes are idempotent and TLS hides pulls.
    public static let maxSkewMilliseconds: Int64 = 24 * 3600 * 1000

    static func message(method: String, path: String, date: String, body: [UInt8]) -> [UInt8] {
        let bodyHash = SHA256.hash(data: body).hex
        return Array("simpul-v1\n\(method)\n\(path)\n\(date)\n\(bodyHash)".utf8)
    }

    public static func sign(_ request: inout HTTPRequestMessage, identity: NodeIdentity, at date: Timestamp) throws {
        let d = date.description
        let sig = try identity.sign(message(method: request.method, path: request.path, date: d, body: request.body))
        request.headers["simpul-node"] = identity.node.rawValue
        request.headers["simpul-date"] = d
        request.headers["simpul-signature"] = Data(sig).base64EncodedString()
    }

    /// Authenticates a request against the hub's enrollments; returns the requesting node.
    public static func authenticate(
        _ request: HTTPRequestMessage, store: some ReplicaStorage, now: Timestamp
    )
        throws(SyncError) -> NodeID
    {
        guard let nodeText = request.headers["simpul-node"], let date = request.headers["simpul-date"],
            let signature = request.headers["simpul-signature"]
        else {
            throw SyncError(
                .unauthenticated, "permintaan tanpa tanda tangan node (Simpul-Node, Simpul-Date, Simpul-Signature)")
        }
        guard let node = NodeID(nodeText) else {
            throw SyncError(.malformed, "Simpul-Node '\(nodeText)' bukan kode node")
        }
        let keys: [NodeKey]
        do { keys = try store.keys(node: node.rawValue) } catch {
            throw SyncError(.store, "pendaftaran node tidak bisa dibaca", cause: error)
        }
        guard let key = keys.first(where: \.active) else {
            throw SyncError(
                .notEnrolled,
                "node \(node) belum terdaftar di hub; admin TI kabupaten: simpul-hub node enroll --node \(node) --public-key KUNCI"
            )
        }
        if let revoked = key.revokedAt {
            throw SyncError(
                .revoked,
                "node \(node) dicabut oleh hub pada \(revoked); hubungi admin TI kabupaten untuk mendaftar ulang")
        }
        guard let at = Timestamp(iso: date) else {
            throw SyncError(.malformed, "Simpul-Date '\(date)' bukan waktu ISO 8601")
        }
        guard abs(at.milliseconds - now.milliseconds) <= maxSkewMilliseconds else {
            throw SyncError(.clockSkew, "jam node \(node) selisih lebih dari 24 jam dengan hub; betulkan jam komputer")
        }
        guard let sig = Data(base64Encoded: signature),
            NodeIdentity.verify(
                signature: [UInt8](sig),
                of: message(method: request.method, path: request.path, date: date, body: request.body),
                publicKey: key.publicKey)
        else {
            throw SyncError(
                .unauthenticated, "tanda tangan permintaan tidak cocok dengan kunci node \(node) yang terdaftar")
        }
        return node
    }
}
