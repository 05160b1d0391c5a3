import Foundation
import GRDB
import SimpulDomain

/// Folds events into the materialized tables, inside one write transaction.
///
/// A local command appends an event the workflow has just accepted on the current state, so it is
/// folded incrementally. Events from other replicas are folded incrementally too when they come
/// causally after everything the record holds; otherwise their record is folded again from its
/// whole history by `RecordFold`, which is also what a rebuild does: the same fold everywhere is
/// what makes replicas converge and "incremental equals rebuild".
///
/// The records a transaction touches stay in memory until `flush()`, so a batch of change sets
/// reads and writes each permohonan row once, however many of its events the batch carries.
final class Projection {
    private let db: Database
    /// The folded state of each record touched so far; nil when the record has no state.
    private var states: [String: Permohonan?] = [:]
    private var dirty: Set<String> = []
    /// The attachment rows each touched record has in the store, so a flush writes only new ones.
    private var storedAttachments: [String: [AttachedFile]] = [:]

    init(db: Database) { self.db = db }

    static func notFound(_ number: String) -> SimpulError {
        SimpulError(.notFound, "permohonan \(number) tidak ada di penyimpanan node ini")
    }

    // MARK: - Folding

    /// Folds one event the local workflow accepted.
    func apply(_ event: Event) throws {
        switch event.body {
        case .catalogPublished, .calendarPublished, .kasClosed, .kasDeposited, .skmRecorded, .complaintReceived,
            .complaintFollowedUp, .complaintClosed:
            try Self.projectFact(event, db: db)
        case .registered(let r):
            states[event.record] = Permohonan(registeredBy: event, r)
            storedAttachments[event.record] = []
            dirty.insert(event.record)
        case .settled:
            // A settlement marks conflicts resolved, which only a fold of the whole record knows.
            try refold(record: event.record, incoming: [event])
        case .stepCompleted, .forwarded, .withdrawn, .rejected, .returned, .paymentReceived, .ptspProgress, .decided,
            .attached:
            guard var state = try current(event.record) else { throw Self.notFound(event.record) }
            state.apply(event)
            if case .paymentReceived(let p) = event.body { try insertPayment(p, event: event) }
            states[event.record] = state
            dirty.insert(event.record)
        }
    }

    /// Events from other replicas already in the log and not yet folded, per record.
    private var received: [String: [Event]] = [:]
    private var receivedOrder: [String] = []

    /// Takes events from another replica that are now in the log; `foldReceived` folds them.
    ///
    /// A batch of change sets is folded once at its end, each record over all its new events in
    /// fold order: the fold of the whole history is the same whatever order the events reached
    /// the log in, so this is the state change set by change set would have given.
    ///
    /// A permohonan belongs to one partition, the one its number names: an event on it written
    /// into any other partition (which the checks on receipt refuse) never reaches its fold.
    func receive<S: Sequence<Event>>(_ events: S) {
        for e in events {
            if received[e.record] == nil {
                // Decided once per record: its events of a batch are in one partition but for a forgery.
                guard Self.belongs(e) else { continue }
                receivedOrder.append(e.record)
                received[e.record] = [e]
            } else if let first = received[e.record]?.first,
                first.partition == e.partition && first.body.type.isPermohonan == e.body.type.isPermohonan
                    || Self.belongs(e)
            {
                received[e.record, default: []].append(e)
            }
        }
    }

    func foldReceived() throws {
        // One query finds which of the records registered in this batch already have a row (none,
        // unless a writer registered a number twice): the others need nothing loaded.
        let registered = receivedOrder.filter { record in
            guard states[record] == nil, case .registered = received[record]?.first?.body else { return false }
            return true
        }
        var present: Set<String> = []
        for chunk in stride(from: 0, to: registered.count, by: 500).map({
            registered[$0..<min($0 + 500, registered.count)]
        }) {
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            present.formUnion(
                try String.fetchAll(
                    db, sql: "SELECT number FROM permohonan WHERE number IN (\(marks))",
                    arguments: StatementArguments(Array(chunk))))
        }
        for record in registered where !present.contains(record) {
            states[record] = .some(nil)
            storedAttachments[record] = []
        }
        for record in receivedOrder { try applyRemote(record: record, incoming: received[record]!) }
        received.removeAll()
        receivedOrder.removeAll()
    }

    /// Folds events of one record that arrived from another replica (already in the log).
    func applyRemote(record: String, incoming: [Event]) throws {
        if try !applyIncrementally(record: record, incoming: incoming) {
            try refold(record: record, incoming: incoming)
        }
    }

