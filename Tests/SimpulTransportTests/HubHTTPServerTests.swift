import Foundation
import ServiceLifecycle
import SimpulHubServer
import SimpulSync
import SimpulTransport
import Testing

@Suite("HubHTTPServer", .timeLimit(.minutes(10)))
struct HubHTTPServerTests {
    @Test(arguments: ["127.0.0.1", "localhost"])
    func plainHTTPWorksOnLoopback(host: String) async throws {
        let server = try await RunningServer.start(tls: nil, host: host)
        let transport = CurlTransport(baseURL: "http://\(host):\(server.port)", logger: quietLogger)

        let result = await sendOnThread(
            transport, HTTPRequestMessage(method: "POST", path: "/v2/pull", body: Array("knowledge".utf8))
        )
        transport.closeIdleConnections()
        try await server.stop()

        let response = try result.get().0
        #expect(response.status == 200)
        #expect(response.body == Array("knowledge".utf8))
    }

    @Test(arguments: ["0.0.0.0", "::", "192.0.2.10", "hub.example.org"])
    func plainHTTPIsRefusedOffLoopback(host: String) throws {
        let error = #expect(throws: HubServerError.self) {
            try HubHTTPServer(host: host, port: 0, tls: nil, handler: EchoHandler(), logger: quietLogger)
        }
        #expect(error?.code == .insecureConfiguration)
        #expect(error?.message.contains("HTTP tanpa TLS ditolak di alamat bukan loopback") == true)
    }

    @Test(arguments: ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LocalHost"])
    func loopbackAddressesMayServePlainHTTP(host: String) async throws {
        let server = try await RunningServer.start(tls: nil, host: host)
        let urlHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let transport = CurlTransport(baseURL: "http://\(urlHost):\(server.port)", logger: quietLogger)
        let body = Array("served over plain HTTP on \(host)".utf8)

        let result = await sendOnThread(
            transport, HTTPRequestMessage(method: "POST", path: "/v2/pull", headers: ["x-test": host], body: body))
        transport.closeIdleConnections()
        try await server.stop()

        let response = try result.get().0
        #expect(response.status == 200)
        #expect(response.body == body)
        #expect(response.headers["x-echo-path"] == "/v2/pull")
        #expect(response.headers["x-echo-test"] == host)
    }

    @Test func aMissingCertificateFileIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tls = TLSFiles(
            certificatePath: directory.path + "/absent-cert.pem", privateKeyPath: directory.path + "/absent-key.pem"
        )

        let error = #expect(throws: HubServerError.self) {
            try HubHTTPServer(host: "0.0.0.0", port: 0, tls: tls, handler: EchoHandler(), logger: quietLogger)
        }
        #expect(error?.code == .tlsFiles)
        #expect(error?.message.contains(tls.certificatePath) == true)
        #expect(error?.message.contains("tidak ada") == true)
    }

    @Test func aKeyFileThatIsNotPEMIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = try DevCertificate.write(to: directory.path, host: "127.0.0.1")
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: files.privateKeyPath))

        let error = #expect(throws: HubServerError.self) {
            try HubHTTPServer(host: "127.0.0.1", port: 0, tls: files, handler: EchoHandler(), logger: quietLogger)
        }
        #expect(error?.code == .tlsFiles)
        #expect(error?.message.contains(files.privateKeyPath) == true)
    }

    @Test func aBodyOverTheLimitGets413() async throws {
        let server = try await RunningServer.start(tls: nil, maxRequestBodyBytes: 1024)
        // The limit is on the body as it comes over the wire; the server decompresses nothing.
        let transport = CurlTransport(
            baseURL: "http://127.0.0.1:\(server.port)", compressRequests: false, logger: quietLogger)

        let small = await sendOnThread(
            transport, HTTPRequestMessage(method: "POST", path: "/", body: [UInt8](repeating: 7, count: 1024)))
        let large = await sendOnThread(
            transport, HTTPRequestMessage(method: "POST", path: "/", body: [UInt8](repeating: 7, count: 4096)))
        transport.closeIdleConnections()
        try await server.stop()

        #expect(try small.get().0.status == 200)
        #expect(try large.get().0.status == 413)
    }

    @Test func methodPathAndHeadersReachTheHandler() async throws {
        let recorder = RecordingHandler()
        let server = try await RunningServer.start(tls: nil, handler: recorder)
        let transport = CurlTransport(baseURL: "http://127.0.0.1:\(server.port)", logger: quietLogger)

        let result = await sendOnThread(
            transport, HTTPRequestMessage(method: "GET", path: "/v2/knowledge?p=1", headers: ["X-Node": "kec-01"])
        )
        transport.closeIdleConnections()
        try await server.stop()

        #expect(try result.get().0.status == 204)
        let seen = try #require(await recorder.requests.first)
        #expect(seen.method == "GET")
        #expect(seen.path == "/v2/knowledge?p=1")
        #expect(seen.headers["x-node"] == "kec-01")
        #expect(seen.headers["user-agent"] == "simpul/1")
    }

    @Test func runEndsOnGracefulShutdown() async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = try HubHTTPServer(
            host: "127.0.0.1", port: 0, tls: nil, handler: EchoHandler(), logger: quietLogger,
            onRunning: { port in continuation.yield(port) }
        )
        let group = ServiceGroup(services: [server], logger: quietLogger)
        let running = Task { try await group.run() }
        let port = try #require(await ports.first(where: { _ in true }))
        #expect(port > 0)

        await group.triggerGracefulShutdown()
        try await running.value
    }
}

/// Answers 204 and keeps every request it saw.
actor RecordingHandler: HubRequestHandler {
    private(set) var requests: [HTTPRequestMessage] = []

    func handle(_ request: HTTPRequestMessage) async -> HTTPResponseMessage {
        requests.append(request)
        return HTTPResponseMessage(status: 204)
    }
}
