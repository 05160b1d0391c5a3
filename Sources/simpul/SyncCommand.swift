import ArgumentParser
import Foundation
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulSync
import SimpulTransport

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sinkron sekali dengan hub: kirim yang belum dimiliki hub, ambil yang belum dimiliki node.",
        discussion: "Exit codes: 0 sinkron, 75 jaringan gagal (coba lagi nanti), 77 ditolak hub, 65 data ditolak.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Batas ukuran satu change set dalam byte sebelum kompresi.")
    var budget: Int = ChangeSetSealer.defaultBudget

    func run() throws {
        var report: SyncReport?
        try execute { () throws(SimpulError) in
            guard budget >= 1024 else { throw SimpulError(.usage, "budget: paling kecil 1024 byte") }
            let s = try store.open()
            let identity = try NodeIdentity.load(node: s.info.node, directory: store.directory)
            let r = Agent.sync(store: s, identity: identity, budget: budget)
            report = r
            if store.json { return try Console.printJSON(SyncView(r)) }
            print(Agent.summary(r))
        }
        if let report, report.outcome.exitCode != 0 { Agent.exitAfterPrinting(report) }
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
            let mine = try s.knowledge()
            let hubHolds = try s.peerKnowledge(SyncClient.hubPeer)
            var pending = 0
            for p in try s.ownPartitions() { pending += Int((mine[p]?[node] ?? 0) - (hubHolds[p]?[node] ?? 0)) }
            let identity = try NodeIdentity.load(node: s.info.node, directory: store.directory)
            let view = StatusView(
                node: node, publicKey: identity.publicKey, fingerprint: identity.fingerprint,
                hub: try s.hubConfig()?.url, hubNode: try s.hubConfig()?.node, knowledge: mine,
                hubKnowledge: hubHolds, pendingEvents: pending, parked: try s.parkedBodies().count,
                openConflicts: try s.conflicts(openOnly: true).count, lastSync: try s.lastSyncRun())
            if store.json { return try Console.printJSON(view) }
            print("Node \(node) (\(s.info.name))")
            print("Kunci publik        : \(identity.publicKey)")
            print("Sidik jari          : \(NodeIdentity.readable(identity.fingerprint))")
            print("Hub                 : \(view.hub ?? "belum diatur") \(view.hubNode.map { "(\($0))" } ?? "")")
            for (p, vv) in mine.sorted(by: { $0.key < $1.key }) {
                print("Knowledge \(p)  : \(vv)   hub memegang: \(hubHolds[p]?.description ?? "{}")")
            }
            print("Menunggu dikirim    : \(pending) event")
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
        bytesSent = r.bytesSent
        bytesReceived = r.bytesReceived
        milliseconds = r.finishedAt.milliseconds - r.startedAt.milliseconds
    }
}

/// The agent side shared by `sync` and `init --restore`.
enum Agent {
    static func sync(
        store: NodeStore, identity: NodeIdentity, budget: Int = ChangeSetSealer.defaultBudget
    )
        -> SyncReport
    {
        let hub = (try? store.hubConfig()) ?? nil
        let transport = CurlTransport(
            baseURL: hub?.url ?? "", caFile: hub?.caFile, userAgent: "simpul/1 (\(identity.node))",
            logger: Environment.logger)
        let report = SyncClient(
            store: store, identity: identity, transport: transport, logger: Environment.logger, now: Console.now,
            budget: budget
        ).run()
        // Say goodbye on kept-alive connections so the hub does not wait for them.
        transport.closeIdleConnections()
        return report
    }

    static func summary(_ r: SyncReport) -> String {
        let ms = r.finishedAt.milliseconds - r.startedAt.milliseconds
        return
            "\(r.outcome.message) [\(r.pushed) change set dikirim, \(r.pulled) event diterima, \(r.bytesSent) B keluar, \(r.bytesReceived) B masuk, \(ms) ms]"
    }

    /// A failed sync has already printed its summary on stdout; stderr gets the one-line reason.
    static func exitAfterPrinting(_ r: SyncReport) -> Never {
        FileHandle.standardError.write(Data("simpul: \(r.outcome.message)\n".utf8))
        exit(r.outcome.exitCode)
    }
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
