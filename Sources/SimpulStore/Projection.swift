import Foundation
import GRDB
import SimpulDomain

/// Folds events into the materialized tables.
///
/// A local command appends an event the workflow has just accepted on the current state, so it is
/// folded incrementally. Events from other replicas may sort before events already folded, so their
/// records are folded again from the whole history by `RecordFold`, which is also what a rebuild
/// does: the same fold everywhere is what makes replicas converge and "incremental equals rebuild".
enum Projection {
    static func notFound(_ number: String) -> SimpulError {
        SimpulError(.notFound, "permohonan \(number) tidak ada di penyimpanan node ini")
    }

    static func decodeState(_ json: String) throws -> Permohonan {
        try JSONDecoder().decode(Permohonan.self, from: Data(json.utf8))
    }

    static func load(_ number: String, db: Database) throws -> Permohonan {
        guard
            let json = try String.fetchOne(
                db, sql: "SELECT state FROM permohonan WHERE number = ?", arguments: [number])
        else { throw notFound(number) }
        return try decodeState(json)
    }

    /// Folds one event the local workflow accepted.
    static func apply(_ event: Event, db: Database) throws {
        switch event.body {
        case .catalogPublished, .calendarPublished:
            try projectReference(event, db: db)
        case .registered:
            guard case .registered(let r) = event.body else { return }
            try insertRow(Permohonan(registeredBy: event, r), registration: event, db: db)
        case .settled:
            // A settlement marks conflicts resolved, which only a fold of the whole record knows.
            try refold(record: event.record, incoming: [event], db: db)
        default:
            var state = try load(event.record, db: db)
            state.apply(event)
            if case .paymentReceived(let p) = event.body { try insertPayment(p, event: event, db: db) }
            try updateRow(state, db: db)
        }
    }

