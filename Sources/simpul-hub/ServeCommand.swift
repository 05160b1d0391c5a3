import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SimpulBackOfficeWeb
import SimpulConsole
import SimpulDomain
import SimpulHubServer
import SimpulStore
import SimpulSync

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Layani sinkron HTTPS untuk node kecamatan (berhenti rapi pada SIGTERM atau SIGINT).")
    @OptionGroup var store: HubOptions
    @Option(help: "Alamat dengar HOST:PORT, mis. 0.0.0.0:8443 (port 0: pilihan sistem).") var listen: String
    @Option(help: "Sertifikat TLS (PEM).") var tlsCert: String?
    @Option(help: "Kunci privat TLS (PEM).") var tlsKey: String?
    @Flag(help: "HTTP tanpa TLS; hanya diizinkan di alamat loopback untuk uji coba.") var insecureHttp = false
    @Option(help: "Selisih jam node dengan hub yang masih diterima, dalam detik.")
    var maxSkewSeconds: Int = RequestSignature.defaultMaxSkewSeconds
    @Option(help: "Koneksi terbuka sekaligus paling banyak.")
    var maxConnections: Int = HubHTTPServer.defaultMaxConnections
    @Option(
        help:
            "Alamat dengar HOST:PORT untuk /metrics (Prometheus), /healthz dan /readyz, mis. 10.0.0.5:9464; TLS seperti --listen."
    )
    var metrics: String?
    @Option(
        help:
            "Alamat dengar HOST:PORT untuk back office web PTSP, mis. 10.0.0.5:8444; TLS seperti --listen (HTTP tanpa TLS hanya di loopback)."
    )
    var web: String?
    @Option(help: "Di ringkasan back office, kecamatan yang tidak sinkron lebih dari sekian hari ditandai.")
    var staleDays: Int = 3
    @Option(
        help:
            "Di ringkasan back office, berkas yang tertahan di satu kode OSS (atau sejak diteruskan) lebih dari sekian hari kerja dihitung per kecamatan."
    )
    var ageingDays: Int = 5

    func run() async throws {
        let logger = HubEnvironment.logger
        let server: HubHTTPServer
        var operations: HubHTTPServer?
        var backOffice: BackOfficeWebServer?
        let lock: SyncLock?
        do {
            let (host, port) = try Self.parseAddress(listen, option: "listen")
            let tls: TLSFiles?
            switch (tlsCert, tlsKey, insecureHttp) {
            case (let cert?, let key?, false): tls = TLSFiles(certificatePath: cert, privateKeyPath: key)
            case (nil, nil, true): tls = nil
            case (_, _, true): throw SimpulError(.usage, "insecure-http: jangan digabung dengan --tls-cert/--tls-key")
            default: throw SimpulError(.usage, "tls: beri --tls-cert dan --tls-key (atau --insecure-http di loopback)")
            }
            let s = try store.storage()
            let sqlite = (s as? SQLiteHubStorage)?.store
            if sqlite == nil, web != nil {
                throw SimpulError(.usage, "web: back office web belum tersedia untuk hub di PostgreSQL")
            }
            // Held while serving: `simpul-hub key rotate` waits for no server signing with the old key.
            // Several processes share one PostgreSQL hub, and key rotation is not offered there.
            lock = sqlite == nil ? nil : try Self.serverLock(directory: store.directory)
            guard maxSkewSeconds > 0 else { throw SimpulError(.usage, "max-skew-seconds: harus lebih dari 0") }
            guard maxConnections > 0 else { throw SimpulError(.usage, "max-connections: harus lebih dari 0") }
            let service = try HubService(
                storage: s, identity: try store.identity(s), logger: logger, now: Console.now,
                limits: HubLimits(maxSkewSeconds: maxSkewSeconds))
            let scheme = tls == nil ? "http" : "https"
            do {
                server = try HubHTTPServer(
                    host: host, port: port, tls: tls, handler: service, maxConnections: maxConnections, logger: logger,
                    onRunning: { bound in
                        // Tests and scripts read this line to learn the port when --listen asked for 0.
                        let line = "simpul-hub \(s.info.node) mendengarkan di \(scheme)://\(host):\(bound)\n"
                        FileHandle.standardOutput.write(Data(line.utf8))
                    })
                if let metrics {
                    let (metricsHost, metricsPort) = try Self.parseAddress(metrics, option: "metrics")
                    let handler = HubOperationsHandler(
                        service: service, registry: HubOperationsHandler.bootstrapMetrics())
                    operations = try HubHTTPServer(
                        host: metricsHost, port: metricsPort, tls: tls, handler: handler, maxConnections: 16,
                        logger: logger,
                        onRunning: { bound in
                            let line = "simpul-hub \(s.info.node) metrik di \(scheme)://\(metricsHost):\(bound)\n"
                            FileHandle.standardOutput.write(Data(line.utf8))
                        })
                }
                if let web, let sqlite {
                    guard staleDays > 0 else { throw SimpulError(.usage, "stale-days: harus lebih dari 0") }
                    guard (1...250).contains(ageingDays) else {
                        throw SimpulError(.usage, "ageing-days: harus antara 1 dan 250 hari kerja")
                    }
                    let (webHost, webPort) = try Self.parseAddress(web, option: "web")
                    let app: BackOfficeApp
                    do {
                        app = try BackOfficeApp(
                            store: sqlite,
                            settings: .init(secure: tls != nil, staleDays: staleDays, ageingDays: ageingDays),
                            logger: logger,
                            now: Console.now)
                    } catch {
                        throw SimpulError(.io, "back office web tidak bisa disiapkan: \(error)")
                    }
                    backOffice = try BackOfficeWebServer(
                        host: webHost, port: webPort, tls: tls, app: app, logger: logger,
                        onRunning: { bound in
                            let shown = webHost.contains(":") ? "[\(webHost)]" : webHost
                            let line = "back office web siap di \(scheme)://\(shown):\(bound)/\n"
                            FileHandle.standardOutput.write(Data(line.utf8))
                        })
                }
            } catch let error as HubServerError {
                throw SimpulError(.usage, error.message)
            }
        } catch let error as SimpulError {
            throw Console.fail("simpul-hub", error.message, code: Console.exitCode(error.code))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: ([server, operations].compactMap { $0 }.map { .init(service: $0) }
                    as [ServiceGroupConfiguration.ServiceConfiguration])
                    + (backOffice.map { [.init(service: $0)] } ?? []),
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw Console.fail("simpul-hub", "server berhenti: \(error)", code: 74)
        }
        withExtendedLifetime(lock) {}
        logger.notice("hub stopped")
    }

    private static func serverLock(directory: String) throws(SimpulError) -> SyncLock {
        do {
            return try SyncLock.acquire(directory: directory)
        } catch  where error.code == .busy {
            throw SimpulError(.busy, "simpul-hub serve lain sudah berjalan pada folder \(directory)")
        }
    }

    private static func parseAddress(_ value: String, option: String) throws(SimpulError) -> (String, Int) {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw SimpulError(.usage, "\(option): '\(value)' harus HOST:PORT, mis. 0.0.0.0:8443") }
        var host = String(value[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw SimpulError(.usage, "\(option): alamat HOST kosong") }
        return (host, port)
    }
}

struct DevCert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-cert", abstract: "Buat sertifikat TLS self-signed untuk uji coba (cert.pem, key.pem).")
    @Option(help: "Folder tujuan.") var out: String
    @Option(help: "Nama host hub di sertifikat.") var host: String = "localhost"

    func run() throws {
        try execute { () throws(SimpulError) in
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                let files = try DevCertificate.write(to: out, host: host)
                print("Sertifikat : \(files.certificatePath)")
                print("Kunci      : \(files.privateKeyPath)")
                print("Berikan cert.pem ke node kecamatan sebagai --hub-ca untuk uji coba.")
            } catch let error as HubServerError {
                throw SimpulError(.storeUnavailable, error.message)
            } catch {
                throw SimpulError(.io, "sertifikat tidak bisa dibuat: \(error)")
            }
        }
    }
}
