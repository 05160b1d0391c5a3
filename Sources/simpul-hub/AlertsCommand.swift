import ArgumentParser
import Foundation
import SimpulConsole
import SimpulDomain
import SimpulHubServer
import SimpulStore
import SimpulSync
import SimpulTransport

#if canImport(Glibc)
import Glibc
#endif

struct HubAlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract:
            "Periksa hub dan kirim peringatan: kecamatan diam, node ditolak berulang, parkir lama, sertifikat, disk.",
        discussion: """
            Each alert is written to the journal at warning and to stdout; with --webhook they are posted as \
            one JSON document, with --mail sent through sendmail. Exit 0 after the checks, with or without \
            alerts; 74 when an alert could not be delivered.
            """)

    @OptionGroup var store: HubOptions
    @Option(help: "Kecamatan yang tidak terdengar lebih dari sekian hari.") var silentDays = 3
    @Option(help: "Node yang ditolak sekian kali berturut-turut.") var refusals = 3
    @Option(help: "Change set yang menunggu di parkir sekian jam atau lebih.") var parkedHours = 24
    @Option(help: "Sertifikat TLS hub (PEM) yang diperiksa masa berlakunya.") var cert: String?
    @Option(help: "Peringatan bila sertifikat habis dalam kurang dari sekian hari.") var certDays = 30
    @Option(help: "Peringatan bila ruang kosong disk data kurang dari sekian persen.") var diskFreePercent = 10
    @Option(help: "URL webhook intranet yang menerima peringatan (POST JSON).") var webhook: String?
    @Option(help: "Sertifikat CA (PEM) untuk webhook HTTPS dengan CA sendiri.") var webhookCa: String?
    @Option(help: "Alamat surel penerima peringatan (dikirim lewat sendmail).") var mail: String?
    @Option(help: "Program sendmail.") var sendmail = "/usr/sbin/sendmail"

    func run() throws {
        try execute { () throws(SimpulError) in
            for (name, value) in [
                ("silent-days", silentDays), ("refusals", refusals), ("parked-hours", parkedHours),
                ("cert-days", certDays),
            ] where value < 1 {
                throw SimpulError(.usage, "\(name): harus 1 atau lebih")
            }
            guard (1...99).contains(diskFreePercent) else {
                throw SimpulError(.usage, "disk-free-percent: harus antara 1 dan 99")
            }
            let s = try store.storage()
            var settings = HubAlerts.Settings()
            settings.silentDays = silentDays
            settings.refusalsInARow = refusals
            settings.parkedHours = parkedHours
            settings.certificateDays = certDays
            settings.diskFreePercent = diskFreePercent
            let hub = s.info.node.rawValue
            let enrolled = try s.keys(node: nil).filter { $0.node != hub && $0.state == .active }.map {
                (node: $0.node, at: $0.enrolledAt)
            }
            var notAfter: Timestamp?
            if let cert {
                do throws(HubServerError) { notAfter = try CertificateFile.notAfter(path: cert) } catch {
                    throw SimpulError(.usage, "cert: \(error.message)")
                }
            }
            let now = Console.now()
            let facts = HubAlerts.Facts(
                enrolled: enrolled, contacts: try s.contacts(), parked: try s.parkedPerWriter(),
                certificateNotAfter: notAfter, disk: Self.disk(store.directory), now: now)
            let alerts = HubAlerts.evaluate(facts, settings: settings)
            let logger = HubEnvironment.logger
            for alert in alerts {
                logger.warning(
                    "hub alert",
                    metadata: [
                        "kind": "\(alert.kind.rawValue)", "node": "\(alert.node ?? "-")", "detail": "\(alert.message)",
                    ])
            }
            let report = AlertReport(hub: hub, name: s.info.name, at: now.description, alerts: alerts)
            if store.json {
                try Console.printJSON(report)
            } else if alerts.isEmpty {
                print("Tidak ada peringatan untuk hub \(hub).")
            } else {
                for alert in alerts { print("PERINGATAN \(alert.kind.rawValue): \(alert.message)") }
            }
            guard !alerts.isEmpty else { return }
            if let webhook { try AlertDelivery.post(report, to: webhook, caFile: webhookCa, logger: logger) }
            if let mail { try AlertDelivery.mail(report, to: mail, sendmail: sendmail) }
        }
    }

    /// Bytes free (for an unprivileged user) and in all on the file system holding `directory`.
    private static func disk(_ directory: String) -> (free: Int64, total: Int64)? {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { return nil }
        let unit = Int64(info.f_frsize)
        return (Int64(info.f_bavail) * unit, Int64(info.f_blocks) * unit)
    }
}

/// What `simpul-hub alerts` posts to a webhook and prints with `--json`.
struct AlertReport: Codable, Sendable {
    var hub: String
    var name: String
    var at: String
    var alerts: [HubAlert]
}
