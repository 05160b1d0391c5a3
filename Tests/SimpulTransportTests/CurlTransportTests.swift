import Foundation
import SimpulHubServer
import SimpulSync
import SimpulTransport
import Testing

@Suite("CurlTransport", .timeLimit(.minutes(10)))
struct CurlTransportTests {
    @Test func postEchoesHeadersAndAOneMegabyteBinaryBody() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tls = try DevCertificate.write(to: directory.path, host: "127.0.0.1")
        let server = try await RunningServer.start(tls: tls)
        let transport = CurlTransport(
            baseURL: "https://127.0.0.1:\(server.port)", caFile: tls.certificatePath, logger: quietLogger
        )
        let body = patternBytes(count: 1_048_576 + 17)
        let request = HTTPRequestMessage(
            method: "POST", path: "/v2/push?partition=3201",
            headers: ["X-Test": "hello", "Content-Type": "application/octet-stream"], body: body
        )

        let result = await sendOnThread(transport, request)
        transport.closeIdleConnections()
        try await server.stop()

        let (response, sent, received) = try result.get()
        #expect(response.status == 200)
        #expect(response.headers["x-echo-method"] == "POST")
        #expect(response.headers["x-echo-path"] == "/v2/push?partition=3201")
        #expect(response.headers["x-echo-test"] == "hello")
        #expect(response.headers["content-type"] == "application/octet-stream")
        #expect(response.body.count == body.count)
        #expect(response.body == body)
        // The pattern repeats, so both directions went compressed and came out whole.
        #expect(sent > 0 && sent < body.count / 10)
        #expect(received > 0 && received < body.count / 10)
    }

    @Test func putAndDeleteWithEmptyBodiesReachTheHandler() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tls = try DevCertificate.write(to: directory.path, host: "127.0.0.1")
        let server = try await RunningServer.start(tls: tls)
        let transport = CurlTransport(
            baseURL: "https://127.0.0.1:\(server.port)/", caFile: tls.certificatePath, logger: quietLogger
        )

        let put = await sendOnThread(transport, HTTPRequestMessage(method: "PUT", path: "/v2/blobs/abc"))
        let delete = await sendOnThread(transport, HTTPRequestMessage(method: "DELETE", path: "/a/b/c"))
        transport.closeIdleConnections()
        try await server.stop()

        let putResponse = try put.get().0
        #expect(putResponse.status == 200)
        #expect(putResponse.headers["x-echo-method"] == "PUT")
        #expect(putResponse.headers["x-echo-path"] == "/v2/blobs/abc")
        #expect(putResponse.body.isEmpty)
        let deleteResponse = try delete.get().0
        #expect(deleteResponse.headers["x-echo-method"] == "DELETE")
        #expect(deleteResponse.headers["x-echo-path"] == "/a/b/c")
    }

    @Test func closingIdleConnectionsLetsTheTLSServerStopPromptly() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tls = try DevCertificate.write(to: directory.path, host: "127.0.0.1")
        let server = try await RunningServer.start(tls: tls)
        let transport = CurlTransport(
            baseURL: "https://127.0.0.1:\(server.port)", caFile: tls.certificatePath, logger: quietLogger
        )
        let result = await sendOnThread(transport, HTTPRequestMessage(method: "GET", path: "/"))
        #expect(try result.get().0.status == 200)

        transport.closeIdleConnections()
        let start = ContinuousClock.now
        try await server.stop()

        // An idle keep-alive connection would hold the shutdown for NIOSSL's 5 s wait for close_notify.
        #expect(ContinuousClock.now - start < .seconds(4))
    }

    @Test func getPassesTheHandlersNotFoundThrough() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tls = try DevCertificate.write(to: directory.path, host: "127.0.0.1")
        let server = try await RunningServer.start(tls: tls)
        let transport = CurlTransport(
            baseURL: "https://127.0.0.1:\(server.port)", caFile: tls.certificatePath, logger: quietLogger
        )

        let result = await sendOnThread(transport, HTTPRequestMessage(method: "GET", path: "/missing/thing"))
        transport.closeIdleConnections()
        try await server.stop()

        let response = try result.get().0
        #expect(response.status == 404)
        #expect(response.headers["content-type"] == "text/plain")
        #expect(response.body == Array("no".utf8))
    }

    @Test func aServerTheSystemDoesNotTrustIsATLSError() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tls = try DevCertificate.write(to: directory.path, host: "127.0.0.1")
        let server = try await RunningServer.start(tls: tls)
        let transport = CurlTransport(baseURL: "https://127.0.0.1:\(server.port)", logger: quietLogger)

        let result = await sendOnThread(transport, HTTPRequestMessage(method: "GET", path: "/v2/knowledge"))
        transport.closeIdleConnections()
        try await server.stop()

        let error = try #require(result.failure)
        #expect(error.code == .tls)
        #expect(error.message.contains("GET https://127.0.0.1:\(server.port)/v2/knowledge"))
        #expect(error.message.contains("curl error"))
    }

    @Test func anotherDevCertificateAsCAFileIsATLSError() async throws {
        let directory = try TemporaryDirectory()
        let otherDirectory = try TemporaryDirectory()
        defer {
            directory.remove()
            otherDirectory.remove()
        }
        let tls = try DevCertificate.write(to: directory.path, host: "127.0.0.1")
        let other = try DevCertificate.write(to: otherDirectory.path, host: "127.0.0.1")
        let server = try await RunningServer.start(tls: tls)
        let transport = CurlTransport(
            baseURL: "https://127.0.0.1:\(server.port)", caFile: other.certificatePath, logger: quietLogger
        )

        let result = await sendOnThread(transport, HTTPRequestMessage(method: "GET", path: "/"))
        transport.closeIdleConnections()
        try await server.stop()

        #expect(result.failure?.code == .tls)
    }

    /// A trusted certificate that names another host is refused: the hub listens on 127.0.0.2 with a
    /// certificate for hub.example.org (and the dev certificate's loopback names, which do not include
    /// 127.0.0.2). The same trust with a certificate naming 127.0.0.2 is served, so the refusal is the name.
    @Test(arguments: [
        (certificateFor: "hub.example.org", refused: true), (certificateFor: "127.0.0.2", refused: false),
    ])
    func aCertificateForAnotherHostIsATLSError(certificateFor: String, refused: Bool) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tls = try DevCertificate.write(to: directory.path, host: certificateFor)
        let server = try await RunningServer.start(tls: tls, host: "127.0.0.2")
        let transport = CurlTransport(
            baseURL: "https://127.0.0.2:\(server.port)", caFile: tls.certificatePath, logger: quietLogger)

        let result = await sendOnThread(transport, HTTPRequestMessage(method: "GET", path: "/v2/hub"))
        transport.closeIdleConnections()
        try await server.stop()

        if refused {
            let error = try #require(result.failure, "a certificate for \(certificateFor) was accepted for 127.0.0.2")
            #expect(error.code == .tls, "\(error)")
        } else {
            #expect(try result.get().0.status == 200)
        }
    }

    @Test func aClosedPortIsAConnectError() async throws {
        // Bound but not listening: the port belongs to this test, and connecting to it is refused.
        let listener = try RawListener(listening: false)
        defer { listener.shutDown() }
        let transport = CurlTransport(baseURL: "https://127.0.0.1:\(listener.port)", logger: quietLogger)

        let result = await sendOnThread(transport, HTTPRequestMessage(method: "GET", path: "/"))

        let error = try #require(result.failure)
        #expect(error.code == .connect)
        #expect(error.message.contains("could not connect"))
    }

    @Test func aPeerThatNeverAnswersIsAStall() async throws {
        // The kernel completes the handshake for the backlog, so the client connects and then hears nothing.
        let listener = try RawListener()
        defer { listener.shutDown() }
        let transport = CurlTransport(
            baseURL: "http://127.0.0.1:\(listener.port)", lowSpeedLimitBytesPerSecond: 1000, lowSpeedTimeSeconds: 1,
            logger: quietLogger
        )

        let (result, elapsed) = await timedSendOnThread(
            transport, HTTPRequestMessage(method: "POST", path: "/v2/push", body: [1]))

        let error = try #require(result.failure)
        #expect(error.code == .stalled)
        // Well below the 30 s connect timeout: the stall, not a timeout of the handshake, ended it.
        #expect(elapsed < .seconds(25))
    }

    @Test func aSlowResponseThatKeepsProgressingIsNotCut() async throws {
        let listener = try RawListener()
        defer { listener.shutDown() }
        let chunk = patternBytes(count: 1500)
        let chunkCount = 15
        listener.serveOne { client in
            let head = "HTTP/1.1 200 OK\r\nContent-Length: \(chunk.count * chunkCount)\r\nConnection: close\r\n\r\n"
            sendAll(client, Array(head.utf8))
            for _ in 0..<chunkCount {
                // Paces a slow link (about 15 kB/s for 1.5 s), longer than the 1 s low-speed window.
                usleep(100_000)
                guard sendAll(client, chunk) else { return }
            }
        }
        let transport = CurlTransport(
            baseURL: "http://127.0.0.1:\(listener.port)", lowSpeedLimitBytesPerSecond: 1000, lowSpeedTimeSeconds: 1,
            logger: quietLogger
        )

        let result = await sendOnThread(transport, HTTPRequestMessage(method: "GET", path: "/slow"))

        let response = try result.get().0
        #expect(response.status == 200)
        #expect(response.body == Array([[UInt8]](repeating: chunk, count: chunkCount).joined()))
    }

    @Test func aCompressedResponseIsDecoded() async throws {
        // gzip of "simpul compressed hello " repeated 20 times.
        let gzipped: [UInt8] = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x2b, 0xce, 0xcc, 0x2d, 0x28, 0xcd, 0x51,
            0x48, 0xce, 0xcf, 0x2d, 0x28, 0x4a, 0x2d, 0x2e, 0x4e, 0x4d, 0x51, 0xc8, 0x48, 0xcd, 0xc9, 0xc9, 0x57,
            0x28, 0x1e, 0x15, 0x1f, 0x16, 0xe2, 0x00, 0x06, 0x9f, 0xcd, 0xe1, 0xe0, 0x01, 0x00, 0x00,
        ]
        let listener = try RawListener()
        defer { listener.shutDown() }
        listener.serveOne { client in
            let head =
                "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: \(gzipped.count)\r\n"
                + "X-Kind: packed\r\nConnection: close\r\n\r\n"
            sendAll(client, Array(head.utf8) + gzipped)
        }
        let transport = CurlTransport(baseURL: "http://127.0.0.1:\(listener.port)", logger: quietLogger)

        let result = await sendOnThread(transport, HTTPRequestMessage(method: "GET", path: "/packed"))

        let (response, _, received) = try result.get()
        #expect(response.body == Array(String(repeating: "simpul compressed hello ", count: 20).utf8))
        #expect(response.headers["x-kind"] == "packed")
        #expect(response.headers["content-encoding"] == nil)
        #expect(received == gzipped.count)
    }

    @Test func aHeaderValueWithALineBreakIsRefusedBeforeSending() async throws {
        let transport = CurlTransport(baseURL: "https://127.0.0.1:1", logger: quietLogger)
        let request = HTTPRequestMessage(method: "GET", path: "/", headers: ["x-test": "a\r\nx-injected: b"])

        let result = await sendOnThread(transport, request)

        #expect(result.failure?.code == .other)
    }

    @Test func aResponseLargerThanTheCapEndsTheTransfer() async throws {
        let server = try await RunningServer.start(tls: nil)
        let transport = CurlTransport(
            baseURL: "http://127.0.0.1:\(server.port)", maxResponseBytes: 64 * 1024, logger: quietLogger)
        let result = await sendOnThread(
            transport, HTTPRequestMessage(method: "POST", path: "/echo", body: patternBytes(count: 200 * 1024)))
        let small = await sendOnThread(
            transport, HTTPRequestMessage(method: "POST", path: "/echo", body: patternBytes(count: 1024)))
        transport.closeIdleConnections()
        try await server.stop()
        #expect(result.failure?.message.contains("larger than 65536 bytes") == true)
        #expect(try small.get().0.body == patternBytes(count: 1024))
    }

    @Test func theHostSignedIsTheBaseURLsAuthority() {
        #expect(CurlTransport(baseURL: "https://Hub.Example:8443/", logger: quietLogger).host == "hub.example:8443")
        #expect(CurlTransport(baseURL: "https://127.0.0.1", logger: quietLogger).host == "127.0.0.1")
    }
}
