import SimpulDomain
import SimpulStore
import Testing

@testable import SimpulSync

/// What `simpul-hub alerts` decides from the hub's facts, each threshold tried on both sides.
@Suite(.timeLimit(.minutes(10))) struct HubAlertsTests {
    private let day: Int64 = 86_400_000
    private let now = Timestamp(iso: "2026-12-04T08:00:00.000Z")!

    private func ago(days: Double) -> Timestamp {
        Timestamp(milliseconds: now.milliseconds - Int64(days * Double(day)))
    }

    private func facts(
        enrolled: [(node: String, at: Timestamp)] = [], contacts: [Contact] = [], parked: [ParkedWriter] = [],
        certificate: Timestamp? = nil, disk: (free: Int64, total: Int64)? = nil
    ) -> HubAlerts.Facts {
        HubAlerts.Facts(
            enrolled: enrolled, contacts: contacts, parked: parked, certificateNotAfter: certificate, disk: disk,
            now: now)
    }

    @Test func aKecamatanSilentForMoreThanTheSettingStandsOutAndOneNeverHeardFromCountsFromEnrollment() {
        let f = facts(
            enrolled: [("33.74.01", ago(days: 30)), ("33.74.02", ago(days: 30)), ("33.74.03", ago(days: 5))],
            contacts: [
                Contact(node: "33.74.01", lastContact: ago(days: 3.5), lastResult: "pull 0"),
                Contact(node: "33.74.02", lastContact: ago(days: 4), lastResult: "pull 0"),
            ])
        let alerts = HubAlerts.evaluate(f, settings: HubAlerts.Settings())
        #expect(alerts.map(\.node) == ["33.74.02", "33.74.03"])
        #expect(alerts.allSatisfy { $0.kind == .silent })
        #expect(alerts[0].message.contains("4 hari"))
        #expect(alerts[1].message.contains("belum pernah sinkron"))
    }

    @Test func refusalsInARowAtTheSettingAlertAndTheirTextIsShownEscaped() {
        let f = facts(contacts: [
            Contact(node: "33.74.01", lastContact: now, lastResult: "refused revoked", refusedInARow: 3),
            Contact(node: "33.74.02", lastContact: now, lastResult: "refused revoked", refusedInARow: 2),
            Contact(node: "33.74.04", lastContact: now, lastResult: "x\u{1b}[2J", refusedInARow: 9),
        ])
        let alerts = HubAlerts.evaluate(f, settings: HubAlerts.Settings())
        #expect(alerts.map(\.node) == ["33.74.01", "33.74.04"])
        #expect(alerts.allSatisfy { $0.kind == .refused })
        #expect(!alerts[1].message.contains("\u{1b}"))
    }

    @Test func parkedChangeSetsAlertOnlyOnceTheOldestWaitedTheHours() {
        let f = facts(parked: [
            ParkedWriter(node: "33.74.01", changeSets: 2, oldest: ago(days: 1)),
            ParkedWriter(node: "33.74.02", changeSets: 7, oldest: ago(days: 0.9)),
        ])
        let alerts = HubAlerts.evaluate(f, settings: HubAlerts.Settings())
        #expect(alerts == [HubAlert(kind: .parked, node: "33.74.01", message: alerts.first?.message ?? "")])
        #expect(alerts.first?.message.contains("2 change set") == true)
    }

    @Test(arguments: [(40.0, false), (29.5, true), (-1.0, true)])
    func aCertificateCloseToItsEndAlerts(daysLeft: Double, alerts expected: Bool) {
        let notAfter = Timestamp(milliseconds: now.milliseconds + Int64(daysLeft * Double(day)))
        let alerts = HubAlerts.evaluate(facts(certificate: notAfter), settings: HubAlerts.Settings())
        #expect(alerts.contains { $0.kind == .certificate } == expected)
        if daysLeft < 0 { #expect(alerts.first?.message.contains("sudah kedaluwarsa") == true) }
    }

    @Test func aDiskUnderTheFreeShareAlerts() {
        let settings = HubAlerts.Settings()
        #expect(HubAlerts.evaluate(facts(disk: (10, 100)), settings: settings).isEmpty)
        let alerts = HubAlerts.evaluate(facts(disk: (9_000_000, 100_000_000)), settings: settings)
        #expect(alerts.map(\.kind) == [.disk])
        #expect(alerts.first?.message.contains("9%") == true)
    }
}
