import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

/// The survey at the store: one anonymous response per handed-over permohonan, on the node's ledger
/// of the month, and the month's IKM from them.
@Suite(.timeLimit(.minutes(10)))
struct SKMStoreTests {
    /// A store with one SKTM file handed over (SKTM is free, so no payment is needed).
    static func handedOver(_ store: NodeStore) throws -> String {
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let p = try store.register(Fixture.application(sktm), officer: "Sari")
        while try store.permohonan(p.number).status == .diproses {
            try store.perform(.advance(tahap: nil, note: nil), on: p.number, officer: "Petugas")
        }
        return p.number
    }

    @Test func oneResponsePerHandedOverFileWithNothingThatNamesIt() throws {
        let clock = TestClock()
        let store = try Fixture.newStore(clock: clock)
        let number = try Self.handedOver(store)
        #expect(try store.surveyEligibility(number) == .open)
        try store.recordSurvey(
            number: number, answers: [3, 3, 3, 3, 3, 3, 3, 3, 3], channel: .tablet, by: .typed("Ani"))
        #expect(try store.surveyEligibility(number) == .taken)
        #expect(throws: SimpulError.self) {
            try store.recordSurvey(
                number: number, answers: [4, 4, 4, 4, 4, 4, 4, 4, 4], channel: .kertas, by: .typed("Ani"))
        }

        // The event names neither the file, the applicant nor the officer.
        let month = clock.now().localDate(offsetMinutes: 420)
        let record = LedgerRecord.skm(prefix: "01", year: month.year, month: month.month).description
        let events = try store.history(record)
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.officer == SKMRecording.officer && event.role == SKMRecording.respondentRole)
        let json = String(decoding: try JSONEncoder().encode(event), as: UTF8.self)
        #expect(!json.contains(number))
        #expect(!json.contains(Fixture.nik.description))
        #expect(!json.contains("Siti"))
        #expect(!json.contains("Ani"))
        guard case .skmRecorded(let response) = event.body else {
            Issue.record("not a survey")
            return
        }
        #expect(response.layanan == "SKTM" && response.channel == .tablet)

        let ikm = try store.ikm(year: month.year, month: month.month, partition: "33.74.01")
        #expect(ikm.overall.respondents == 1 && ikm.overall.hundredths == 7_500 && ikm.overall.grade == .c)
        #expect(ikm.perLayanan.map(\.layanan) == ["SKTM"])
        #expect(try store.check().foldMatches)
        // A rebuild keeps the responses and the note of which files answered.
        _ = try store.rebuild()
        #expect(try store.ikm(year: month.year, month: month.month) == ikm)
        #expect(try store.surveyEligibility(number) == .taken)
    }

    @Test func aFileNotHandedOverMayNotAnswer() throws {
        let store = try Fixture.newStore()
        let sktm = try #require(try store.catalog().service(code: "SKTM"))
        let p = try store.register(Fixture.application(sktm), officer: "Sari")
        #expect(try store.surveyEligibility(p.number) == .notHandedOver)
        #expect(throws: SimpulError.self) {
            try store.recordSurvey(
                number: p.number, answers: [3, 3, 3, 3, 3, 3, 3, 3, 3], channel: .tablet, by: .typed("Ani"))
        }
        #expect(try store.eventCount() == 1)
    }

    @Test func answersOutsideTheScaleAreRefusedAndChangeNothing() throws {
        let store = try Fixture.newStore()
        let number = try Self.handedOver(store)
        let before = try store.eventCount()
        for answers in [[3, 3, 3, 3, 3, 3, 3, 3], [3, 3, 3, 3, 3, 3, 3, 3, 0], [5, 3, 3, 3, 3, 3, 3, 3, 3]] {
            #expect(throws: SimpulError.self) {
                try store.recordSurvey(number: number, answers: answers, channel: .kertas, by: .typed("Ani"))
            }
        }
        #expect(try store.eventCount() == before)
        #expect(try store.surveyEligibility(number) == .open)
    }

    @Test func onNodesWithAccountsOnlyThePenyerahanEntersASurvey() throws {
        let store = try Fixture.newStore()
        let number = try Self.handedOver(store)
        let loket = try store.addAccount(
            username: "sari", name: "Sari", roles: [.loket], passwordHash: "x", isPIN: false)
        let serah = try store.addAccount(
            username: "ani", name: "Ani", roles: [.penyerahan], passwordHash: "x", isPIN: false)
        #expect(throws: SimpulError.self) {
            try store.recordSurvey(
                number: number, answers: [4, 4, 4, 4, 4, 4, 4, 4, 4], channel: .kertas,
                by: .account(loket, substitution: nil))
        }
        try store.recordSurvey(
            number: number, answers: [4, 4, 4, 4, 4, 4, 4, 4, 4], channel: .kertas,
            by: .account(serah, substitution: nil))
    }

    @Test func aNodeMayNotWriteAnotherNodesSurveyLedgerNorAResponseOutOfBoundsOrMonth() throws {
        let response = SurveyResponse(
            layanan: "SKTM", month: "2026-11", answers: [3, 3, 3, 3, 3, 3, 3, 3, 3], channel: .tablet)
        let node = try #require(NodeID("33.74.02"))
        var checker = EventAuthorization.Checker(author: node, partition: "33.74.02")
        #expect(checker.refusal(body: .skmRecorded(response), record: "SKM/02/2026-11") == nil)
        #expect(checker.refusal(body: .skmRecorded(response), record: "SKM/01/2026-11")?.reason == .foreignRecord)
        #expect(checker.refusal(body: .skmRecorded(response), record: "KAS/02/2026-11")?.reason == .foreignRecord)
        #expect(checker.refusal(body: .skmRecorded(response), record: "SKM/02/2026-10")?.reason == .invalidData)
        var bad = response
        bad.answers[8] = 7
        #expect(checker.refusal(body: .skmRecorded(bad), record: "SKM/02/2026-11")?.reason == .invalidData)
        let hub = try #require(NodeID("33.74"))
        var hubChecker = EventAuthorization.Checker(author: hub, partition: "33.74.02")
        #expect(hubChecker.refusal(body: .skmRecorded(response), record: "SKM/02/2026-11")?.reason == .otherWriter)
    }
}
