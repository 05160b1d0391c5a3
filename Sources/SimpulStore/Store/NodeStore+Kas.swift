import GRDB
import SimpulDomain

/// One kas event as projected: a closing or a deposit, with who recorded it and when.
public struct KasEntry: Sendable, Equatable {
    public enum Kind: String, Sendable { case tutup, setor }

    public var kind: Kind
    public var node: String
    public var seq: Int64
    public var partition: String
    public var day: LocalDate
    /// A closing's total, or the deposit's amount.
    public var amount: Int64
    /// A closing's receipt count and first and last receipt numbers.
    public var receipts: Int?
    public var firstReceipt: String?
    public var lastReceipt: String?
    /// A deposit's proof and note.
    public var reference: String?
    public var note: String?
    public var officer: String
    public var at: Timestamp
    public var lamport: Int64
}

/// A month of one kasir's (or, at the hub, every kecamatan's) cash book: what the receipts say was
/// taken each day, what each closing said, and what was deposited.
public struct KasMonth: Sendable, Equatable {
    public struct Day: Sendable, Equatable {
        public var partition: String
        public var node: String
        public var day: LocalDate
        /// The receipts this store holds for that node and day.
        public var receipts: Int
        public var total: Int64
        /// The latest closing of the day, if the kasir closed it (and it has reached this store).
        public var closing: KasEntry?
        /// Closings of the day replaced by a later one.
        public var earlierClosings: Int

        /// Whether the closing says what the receipts held here say.
        public var closingMatches: Bool? {
            closing.map { $0.receipts == receipts && $0.amount == total }
        }
    }

    public struct Totals: Sendable, Equatable {
        public var received: Int64
        public var deposited: Int64

        public init(received: Int64 = 0, deposited: Int64 = 0) {
            self.received = received
            self.deposited = deposited
        }

        /// Received and not deposited: what the kasir still holds (or a deposit not yet synced).
        public var outstanding: Int64 { received - deposited }
    }

    public var year: Int
    public var month: Int
    public var days: [Day]
    public var deposits: [KasEntry]
    /// Per kecamatan partition.
    public var totals: [String: Totals]
}

