import GRDB
import SimpulDomain

/// How a survey response is attributed: to no one. The event must name an officer and a role, and
/// names the respondent's part instead, so the log does not say which officer stood by the tablet or
/// typed in the paper form.
public enum SKMRecording {
    public static let officer = "Anonim"
    public static let respondentRole = "Responden SKM"
    public static let task = "survei kepuasan masyarakat"
}

/// Whether a permohonan may answer the survey.
public enum SurveyEligibility: Sendable, Equatable {
    /// Handed over and not yet surveyed.
    case open
    /// Already answered (on the tablet or on paper).
    case taken
    /// Not handed over (still in process, forwarded, withdrawn or rejected).
    case notHandedOver
}

/// The IKM of a month, overall, per service and (at the hub) per kecamatan.
public struct IKMReport: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var overall: IKM
    /// Per service code, in code order.
    public var perLayanan: [(layanan: String, ikm: IKM)]
    /// Per kecamatan partition.
    public var perPartition: [String: IKM]

    public static func == (a: IKMReport, b: IKMReport) -> Bool {
        a.year == b.year && a.month == b.month && a.overall == b.overall && a.perPartition == b.perPartition
            && a.perLayanan.map(\.layanan) == b.perLayanan.map(\.layanan)
            && a.perLayanan.map(\.ikm) == b.perLayanan.map(\.ikm)
    }

    public var monthText: String { SurveyResponse.monthText(year: year, month: month) }
}

extension NodeStore {
    /// Whether permohonan `number` may answer the survey now.
    public func surveyEligibility(_ number: String) throws(SimpulError) -> SurveyEligibility {
        try readDB("membaca status survei") { db in try self.eligibility(number, db: db) }
    }

    private func eligibility(_ number: String, db: Database) throws -> SurveyEligibility {
        guard let state = try Projection.load(number, db: db) else { throw Projection.notFound(number) }
        guard state.partition == info.node.homePartition else {
            throw SimpulError(.invalidData, "permohonan \(number) milik kecamatan lain; survei diisi di kantornya")
        }
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM skm_taken WHERE number = ?)", arguments: [number])
            == true
        {
            return .taken
        }
        // `selesai` is reached only by handing the document over (or a settlement that says it was).
        return state.status == .selesai ? .open : .notHandedOver
    }

    /// Records one anonymous survey response for a permohonan that was handed over: the event carries
    /// the service, the month, the nine answers and the channel, on this node's ledger of the month;
    /// the permohonan's number goes only into the local `skm_taken`, in the same transaction, so a
    /// second response for the same file is refused without the response naming it.
    public func recordSurvey(
        number: String, answers: [Int], channel: SKM.Channel, by actor: Actor
    ) throws(SimpulError) {
        let number = try RegistrationNumber(parsing: number).text
        if case .typed(let name) = actor { _ = try Self.officerName(name) }
        let at = now()
        let today = at.localDate(offsetMinutes: info.zona.offsetMinutes)
        try writeDB("mencatat survei") { db in
            switch try self.eligibility(number, db: db) {
            case .open: break
            case .taken:
                throw SimpulError(.invalidData, "permohonan \(number) sudah mengisi survei; satu survei per permohonan")
            case .notHandedOver:
                throw SimpulError(
                    .invalidData, "permohonan \(number) belum diserahkan; survei diisi sesudah penyerahan dokumen")
            }
            guard let state = try Projection.load(number, db: db) else { throw Projection.notFound(number) }
            let response = SurveyResponse(
                layanan: state.layanan.code, month: SurveyResponse.monthText(year: today.year, month: today.month),
                answers: answers, channel: channel)
            let partition = self.info.node.homePartition
            let body = EventBody.skmRecorded(response)
            let record = LedgerRecord.skm(
                prefix: self.info.node.registrationPrefix, year: today.year, month: today.month
            ).description
            var checker = EventAuthorization.Checker(author: self.info.node, partition: partition)
            if let refusal = checker.refusal(body: body, record: record) {
                throw SimpulError(.invalidData, refusal.message)
            }
            // The account must hold the role, but the event does not name it (`SKMRecording`).
            _ = try self.attribution(
                actor, required: .penyerahan, task: SKMRecording.task, typedRole: SKMRecording.respondentRole, db: db)
            try db.execute(sql: "INSERT INTO skm_taken (number) VALUES (?)", arguments: [number])
            _ = try self.append(
                record: record, partition: partition, context: try Self.ledgerContext(record, partition, db: db),
                officer: SKMRecording.officer, role: SKMRecording.respondentRole, at: at, body: body, db: db)
        }
        // The log line names neither the number nor the officer, as the event does not.
        logger.info("survey recorded", metadata: ["channel": "\(channel.rawValue)"])
    }

    /// What this node holds of a ledger record: the context a fact on it is written in.
    static func ledgerContext(_ record: String, _ partition: String, db: Database) throws -> VersionVector {
        var context = VersionVector()
        for row in try Row.fetchAll(
            db, sql: "SELECT node, MAX(seq) AS seq FROM event WHERE partition = ? AND record = ? GROUP BY node",
            arguments: [partition, record])
        {
            context.include(Dot(node: row["node"], seq: UInt64(row["seq"] as Int64)))
        }
        return context
    }

    /// The IKM of a month from the responses this store holds: with `partition`, one kecamatan's;
    /// without, every kecamatan's (the hub).
    public func ikm(year: Int, month: Int, partition: String? = nil) throws(SimpulError) -> IKMReport {
        guard (2000...2200).contains(year), (1...12).contains(month) else {
            throw SimpulError(.invalidData, "bulan: \(year)-\(month) bukan bulan yang sah (YYYY-MM)")
        }
        let text = SurveyResponse.monthText(year: year, month: month)
        return try readDB("menghitung IKM") { db in
            var sql = "SELECT partition, layanan, u1, u2, u3, u4, u5, u6, u7, u8, u9 FROM skm WHERE month = ?"
            var args: [any DatabaseValueConvertible] = [text]
            if let partition {
                sql += " AND partition = ?"
                args.append(partition)
            }
            var overall = IKM()
            var perLayanan: [String: IKM] = [:]
            var perPartition: [String: IKM] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)) {
                let answers = (1...9).map { row["u\($0)"] as Int }
                overall.add(answers)
                perLayanan[row["layanan"], default: IKM()].add(answers)
                perPartition[row["partition"], default: IKM()].add(answers)
            }
            return IKMReport(
                year: year, month: month, overall: overall,
                perLayanan: perLayanan.sorted { $0.key < $1.key }.map { (layanan: $0.key, ikm: $0.value) },
                perPartition: perPartition)
        }
    }
}
