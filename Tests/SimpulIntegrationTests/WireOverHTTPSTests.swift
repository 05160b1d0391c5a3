import Crypto
import Foundation
import SimpulDomain
import SimpulHubServer
import SimpulStore
import SimpulSync
import SimpulTestSupport
import SimpulTransport
import Synchronization
import Testing

/// One exchange as libcurl saw it.
struct Exchange: Sendable {
    var method: String
    var path: String
    var requestBody: Int
    var requestEncoding: String?
    var sent: Int
    var status: Int
    var contentType: String?
    var responseBody: Int
    var received: Int
}

/// Records each exchange of the transport it wraps, with the bytes that went on the wire.
final class WireLog: SyncTransport {
    let inner: CurlTransport
    let log = Mutex<[Exchange]>([])

    init(_ inner: CurlTransport) { self.inner = inner }
    var host: String { inner.host }

    func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage {
        try sendCounted(request).0
    }

    func sendCounted(
        _ request: HTTPRequestMessage
    ) throws(TransportError) -> (HTTPResponseMessage, sent: Int, received: Int) {
        let (response, sent, received) = try inner.sendCounted(request)
        let exchange = Exchange(
            method: request.method, path: request.path, requestBody: Self.decodedSize(request),
            requestEncoding: request.headers["content-encoding"], sent: sent, status: response.status,
            contentType: response.headers["content-type"], responseBody: response.body.count, received: received)
        log.withLock { $0.append(exchange) }
        return (response, sent, received)
    }

    func finish() { inner.finish() }

    /// The body's size before the agent compressed it (it signs what it sends, so it compresses first).
    static func decodedSize(_ request: HTTPRequestMessage) -> Int {
        let decoded = try? BodyCoding.decodeRequest(
            request.body, encoding: request.headers["content-encoding"], limit: 64 * 1024 * 1024)
        return decoded?.count ?? request.body.count
    }
}

