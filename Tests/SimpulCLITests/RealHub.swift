import Foundation
import SimpulTestSupport
import Testing

/// The built `simpul-hub` serving TLS on 127.0.0.1 with a dev certificate, in a temporary folder, for
/// black-box tests that run the built programs against it.
final class RealHub {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let dir: String
    let data: String
    let certs: String
    let url: String
    /// The operations listener's address when `serve` was given `--metrics`.
    private(set) var metricsURL: String?
    private let serveArguments: [String]
    private var process: Child

    /// `simpul-hub init` for 33.74 (its data in the PostgreSQL `database` when given), a dev certificate
    /// for localhost, and `serve` on a port the OS picks, with `serveArguments` added.
    init(name: String, serveArguments: [String] = [], database: String? = nil) throws {
        self.serveArguments = serveArguments
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-\(name)-\(UUID().uuidString)").path
        data = dir + "/hub"
        certs = dir + "/certs"
        let initialized = try Self.run(
            "simpul-hub",
            ["init", "--node", "33.74", "--name", "DPMPTSP", "--conf", Simpul.conf, "--data", data]
                + (database.map { ["--database", $0] } ?? []))
        guard initialized.status == 0 else { throw HarnessError("simpul-hub init failed: \(initialized.stderr)") }
        let cert = try Self.run("simpul-hub", ["dev-cert", "--out", certs, "--host", "localhost"])
        guard cert.status == 0 else { throw HarnessError("simpul-hub dev-cert failed: \(cert.stderr)") }
        (process, url, metricsURL) = try Self.serve(
            data: data, certs: certs, listen: "127.0.0.1:0", arguments: serveArguments)
    }

    /// Starts `serve` and waits on its own announcement of its addresses: reading blocks until each is written.
    private static func serve(
        data: String, certs: String, listen: String, arguments: [String]
    ) throws -> (Child, String, String?) {
        let process = try Child(
            binary("simpul-hub"),
            [
                "serve", "--data", data, "--listen", listen, "--tls-cert", certs + "/cert.pem", "--tls-key",
                certs + "/key.pem",
            ] + arguments, environment: environment(), stderr: .null)
        func announced(_ marker: String) -> String? {
            var cursor = 0
            return process.stdout.line(after: &cursor, within: .seconds(30)) { $0.contains(marker) }?
                .components(separatedBy: marker).last?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let url = announced("mendengarkan di ") else {
            process.signal(SIGKILL)
            throw HarnessError("simpul-hub serve did not announce its address")
        }
        var metrics: String?
        if arguments.contains("--metrics") {
            metrics = announced("metrik di ")
            guard metrics != nil else {
                process.signal(SIGKILL)
                throw HarnessError("simpul-hub serve did not announce its metrics address")
            }
        }
        return (process, url, metrics)
    }

    /// Serves again on the same port after `stop()`, so the nodes' recorded hub address still holds.
    func restart() throws {
        guard let port = url.split(separator: ":").last else { throw HarnessError("no port in \(url)") }
        (process, _, metricsURL) = try Self.serve(
            data: data, certs: certs, listen: "127.0.0.1:\(port)", arguments: serveArguments)
    }

    /// One more `serve` process on the same data folder, as a second hub process on one PostgreSQL
    /// database runs; the caller stops it.
    func serveAnother(port: Int = 0) throws -> (process: Child, port: Int) {
        let (process, url, _) = try Self.serve(data: data, certs: certs, listen: "127.0.0.1:\(port)", arguments: [])
        guard let port = url.split(separator: ":").last.flatMap({ Int($0) }) else {
            process.signal(SIGKILL)
            throw HarnessError("no port in \(url)")
        }
        return (process, port)
    }

    /// The first process's port.
    var port: Int { url.split(separator: ":").last.flatMap { Int($0) } ?? 0 }

    /// Kills the first process with SIGKILL, as a crash or a pulled plug would.
    func kill() throws {
        process.signal(SIGKILL)
        _ = try process.waitOrKill(timeout: .seconds(30))
    }

    deinit {
        process.signal(SIGKILL)
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Stops the server with SIGTERM and returns how it ended.
    func stop() throws -> Child.Termination {
        process.signal(SIGTERM)
        return try process.waitOrKill(timeout: .seconds(30))
    }

    /// The digest of every table of the hub's store.
    func tables() throws -> [String: String] {
        try StoreDigest.tables(of: data + "/simpul.sqlite")
    }

    /// `simpul init` of a kecamatan node syncing with this hub; returns its public key.
    func initNode(_ node: String, at path: String, extra: [String] = []) throws -> (run: Run, publicKey: String?) {
        let r = try Self.run(
            "simpul",
            [
                "init", "--node", node, "--name", "Kec", "--conf", Simpul.conf, "--data", path, "--hub", url,
                "--hub-ca", certs + "/cert.pem", "--json",
            ] + extra)
        let key = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["publicKey"]
        return (r, key as? String)
    }

    /// Registers an SKTM permohonan at the kecamatan in `data` with the built `simpul`; returns its number.
    static func createPermohonan(at data: String, nama: String) throws -> String {
        let created = try run(
            "simpul",
            [
                "permohonan", "create", "--data", data, "--layanan", "SKTM", "--nik", "3374010101850003", "--nama",
                nama, "--syarat", "ktp", "--syarat", "kk", "--syarat", "pengantar-desa", "--syarat", "pengantar-rt-rw",
                "--petugas", "Sari", "--json",
            ])
        guard created.status == 0,
            let object = try? JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any],
            let number = (object["permohonan"] as? [String: Any])?["number"] as? String
        else { throw HarnessError("simpul permohonan create failed: \(created.stderr)") }
        return number
    }

    /// `simpul-hub node enroll` of a node's key.
    func enroll(_ node: String, _ publicKey: String) throws -> Run {
        try Self.run("simpul-hub", ["node", "enroll", "--data", data, "--node", node, "--public-key", publicKey])
    }

    /// Runs a built program to its end.
    static func run(_ tool: String, _ args: [String]) throws -> Run {
        let (ended, out, err) = try Child.run(
            try binary(tool), args, environment: environment(), timeout: .seconds(Simpul.timeoutSeconds))
        return Run(
            status: ended.status, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    static func binary(_ name: String) throws -> String {
        let dir = try Simpul.binary().deletingLastPathComponent()
        let path = dir.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessError("\(name) not built next to \(dir.path): run swift build first")
        }
        return path
    }

    static func environment() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SIMPUL_") }
    }
}
