// Fuzzes every sync body decoder the hub and the agent run on what the other side sent: the pull
// answer's splicing reader, the Codable request and answer bodies, and the request body decoding
// (zstd, with and without the change set dictionary) in front of them all.
import Foundation
import SimpulDomain
import SimpulStore
import SimpulSync

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let pull = try? PullResponse(decoding: bytes) {
        for body in pull.changeSets { _ = try? ReceivedChangeSet(body: body) }
    }
    _ = try? Canonical.decode(KnowledgeRequest.self, from: bytes)
    _ = try? Canonical.decode(KnowledgeResponse.self, from: bytes)
    _ = try? Canonical.decode(PullRequest.self, from: bytes)
    if let documents = try? PushRequest.documents(bytes) {
        for body in documents { _ = try? ReceivedChangeSet(body: body) }
    }
    _ = try? Canonical.decode(PushBatchResponse.self, from: bytes)
    _ = try? Canonical.decode(HubInfo.self, from: bytes)
    _ = try? Canonical.decode(Problem.self, from: bytes)
    _ = try? Canonical.decode(BlobStatus.self, from: bytes)
    _ = try? Canonical.decode([String: VersionVector].self, from: bytes)
    _ = try? Canonical.decode([NodeKey].self, from: bytes)
    for encoding in ["simpul-zstd", "zstd"] {
        _ = try? BodyCoding.decodeRequest(bytes, encoding: encoding, limit: 1 << 20)
    }
    return 0
}
