import Foundation
import SimpulCompression
import SimpulHubServer
import SimpulSync
import SimpulTransport
import Testing

/// Bodies are compressed on the wire, in both directions, and the handler sees them as meant.
@Suite("Body coding", .timeLimit(.minutes(10)))
struct BodyCodingTests {
    /// Something shaped like a change set: repetitive JSON that compresses well.
    static let document: [UInt8] = {
        let event =
            #"{"at":"2026-03-10T02:25:00.850Z","context":{"33.74.01":262},"data":{"tahap":"operator"},"#
            + #""lamport":281,"officer":"Nur Aini","record":"01-26-00064-5","role":"Operator","seq":"#
        return Array(("[" + (1...200).map { event + "\($0)}" }.joined(separator: ",") + "]").utf8)
    }()

    @Test func aRequestGoesCompressedWithTheDictionaryAndTheAnswerComesBackCompressed() async throws {
        // The echo handler answers with the body it was given: what comes back is what it saw.
        let server = try await RunningServer.start(tls: nil)
        let transport = CurlTransport(baseURL: "http://127.0.0.1:\(server.port)", logger: quietLogger)

        let result = await sendOnThread(
            transport, HTTPRequestMessage(method: "POST", path: "/echo", body: Self.document))
        transport.closeIdleConnections()
        try await server.stop()

        let (response, sent, received) = try result.get()
        #expect(response.status == 200)
        #expect(response.body == Self.document)
        #expect(sent * 10 < Self.document.count, "sent \(sent) of \(Self.document.count)")
        #expect(received * 5 < Self.document.count, "received \(received) of \(Self.document.count)")
    }

    @Test func aSmallBodyGoesAsItIs() async throws {
        let server = try await RunningServer.start(tls: nil)
        let transport = CurlTransport(baseURL: "http://127.0.0.1:\(server.port)", logger: quietLogger)
        let body = Array("kecil".utf8)
        let result = await sendOnThread(transport, HTTPRequestMessage(method: "POST", path: "/echo", body: body))
        transport.closeIdleConnections()
        try await server.stop()
        let (response, sent, _) = try result.get()
        #expect(response.body == body)
        #expect(sent == body.count)
    }

    @Test func anEncodingTheHubDoesNotReadIsA415Problem() async throws {
        let server = try await RunningServer.start(tls: nil)
        let transport = CurlTransport(baseURL: "http://127.0.0.1:\(server.port)", logger: quietLogger)
        let result = await sendOnThread(
            transport,
            HTTPRequestMessage(method: "POST", path: "/echo", headers: ["content-encoding": "br"], body: Self.document))
        transport.closeIdleConnections()
        try await server.stop()
        let (response, _, _) = try result.get()
        #expect(response.status == 415)
        let problem = try Canonical.decode(Problem.self, from: response.body)
        #expect(problem.code == "unsupported-encoding")
    }

    @Test func aFrameMadeWithAnotherDictionaryIsA415Problem() async throws {
        let other = try ZstdDictionary(
            try Zstd.train(
                samples: (0..<400).map { Array("sample \($0) of some other dictionary \($0 * 7)".utf8) },
                capacity: 4096))
        #expect(other.id != BodyCoding.dictionary.id)
        let server = try await RunningServer.start(tls: nil)
        let transport = CurlTransport(baseURL: "http://127.0.0.1:\(server.port)", logger: quietLogger)
        let body = Zstd.compress(Self.document, level: 3, dictionary: other)
        let result = await sendOnThread(
            transport,
            HTTPRequestMessage(
                method: "POST", path: "/echo", headers: ["content-encoding": BodyCoding.requestEncoding], body: body))
        transport.closeIdleConnections()
        try await server.stop()
        let (response, _, _) = try result.get()
        #expect(response.status == 415)
        #expect(try Canonical.decode(Problem.self, from: response.body).code == "unsupported-encoding")
    }

    @Test func aSmallBodyThatExpandsPastTheLimitIsA413ProblemNotAnAllocation() async throws {
        let server = try await RunningServer.start(
            tls: nil, handler: EchoHandler(decodeLimit: 64 * 1024), maxRequestBodyBytes: 64 * 1024)
        let transport = CurlTransport(baseURL: "http://127.0.0.1:\(server.port)", logger: quietLogger)
        let bomb = Zstd.compress([UInt8](repeating: 0, count: 64 * 1024 * 1024), level: 19)
        #expect(bomb.count < 64 * 1024)
        let result = await sendOnThread(
            transport,
            HTTPRequestMessage(method: "POST", path: "/echo", headers: ["content-encoding": "zstd"], body: bomb))
        transport.closeIdleConnections()
        try await server.stop()
        let (response, _, _) = try result.get()
        #expect(response.status == 413)
        #expect(try Canonical.decode(Problem.self, from: response.body).code == "too-large")
    }

    @Test func aTruncatedFrameIsMalformed() throws {
        let frame = Zstd.compress(Self.document, level: 3)
        #expect(throws: SyncError.self) {
            try BodyCoding.decodeRequest(Array(frame.prefix(frame.count / 2)), encoding: "zstd", limit: 1 << 20)
        }
        #expect(try BodyCoding.decodeRequest(frame, encoding: "zstd", limit: 1 << 20) == Self.document)
    }

    @Test(arguments: [
        ("zstd", true), ("gzip, zstd", true), ("deflate, gzip, br, zstd", true), ("zstd;q=0", false),
        ("gzip", false), ("*", true), ("ZSTD; q=0.5", true), ("", false),
    ])
    func acceptEncodingIsRead(header: String, accepted: Bool) {
        let encoded = BodyCoding.encodeResponse(Self.document, acceptEncoding: header)
        #expect((encoded.encoding != nil) == accepted)
    }

    @Test func theBuiltInDictionaryLoadsWithTheIdItWasGeneratedWith() {
        #expect(BodyCoding.dictionary.id != 0)
        #expect(BodyCoding.dictionary.bytes.count > 1024)
    }
}