    /// Folds events without reading the record's history, when they come causally after everything
    /// held (each saw every event folded so far and the workflow accepts it): then the full fold
    /// would give exactly this. Returns false, having changed nothing, when it must refold instead.
    private func applyIncrementally(record: String, incoming: [Event]) throws -> Bool {
        // One writer's events arrive in seq order, which for one record is already fold order.
        let inOrder = zip(incoming, incoming.dropFirst()).allSatisfy { Event.foldOrder($0, $1) }
        let sorted = inOrder ? incoming : incoming.sorted(by: Event.foldOrder)
        guard let first = sorted.first, first.body.type.isPermohonan else { return false }
        var rest = sorted[...]
        var state: Permohonan
        if let held = try current(record) {
            guard held.partition == first.partition else { return false }
            state = held
        } else {
            // No state means no event of this record is held: its registration comes first causally.
            guard case .registered(let r) = first.body else { return false }
            state = Permohonan(registeredBy: first, r)
            rest = sorted.dropFirst()
        }
        var payments: [(Payment, Event)] = []
        for e in rest {
            guard e.lamport > state.lastLamport, state.seen.entries.allSatisfy({ e.context[$0.key] >= $0.value }),
                Workflow.admissible(e.body, on: state) == nil
            else { return false }
            if case .settled = e.body { return false }
            if case .paymentReceived(let p) = e.body { payments.append((p, e)) }
            state.apply(e)
        }
        for (p, e) in payments { try insertPayment(p, event: e) }
        states[record] = state
        dirty.insert(record)
        return true
    }

