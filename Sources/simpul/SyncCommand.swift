import ArgumentParser
import Foundation
import SimpulConcurrency
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulSync
import SimpulTransport

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sinkron sekali dengan hub: kirim yang belum dimiliki hub, ambil yang belum dimiliki node.",
        discussion: """
            Exit codes: 0 sinkron, 75 jaringan gagal (coba lagi nanti), 77 ditolak hub, 65 data ditolak, \
            69 sinkron lain (atau simpul serve) sedang berjalan.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Batas ukuran satu change set dalam byte sebelum kompresi.")
    var budget: Int = ChangeSetSealer.defaultBudget

    @Option(help: "Selama sekian detik, ulangi bila jaringan gagal (jeda bertambah, acak); 0: sekali saja.")
    var retryFor: Int = 0

    @Option(help: "Jeda ulang terpendek, detik.") var retryMin: Int = 30
    @Option(help: "Jeda ulang terpanjang, detik.") var retryMax: Int = 600

    func run() async throws {
        var session: (store: NodeStore, identity: NodeIdentity, lock: SyncLock)?
        try execute { () throws(SimpulError) in
            guard budget >= 1024 else { throw SimpulError(.usage, "budget: paling kecil 1024 byte") }
            guard retryFor >= 0 else { throw SimpulError(.usage, "retry-for: tidak boleh negatif") }
            guard retryMin >= 1, retryMax >= retryMin else {
                throw SimpulError(.usage, "retry-min/retry-max: 1 <= retry-min <= retry-max")
            }
            let s = try store.open()
            if let hub = try s.hubConfig(), hub.url.isEmpty {
                // Set up with --hub-key only, for bundles: there is no link to sync over.
                throw SimpulError(
                    .usage, "hub: node ini belum punya alamat hub (hanya kunci, untuk bundle); pakai simpul export")
            }
            let lock = try SyncLock.acquire(directory: store.directory)
            let identity = try NodeIdentity.load(node: s.info.node, directory: store.directory)
            session = (s, identity, lock)
        }
        guard let (s, identity, lock) = session else { return }
        defer { withExtendedLifetime(lock) {} }
        let (limit, json) = (budget, store.json)
        // A run blocks on the network and the store: it goes to the blocking pool.
        let sync = {
            await BlockingPool.shared.run { Agent.sync(store: s, identity: identity, budget: limit, live: !json) }
        }
        var backoff = Backoff(minimum: .seconds(retryMin), maximum: .seconds(retryMax))
        var rng = SystemRandomNumberGenerator()
        let deadline = ContinuousClock.now + .seconds(retryFor)
        var r = await sync()
        // Only a link failure is worth another try: a refusal needs a person.
        while r.outcome.result == .linkFailure {
            // A run that moved the sync on before the link failed shows the hub is there: the next try
            // starts from the shortest wait again instead of waiting longer after every drop.
            if r.pushed > 0 || r.pulled > 0 || r.pulledChangeSets > 0 { backoff.succeed() }
            let wait = backoff.fail(using: &rng)
            guard ContinuousClock.now + wait < deadline else { break }
            if !json { print(Agent.summary(r) + " — dicoba lagi dalam \(Agent.seconds(wait)) detik") }
            try await Task.sleep(for: wait)
            r = await sync()
        }
        let report = r
        try execute { () throws(SimpulError) in
            if json { return try Console.printJSON(SyncView(report)) }
            print(Agent.summary(report))
        }
        if report.outcome.exitCode != 0 { Agent.exitAfterPrinting(report) }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Keadaan sinkron node: knowledge, yang menunggu dikirim, sinkron terakhir.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        try execute { () throws(SimpulError) in
            let s = try store.open()
            let node = s.info.node.rawValue
            let status = try SyncStatus.read(from: s)
            let mine = status.knowledge
            let hubHolds = status.hubKnowledge
            let identity = try NodeIdentity.load(node: s.info.node, directory: store.directory)
            let view = StatusView(
                node: node, publicKey: identity.publicKey, fingerprint: identity.fingerprint,
                hub: status.hub, hubNode: try s.hubConfig()?.node, knowledge: mine,
                hubKnowledge: hubHolds, pendingEvents: status.pendingEvents, parked: status.parked,
                openConflicts: status.openConflicts, lastSync: status.lastSync)
            if store.json { return try Console.printJSON(view) }
            print("Node \(node) (\(s.info.name))")
            print("Kunci publik        : \(identity.publicKey)")
            print("Sidik jari          : \(NodeIdentity.readable(identity.fingerprint))")
            print("Hub                 : \(view.hub ?? "belum diatur") \(view.hubNode.map { "(\($0))" } ?? "")")
            for (p, vv) in mine.sorted(by: { $0.key < $1.key }) {
                print("Knowledge \(p)  : \(vv)   hub memegang: \(hubHolds[p]?.description ?? "{}")")
            }
            print("Menunggu dikirim    : \(view.pendingEvents) event")
            print("Menunggu dependensi : \(view.parked) change set")
            print("Konflik terbuka     : \(view.openConflicts)")
            if let run = view.lastSync {
                let offset = s.info.zona.offsetMinutes
                print(
                    "Sinkron terakhir    : \(run.finishedAt.localText(offsetMinutes: offset)) \(s.info.zona.rawValue), \(run.result) (exit \(run.exitCode)): \(run.message)"
                )
            } else {
                print("Sinkron terakhir    : belum pernah")
            }
        }
    }
}

struct StatusView: Encodable {
    var node: String
    var publicKey: String
    var fingerprint: String
    var hub: String?
    var hubNode: String?
    var knowledge: [String: VersionVector]
    var hubKnowledge: [String: VersionVector]
    var pendingEvents: Int
    var parked: Int
    var openConflicts: Int
    var lastSync: SyncRun?
}

/// The JSON shape of a sync run.
struct SyncView: Encodable {
    var result: String
    var exitCode: Int32
    var message: String
    var pushed: Int
    var pulled: Int
    /// Attachments the hub confirmed complete in this run.
    var uploaded: Int
    /// Attachments this node lacked, fetched complete from the hub in this run.
    var downloaded: Int
    var bytesSent: Int
    var bytesReceived: Int
    var milliseconds: Int64

    init(_ r: SyncReport) {
        result = r.outcome.result.rawValue
        exitCode = r.outcome.exitCode
        message = r.outcome.message
        pushed = r.pushed
        pulled = r.pulled
        uploaded = r.uploaded
        downloaded = r.downloaded
        bytesSent = r.bytesSent
        bytesReceived = r.bytesReceived
        milliseconds = r.finishedAt.milliseconds - r.startedAt.milliseconds
    }
}

/// The agent side shared by `sync`, `serve` and `init --restore`.
enum Agent {
    static func transport(store: NodeStore, identity: NodeIdentity, monitor: SyncMonitor) -> CurlTransport {
        let hub = (try? store.hubConfig()) ?? nil
        return CurlTransport(
            baseURL: hub?.url ?? "", caFile: hub?.caFile, userAgent: "\(SyncClient.agentVersion) (\(identity.node))",
            monitor: monitor,
            logger: Environment.logger)
    }

    /// One sync run; with `live` and a terminal on stderr, a progress line that updates in place;
    /// with `restore`, the restore's progress on stderr.
    static func sync(
        store: NodeStore, identity: NodeIdentity, budget: Int = ChangeSetSealer.defaultBudget, live: Bool = false,
        restore: RestoreProgress? = nil
    ) -> SyncReport {
        let line = live && isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil
        let every: Duration = restore != nil ? .seconds(1) : line == nil ? .seconds(10) : .milliseconds(250)
        let monitor = SyncMonitor(every: every) { progress in
            if let restore {
                restore.show(progress)
            } else if let line {
                line.show(progress)
            } else {
                logProgress(progress)
            }
        }
        let transport = transport(store: store, identity: identity, monitor: monitor)
        // A restore pulls the whole partition: bigger answers cost fewer requests and hub turns, and the
        // agent holds two of them at once (the one it applies and the one asked ahead).
        let report = SyncClient(
            store: store, identity: identity, transport: transport, logger: Environment.logger, now: Console.now,
            budget: budget, maxPullBytes: restore != nil ? SyncClient.restorePullBytes : SyncClient.defaultPullBytes,
            monitor: monitor
        ).run()
        line?.clear()
        // Say goodbye on kept-alive connections so the hub does not wait for them.
        transport.closeIdleConnections()
        return report
    }

    /// Off a terminal (cron, systemd), progress goes to the log as structured lines.
    static func logProgress(_ p: SyncProgress) {
        Environment.logger.info(
            "sync progress",
            metadata: [
                "phase": "\(p.phase.rawValue)", "pushed": "\(p.pushed)", "outbox": "\(p.outbox)",
                "eventsPulled": "\(p.pulledEvents)", "pullRemaining": "\(p.pullRemaining.map(String.init) ?? "-")",
                "bytesSent": "\(p.bytesSent)",
                "bytesReceived": "\(p.bytesReceived)", "bytesPerSecond": "\(Int(p.rate))",
            ])
    }

    /// The one line each run leaves, on stdout: what cron mails and the journal keeps.
    static func summary(_ r: SyncReport) -> String {
        let ms = r.finishedAt.milliseconds - r.startedAt.milliseconds
        return
            "\(r.outcome.message) [\(r.outcome.result.rawValue), exit \(r.outcome.exitCode): \(r.pushed) change set dikirim, "
            + "\(r.pulledChangeSets) change set (\(r.pulled) event) diterima, \(r.bytesSent) B keluar, "
            + "\(r.bytesReceived) B masuk, \(ms) ms]"
    }

    static func seconds(_ d: Duration) -> Int64 { max(1, d.components.seconds) }

    /// A failed sync has already printed its summary on stdout; stderr gets the one-line reason.
    static func exitAfterPrinting(_ r: SyncReport) -> Never {
        Console.printError("simpul: \(FreeText.shown(r.outcome.message))\n")
        exit(r.outcome.exitCode)
    }
}

/// The live progress line on a terminal: bytes, rate and what is left, rewritten in place.
final class ProgressLine: Sendable {
    func show(_ p: SyncProgress) {
        var text: String
        switch p.phase {
        case .push: text = "Kirim \(p.pushed)/\(p.outbox) change set"
        case .blobs: text = "Kirim lampiran"
        case .pull:
            text = "Terima \(p.pulledEvents) event"
            if let remaining = p.pullRemaining, remaining > 0 { text += ", sisa ±\(remaining)" }
        case .downloads: text = "Unduh lampiran"
        }
        text +=
            " · \(Self.size(p.bytesSent)) keluar · \(Self.size(p.bytesReceived)) masuk · \(Self.size(Int(p.rate)))/s"
        if let left = p.pushSecondsLeft ?? p.pullSecondsLeft { text += " · sisa ±\(Self.duration(left))" }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + FreeText.shown(text)).utf8))
    }

    func clear() { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }

    static func size(_ bytes: Int) -> String {
        bytes < 10_000 ? "\(bytes) B" : bytes < 10_000_000 ? "\(bytes / 1000) KB" : "\(bytes / 1_000_000) MB"
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 90 ? "\(Int(seconds.rounded())) dtk" : "\(Int((seconds / 60).rounded())) mnt"
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

/// Checks a hub address: HTTPS, or plain HTTP only to loopback for trying things out.
enum HubAddress {
    static func check(_ url: String) throws(SimpulError) {
        guard let u = URL(string: url), let scheme = u.scheme, u.host != nil else {
            throw SimpulError(.usage, "hub: '\(url)' bukan alamat seperti https://host:port")
        }
        let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(u.host ?? "")
        guard scheme == "https" || (scheme == "http" && loopback) else {
            throw SimpulError(.usage, "hub: harus https:// (http:// hanya untuk 127.0.0.1 saat uji coba)")
        }
    }
}
