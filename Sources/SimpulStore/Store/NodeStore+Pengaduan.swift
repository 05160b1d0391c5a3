import GRDB
import SimpulDomain

/// A complaint as projected from its events: what was received, and what became of it.
public struct Complaint: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var note: String
        public var officer: String
        public var at: Timestamp
    }

    /// `ADU/01/26-00003`.
    public var record: String
    public var partition: String
    public var received: ComplaintReceived
    /// The officer who received it, as the event names them.
    public var officer: String
    public var at: Timestamp
    public var followUps: [Step]
    public var closing: Step?

    public var isOpen: Bool { closing == nil }

    /// Where a complaint stands on a day: open or closed by then, and late when a deadline passed
    /// without its action (no follow-up or closing by `respondBy`, no closing by `closeBy`).
    public struct Standing: Sendable, Equatable {
        public var open: Bool
        public var lateResponse: Bool
        public var lateClosing: Bool
        public var late: Bool { lateResponse || lateClosing }
    }

    /// The standing at the end of `day`, reading the actions' times in a zone `offsetMinutes` from UTC.
    public func standing(on day: LocalDate, offsetMinutes: Int) -> Standing {
        func date(_ t: Timestamp) -> LocalDate { t.localDate(offsetMinutes: offsetMinutes) }
        let closedOn = closing.map { date($0.at) }
        let answeredOn = (followUps.map { date($0.at) } + (closedOn.map { [$0] } ?? [])).min()
        let open = closedOn.map { $0 > day } ?? true
        let answered = answeredOn.map { $0 <= day } ?? false
        return Standing(
            open: open,
            lateResponse: open && !answered && day > received.respondBy,
            lateClosing: open && day > received.closeBy)
    }
}

/// The complaints of a month: received, followed up and closed in it, and those open and late at its
/// end (today, for the month in progress).
public struct ComplaintSummary: Sendable, Equatable {
    public var received = 0
    public var followedUp = 0
    public var closed = 0
    public var open = 0
    public var late = 0

    public init() {}
}

extension NodeStore {
    /// The roles that receive a complaint: the information desk, the loket and the office's heads.
    public static let complaintReceivers: [OfficerRole] = [.informasi, .loket, .kasi, .sekcam, .camat]
    /// The roles that follow up and close one: the Kepala Seksi Pelayanan, the Sekretaris Camat, the Camat.
    public static let complaintHandlers: [OfficerRole] = [.kasi, .sekcam, .camat]

    /// Records a complaint on a new ledger record of this node (`ADU/PREFIX/YY-NNNNN`, numbered per
    /// year without gaps), with the deadlines UU 25/2009 sets, computed with the node's calendar.
    @discardableResult
    public func receiveComplaint(
        channel: Pengaduan.Channel, layanan: String?, number: String?, text: String, name: String?,
        contact: String?, by actor: Actor
    ) throws(SimpulError) -> Complaint {
        guard let text = try FreeText.clean(text, field: "isi", maxLength: Pengaduan.maxTextLength) else {
            throw SimpulError(.invalidData, "isi: isi pengaduan wajib diisi")
        }
        let name = try FreeText.clean(name, field: "nama", maxLength: 100)
        let contact = try FreeText.clean(contact, field: "kontak", maxLength: 200)
        let layanan = try FreeText.clean(layanan, field: "layanan", maxLength: 40)
        if let layanan, try catalog().service(code: layanan) == nil {
            throw SimpulError(.invalidData, "layanan: '\(layanan)' tidak ada di katalog")
        }
        let number = try FreeText.clean(number, field: "nomor", maxLength: 40).map {
            (n) throws(SimpulError) in try RegistrationNumber(parsing: n).text
        }
        if case .typed(let name) = actor { _ = try Self.officerName(name) }
        let at = now()
        let today = at.localDate(offsetMinutes: info.zona.offsetMinutes)
        let prefix = info.node.registrationPrefix
        let record = try writeDB("mencatat pengaduan") { db -> String in
            let calendar = try Self.calendar(db)
            let received = ComplaintReceived(
                channel: channel, layanan: layanan, number: number, text: text, name: name, contact: contact,
                receivedOn: today,
                respondBy: Pengaduan.deadline(received: today, days: Pengaduan.responseDays, calendar: calendar),
                closeBy: Pengaduan.deadline(received: today, days: Pengaduan.closingDays, calendar: calendar))
            // Gap-free per node and year: only this node writes records with its prefix, and the
            // projection is written in this same transaction.
            let start = LedgerRecord.aduan(prefix: prefix, year: today.year, sequence: 0).description.dropLast(5)
            let last =
                try String.fetchOne(
                    db,
                    sql: "SELECT MAX(record) FROM pengaduan WHERE kind = 'terima' AND record LIKE ? || '%'",
                    arguments: [String(start)]
                ).flatMap { Int($0.suffix(5)) } ?? 0
            let record = LedgerRecord.aduan(prefix: prefix, year: today.year, sequence: last + 1).description
            try self.appendComplaint(
                .complaintReceived(received), record: record, roles: Self.complaintReceivers,
                task: "penerimaan pengaduan", actor: actor, at: at, db: db)
            return record
        }
        logger.info("complaint received", metadata: ["record": "\(record)", "channel": "\(channel.rawValue)"])
        return try complaint(record)
    }