extension NodeStore {
    /// The kasir closes a day (today when nil): the day's receipts of this node as its log holds them,
    /// recorded as a `kas.closed` event. Closing a day again records a new closing that replaces the
    /// earlier one (receipts taken after the first closing).
    @discardableResult
    public func closeKas(day: LocalDate? = nil, by actor: Actor) throws(SimpulError) -> KasEntry {
        if case .typed(let name) = actor { _ = try Self.officerName(name) }
        let at = now()
        let offset = info.zona.offsetMinutes
        let today = at.localDate(offsetMinutes: offset)
        let day = day ?? today
        guard day <= today else {
            throw SimpulError(
                .invalidData, "tanggal: \(day) belum tiba; tutup kas hanya untuk hari ini atau sebelumnya")
        }
        let node = info.node.rawValue
        let entry = try writeDB("menutup kas") { db -> KasEntry in
            let (from, to) = Self.bounds(of: day, offsetMinutes: offset)
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT receipt, amount FROM pembayaran WHERE node = ? AND at >= ? AND at < ? ORDER BY seq",
                arguments: [node, from, to])
            let total = rows.reduce(Int64(0)) { $0 + ($1["amount"] as Int64) }
            let closing = KasClosing(
                day: day, receipts: rows.count, total: total, firstReceipt: rows.first?["receipt"],
                lastReceipt: rows.last?["receipt"])
            return try self.appendKas(.kasClosed(closing), day: day, actor: actor, task: "tutup kas", at: at, db: db)
        }
        logger.info("kas closed", metadata: ["day": "\(day)", "receipts": "\(entry.receipts ?? 0)"])
        return entry
    }

    /// The kasir records money handed to the kabupaten treasury, with the proof's reference.
    @discardableResult
    public func depositKas(
        amount: Int64, reference: String, note: String? = nil, day: LocalDate? = nil, by actor: Actor
    ) throws(SimpulError) -> KasEntry {
        if case .typed(let name) = actor { _ = try Self.officerName(name) }
        let reference = try FreeText.clean(reference, field: "bukti", maxLength: KasDeposit.maxReferenceLength)
        guard let reference else { throw SimpulError(.invalidData, "bukti: nomor bukti setor wajib diisi") }
        let note = try FreeText.clean(note, field: "catatan")
        let at = now()
        let today = at.localDate(offsetMinutes: info.zona.offsetMinutes)
        let day = day ?? today
        guard day <= today else {
            throw SimpulError(
                .invalidData, "tanggal: \(day) belum tiba; setoran dicatat pada hari setor atau sesudahnya")
        }
        let deposit = KasDeposit(day: day, amount: amount, reference: reference, note: note)
        if let problem = deposit.problem { throw SimpulError(.invalidData, problem) }
        let entry = try writeDB("mencatat setoran") { db -> KasEntry in
            try self.appendKas(.kasDeposited(deposit), day: day, actor: actor, task: "setor kas", at: at, db: db)
        }
        logger.info("kas deposited", metadata: ["day": "\(day)", "amount": "\(amount)"])
        return entry
    }

    private func appendKas(
        _ body: EventBody, day: LocalDate, actor: Actor, task: String, at: Timestamp, db: Database
    ) throws -> KasEntry {
        let partition = info.node.homePartition
        if let refusal = EventAuthorization.refusal(body: body, author: info.node, partition: partition) {
            throw SimpulError(.invalidData, refusal.message)
        }
        let record = LedgerRecord.kas(prefix: info.node.registrationPrefix, day: day).description
        if let refusal = EventAuthorization.refusal(
            type: body.type, record: record, author: info.node, partition: partition)
        {
            throw SimpulError(.invalidData, refusal.message)
        }
        let who = try attribution(
            actor, required: .kasir, task: task, typedRole: Peran.kasir, db: db)
        // The context is what this node holds of the day's book: a second closing saw the first.
        var context = VersionVector()
        for row in try Row.fetchAll(
            db, sql: "SELECT node, MAX(seq) AS seq FROM event WHERE partition = ? AND record = ? GROUP BY node",
            arguments: [partition, record])
        {
            context.include(Dot(node: row["node"], seq: UInt64(row["seq"] as Int64)))
        }
        let event = try append(
            record: record, partition: partition, context: context, officer: who.officer, role: who.role, at: at,
            body: body, db: db)
        guard
            let entry = try Self.kasEntries(
                where: "node = ? AND seq = ? AND partition = ?",
                arguments: [event.dot.node, Int64(event.dot.seq), partition], db: db
            ).first
        else { throw SimpulError(.io, "catatan kas tidak tersimpan") }
        return entry
    }

    /// A month's cash book: with `partition`, one kecamatan's; without, every kecamatan this store
    /// holds (the hub).
    public func kasMonth(year: Int, month: Int, partition: String? = nil) throws(SimpulError) -> KasMonth {
        guard (2000...2200).contains(year), (1...12).contains(month),
            let first = LocalDate(year: year, month: month, day: 1)
        else {
            throw SimpulError(.invalidData, "bulan: \(year)-\(month) bukan bulan yang sah (YYYY-MM)")
        }
        let offset = info.zona.offsetMinutes
        let next = first.adding(days: LocalDate.daysInMonth(year: year, month: month))
        let from = Self.bounds(of: first, offsetMinutes: offset).from
        let to = Self.bounds(of: next, offsetMinutes: offset).from
        return try readDB("membaca buku kas") { db in
            var filter = ""
            var args: [any DatabaseValueConvertible] = []
            if let partition {
                filter = " AND partition = ?"
                args.append(partition)
            }
            var days: [String: KasMonth.Day] = [:]
            func key(_ partition: String, _ node: String, _ day: LocalDate) -> String { "\(partition) \(node) \(day)" }
            for row in try Row.fetchAll(
                db, sql: "SELECT partition, node, amount, at FROM pembayaran WHERE at >= ? AND at < ?\(filter)",
                arguments: StatementArguments([from, to] + args))
            {
                guard let at = Timestamp(iso: row["at"]) else { continue }
                let day = at.localDate(offsetMinutes: offset)
                let k = key(row["partition"], row["node"], day)
                var d =
                    days[k]
                    ?? KasMonth.Day(
                        partition: row["partition"], node: row["node"], day: day, receipts: 0, total: 0, closing: nil,
                        earlierClosings: 0)
                d.receipts += 1
                d.total += row["amount"]
                days[k] = d
            }
            let entries = try Self.kasEntries(
                where: "day >= ? AND day < ?\(filter)",
                arguments: StatementArguments([first.description, next.description] + args), db: db)
            var deposits: [KasEntry] = []
            for e in entries {
                switch e.kind {
                case .setor:
                    deposits.append(e)
                case .tutup:
                    let k = key(e.partition, e.node, e.day)
                    var d =
                        days[k]
                        ?? KasMonth.Day(
                            partition: e.partition, node: e.node, day: e.day, receipts: 0, total: 0, closing: nil,
                            earlierClosings: 0)
                    if let held = d.closing {
                        d.earlierClosings += 1
                        if (held.lamport, held.node, held.seq) < (e.lamport, e.node, e.seq) { d.closing = e }
                    } else {
                        d.closing = e
                    }
                    days[k] = d
                }
            }
            var totals: [String: KasMonth.Totals] = [:]
            for d in days.values { totals[d.partition, default: .init()].received += d.total }
            for e in deposits { totals[e.partition, default: .init()].deposited += e.amount }
            return KasMonth(
                year: year, month: month,
                days: days.values.sorted { ($0.partition, $0.day, $0.node) < ($1.partition, $1.day, $1.node) },
                deposits: deposits.sorted { ($0.partition, $0.day, $0.at) < ($1.partition, $1.day, $1.at) },
                totals: totals)
        }
    }

    static func kasEntries(where clause: String, arguments: StatementArguments, db: Database) throws -> [KasEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM kas WHERE \(clause) ORDER BY day, at, node, seq", arguments: arguments)
            .compactMap { row -> KasEntry? in
                guard let kind = KasEntry.Kind(rawValue: row["kind"]), let day = LocalDate(iso: row["day"]),
                    let at = Timestamp(iso: row["at"])
                else { return nil }
                return KasEntry(
                    kind: kind, node: row["node"], seq: row["seq"], partition: row["partition"], day: day,
                    amount: row["amount"], receipts: row["receipts"], firstReceipt: row["first_receipt"],
                    lastReceipt: row["last_receipt"], reference: row["reference"], note: row["note"],
                    officer: row["officer"], at: at, lamport: row["lamport"])
            }
    }

    /// The instants a day starts and the next starts, in a zone `offsetMinutes` from UTC, as stored.
    static func bounds(of day: LocalDate, offsetMinutes: Int) -> (from: String, to: String) {
        func start(_ d: LocalDate) -> String {
            Timestamp(milliseconds: (Int64(d.daysSinceEpoch) * 1440 - Int64(offsetMinutes)) * 60_000).description
        }
        return (start(day), start(day.adding(days: 1)))
    }
}
