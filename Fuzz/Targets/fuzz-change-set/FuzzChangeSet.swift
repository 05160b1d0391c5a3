// Fuzzes the signed change set reader (push bodies, pull answers, bundles all carry these documents),
// then the hash and signature check against the example writer's key (sync-schemas/examples).
import Crypto
import Foundation
import SimpulDomain
import SimpulStore
import SimpulSync

/// The key sync-schemas/examples/generate.py signs the example kecamatan's change sets with.
let exampleKey: NodeKey = {
    let seed = SHA256.hash(data: Array("simpul example key 33.74.01".utf8))
    let identity = NodeIdentity(
        node: NodeID("33.74.01")!, privateKey: try! Curve25519.Signing.PrivateKey(rawRepresentation: Array(seed)))
    return NodeKey(
        node: "33.74.01", publicKey: identity.publicKey, fingerprint: identity.fingerprint,
        enrolledAt: Timestamp(iso: "2026-03-01T00:00:00.000Z")!, revokedAt: nil, active: true)
}()

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let received = try? ReceivedChangeSet(body: bytes) else { return 0 }
    _ = received.changeSet.events.count
    try? received.verify(key: { (_: String) throws(SimpulError) -> NodeKey? in nil }, clock: 0)
    try? received.verify(key: { (_: String) throws(SimpulError) -> NodeKey? in exampleKey }, clock: 0)
    return 0
}