    /// Records a follow-up of an open complaint of this node: what was done or answered.
    @discardableResult
    public func followUpComplaint(_ record: String, note: String, by actor: Actor) throws(SimpulError) -> Complaint {
        try complaintStep(record, note: note, closing: false, actor: actor)
    }

    /// Closes an open complaint of this node, with how it ended.
    @discardableResult
    public func closeComplaint(_ record: String, note: String, by actor: Actor) throws(SimpulError) -> Complaint {
        try complaintStep(record, note: note, closing: true, actor: actor)
    }

    private func complaintStep(
        _ record: String, note: String, closing: Bool, actor: Actor
    ) throws(SimpulError) -> Complaint {
        let what = closing ? "penutupan pengaduan" : "tindak lanjut pengaduan"
        guard let note = try FreeText.clean(note, field: "catatan", maxLength: Pengaduan.maxNoteLength) else {
            throw SimpulError(.invalidData, "catatan: catatan \(what) wajib diisi")
        }
        if case .typed(let name) = actor { _ = try Self.officerName(name) }
        let at = now()
        try writeDB("mencatat \(what)") { db in
            guard let held = try Self.complaints(where: "record = ?", arguments: [record], db: db).first,
                held.partition == self.info.node.homePartition
            else {
                throw SimpulError(.notFound, "pengaduan \(record.prefix(40)) tidak ada di kantor ini")
            }
            guard held.isOpen else {
                throw SimpulError(.invalidData, "pengaduan \(record) sudah ditutup")
            }
            let body: EventBody =
                closing ? .complaintClosed(ComplaintNote(note: note)) : .complaintFollowedUp(ComplaintNote(note: note))
            try self.appendComplaint(
                body, record: record, roles: Self.complaintHandlers, task: what, actor: actor, at: at, db: db)
        }
        logger.info("complaint \(closing ? "closed" : "followed up")", metadata: ["record": "\(record)"])
        return try complaint(record)
    }

    private func appendComplaint(
        _ body: EventBody, record: String, roles: [OfficerRole], task: String, actor: Actor, at: Timestamp,
        db: Database
    ) throws {
        let partition = info.node.homePartition
        var checker = EventAuthorization.Checker(author: info.node, partition: partition)
        if let refusal = checker.refusal(body: body, record: record) {
            throw SimpulError(.invalidData, refusal.message)
        }
        // Any of `roles` will do: the first one the account holds is the one the event names.
        var required = roles[0]
        if case .account(let given, _) = actor,
            let account = try Self.accountRow(OfficerRole.self, given.username, db: db)
        {
            guard let held = roles.first(where: account.roles.contains) else {
                throw SimpulError(
                    .invalidData,
                    "peran: \(account.officerText) tidak memegang peran \(roles.map(\.label).joined(separator: ", ")) untuk \(task)"
                )
            }
            required = held
        }
        let who = try attribution(actor, required: required, task: task, typedRole: Peran.pengaduan, db: db)
        _ = try append(
            record: record, partition: partition, context: try Self.ledgerContext(record, partition, db: db),
            officer: who.officer, role: who.role, at: at, body: body, db: db)
    }

    /// One complaint.
    public func complaint(_ record: String) throws(SimpulError) -> Complaint {
        let found = try readDB("membaca pengaduan") { db in
            try Self.complaints(where: "record = ?", arguments: [record], db: db).first
        }
        guard let found else { throw SimpulError(.notFound, "pengaduan \(record.prefix(40)) tidak ada") }
        return found
    }

