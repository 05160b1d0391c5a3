// Fuzzes the hub's blob endpoints where they read what a node sends: the path, `Range`, `Simpul-Offset`
// and `Simpul-Size`, and a chunk's bytes. Requests are signed by an enrolled kecamatan and answered
// by a real HubService over a temporary SQLite store that holds one complete blob the kecamatan
// attached, so the input reaches the header parsing behind authentication. `Range` is also fed
// straight to the parser. Any answer is fine except a 5xx (the hub failing on its own input) or a crash.
//
// Input: one byte choosing the request, then up to four fields separated by "\n":
// range (or, for the raw-path request, the path after /blobs/), offset, size, body.
import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport

@testable import SimpulSync

/// The protocol's path prefix, without its trailing slash.
let prefix = String(SyncProtocol.prefix.dropLast())

final class BlobHub: Sendable {
    static let shared = try! BlobHub()

    let world: SyncWorld
    let kec: Replica
    let sha: String

    init() throws {
        world = try SyncWorld()
        kec = try world.kecamatan("33.74.01")
        let p = try kec.register("PBG-KECIL", nama: "Ahmad Fauzi")
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        let directory = Fixture.tempDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + "/gambar-rencana.pdf"
        _ = FileManager.default.createFile(
            atPath: file, contents: Data((0..<3_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        sha = try kec.store.attach(file: file, to: p.number, syarat: "gambar", officer: "Sari").attachment.sha256
        // Pushes the attachment event and uploads the blob: the hub holds it whole.
        world.sync(kec)
    }
}

/// Builds the hub before fuzzing starts: the setup (a store, a sync, an upload) takes seconds under
/// AddressSanitizer, and inside the first input it would count against libFuzzer's per-input timeout.
@_cdecl("LLVMFuzzerInitialize")
func fuzzInitialize(
    _ argc: UnsafeMutablePointer<Int32>?,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> Int32 {
    _ = BlobHub.shared
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let op = bytes.first else { return 0 }
    let fields = bytes.dropFirst().split(separator: UInt8(ascii: "\n"), maxSplits: 3, omittingEmptySubsequences: false)
    func text(_ i: Int) -> String? {
        i < fields.count && !fields[i].isEmpty ? String(decoding: fields[i], as: UTF8.self) : nil
    }
    if let range = text(0) { _ = HubService.byteRange(range) }

    let hub = BlobHub.shared
    let base = "\(prefix)/blobs/\(hub.sha)"
    var request: HTTPRequestMessage
    switch op % 4 {
    case 0: request = HTTPRequestMessage(method: "GET", path: base)
    case 1: request = HTTPRequestMessage(method: "GET", path: base + "/status")
    case 2: request = HTTPRequestMessage(method: "POST", path: base + "/chunks")
    default:
        request = HTTPRequestMessage(method: op & 4 == 0 ? "GET" : "POST", path: "\(prefix)/blobs/\(text(0) ?? "")")
    }
    if let range = text(0) { request.headers["range"] = range }
    if let offset = text(1) { request.headers["simpul-offset"] = offset }
    if let size = text(2) { request.headers["simpul-size"] = size }
    if fields.count > 3 { request.body = Array(fields[3]) }
    do {
        try RequestSignature.sign(&request, identity: hub.kec.identity, at: hub.world.clock.now())
    } catch {
        return 0
    }
    let response = hub.world.service.respond(request)
    if response.status >= 500 {
        print(
            "fuzz-blob-headers: \(request.method) \(request.path) \(request.headers) answered \(response.status): "
                + String(decoding: response.body, as: UTF8.self))
        abort()
    }
    return 0
}
