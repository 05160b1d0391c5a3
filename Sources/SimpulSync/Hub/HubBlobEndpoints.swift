import Foundation
import Logging
import SimpulDomain
import SimpulStore

/// The hub's blob endpoints under `/v2/blobs/{sha256}`.
extension HubService {
    /// Answers a request under `/v2/blobs/`.
    ///
    /// Who may do what is read from the `permohonan.attached` events in the hub's log: a node sends a
    /// blob only when it wrote such an event and the hub holds it (so the agent pushes its change sets
    /// before its blobs), and the node whose upload brought the bytes becomes the blob's owner. A node
    /// reads a blob that an event in a partition it may read names, written from the owner's partition
    /// or by the hub: a node that names someone else's blob in its own partition can neither read it
    /// nor stop the owner sending or reading it.
    func respondBlob(_ request: HTTPRequestMessage, from node: NodeID) throws(SyncError) -> HTTPResponseMessage {
        let path = request.path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = path.dropFirst(BlobRoutes.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        let sha = String(parts[0])
        let leaf = parts.count == 2 ? String(parts[1]) : parts.count == 1 ? "" : "?"
        guard ["GET ", "GET status", "POST chunks"].contains("\(request.method) \(leaf)") else {
            throw SyncError(.notFound, "tidak ada \(request.method) \(path) di protokol Simpul v2")
        }
        guard Attachment.isSHA256(sha) else {
            throw SyncError(.malformed, "'\(sha.prefix(80))' bukan nama blob (SHA-256 heksadesimal huruf kecil)")
        }
        let references = try storeCall { () throws(SimpulError) in try store.blobReferences(sha) }
        switch leaf {
        case "chunks":
            guard references.contains(where: { $0.node == node.rawValue }) else {
                throw SyncError(
                    .forbiddenBlob,
                    "hub tidak memegang event permohonan.attached dari node \(node) untuk blob \(sha.prefix(12)); kirim change set dulu"
                )
            }
            // Only the sender's own events say how large the blob is: another node's declaration of
            // the same name with another size does not stand in its way.
            return try receiveChunk(
                request, sha: sha, declared: references.filter { $0.node == node.rawValue }.compactMap(\.size),
                from: node)
        default:
            let readable = readable(by: node)
            let held = try storeCall { () throws(SimpulError) in try store.blob(sha) }
            let uploader = try storeCall { () throws(SimpulError) in try store.blobOwner(sha) }
            // Only bytes held complete prove who owns them; a partial upload proves nothing.
            let owner = held?.complete == true ? uploader : nil
            let hub = identity.node.rawValue
            let ownerPartition = owner.flatMap(NodeID.init)?.homePartition
            guard
                references.contains(where: {
                    readable.contains($0.partition)
                        && (owner == nil || $0.node == hub || NodeID($0.node)?.homePartition == ownerPartition)
                })
            else {
                throw SyncError(
                    .forbiddenBlob,
                    "blob \(sha.prefix(12)) tidak dirujuk lampiran di partisi yang boleh dibaca node \(node)")
            }
            if leaf == "status" {
                // Another node's partial upload is not where this node resumes (`appendBlobChunk`).
                let resumable = held.map { $0.complete || uploader == node.rawValue } ?? false
                return try blobJSON(
                    BlobStatus(
                        sha256: sha, size: held?.size, received: resumable ? held?.received ?? 0 : 0,
                        complete: held?.complete ?? false)
                )
            }
            guard let held, held.complete else {
                throw SyncError(.notFound, "blob \(sha.prefix(12)) belum lengkap di hub")
            }
            return try serve(held, range: request.headers["range"])
        }
    }

    private func receiveChunk(
        _ request: HTTPRequestMessage, sha: String, declared: [Int64], from node: NodeID
    ) throws(SyncError) -> HTTPResponseMessage {
        guard let offset = WireBounds.header(request.headers["simpul-offset"]) else {
            throw SyncError(.malformed, "Simpul-Offset: harus bilangan bulat 0 sampai 2^63 - 1")
        }
        guard let size = WireBounds.header(request.headers["simpul-size"]), size > 0 else {
            throw SyncError(.malformed, "Simpul-Size: harus bilangan bulat 1 sampai 2^63 - 1")
        }
        // Checked arithmetic: the chunk must end inside the size, whatever the offset.
        let (end, overflow) = offset.addingReportingOverflow(Int64(request.body.count))
        guard !overflow, end <= size else {
            throw SyncError(
                .blobRange, "Simpul-Offset \(offset) + \(request.body.count) byte melewati Simpul-Size \(size)")
        }
        guard declared.contains(size) else {
            throw SyncError(
                .blobSize,
                "blob \(sha.prefix(12)) berukuran \(declared.first.map(String.init) ?? "?") byte menurut event lampirannya, bukan \(size)"
            )
        }
        guard request.body.count <= BlobRoutes.maxChunkBytes else {
            throw SyncError(.blobSize, "potongan \(request.body.count) byte melebihi \(BlobRoutes.maxChunkBytes) byte")
        }
        let stored: StoredBlob
        do {
            stored = try store.appendBlobChunk(
                sha256: sha, offset: offset, bytes: request.body, totalSize: size, uploader: node.rawValue)
        } catch {
            switch error.code {
            case .offset:
                let problem = Problem(SyncError(.blobOffset, error.message), received: error.received)
                return HTTPResponseMessage(
                    status: 409, headers: ["content-type": SyncProtocol.problemContentType],
                    body: (try? Canonical.encode(problem)) ?? Array("{}".utf8))
            case .hashMismatch:
                logger.warning("blob discarded", metadata: ["sha256": "\(sha.prefix(12))", "from": "\(node)"])
                throw SyncError(.blobHashMismatch, error.message)
            case .size: throw SyncError(.blobSize, error.message)
            case .store: throw SyncError(.store, error.message, cause: error)
            }
        }
        if stored.complete {
            logger.info(
                "blob received", metadata: ["sha256": "\(sha.prefix(12))", "bytes": "\(size)", "from": "\(node)"])
        }
        return try blobJSON(
            BlobStatus(sha256: sha, size: stored.size, received: stored.received, complete: stored.complete))
    }

    /// The blob's bytes, all of them or from a `Range: bytes=N-` or `bytes=N-M` (206). Any other form
    /// of Range is ignored and the whole blob sent, as RFC 9110 allows.
    private func serve(_ blob: StoredBlob, range: String?) throws(SyncError) -> HTTPResponseMessage {
        var first: Int64 = 0
        var last = blob.size - 1
        var partial = false
        if let range, let (from, to) = Self.byteRange(range) {
            guard from < blob.size else {
                throw SyncError(.blobRange, "rentang mulai byte \(from), blob \(blob.size) byte")
            }
            first = from
            last = min(to ?? last, last)
            partial = true
        }
        guard last >= first else { throw SyncError(.blobRange, "rentang \(first)-\(last) kosong") }
        let bytes = try storeCall { () throws(SimpulError) in
            try store.readBlob(blob.sha256, offset: first, count: Int(last - first + 1))
        }
        var headers = ["content-type": BlobRoutes.octetStream, "accept-ranges": "bytes"]
        if partial { headers["content-range"] = "bytes \(first)-\(last)/\(blob.size)" }
        return HTTPResponseMessage(status: partial ? 206 : 200, headers: headers, body: bytes)
    }

    /// `bytes=N-` or `bytes=N-M` as (N, M); nil for anything else (several ranges, a suffix range).
    static func byteRange(_ header: String) -> (Int64, Int64?)? {
        // Bounded before it is looked at: two Int64s and `bytes=-` fit well within.
        guard header.utf8.count <= WireBounds.maxNumberHeader else { return nil }
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("bytes="), !text.contains(",") else { return nil }
        let spec = text.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
        guard spec.count == 2, let from = Int64(spec[0]), from >= 0 else { return nil }
        if spec[1].isEmpty { return (from, nil) }
        guard let to = Int64(spec[1]), to >= from else { return nil }
        return (from, to)
    }

    private func blobJSON(_ status: BlobStatus) throws(SyncError) -> HTTPResponseMessage {
        do {
            return HTTPResponseMessage(
                status: 200, headers: ["content-type": SyncProtocol.jsonContentType], body: try Canonical.encode(status)
            )
        } catch {
            throw SyncError(.store, "jawaban tidak bisa dikodekan", cause: error)
        }
    }
}
