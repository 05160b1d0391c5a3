import SimpulDomain
import Testing

/// The IKM of Permenpan-RB 14/2017: element averages, the unit value (weight 1/9), the conversion to
/// 25-100 and the grade.
@Suite(.timeLimit(.minutes(10))) struct IKMTests {
    /// Four respondents' answers to U1-U9: the worked example of docs/domain.md.
    static let example: [[Int]] = [
        [3, 3, 3, 3, 3, 3, 3, 3, 3],
        [4, 4, 3, 3, 4, 3, 4, 3, 3],
        [3, 2, 3, 4, 3, 3, 3, 2, 3],
        [4, 3, 2, 4, 3, 4, 4, 3, 3],
    ]

    @Test func theWorkedExampleGivesItsElementAveragesUnitValueIKMAndGrade() {
        let ikm = IKM(Self.example)
        #expect(ikm.respondents == 4)
        #expect(ikm.elementSums == [14, 12, 11, 14, 13, 13, 14, 11, 12])
        #expect((0..<9).map { ikm.elementAverageHundredths($0) } == [350, 300, 275, 350, 325, 325, 350, 275, 300])
        // Sum of the averages 28,50; x 1/9 = 3,16666...; x 25 = 79,1666...
        #expect(ikm.total == 114)
        #expect(ikm.unitValueTenThousandths == 31_667)
        #expect(ikm.hundredths == 7_917)
        #expect(ikm.grade == .b)
        #expect(ikm.grade?.label == "Baik")
        #expect(IKM.decimal(hundredths: 7_917) == "79,17")
        #expect(IKM.decimal(tenThousandths: 31_667) == "3,1667")
        #expect(IKM.plain(hundredths: 7_917) == "79.17")
    }

    @Test func theGradeFollowsTheConversionIntervalsToTheHundredth() {
        #expect(SKM.Grade.of(hundredths: 2_500) == .d)
        #expect(SKM.Grade.of(hundredths: 6_499) == .d)
        #expect(SKM.Grade.of(hundredths: 6_500) == .c)
        #expect(SKM.Grade.of(hundredths: 7_660) == .c)
        #expect(SKM.Grade.of(hundredths: 7_661) == .b)
        #expect(SKM.Grade.of(hundredths: 8_830) == .b)
        #expect(SKM.Grade.of(hundredths: 8_831) == .a)
        #expect(SKM.Grade.of(hundredths: 10_000) == .a)
        #expect(SKM.Grade.allCases.map(\.label) == ["Sangat baik", "Baik", "Kurang baik", "Tidak baik"])
    }

    /// Sets of respondents whose whole-answer total puts the unit value on the regulation's edges.
    @Test func computedIndexesOnTheIntervalEdgesGetTheRegulationsGrades() {
        func ikm(respondents n: Int, total: Int) -> IKM {
            // Spread `total` over n x 9 answers, each 1-4.
            var left = total
            var rows: [[Int]] = []
            for r in 0..<n {
                var row: [Int] = []
                for e in 0..<9 {
                    let slots = (n - r) * 9 - e - 1
                    let a = min(4, max(1, left - slots))
                    row.append(a)
                    left -= a
                }
                rows.append(row)
            }
            let result = IKM(rows)
            #expect(result.total == total)
            return result
        }
        let all1 = ikm(respondents: 3, total: 27)
        #expect(all1.hundredths == 2_500 && all1.grade == .d && all1.unitValueTenThousandths == 10_000)
        let all4 = ikm(respondents: 3, total: 108)
        #expect(all4.hundredths == 10_000 && all4.grade == .a && all4.unitValueTenThousandths == 40_000)
        // Unit value 2,60 exactly: IKM 65,00, the lowest C.
        let c = ikm(respondents: 5, total: 117)
        #expect(c.unitValueTenThousandths == 26_000 && c.hundredths == 6_500 && c.grade == .c)
        // 116/45 = 2,5778: D.
        let d = ikm(respondents: 5, total: 116)
        #expect(d.hundredths == 6_444 && d.grade == .d)
        // 763/216 = 3,5324 (the lowest A in the unit-value table): IKM 88,31.
        let a = ikm(respondents: 24, total: 763)
        #expect(a.unitValueTenThousandths == 35_324 && a.hundredths == 8_831 && a.grade == .a)
        let b = ikm(respondents: 24, total: 762)
        #expect(b.hundredths == 8_819 && b.grade == .b)
        // 524/171 = 3,06433, inside the unit-value table's gap between 3,064 (C) and 3,0644 (B): its IKM
        // is reported as 76,61, and the grade follows the reported figure.
        let gap = ikm(respondents: 19, total: 524)
        #expect(gap.unitValueTenThousandths == 30_643 && gap.hundredths == 7_661 && gap.grade == .b)
    }

    @Test func anEmptySetHasNoIndex() {
        let empty = IKM()
        #expect(empty.hundredths == nil && empty.grade == nil && empty.elementAverageHundredths(0) == nil)
        var merged = IKM(Array(Self.example.prefix(2)))
        merged.add(IKM(Array(Self.example.suffix(2))))
        #expect(merged == IKM(Self.example))
    }

    @Test func aResponseOutsideTheScaleOrWithTheWrongMonthShapeIsRefused() {
        let ok = SurveyResponse(
            layanan: "SKTM", month: "2026-11", answers: [4, 4, 4, 4, 4, 4, 4, 4, 4], channel: .tablet)
        #expect(ok.problem == nil)
        var bad = ok
        bad.answers = [4, 4, 4, 4, 4, 4, 4, 4]
        #expect(bad.problem != nil)
        bad.answers = [4, 4, 4, 4, 4, 4, 4, 4, 5]
        #expect(bad.problem != nil)
        bad = ok
        bad.month = "2026-13"
        #expect(bad.problem != nil)
        bad = ok
        bad.layanan = "sktm"
        #expect(bad.problem != nil)
    }

    @Test func complaintDeadlinesCountTheLawsDaysAndMoveOffDaysOff() throws {
        let calendar = try WorkingDayCalendar.parse(
            tsv: "tanggal\tjenis\tketerangan\n2026-12-25\tlibur\tNatal\n", source: "test")
        // 2026-12-01 (Tuesday) + 14 days = Tuesday 15 December.
        let received = try #require(LocalDate(iso: "2026-12-01"))
        #expect(Pengaduan.deadline(received: received, days: 14, calendar: calendar).description == "2026-12-15")
        // 2026-12-11 + 14 = Friday 25 December, a holiday: Monday 28 December.
        let friday = try #require(LocalDate(iso: "2026-12-11"))
        #expect(Pengaduan.deadline(received: friday, days: 14, calendar: calendar).description == "2026-12-28")
    }
}
