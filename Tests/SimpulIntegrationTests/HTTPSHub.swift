import Foundation
import SimpulHubServer
import SimpulSync
import SimpulTestSupport

/// Serves `handler` over HTTPS on 127.0.0.1 (Hummingbird, a dev certificate) while `body` runs on a
/// thread of its own, since libcurl blocks; returns after the server stopped.
func withHTTPSHub<T: Sendable>(
    _ handler: any HubRequestHandler, certificateHost: String = "localhost",
    maxRequestBodyBytes: Int = HubHTTPServer.defaultMaxRequestBodyBytes,
    _ body: @escaping @Sendable (_ port: Int, _ caFile: String) throws -> T
) async throws -> T {
    let dir = Fixture.tempDirectory()
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let certs = try DevCertificate.write(to: dir, host: certificateHost)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let server = try HubHTTPServer(
        host: "127.0.0.1", port: 0, tls: certs, handler: handler, maxRequestBodyBytes: maxRequestBodyBytes,
        logger: Fixture.logger,
        onRunning: { continuation.yield($0) })
    let serving = Task { try await server.run() }
    defer { serving.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    let result = try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
        Thread.detachNewThread { c.resume(with: Result { try body(port, certs.certificatePath) }) }
    }
    serving.cancel()
    _ = await serving.result
    return result
}