/// What a real sync sends over real HTTP validates against the published wire format: a kecamatan
/// agent talks to the hub over TLS on 127.0.0.1 through libcurl, every message body is captured as
/// the client sent and received it, and `sync-schemas/validate.py` checks the capture. The wire itself
/// is checked too: bodies went compressed both ways, each answer carries its content type, and a body
/// over the server's limit gets the server's own 413 problem.
@Suite(.timeLimit(.minutes(10))) struct WireOverHTTPSTests {
    static let maxRequestBodyBytes = 256 * 1024

    @Test(arguments: HubBackend.allCases) func aRealSyncOverHTTPSSpeaksTheWireFormat(
        backend: HubBackend
    ) async throws {
        let check = try WireValidator.python(["-c", "import jsonschema, cryptography"])
        try #require(
            check.status == 0,
            "validate.py needs python3 with jsonschema and cryptography (make deps): \(check.output)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-wire-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }

        let world = try SyncWorld(backend: backend)
        let clock = world.clock
        let kec = try world.kecamatan("33.74.01")
        let sktm = try kec.register("SKTM")
        try kec.processToHandover(sktm.number)
        for _ in 0..<20 { try kec.register("SKTM") }
        let pbg = try kec.register("PBG-KECIL", nama: "Ahmad Fauzi")
        let scanFolder = Fixture.tempDirectory()
        try FileManager.default.createDirectory(atPath: scanFolder, withIntermediateDirectories: true)
        let scan = (scanFolder as NSString).appendingPathComponent("gambar.pdf")
        try Data((0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: scan))
        let drawing = try kec.store.attach(file: scan, to: pbg.number, syarat: "gambar", officer: "Sari")
        try kec.store.perform(.forward(note: "berkas lengkap"), on: pbg.number, officer: "Sari")
        let stranger = try world.kecamatan("33.74.02", enroll: false)

        let (exchanges, files, statuses) = try await withHTTPSHub(
            world.service, maxRequestBodyBytes: Self.maxRequestBodyBytes
        ) { port, ca in
            let wire = WireLog(CurlTransport(baseURL: "https://127.0.0.1:\(port)", caFile: ca, logger: Fixture.logger))
            defer { wire.inner.closeIdleConnections() }
            let capture = CapturingTransport(wrapping: wire, directory: folder)
            func sync(_ replica: Replica) -> SyncReport {
                SyncClient(
                    store: replica.store, identity: replica.identity, transport: capture, logger: Fixture.logger,
                    now: { clock.now() }, budget: 4096, maxPullBytes: 4096, blobChunkBytes: 16 * 1024
                ).run()
            }
            var statuses: [String: Int] = [:]
            statuses["push"] = Int(sync(kec).outcome.exitCode)
            try world.hubStorage.perform(.decide(code: "50", fee: 100_000, note: nil), on: pbg.number, officer: "Kabid")
            statuses["pull"] = Int(sync(kec).outcome.exitCode)

            // A chunk sent again after the hub has the whole blob: 409 with where the hub's copy ends.
            var resent = HTTPRequestMessage(
                method: "POST", path: BlobRoutes.chunks(drawing.attachment.sha256),
                headers: ["content-type": "application/octet-stream", "simpul-offset": "0", "simpul-size": "40000"],
                body: try kec.store.readBlob(drawing.attachment.sha256, offset: 0, count: 1_000))
            try RequestSignature.sign(&resent, identity: kec.identity, at: clock.now(), host: capture.host)
            statuses["resent chunk"] = try capture.send(resent).status

            // A chunk larger than the server takes: refused by the HTTP server itself, before any handler.
            // Hash output does not compress, so the body is over the limit on the wire too. (A chunk's
            // bytes are not JSON and not captured; the problem that answers them is.)
            let noise = (0..<(Self.maxRequestBodyBytes / 16)).flatMap { i in
                Array(SHA256.hash(data: [UInt8(i & 255), UInt8(i >> 8)]))
            }
            var huge = HTTPRequestMessage(
                method: "POST", path: BlobRoutes.chunks(drawing.attachment.sha256),
                headers: ["content-type": "application/octet-stream", "simpul-offset": "0", "simpul-size": "40000"],
                body: noise)
            try RequestSignature.sign(&huge, identity: kec.identity, at: clock.now(), host: capture.host)
            let tooLarge = try capture.send(huge)
            statuses["huge chunk"] = tooLarge.status
            statuses["huge chunk is too-large"] =
                try Canonical.decode(Problem.self, from: tooLarge.body).code == "too-large" ? 1 : 0

            statuses["stranger"] = Int(sync(stranger).outcome.exitCode)
            return (wire.log.withLock { $0 }, capture.files, statuses)
        }

        #expect(
            statuses == [
                "push": 0, "pull": 0, "resent chunk": 409, "huge chunk": 413, "huge chunk is too-large": 1,
                "stranger": 77,
            ])
        #expect(try kec.store.permohonan(pbg.number).fee == 100_000)
        #expect(exchanges.filter { $0.path == "/v2/pull" }.count > 1, "several bounded pull answers")

        // Every answer names its content type: JSON for a message, a problem for a refusal.
        for e in exchanges where e.status >= 400 {
            #expect(e.contentType == SyncProtocol.problemContentType, "\(e.method) \(e.path) -> \(e.status)")
        }
        for e in exchanges where e.status == 200 && !(e.method == "GET" && e.path.hasPrefix(BlobRoutes.prefix)) {
            #expect(e.contentType?.hasPrefix(SyncProtocol.jsonContentType) == true, "\(e.method) \(e.path)")
        }
        // Compression on the wire, both ways: a change set went up in fewer bytes than its JSON, and a
        // pull answer came down in fewer bytes than it decoded to.
        let pushes = exchanges.filter { $0.path == "/v2/push" && $0.status == 200 }
        #expect(pushes.contains { $0.sent < $0.requestBody }, "no push went compressed: \(pushes)")
        let pulls = exchanges.filter { $0.path == "/v2/pull" && $0.status == 200 }
        #expect(pulls.contains { $0.received < $0.responseBody }, "no pull answer came compressed: \(pulls)")

        let captured = Set(files.map { String($0.dropFirst(5).dropLast(5)) })
        #expect(
            captured == [
                "hub-info", "knowledge-request", "knowledge-response", "push-request", "push-response",
                "pull-request", "pull-response", "blob-status", "problem",
            ], "captured: \(files)")
        let run = try WireValidator.validateCaptured(folder.path)
        #expect(run.status == 0, "validate.py captured failed:\n\(run.output)")
        #expect(run.output.contains("\(files.count) passed, 0 failed"), "\(run.output)")
    }
}
