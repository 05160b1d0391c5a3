import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SimpulConsole
import SimpulCounterWeb
import SimpulDomain
import SimpulHubServer
import SimpulStore
import SimpulSync

/// Where the counter's pages listen and with which certificate.
struct WebOptions: ParsableArguments {
    @Option(
        name: .customLong("web"),
        help: "Sajikan loket web di HOST:PORT, mis. 0.0.0.0:8443 (HTTPS) atau 127.0.0.1:8080 (HTTP hanya di loopback).")
    var listen: String?

    @Option(help: "Sertifikat TLS (PEM) loket web (bawaan: DATA/web/cert.pem bila ada, dibuat dengan simpul web-cert).")
    var webCert: String?

    @Option(help: "Kunci privat TLS (PEM) loket web (bawaan: DATA/web/key.pem bila ada).")
    var webKey: String?

    @Option(help: "Folder konfigurasi berisi templat surat surat/KODE.txt (bawaan: $SIMPUL_CONF, lalu /etc/simpul).")
    var conf: String?

    /// The listener's host and port, the TLS files (nil for plain HTTP on loopback).
    func endpoint(directory: String) throws(SimpulError) -> (host: String, port: Int, tls: TLSFiles?)? {
        try endpoint(listen, option: "web", directory: directory)
    }

    /// `address` (HOST:PORT) as a listener with the counter's TLS files when there are any: also the
    /// agent's `--metrics` listener, which serves with the same certificate.
    func endpoint(
        _ address: String?, option: String, directory: String
    ) throws(SimpulError) -> (host: String, port: Int, tls: TLSFiles?)? {
        guard let listen = address else { return nil }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port), colon != listen.startIndex
        else {
            throw SimpulError(
                .usage,
                "\(option): '\(FreeText.shown(String(listen.prefix(80))))' harus berbentuk HOST:PORT, mis. 0.0.0.0:8443"
            )
        }
        let host = String(listen[..<colon])
        let folder = (directory as NSString).appendingPathComponent("web")
        let cert = webCert ?? (folder as NSString).appendingPathComponent("cert.pem")
        let key = webKey ?? (folder as NSString).appendingPathComponent("key.pem")
        let given = webCert != nil || webKey != nil
        if given || FileManager.default.fileExists(atPath: cert) {
            return (host, port, TLSFiles(certificatePath: cert, privateKeyPath: key))
        }
        return (host, port, nil)
    }

    /// The counter's web server over `store`, or nil when `--web` was not given.
    func server(
        store: NodeStore, directory: String, syncRequests: SyncRequests?, logger: Logger
    ) throws(SimpulError) -> CounterWebServer? {
        guard let (host, port, tls) = try endpoint(directory: directory) else { return nil }
        do {
            let app = try CounterApp(
                store: store, settings: .init(secure: tls != nil, confDirectory: confDirectory(conf)), logger: logger,
                now: Console.now,
                syncRequests: syncRequests)
            return try CounterWebServer(
                host: host, port: port, tls: tls, app: app, logger: logger,
                onRunning: { port in
                    // One line a test or an installer can wait for: the port the pages are served on.
                    FileHandle.standardOutput.write(
                        Data("loket web siap di \(tls == nil ? "http" : "https")://\(host):\(port)/\n".utf8))
                })
        } catch let error as HubServerError {
            throw SimpulError(error.code == .insecureConfiguration ? .usage : .io, error.message)
        } catch {
            throw SimpulError(.io, "loket web tidak bisa disiapkan", cause: error)
        }
    }
}

struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "Loket web saja, tanpa agen sinkron (node tanpa hub, atau sinkron lewat cron/USB).",
        discussion: """
            Berhenti rapi pada SIGTERM atau SIGINT. Pada node yang punya hub, 'simpul serve --web' menjalankan \\
            agen dan loket web dalam satu proses. Exit codes: 0 berhenti rapi, 64 pemakaian salah, 73/74 penyimpanan.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var web: WebOptions

    func run() async throws {
        let logger = Environment.logger
        let server: CounterWebServer
        do {
            guard web.listen != nil else { throw SimpulError(.usage, "web: beri --web HOST:PORT") }
            let s = try store.open()
            guard let made = try web.server(store: s, directory: store.directory, syncRequests: nil, logger: logger)
            else { throw SimpulError(.usage, "web: beri --web HOST:PORT") }
            server = made
        } catch let error as SimpulError {
            throw Console.fail("simpul", error.message, code: Console.exitCode(error.code))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw Console.fail("simpul", "loket web berhenti: \(error)", code: 74)
        }
    }
}

struct WebCertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web-cert",
        abstract: "Buat sertifikat TLS sendiri untuk loket web di jaringan kantor (DATA/web/cert.pem dan key.pem).",
        discussion: """
            Sertifikat berlaku untuk nama LAN yang diberikan, localhost dan 127.0.0.1, selama 825 hari. \\
            Pasang cert.pem sebagai sertifikat tepercaya di browser tiap meja (sidik jarinya dicetak di sini).
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "Nama atau alamat komputer loket di LAN, mis. loket.kec-contoh.lan atau 192.168.1.10.") var host:
        String

    func run() throws {
        try execute { () throws(SimpulError) in
            _ = try store.open()
            let folder = (store.directory as NSString).appendingPathComponent("web")
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                let files = try DevCertificate.write(to: folder, host: host)
                let pem = try String(contentsOfFile: files.certificatePath, encoding: .utf8)
                print("Sertifikat : \(files.certificatePath)")
                print("Kunci      : \(files.privateKeyPath)")
                print("SHA-256    : \(try DevCertificate.fingerprint(pem: pem))")
            } catch let error as HubServerError {
                throw SimpulError(error.code == .fileExists ? .invalidData : .io, error.message)
            } catch {
                throw SimpulError(.io, "sertifikat web tidak bisa ditulis di \(folder)", cause: error)
            }
        }
    }
}