    /// Folds a record again from all its events: those in the log plus `incoming` (already in the
    /// log, and passed decoded so they are not decoded twice).
    private func refold(record: String, incoming: [Event]) throws {
        if let first = incoming.first, !first.body.type.isPermohonan {
            for e in incoming.sorted(by: Event.foldOrder) { try Self.projectFact(e, db: db) }
            return
        }
        let known = Set(incoming.map(\.dot))
        var events: [Event] = []
        // Only the record's own partition: the fold never mixes in what another partition says of it.
        let partition = incoming.first?.partition ?? ""
        for row in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT \(EventCodec.columns) FROM event WHERE record = ? AND partition = ?"),
            arguments: [record, partition])
        where !known.contains(Dot(node: row["node"], seq: UInt64(row["seq"] as Int64))) {
            events.append(try EventCodec.decode(row))
        }
        try replace(record: record, events: events + incoming)
    }

    /// Sets a record's state, payments and conflicts to the fold of `events`, its whole history.
    func replace(record: String, events: [Event]) throws {
        try db.execute(sql: "DELETE FROM pembayaran WHERE number = ?", arguments: [record])
        try db.execute(sql: "DELETE FROM conflict WHERE record = ?", arguments: [record])
        try db.execute(sql: "DELETE FROM attachment WHERE number = ?", arguments: [record])
        storedAttachments[record] = []
        let result = RecordFold.fold(events)
        states[record] = .some(result.state)
        dirty.insert(record)
        guard result.state != nil else { return }
        let setAside = Set(result.conflicts.filter { !$0.applied }.map(\.event))
        for e in events where !setAside.contains(e.dot) {
            if case .paymentReceived(let p) = e.body { try insertPayment(p, event: e) }
        }
        for c in result.conflicts {
            try db.execute(
                sql: "INSERT INTO conflict (id, record, partition, resolved, body) VALUES (?, ?, ?, ?, ?)",
                arguments: [c.id, c.record, c.partition, c.resolvedBy != nil, try EventCodec.json(c)])
        }
    }

    /// The record's state as folded so far in this transaction, or as stored.
    func current(_ record: String) throws -> Permohonan? {
        if let cached = states[record] { return cached }
        let loaded = try Self.load(record, db: db)
        states[record] = .some(loaded)
        storedAttachments[record] = loaded?.attachments ?? []
        return loaded
    }

    /// Writes every record changed since the last flush.
    func flush() throws {
        let upsert = try db.cachedStatement(sql: Self.upsertSQL)
        for record in dirty.sorted() {
            if let state = states[record] ?? nil {
                try Self.write(state, with: upsert)
                try writeAttachments(state)
            } else {
                try db.execute(sql: "DELETE FROM permohonan WHERE number = ?", arguments: [record])
                try db.execute(sql: "DELETE FROM attachment WHERE number = ?", arguments: [record])
            }
        }
        dirty.removeAll()
        states.removeAll(keepingCapacity: true)
        storedAttachments.removeAll(keepingCapacity: true)
    }

    /// Brings a record's attachment rows to its state. Almost always nothing changed or a document
    /// was added at the end; only a refold that set one aside rewrites the rows.
    private func writeAttachments(_ state: Permohonan) throws {
        let stored = storedAttachments[state.number]
        var start = 0
        if let stored, stored.count <= state.attachments.count,
            Array(state.attachments.prefix(stored.count)) == stored
        {
            start = stored.count
        } else {
            try db.execute(sql: "DELETE FROM attachment WHERE number = ?", arguments: [state.number])
        }
        guard start < state.attachments.count else { return }
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO attachment (
                    number, position, partition, node, seq, sha256, size, name, media_type, syarat, issued_number,
                    letter_number)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for (i, f) in state.attachments.enumerated().dropFirst(start) {
            let a = f.attachment
            try insert.execute(arguments: [
                state.number, i, state.partition, f.dot.node, Int64(f.dot.seq), a.sha256, a.size, a.name, a.mediaType,
                a.syarat, a.issuedNumber, a.letterNumber,
            ])
        }
        storedAttachments[state.number] = state.attachments
    }

    private func insertPayment(_ p: Payment, event: Event) throws {
        let seq = Int(p.receipt.split(separator: "/").last ?? "") ?? 0
        try db.cachedStatement(
            sql: """
                INSERT INTO pembayaran (receipt, node, seq, number, amount, officer, at, partition)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            p.receipt, event.dot.node, seq, event.record, p.amount, event.officer, event.at.description,
            event.partition,
        ])
    }

    // MARK: - Rows

    /// The columns of a `permohonan` row, in the order `write` binds them.
    private static let columns = [
        "number", "partition", "reg_node", "reg_event_seq", "reg_year", "reg_seq", "layanan", "catalog_version",
        "status", "tahap", "nama", "accepted_on", "due_on", "fee", "paid", "registered_at", "updated_at",
        "forwarded_to", "ptsp_code", "closing_reason", "receipts", "seen", "last_lamport", "nik", "clock_stopped_at",
    ]

    private static let upsertSQL: String = {
        let mutable = columns.dropFirst(8).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        return """
            INSERT INTO permohonan (\(columns.joined(separator: ", ")))
            VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
            ON CONFLICT (number) DO UPDATE SET \(mutable)
            """
    }()

    /// The row holds what the fold changes; what the registration fixed (the service definition,
    /// the pemohon, the requirements) is read back from the registration event itself, so the row
    /// is written without encoding any JSON but the causal context and the receipts.
    private static func write(_ state: Permohonan, with upsert: Statement) throws {
        let regSeq = Self.registrationSequence(state.number)
        try upsert.execute(arguments: [
            state.number, state.partition, state.registration.node, Int64(state.registration.seq),
            state.acceptedOn.year, regSeq, state.layanan.code, state.catalogVersion, state.status.rawValue,
            state.tahap?.rawValue, state.pemohon.nama, state.acceptedOn.description, state.dueOn?.description,
            state.fee, state.paid, state.registeredAt.description, state.updatedAt.description, state.forwardedTo,
            state.ptspCode, state.closingReason, JSONText.array(state.receipts), JSONText.versionVector(state.seen),
            Int64(state.lastLamport), state.pemohon.nik.digits, state.clockStoppedAt?.description,
        ])
    }

    /// The sequence part of `PP-YY-SSSSS-C`, or 0 when the number has no such part.
    static func registrationSequence(_ number: String) -> Int {
        var dashes = 0
        var value = 0
        for c in number.utf8 {
            if c == UInt8(ascii: "-") {
                dashes += 1
                if dashes == 3 { return value }
            } else if dashes == 2 {
                guard c >= 48 && c <= 57 else { return 0 }
                value = value * 10 + Int(c - 48)
            }
        }
        return 0
    }

    /// The stored state of a record, or nil when it has none.
    static func load(_ number: String, db: Database) throws -> Permohonan? {
        try states(where: "p.number = ?", arguments: [number], db: db).first
    }

    private static let statesSQL = """
        SELECT p.status AS p_status, p.tahap AS p_tahap, p.fee AS p_fee, p.paid AS p_paid,
            p.updated_at AS p_updated_at, p.forwarded_to AS p_forwarded_to, p.ptsp_code AS p_ptsp_code,
            p.closing_reason AS p_closing_reason, p.receipts AS p_receipts, p.seen AS p_seen,
            p.last_lamport AS p_last_lamport, p.due_on AS p_due_on, p.clock_stopped_at AS p_clock_stopped_at,
            \(EventCodec.columns(qualifiedBy: "e"))
        FROM permohonan p JOIN event e
            ON e.partition = p.partition AND e.node = p.reg_node AND e.seq = p.reg_event_seq
        """

    /// States of the rows matching a condition on `permohonan p`, with their registration events.
    static func states(
        where condition: String, arguments: StatementArguments, suffix: String = "", db: Database
    ) throws -> [Permohonan] {
        let sql = "\(statesSQL) WHERE \(condition) \(suffix)"
        var states = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
            let registration = try EventCodec.decode(row)
            guard case .registered(let r) = registration.body,
                let status = Status(rawValue: row["p_status"]),
                let updatedAt = Timestamp(iso: row["p_updated_at"])
            else { throw SimpulError(.io, "baris permohonan \(registration.record) rusak") }
            var state = Permohonan(registeredBy: registration, r)
            state.status = status
            state.tahap = (row["p_tahap"] as String?).flatMap(Tahap.init(rawValue:))
            state.fee = row["p_fee"]
            state.paid = row["p_paid"]
            state.updatedAt = updatedAt
            state.forwardedTo = row["p_forwarded_to"]
            state.ptspCode = row["p_ptsp_code"]
            state.closingReason = row["p_closing_reason"]
            // The PTSP's clock (42, 44) may have moved the due date the registration set.
            state.dueOn = (row["p_due_on"] as String?).flatMap(LocalDate.init(iso:))
            state.clockStoppedAt = (row["p_clock_stopped_at"] as String?).flatMap(Timestamp.init(iso:))
            let decoder = JSONDecoder()
            state.receipts = try decoder.decode([String].self, from: Data((row["p_receipts"] as String).utf8))
            state.seen = try decoder.decode(VersionVector.self, from: Data((row["p_seen"] as String).utf8))
            state.lastLamport = UInt64(row["p_last_lamport"] as Int64)
            return state
        }
        try loadAttachments(into: &states, db: db)
        return states
    }

    /// Fills in the attachments of loaded states, with one query per few hundred of them.
    private static func loadAttachments(into states: inout [Permohonan], db: Database) throws {
        guard !states.isEmpty else { return }
        var index: [String: Int] = [:]
        for (i, p) in states.enumerated() { index[p.number] = i }
        let numbers = states.map(\.number)
        for start in stride(from: 0, to: numbers.count, by: 500) {
            let chunk = Array(numbers[start..<min(start + 500, numbers.count)])
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            let sql = "SELECT * FROM attachment WHERE number IN (\(marks)) ORDER BY number, position"
            // Only the one-record query recurs often enough to keep prepared.
            let statement = chunk.count == 1 ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
            for row in try Row.fetchAll(statement, arguments: StatementArguments(chunk)) {
                guard let i = index[row["number"]] else { continue }
                states[i].attachments.append(
                    AttachedFile(
                        attachment: Attachment(
                            sha256: row["sha256"], size: row["size"], name: row["name"], mediaType: row["media_type"],
                            syarat: row["syarat"], issuedNumber: row["issued_number"],
                            letterNumber: row["letter_number"]),
                        dot: Dot(node: row["node"], seq: UInt64(row["seq"] as Int64))))
            }
        }
    }

    // MARK: - Reference data, rebuild, dump

    /// Whether an event is part of its record's fold: reference data always, an event on a
    /// permohonan only in the partition the number names.
    static func belongs(_ event: Event) -> Bool { EventCodec.belongsToRecord(event) }

    /// The events that are facts rather than steps of a permohonan: the hub's catalog and calendar
    /// publications become the node's reference data, a kasir's closings and deposits rows of `kas`.
    static func projectFact(_ event: Event, db: Database) throws {
        switch event.body {
        case .kasClosed(let c):
            try insertKas(
                event, kind: "tutup", day: c.day, amount: c.total,
                extra: [c.receipts, c.firstReceipt, c.lastReceipt, nil, nil], db: db)
        case .kasDeposited(let d):
            try insertKas(
                event, kind: "setor", day: d.day, amount: d.amount, extra: [nil, nil, nil, d.reference, d.note], db: db)
        case .skmRecorded(let r):
            // One row per response, keyed by the event's dot; the row holds nothing the event does not.
            guard r.answers.count == SKM.elements.count else { break }
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO skm (node, seq, partition, record, layanan, month, channel,
                        u1, u2, u3, u4, u5, u6, u7, u8, u9)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: StatementArguments(
                    [
                        event.dot.node, Int64(event.dot.seq), event.partition, event.record, r.layanan, r.month,
                        r.channel.rawValue,
                    ] as [any DatabaseValueConvertible] + r.answers))
        case .complaintReceived(let c):
            try insertComplaint(
                event, kind: "terima",
                values: [
                    c.channel.rawValue, c.layanan, c.number, c.text, c.name, c.contact, c.receivedOn.description,
                    c.respondBy.description, c.closeBy.description, nil,
                ], db: db)
        case .complaintFollowedUp(let n):
            try insertComplaint(
                event, kind: "tindak-lanjut", values: [nil, nil, nil, nil, nil, nil, nil, nil, nil, n.note], db: db)
        case .complaintClosed(let n):
            try insertComplaint(
                event, kind: "tutup", values: [nil, nil, nil, nil, nil, nil, nil, nil, nil, n.note], db: db)
        case .catalogPublished(let catalog):
            try db.execute(
                sql: "INSERT OR REPLACE INTO catalog (version, body, loaded_at, published) VALUES (?, ?, ?, 1)",
                arguments: [catalog.version, try EventCodec.json(catalog), event.at.description])
        case .calendarPublished(let publication):
            for year in publication.years {
                try db.execute(sql: "DELETE FROM holiday WHERE date LIKE ?", arguments: ["\(year)-%"])
            }
            for h in publication.holidays {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO holiday (date, kind, name) VALUES (?, ?, ?)",
                    arguments: [h.date.description, h.kind, h.name])
            }
        case .registered, .stepCompleted, .forwarded, .withdrawn, .rejected, .returned, .paymentReceived,
            .ptspProgress, .decided, .settled, .attached:
            // Only facts are projected here; the callers route by `EventType.isPermohonan`.
            break
        }
    }

    /// One row per complaint event, keyed by its dot; a complaint's state (followed up, closed) is read
    /// from its rows together, so the order the events are projected in does not matter.
    private static func insertComplaint(
        _ event: Event, kind: String, values: [(any DatabaseValueConvertible)?], db: Database
    ) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO pengaduan (node, seq, partition, record, kind, channel, layanan, number, text,
                    name, contact, received_on, respond_by, close_by, note, officer, at, lamport)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: StatementArguments(
                [event.dot.node, Int64(event.dot.seq), event.partition, event.record, kind] + values
                    + [event.officer, event.at.description, Int64(event.lamport)]))
    }

    private static func insertKas(
        _ event: Event, kind: String, day: LocalDate, amount: Int64, extra: [(any DatabaseValueConvertible)?],
        db: Database
    ) throws {
        // Keyed by the dot: folding the same event again (a refold, a rebuild) writes the same row.
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO kas (node, seq, partition, record, kind, day, amount, receipts, first_receipt,
                    last_receipt, reference, note, officer, at, lamport)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: StatementArguments(
                [event.dot.node, Int64(event.dot.seq), event.partition, event.record, kind, day.description, amount]
                    + extra + [event.officer, event.at.description, Int64(event.lamport)]))
    }

    /// Empties the materialized tables and folds every record's history again.
    static func rebuild(db: Database) throws -> Int {
        for table in Schema.materialized { try db.execute(sql: "DELETE FROM \(table)") }
        try db.execute(sql: Knowledge.refillSQL)
        let projection = Projection(db: db)
        var count = 0
        var records = 0
        var current: String?
        var batch: [Event] = []
        func flush() throws {
            guard let record = current else { return }
            if let first = batch.first, !first.body.type.isPermohonan {
                for e in batch { try projectFact(e, db: db) }
            } else {
                try projection.replace(record: record, events: batch)
            }
            batch.removeAll(keepingCapacity: true)
            records += 1
            // Bounded memory however long the log: rows are written every few hundred records.
            if records % 512 == 0 { try projection.flush() }
        }
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT \(EventCodec.columns) FROM event ORDER BY record, lamport, node, seq")
        while let row = try cursor.next() {
            let event = try EventCodec.decode(row)
            guard belongs(event) else { continue }
            if event.record != current {
                try flush()
                current = event.record
            }
            batch.append(event)
            count += 1
        }
        try flush()
        try projection.flush()
        return count
    }

    /// Every row of the materialized tables, in a fixed order, as text: equal dumps mean equal
    /// state. With a partition, only that partition's rows.
    static func dump(db: Database, partition: String? = nil) throws -> String {
        var out = ""
        for table in Schema.materialized {
            out += "## \(table)\n"
            let filter = partition == nil ? "" : "WHERE partition = ?"
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM \(table) \(filter) ORDER BY 1, 2",
                arguments: partition.map { [$0] } ?? StatementArguments())
            for row in rows { out += row.description + "\n" }
        }
        return out
    }
}