    /// Complaints received from `from` on (all when nil), newest first; with `partition` one
    /// kecamatan's, without it every kecamatan's (the hub). `openOnly` keeps those not closed.
    public func complaints(
        partition: String? = nil, openOnly: Bool = false, from: LocalDate? = nil, limit: Int = 500
    ) throws(SimpulError) -> [Complaint] {
        try readDB("membaca pengaduan") { db in
            var clause = "1"
            var args: [any DatabaseValueConvertible] = []
            if let partition {
                clause += " AND partition = ?"
                args.append(partition)
            }
            if let from {
                clause += " AND record IN (SELECT record FROM pengaduan WHERE kind = 'terima' AND received_on >= ?)"
                args.append(from.description)
            }
            if openOnly { clause += " AND record NOT IN (SELECT record FROM pengaduan WHERE kind = 'tutup')" }
            let all = try Self.complaints(where: clause, arguments: StatementArguments(args), db: db)
            return Array(all.sorted { ($0.at, $0.record) > ($1.at, $1.record) }.prefix(limit))
        }
    }

    /// A month's complaints for the Camat's report: per kecamatan partition (one at a kecamatan).
    public func complaintSummary(
        year: Int, month: Int, partition: String? = nil
    ) throws(SimpulError) -> [String: ComplaintSummary] {
        guard (2000...2200).contains(year), (1...12).contains(month),
            let first = LocalDate(year: year, month: month, day: 1)
        else {
            throw SimpulError(.invalidData, "bulan: \(year)-\(month) bukan bulan yang sah (YYYY-MM)")
        }
        let offset = info.zona.offsetMinutes
        let last = first.adding(days: LocalDate.daysInMonth(year: year, month: month) - 1)
        let today = now().localDate(offsetMinutes: offset)
        let asOf = min(last, today)
        let all = try readDB("membaca pengaduan") { db in
            var clause = "record IN (SELECT record FROM pengaduan WHERE kind = 'terima' AND received_on <= ?)"
            var args: [any DatabaseValueConvertible] = [last.description]
            if let partition {
                clause += " AND partition = ?"
                args.append(partition)
            }
            return try Self.complaints(where: clause, arguments: StatementArguments(args), db: db)
        }
        var result: [String: ComplaintSummary] = [:]
        func inMonth(_ d: LocalDate) -> Bool { d >= first && d <= last }
        for c in all {
            var s = result[c.partition] ?? ComplaintSummary()
            if inMonth(c.received.receivedOn) { s.received += 1 }
            s.followedUp += c.followUps.filter { inMonth($0.at.localDate(offsetMinutes: offset)) }.count
            if let closing = c.closing, inMonth(closing.at.localDate(offsetMinutes: offset)) { s.closed += 1 }
            if asOf >= first {
                let standing = c.standing(on: asOf, offsetMinutes: offset)
                if standing.open { s.open += 1 }
                if standing.late { s.late += 1 }
            }
            result[c.partition] = s
        }
        return result
    }

    static func complaints(where clause: String, arguments: StatementArguments, db: Database) throws -> [Complaint] {
        var byRecord: [String: Complaint] = [:]
        var steps: [(String, String, Complaint.Step)] = []
        for row in try Row.fetchAll(
            db, sql: "SELECT * FROM pengaduan WHERE \(clause) ORDER BY lamport, node, seq", arguments: arguments)
        {
            guard let at = Timestamp(iso: row["at"]) else { continue }
            let kind: String = row["kind"]
            let record: String = row["record"]
            if kind == "terima" {
                guard let channel = Pengaduan.Channel(rawValue: row["channel"] ?? ""),
                    let receivedOn = (row["received_on"] as String?).flatMap(LocalDate.init(iso:)),
                    let respondBy = (row["respond_by"] as String?).flatMap(LocalDate.init(iso:)),
                    let closeBy = (row["close_by"] as String?).flatMap(LocalDate.init(iso:))
                else { continue }
                byRecord[record] = Complaint(
                    record: record, partition: row["partition"],
                    received: ComplaintReceived(
                        channel: channel, layanan: row["layanan"], number: row["number"], text: row["text"] ?? "",
                        name: row["name"], contact: row["contact"], receivedOn: receivedOn, respondBy: respondBy,
                        closeBy: closeBy),
                    officer: row["officer"], at: at, followUps: [], closing: nil)
            } else {
                steps.append((record, kind, Complaint.Step(note: row["note"] ?? "", officer: row["officer"], at: at)))
            }
        }
        for (record, kind, step) in steps {
            guard var c = byRecord[record] else { continue }
            if kind == "tutup" {
                if c.closing == nil { c.closing = step }
            } else {
                c.followUps.append(step)
            }
            byRecord[record] = c
        }
        return Array(byRecord.values)
    }
}
