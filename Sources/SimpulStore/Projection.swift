import Foundation
import GRDB
import SimpulDomain

/// Folds events into the materialized tables. The same code serves a new event and a full rebuild,
/// which is what makes "incremental state equals rebuild" hold by construction and testable.
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

    static func apply(_ event: Event, db: Database) throws {
        let state: Permohonan
        if case .registered(let r) = event.body {
            state = Permohonan(registeredBy: event, r)
            let seq = Int(r.number.split(separator: "-")[2]) ?? 0
            try db.execute(
                sql: """
                    INSERT INTO permohonan (number, partition, reg_node, reg_year, reg_seq, layanan, status, tahap, nama,
                        accepted_on, due_on, fee, paid, registered_at, updated_at, state)
                    VALUES (?, ?, ?, ?, ?, '', '', NULL, '', '', NULL, NULL, 0, ?, '', '')
                    """,
                arguments: [
                    r.number, event.partition, event.dot.node, r.acceptedOn.year, seq, event.at.description,
                ])
        } else {
            var s = try load(event.record, db: db)
            s.apply(event)
            state = s
            if case .paymentReceived(let p) = event.body {
                let seq = Int(p.receipt.split(separator: "/").last ?? "") ?? 0
                try db.execute(
                    sql:
                        "INSERT INTO pembayaran (receipt, node, seq, number, amount, officer, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        p.receipt, event.dot.node, seq, event.record, p.amount, event.officer, event.at.description,
                    ])
            }
        }
        try db.execute(
            sql: """
                UPDATE permohonan SET layanan = ?, status = ?, tahap = ?, nama = ?, accepted_on = ?, due_on = ?, fee = ?,
                    paid = ?, updated_at = ?, state = ?
                WHERE number = ?
                """,
            arguments: [
                state.layanan.code, state.status.rawValue, state.tahap?.rawValue, state.pemohon.nama,
                state.acceptedOn.description, state.dueOn?.description, state.fee, state.paid,
                state.updatedAt.description, try EventCodec.json(state), state.number,
            ])
    }

    /// Empties the materialized tables and folds the whole log again, in fold order.
    static func rebuild(db: Database) throws -> Int {
        for table in Schema.materialized { try db.execute(sql: "DELETE FROM \(table)") }
        var count = 0
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(EventCodec.columns) FROM event ORDER BY lamport, node, seq")
        while let row = try cursor.next() {
            try apply(try EventCodec.decode(row), db: db)
            count += 1
        }
        return count
    }

    /// Every row of the materialized tables, in a fixed order, as text: equal dumps mean equal state.
    static func dump(db: Database) throws -> String {
        var out = ""
        for table in Schema.materialized {
            out += "## \(table)\n"
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1") {
                out += row.description + "\n"
            }
        }
        return out
    }
}
