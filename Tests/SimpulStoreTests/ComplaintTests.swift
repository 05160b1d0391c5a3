import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

/// The register of complaints: numbered per node and year, with the law's deadlines, followed up and
/// closed as events, open and late as of a day.
@Suite(.timeLimit(.minutes(10)))
struct ComplaintTests {
    @Test func complaintsAreNumberedWithoutGapsAndCarryTheirDeadlines() throws {
        // Monday 16 March 2026, 08:00 WIB.
        let clock = TestClock()
        let store = try Fixture.newStore(clock: clock)
        let first = try store.receiveComplaint(
            channel: .langsung, layanan: "SKTM", number: nil, text: "Antrian terlalu lama", name: "Budi",
            contact: "0812345678", by: .typed("Rina"))
        #expect(first.record == "ADU/01/26-00001")
        #expect(first.received.receivedOn.description == "2026-03-16")
        // 14 days later is Monday 30 March; 60 days later Friday 15 May, cuti bersama: Monday 18 May.
        #expect(first.received.respondBy.description == "2026-03-30")
        #expect(first.received.closeBy.description == "2026-05-18")
        #expect(first.officer == "Rina")
        #expect(
            throws: SimpulError.self,
            performing: {
                try store.receiveComplaint(
                    channel: .surat, layanan: "TIDAK-ADA", number: nil, text: "x", name: nil, contact: nil,
                    by: .typed("Rina"))
            })
        #expect(
            throws: SimpulError.self,
            performing: {
                try store.receiveComplaint(
                    channel: .surat, layanan: nil, number: "01-26-00001-0", text: "x", name: nil, contact: nil,
                    by: .typed("Rina"))
            })
        let second = try store.receiveComplaint(
            channel: .kotakSaran, layanan: nil, number: nil, text: "Toilet kotor", name: nil, contact: nil,
            by: .typed("Rina"))
        #expect(second.record == "ADU/01/26-00002")
        #expect(try store.complaints().map(\.record) == ["ADU/01/26-00002", "ADU/01/26-00001"])
        #expect(try store.check().foldMatches)
    }

    @Test func aComplaintIsLateWhenItsDeadlinePassesWithoutItsAction() throws {
        let clock = TestClock()
        let store = try Fixture.newStore(clock: clock)
        let c = try store.receiveComplaint(
            channel: .telepon, layanan: nil, number: nil, text: "Petugas tidak ramah", name: nil, contact: nil,
            by: .typed("Rina"))
        let day = { (text: String) in LocalDate(iso: text)! }
        #expect(c.standing(on: day("2026-03-30"), offsetMinutes: 420).late == false)
        #expect(c.standing(on: day("2026-03-31"), offsetMinutes: 420).lateResponse)

        clock.advance(seconds: 20 * 86_400)  // 5 April: after the response deadline
        let followed = try store.followUpComplaint(c.record, note: "Petugas ditegur", by: .typed("Kasi"))
        #expect(followed.followUps.count == 1)
        #expect(!followed.standing(on: day("2026-04-06"), offsetMinutes: 420).late)
        #expect(followed.standing(on: day("2026-05-19"), offsetMinutes: 420).lateClosing)

        var april = try store.complaintSummary(year: 2026, month: 4)["33.74.01"]
        #expect(april?.received == 0 && april?.followedUp == 1 && april?.open == 1 && april?.late == 0)
        let march = try store.complaintSummary(year: 2026, month: 3)["33.74.01"]
        // At the end of March it was open and had its response due on the 30th: late.
        #expect(march?.received == 1 && march?.open == 1 && march?.late == 1)

        let closed = try store.closeComplaint(c.record, note: "Pengadu menerima penjelasan", by: .typed("Kasi"))
        #expect(!closed.isOpen)
        april = try store.complaintSummary(year: 2026, month: 4)["33.74.01"]
        #expect(april?.closed == 1 && april?.open == 0)
        #expect(throws: SimpulError.self) { try store.closeComplaint(c.record, note: "lagi", by: .typed("Kasi")) }
        #expect(throws: SimpulError.self) { try store.followUpComplaint(c.record, note: "lagi", by: .typed("Kasi")) }
        #expect(try store.check().foldMatches)
    }

    @Test func onNodesWithAccountsTheRolesDecideWhoReceivesAndWhoCloses() throws {
        let store = try Fixture.newStore()
        let info = try store.addAccount(
            username: "rina", name: "Rina", roles: [.informasi], passwordHash: "x", isPIN: false)
        let kasir = try store.addAccount(
            username: "dewi", name: "Dewi", roles: [.kasir], passwordHash: "x", isPIN: false)
        let kasi = try store.addAccount(username: "joko", name: "Joko", roles: [.kasi], passwordHash: "x", isPIN: false)
        #expect(throws: SimpulError.self) {
            try store.receiveComplaint(
                channel: .langsung, layanan: nil, number: nil, text: "x", name: nil, contact: nil,
                by: .account(kasir, substitution: nil))
        }
        let c = try store.receiveComplaint(
            channel: .langsung, layanan: nil, number: nil, text: "Formulir kurang jelas", name: nil, contact: nil,
            by: .account(info, substitution: nil))
        #expect(c.officer == "Rina (rina)")
        #expect(throws: SimpulError.self) {
            try store.closeComplaint(c.record, note: "selesai", by: .account(info, substitution: nil))
        }
        let closed = try store.closeComplaint(
            c.record, note: "Formulir diperbaiki", by: .account(kasi, substitution: nil))
        #expect(closed.closing?.officer == "Joko (joko)")
    }

    @Test func aNodeMayNotWriteAnotherNodesComplaintNorTextOutOfBounds() throws {
        let node = try #require(NodeID("33.74.02"))
        var checker = EventAuthorization.Checker(author: node, partition: "33.74.02")
        let on = try #require(LocalDate(iso: "2026-03-16"))
        let c = ComplaintReceived(
            channel: .email, layanan: nil, number: nil, text: "Lambat", name: nil, contact: nil, receivedOn: on,
            respondBy: on.adding(days: 14), closeBy: on.adding(days: 60))
        #expect(checker.refusal(body: .complaintReceived(c), record: "ADU/02/26-00001") == nil)
        #expect(checker.refusal(body: .complaintReceived(c), record: "ADU/01/26-00001")?.reason == .foreignRecord)
        var long = c
        long.text = String(repeating: "a", count: Pengaduan.maxTextLength + 1)
        #expect(checker.refusal(body: .complaintReceived(long), record: "ADU/02/26-00001")?.reason == .invalidData)
        var early = c
        early.respondBy = on.adding(days: -1)
        #expect(checker.refusal(body: .complaintReceived(early), record: "ADU/02/26-00001")?.reason == .invalidData)
        #expect(
            checker.refusal(body: .complaintClosed(ComplaintNote(note: "a\nb")), record: "ADU/02/26-00001")?.reason
                == .invalidData)
    }
}
