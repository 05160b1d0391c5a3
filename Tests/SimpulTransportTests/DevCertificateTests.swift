import Foundation
import SimpulHubServer
import SimpulSync
import SimpulTransport
import Testing

@Suite("DevCertificate", .timeLimit(.minutes(10)))
struct DevCertificateTests {
    @Test func writesPEMFilesWithAPrivateKeyOnlyTheOwnerCanRead() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }

        let files = try DevCertificate.write(to: directory.path, host: "hub.example.org")

        #expect(files.certificatePath == directory.path + "/cert.pem")
        #expect(files.privateKeyPath == directory.path + "/key.pem")
        let keyAttributes = try FileManager.default.attributesOfItem(atPath: files.privateKeyPath)
        #expect((keyAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let certificate = try String(contentsOfFile: files.certificatePath, encoding: .utf8)
        let key = try String(contentsOfFile: files.privateKeyPath, encoding: .utf8)
        #expect(certificate.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(key.hasPrefix("-----BEGIN PRIVATE KEY-----"))
    }

    @Test func refusesToOverwriteAndLeavesTheOldFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = try DevCertificate.write(to: directory.path, host: "127.0.0.1")
        let before = try Data(contentsOf: URL(fileURLWithPath: files.certificatePath))

        let error = #expect(throws: HubServerError.self) {
            try DevCertificate.write(to: directory.path, host: "127.0.0.1")
        }

        #expect(error?.code == .fileExists)
        #expect(error?.message.contains(directory.path) == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: files.certificatePath)) == before)
    }

    @Test func refusesWhenOnlyTheKeyFileExists() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let keyPath = directory.path + "/key.pem"
        try Data("old key".utf8).write(to: URL(fileURLWithPath: keyPath))

        #expect(throws: HubServerError.self) {
            try DevCertificate.write(to: directory.path, host: "127.0.0.1")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/cert.pem"))
        #expect(try String(contentsOfFile: keyPath, encoding: .utf8) == "old key")
    }

    /// NIOSSL loads the pair and libcurl (OpenSSL) accepts the certificate as a CA for each name it lists.
    @Test(arguments: ["127.0.0.1", "localhost"])
    func isAcceptedByTheServerAndByLibcurl(name: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tls = try DevCertificate.write(to: directory.path, host: "hub.example.org")
        let server = try await RunningServer.start(tls: tls)
        let transport = CurlTransport(
            baseURL: "https://\(name):\(server.port)", caFile: tls.certificatePath, logger: quietLogger
        )

        let result = await sendOnThread(transport, HTTPRequestMessage(method: "GET", path: "/v2/hello"))
        transport.closeIdleConnections()
        try await server.stop()

        #expect(try result.get().0.status == 200)
    }
}
