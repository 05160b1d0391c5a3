import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

/// The dashboard's line per kecamatan, counted at a hub that received files over a real sync.
@Suite(.timeLimit(.minutes(10)))
struct KecamatanSummaryTests {
    /// Three files forwarded on Monday 6 April 2026; on Thursday the PTSP gives one code 10 and stops
    /// another's clock (41, waiting for the applicant); read on Tuesday 14 April.
    @Test func aFileThatSatAtOneCodeLongerThanTheWorkingDaysAskedIsAgeing() throws {
        let world = try SyncWorld(clock: TestClock("2026-04-06T01:00:00Z"))
        let node = try world.kecamatan("33.74.01")
        var numbers: [String] = []
        for _ in 0..<3 {
            let number = try node.register("PBG-KECIL").number
            while let p = try? node.store.permohonan(number), p.status == .diproses, let t = p.tahap, t != .penerusan {
                try node.store.perform(.advance(tahap: t, note: nil), on: number, officer: "Petugas")
            }
            try node.store.perform(.forward(note: nil), on: number, officer: "Sari")
            numbers.append(number)
        }
        #expect(world.sync(node).outcome.result == .inSync)
        let hub = world.hub.store
        world.clock.advance(seconds: 3 * 86_400)
        try hub.perform(.ptspProgress(code: "10", note: nil), on: numbers[1], officer: "Rudi")
        try hub.perform(.ptspProgress(code: "41", note: nil), on: numbers[2], officer: "Rudi")

        // Tuesday 14 April: six working days after the forwarding (7-10 and 13-14 April), three after Thursday.
        let today = try #require(LocalDate(iso: "2026-04-14"))
        func summary(_ days: Int) throws -> KecamatanSummary {
            try #require(
                try hub.kecamatanSummaries(today: today, offsetMinutes: 420, ageingDays: days).first {
                    $0.partition == "33.74.01"
                })
        }
        let five = try summary(5)
        #expect(five.waiting == 3)
        #expect(five.ageing == 1, "only the file still without a code since Monday")
        #expect(try summary(6).ageing == 0, "six working days are not longer than six")
        #expect(try summary(2).ageing == 2, "the file at code 10 since Thursday too; the stopped clock never")
    }
}