    /// Folds events from another replica into their record without reading its history, when they
    /// come causally after everything held (each saw every event folded so far and the workflow
    /// accepts it): then the full fold would give exactly this. Returns false, having written
    /// nothing, when the record must be folded again from its whole history instead.
    static func applyIncrementally(record: String, incoming: [Event], db: Database) throws -> Bool {
        let sorted = incoming.sorted(by: Event.foldOrder)
        guard let first = sorted.first, !EventAuthorization.globalTypes.contains(first.body.type) else { return false }
        let json = try String.fetchOne(
            db.cachedStatement(sql: "SELECT state FROM permohonan WHERE number = ?"), arguments: [record])
        var state: Permohonan
        var rest = sorted[...]
        let isNew: Bool
        if let json {
            state = try decodeState(json)
            isNew = false
        } else {
            // No row means no event of this record is held: its registration comes first causally.
            guard case .registered(let r) = first.body else { return false }
            state = Permohonan(registeredBy: first, r)
            rest = sorted.dropFirst()
            isNew = true
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
        if isNew {
            try insertRow(state, registration: first, db: db)
        } else {
            try updateRow(state, db: db)
        }
        for (p, e) in payments { try insertPayment(p, event: e, db: db) }
        return true
    }

    /// Folds a record again from all its events: those in the log plus `incoming` (already inserted
    /// into the log, and passed decoded so they are not decoded twice).
    static func refold(record: String, incoming: [Event], db: Database) throws {
        if let first = incoming.first, EventAuthorization.globalTypes.contains(first.body.type) {
            for e in incoming { try projectReference(e, db: db) }
            return
        }
        let known = Set(incoming.map(\.dot))
        var events: [Event] = []
        for row in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT \(EventCodec.columns) FROM event WHERE record = ?"), arguments: [record])
        where !known.contains(Dot(node: row["node"], seq: UInt64(row["seq"] as Int64))) {
            events.append(try EventCodec.decode(row))
        }
        events += incoming
        try write(record: record, events: events, db: db)
    }

    private static func write(record: String, events: [Event], db: Database) throws {
        try db.execute(sql: "DELETE FROM permohonan WHERE number = ?", arguments: [record])
        try db.execute(sql: "DELETE FROM pembayaran WHERE number = ?", arguments: [record])
        try db.execute(sql: "DELETE FROM conflict WHERE record = ?", arguments: [record])
        let result = RecordFold.fold(events)
        guard let state = result.state,
            let registration = events.first(where: { if case .registered = $0.body { true } else { false } })
        else { return }
        try insertRow(state, registration: registration, db: db)
        let conflicts = result.conflicts
        let setAside = Set(conflicts.filter { !$0.applied }.map(\.event))
        for e in events where !setAside.contains(e.dot) {
            if case .paymentReceived(let p) = e.body { try insertPayment(p, event: e, db: db) }
        }
        for c in conflicts {
            try db.execute(
                sql: "INSERT INTO conflict (id, record, partition, resolved, body) VALUES (?, ?, ?, ?, ?)",
                arguments: [c.id, c.record, c.partition, c.resolvedBy != nil, try EventCodec.json(c)])
        }
    }

    private static func insertRow(_ state: Permohonan, registration: Event, db: Database) throws {
        guard case .registered(let r) = registration.body else { return }
        let seq = Int(r.number.split(separator: "-")[2]) ?? 0
        try db.cachedStatement(
            sql: """
                INSERT INTO permohonan (number, partition, reg_node, reg_year, reg_seq, layanan, status, tahap, nama,
                    accepted_on, due_on, fee, paid, registered_at, updated_at, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                r.number, registration.partition, registration.dot.node, r.acceptedOn.year, seq, state.layanan.code,
                state.status.rawValue, state.tahap?.rawValue, state.pemohon.nama, state.acceptedOn.description,
                state.dueOn?.description, state.fee, state.paid, state.registeredAt.description,
                state.updatedAt.description, try EventCodec.json(state),
            ])
    }

    private static func updateRow(_ state: Permohonan, db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE permohonan SET layanan = ?, status = ?, tahap = ?, nama = ?, accepted_on = ?, due_on = ?, fee = ?,
                    paid = ?, updated_at = ?, state = ?
                WHERE number = ?
                """
        ).execute(
            arguments: [
                state.layanan.code, state.status.rawValue, state.tahap?.rawValue, state.pemohon.nama,
                state.acceptedOn.description, state.dueOn?.description, state.fee, state.paid,
                state.updatedAt.description, try EventCodec.json(state), state.number,
            ])
    }

    private static func insertPayment(_ p: Payment, event: Event, db: Database) throws {
        let seq = Int(p.receipt.split(separator: "/").last ?? "") ?? 0
        try db.execute(
            sql: """
                INSERT INTO pembayaran (receipt, node, seq, number, amount, officer, at, partition)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                p.receipt, event.dot.node, seq, event.record, p.amount, event.officer, event.at.description,
                event.partition,
            ])
    }

    /// The hub's catalog and calendar publications become the node's reference data.
    static func projectReference(_ event: Event, db: Database) throws {
        switch event.body {
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
        default:
            break
        }
    }

    /// Empties the materialized tables and folds every record's history again.
    static func rebuild(db: Database) throws -> Int {
        for table in Schema.materialized { try db.execute(sql: "DELETE FROM \(table)") }
        var count = 0
        var current: String?
        var batch: [Event] = []
        func flush() throws {
            guard let record = current else { return }
            if let first = batch.first, EventAuthorization.globalTypes.contains(first.body.type) {
                for e in batch.sorted(by: Event.foldOrder) { try projectReference(e, db: db) }
            } else {
                try write(record: record, events: batch, db: db)
            }
            batch.removeAll(keepingCapacity: true)
        }
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT \(EventCodec.columns) FROM event ORDER BY record, lamport, node, seq")
        while let row = try cursor.next() {
            let event = try EventCodec.decode(row)
            if event.record != current {
                try flush()
                current = event.record
            }
            batch.append(event)
            count += 1
        }
        try flush()
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
                db, sql: "SELECT * FROM \(table) \(filter) ORDER BY 1",
                arguments: partition.map { [$0] } ?? StatementArguments())
            for row in rows { out += row.description + "\n" }
        }
        return out
    }
}
