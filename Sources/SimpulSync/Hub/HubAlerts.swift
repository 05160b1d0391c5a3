import SimpulDomain
import SimpulStore

/// One thing the kabupaten IT officer should look at (`simpul-hub alerts`).
public struct HubAlert: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A kecamatan not heard from for longer than the setting.
        case silent
        /// A node whose requests the hub refused several times in a row.
        case refused
        /// Change sets waiting in the parking for longer than the setting.
        case parked
        /// The hub's TLS certificate expires soon, or has expired.
        case certificate
        /// The disk holding the hub's data is filling.
        case disk
    }

    public var kind: Kind
    /// The node concerned, when there is one.
    public var node: String?
    /// What an officer reads, in Bahasa Indonesia.
    public var message: String

    public init(kind: Kind, node: String? = nil, message: String) {
        self.kind = kind
        self.node = node
        self.message = message
    }
}

/// Decides the alerts from what the hub knows; reading those facts (store, certificate, disk) and
/// delivering the alerts (journal, webhook, mail) happen at the edges.
public enum HubAlerts {
    public struct Settings: Sendable, Equatable {
        public var silentDays = 3
        public var refusalsInARow = 3
        public var parkedHours = 24
        public var certificateDays = 30
        public var diskFreePercent = 10

        public init() {}
    }

    public struct Facts: Sendable {
        /// Every kecamatan with an active, unrevoked key, and when it was enrolled.
        public var enrolled: [(node: String, at: Timestamp)]
        public var contacts: [Contact]
        /// Per writer, the change sets parked and when the oldest of them was parked.
        public var parked: [ParkedWriter]
        /// When the hub's TLS certificate expires, when it was given.
        public var certificateNotAfter: Timestamp?
        /// Bytes free and in all on the disk holding the data folder, when known.
        public var disk: (free: Int64, total: Int64)?
        public var now: Timestamp

        public init(
            enrolled: [(node: String, at: Timestamp)], contacts: [Contact],
            parked: [ParkedWriter], certificateNotAfter: Timestamp?,
            disk: (free: Int64, total: Int64)?, now: Timestamp
        ) {
            self.enrolled = enrolled
            self.contacts = contacts
            self.parked = parked
            self.certificateNotAfter = certificateNotAfter
            self.disk = disk
            self.now = now
        }
    }

    private static let day: Int64 = 86_400_000

    public static func evaluate(_ facts: Facts, settings: Settings) -> [HubAlert] {
        var alerts: [HubAlert] = []
        let contacts = Dictionary(facts.contacts.map { ($0.node, $0) }, uniquingKeysWith: { a, _ in a })
        for (node, enrolledAt) in facts.enrolled.sorted(by: { $0.node < $1.node }) {
            // A kecamatan never heard from counts from its enrollment.
            let last = contacts[node]?.lastContact ?? enrolledAt
            let days = (facts.now.milliseconds - last.milliseconds) / day
            if days > settings.silentDays {
                let since = contacts[node] == nil ? "belum pernah sinkron sejak didaftarkan" : "kontak terakhir"
                alerts.append(
                    HubAlert(
                        kind: .silent, node: node,
                        message: "kecamatan \(node) tidak terdengar \(days) hari (\(since) \(last))"))
            }
        }
        for c in facts.contacts.sorted(by: { $0.node < $1.node }) where c.refusedInARow >= settings.refusalsInARow {
            alerts.append(
                HubAlert(
                    kind: .refused, node: c.node,
                    message:
                        "node \(c.node) ditolak \(c.refusedInARow) kali berturut-turut (terakhir: \(FreeText.shown(c.lastResult)))"
                ))
        }
        for p in facts.parked.sorted(by: { $0.node < $1.node }) {
            let hours = (facts.now.milliseconds - p.oldest.milliseconds) / 3_600_000
            if hours >= settings.parkedHours {
                alerts.append(
                    HubAlert(
                        kind: .parked, node: p.node,
                        message:
                            "\(p.changeSets) change set dari \(p.node) menunggu di parkir hub, yang tertua sejak \(hours) jam lalu"
                    ))
            }
        }
        if let notAfter = facts.certificateNotAfter {
            let left = notAfter.milliseconds - facts.now.milliseconds
            if left <= 0 {
                alerts.append(
                    HubAlert(kind: .certificate, message: "sertifikat TLS hub sudah kedaluwarsa sejak \(notAfter)"))
            } else if left / day < settings.certificateDays {
                alerts.append(
                    HubAlert(
                        kind: .certificate,
                        message: "sertifikat TLS hub kedaluwarsa dalam \(left / day) hari (\(notAfter)); perbarui"))
            }
        }
        if let disk = facts.disk, disk.total > 0 {
            let percent = disk.free * 100 / disk.total
            if percent < settings.diskFreePercent {
                alerts.append(
                    HubAlert(
                        kind: .disk,
                        message:
                            "disk data hub tinggal \(percent)% kosong (\(disk.free / 1_000_000) MB dari \(disk.total / 1_000_000) MB)"
                    ))
            }
        }
        return alerts
    }
}
