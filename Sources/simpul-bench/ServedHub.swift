import Foundation
import Logging
import SimpulHubServer
import SimpulSync

/// A real hub serving TLS on 127.0.0.1 in this process, for the scenarios that sync over HTTPS.
final class ServedHub: Sendable {
    let port: Int
    let certificate: String
    private let task: Task<Void, any Error>

    init(handler: any HubRequestHandler, directory: String, logger: Logger) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = try DevCertificate.write(to: directory, host: "localhost")
        certificate = files.certificatePath
        let (bound, reporter) = AsyncStream.makeStream(of: Int.self)
        let server = try HubHTTPServer(
            host: "127.0.0.1", port: 0, tls: files, handler: handler, logger: logger,
            onRunning: { port in
                reporter.yield(port)
                reporter.finish()
            })
        let task = Task {
            // A server that cannot listen ends the stream without a port.
            defer { reporter.finish() }
            try await server.run()
        }
        var ports = bound.makeAsyncIterator()
        guard let port = await ports.next() else {
            task.cancel()
            throw BenchError("the hub server did not start: \(String(describing: await task.result))")
        }
        self.task = task
        self.port = port
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
