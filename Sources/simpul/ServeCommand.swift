import ArgumentParser
import Foundation
import ServiceLifecycle
import SimpulConsole
import SimpulCounterWeb
import SimpulDomain
import SimpulHubServer
import SimpulStore
import SimpulSync
import SimpulTransport

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Agen sinkron terus-menerus: sinkron segera setelah ada perubahan dan berkala selama jaringan ada.",
        discussion: """
            Berhenti rapi pada SIGTERM atau SIGINT (unit yang sedang dikirim ditinggalkan dan dikirim lagi \\
            nanti; tidak ada yang hilang). Memegang kunci sinkron: simpul sync tidak berjalan bersamaan. \\
            Exit codes: 0 berhenti rapi, 69 sinkron lain sedang berjalan, 64 pemakaian salah, 73/74 penyimpanan.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "Sinkron berkala tiap sekian detik selama jaringan ada.") var interval: Int = 900
    @Option(help: "Tunggu sekian detik setelah perubahan di loket sebelum sinkron.") var settle: Int = 10
    @Option(help: "Jeda ulang terpendek saat jaringan putus, detik.") var retryMin: Int = 30
    @Option(help: "Jeda ulang terpanjang saat jaringan putus, detik.") var retryMax: Int = 3600
    @Option(help: "Batas ukuran satu change set dalam byte sebelum kompresi.")
    var budget: Int = ChangeSetSealer.defaultBudget
    @OptionGroup var web: WebOptions
    @Option(
        help:
            "Sajikan /metrics (Prometheus) dan /healthz agen di HOST:PORT, mis. 127.0.0.1:9465 (HTTP hanya di loopback; selain itu HTTPS dengan sertifikat loket web)."
    )
    var metrics: String?

    func run() async throws {
        let logger = Environment.logger
        let agent: SyncAgent
        let lock: SyncLock
        let requests = SyncRequests()
        let webServer: CounterWebServer?
        var operations: HubHTTPServer?
        let state = AgentState()
        do {
            guard interval >= 1, settle >= 0, retryMin >= 1, retryMax >= retryMin, budget >= 1024 else {
                throw SimpulError(
                    .usage, "interval >= 1, settle >= 0, 1 <= retry-min <= retry-max, budget >= 1024 (detik, byte)")
            }
            let s = try store.open()
            lock = try SyncLock.acquire(directory: store.directory)
            let identity = try NodeIdentity.load(node: s.info.node, directory: store.directory)
            guard try s.hubConfig() != nil else {
                throw SimpulError(.usage, "node ini belum punya alamat hub (simpul init --hub URL)")
            }
            let settings = SyncAgent.Settings(
                schedule: AgentSchedule.Settings(
                    interval: .seconds(interval), settle: .seconds(settle), retryMinimum: .seconds(retryMin),
                    retryMaximum: .seconds(retryMax)),
                budget: budget)
            agent = SyncAgent(
                store: s, identity: identity, settings: settings, logger: logger, now: Console.now,
                makeTransport: { monitor in Agent.transport(store: s, identity: identity, monitor: monitor) },
                progress: { Agent.logProgress($0) },
                // One line per run, flushed at once: stdout is a pipe or the journal, not a terminal.
                finished: { report in
                    FileHandle.standardOutput.write(Data((FreeText.shown(Agent.summary(report)) + "\n").utf8))
                }, requests: requests, state: state)
            webServer = try web.server(store: s, directory: store.directory, syncRequests: requests, logger: logger)
            if let (host, port, tls) = try web.endpoint(metrics, option: "metrics", directory: store.directory) {
                let handler = AgentOperationsHandler(
                    store: s, state: state, registry: HubOperationsHandler.bootstrapMetrics(), now: Console.now)
                do {
                    operations = try HubHTTPServer(
                        host: host, port: port, tls: tls, handler: handler, maxConnections: 8, logger: logger,
                        onRunning: { bound in
                            // Tests and scripts read this line to learn the port when 0 was asked for.
                            let line = "metrik agen di \(tls == nil ? "http" : "https")://\(host):\(bound)/metrics\n"
                            FileHandle.standardOutput.write(Data(line.utf8))
                        })
                } catch {
                    throw SimpulError(error.code == .insecureConfiguration ? .usage : .io, error.message)
                }
            }
        } catch let error as SimpulError {
            throw Console.fail("simpul", error.message, code: Console.exitCode(error.code))
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: agent)]
        if let webServer { services.append(.init(service: webServer)) }
        if let operations { services.append(.init(service: operations)) }
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw Console.fail("simpul", "agen berhenti: \(error)", code: 74)
        }
        withExtendedLifetime(lock) {}
    }
}
