// Fuzzes the offline bundle reader: the cleartext header and manifest, the length and signature checks,
// the whole `open` as the example recipient (sync-schemas/examples/bundle.simpulbundle is sealed by
// the example hub to the example kecamatan), decryption without the checks, and the payload's record
// reader fed the input directly, cut in two where the first byte says (records arrive chunk by chunk).
import Crypto
import Foundation
import SimpulDomain
import SimpulStore

@testable import SimpulSync

/// An identity of sync-schemas/examples/generate.py: its key comes from a fixed seed.
func exampleIdentity(_ node: String) -> NodeIdentity {
    let seed = SHA256.hash(data: Array("simpul example key \(node)".utf8))
    return NodeIdentity(
        node: NodeID(node)!, privateKey: try! Curve25519.Signing.PrivateKey(rawRepresentation: Array(seed)))
}

let recipient = exampleIdentity("33.74.01")
let sender = exampleIdentity("33.74")
let senderKey = NodeKey(
    node: "33.74", publicKey: sender.publicKey, fingerprint: sender.fingerprint,
    enrolledAt: Timestamp(iso: "2026-03-01T00:00:00.000Z")!, revokedAt: nil, active: true)
// Inside the example bundle's validity (created 2026-03-20, expires 2026-04-19).
let openedAt = Timestamp(iso: "2026-03-25T00:00:00.000Z")!

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = try? OfflineBundle.manifest(of: bytes)
    _ = try? OfflineBundle.verifySignature(bytes) { _, _ in nil }
    _ = try? OfflineBundle.verifySignature(bytes) { node, _ in node == "33.74" ? senderKey : nil }
    _ = try? OfflineBundle.open(
        bytes, recipient: recipient, senderKey: { node, _ in node == "33.74" ? senderKey : nil }, now: openedAt)
    _ = try? OfflineBundle.decryptSkippingChecks(bytes, with: recipient)

    var reader = RecordReader()
    let cut = bytes.isEmpty ? 0 : min(Int(bytes[0]), bytes.count - 1)
    let payload = bytes.dropFirst()
    do {
        try reader.feed(Array(payload.prefix(cut)))
        try reader.feed(Array(payload.dropFirst(cut)))
        _ = try reader.finish()
    } catch {}
    return 0
}
