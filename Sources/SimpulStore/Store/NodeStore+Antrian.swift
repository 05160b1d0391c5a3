import GRDB
import SimpulDomain

/// What the call screen shows: the latest calls and how many wait in each group.
public struct AntrianBoard: Sendable, Equatable {
    /// The latest calls of the day, the newest (or the latest recalled) first.
    public var called: [AntrianTicket]
    public var waiting: [AntrianGroup: Int]
}

extension NodeStore {
    /// Gives the next ticket of `group` for today (the office's day), numbered after the day's last one
    /// of that group, and says how many of the group wait before it.
    public func takeTicket(_ group: AntrianGroup) throws(SimpulError) -> (ticket: AntrianTicket, ahead: Int) {
        let at = now()
        let day = at.localDate(offsetMinutes: info.zona.offsetMinutes)
        return try writeDB("mengambil nomor antrian") { db in
            // In the write transaction: two pemandu pressing at once get consecutive numbers.
            let number =
                try Int.fetchOne(
                    db, sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM antrian_ticket WHERE day = ? AND grp = ?",
                    arguments: [day.description, group.rawValue]) ?? 1
            try db.execute(
                sql: "INSERT INTO antrian_ticket (day, grp, number, taken_at) VALUES (?, ?, ?, ?)",
                arguments: [day.description, group.rawValue, number, at.description])
            let ahead =
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT COUNT(*) FROM antrian_ticket WHERE day = ? AND grp = ? AND called_at IS NULL AND number < ?",
                    arguments: [day.description, group.rawValue, number]) ?? 0
            let ticket = AntrianTicket(
                id: db.lastInsertedRowID, day: day, group: group, number: number, takenAt: at)
            return (ticket, ahead)
        }
    }

    /// Calls the longest-waiting ticket of today among `groups` to `desk`; nil when none waits. Each
    /// ticket is called once: two desks calling at the same moment get two different tickets.
    public func callNext(
        groups: Set<AntrianGroup>, desk: String, officer: String
    ) throws(SimpulError) -> AntrianTicket? {
        let desk = try Self.deskName(desk)
        guard !groups.isEmpty else { throw SimpulError(.invalidData, "kelompok: pilih paling sedikit satu") }
        let at = now()
        let day = at.localDate(offsetMinutes: info.zona.offsetMinutes)
        let codes = groups.map(\.rawValue).sorted()
        return try writeDB("memanggil nomor antrian") { db in
            let marks = codes.map { _ in "?" }.joined(separator: ", ")
            guard
                let id = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT id FROM antrian_ticket
                        WHERE day = ? AND called_at IS NULL AND grp IN (\(marks))
                        ORDER BY taken_at, id LIMIT 1
                        """, arguments: StatementArguments([day.description] + codes))
            else { return nil }
            try db.execute(
                sql:
                    "UPDATE antrian_ticket SET called_at = ?, last_called_at = ?, desk = ?, called_by = ? WHERE id = ?",
                arguments: [at.description, at.description, desk, officer, id])
            return try Self.ticket(id: id, db: db)
        }
    }

    /// Calls again the ticket a desk called last today (the visitor did not come forward): the screen
    /// shows it again; its wait still ends at the first call.
    public func recall(desk: String) throws(SimpulError) -> AntrianTicket? {
        let desk = try Self.deskName(desk)
        let at = now()
        let day = at.localDate(offsetMinutes: info.zona.offsetMinutes)
        return try writeDB("memanggil ulang nomor antrian") { db in
            guard
                let id = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT id FROM antrian_ticket WHERE day = ? AND desk = ?
                        ORDER BY called_at DESC, id DESC LIMIT 1
                        """, arguments: [day.description, desk])
            else { return nil }
            try db.execute(
                sql: "UPDATE antrian_ticket SET last_called_at = ? WHERE id = ?", arguments: [at.description, id])
            return try Self.ticket(id: id, db: db)
        }
    }

    public func antrianTicket(id: Int64) throws(SimpulError) -> AntrianTicket? {
        try readDB("membaca nomor antrian") { db in try Self.ticket(id: id, db: db) }
    }

    /// Today's calls for the screen, newest first, and today's waiting count per group.
    public func antrianBoard(limit: Int = 6) throws(SimpulError) -> AntrianBoard {
        let day = now().localDate(offsetMinutes: info.zona.offsetMinutes)
        return try readDB("membaca layar antrian") { db in
            let called = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM antrian_ticket WHERE day = ? AND last_called_at IS NOT NULL
                    ORDER BY last_called_at DESC, id DESC LIMIT ?
                    """, arguments: [day.description, max(1, min(limit, 50))]
            ).map(Self.ticket(row:))
            var waiting: [AntrianGroup: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT grp, COUNT(*) AS n FROM antrian_ticket WHERE day = ? AND called_at IS NULL GROUP BY grp",
                arguments: [day.description])
            {
                if let group = AntrianGroup(rawValue: row["grp"]) { waiting[group] = row["n"] }
            }
            return AntrianBoard(called: called, waiting: waiting)
        }
    }

    /// Every ticket of a day, in the order they were taken: the day's waiting times for the reports.
    public func antrianDay(_ day: LocalDate) throws(SimpulError) -> [AntrianTicket] {
        try readDB("membaca antrian harian") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM antrian_ticket WHERE day = ? ORDER BY taken_at, id",
                arguments: [day.description]
            ).map(Self.ticket(row:))
        }
    }

    /// A desk's name as the screen shows it: "Loket 1", "Meja informasi".
    static func deskName(_ text: String) throws(SimpulError) -> String {
        guard let name = try FreeText.clean(text, field: "meja", maxLength: 40) else {
            throw SimpulError(.invalidData, "meja: tulis nama meja atau loket, mis. Loket 1")
        }
        return name
    }

    private static func ticket(id: Int64, db: Database) throws -> AntrianTicket? {
        try Row.fetchOne(db, sql: "SELECT * FROM antrian_ticket WHERE id = ?", arguments: [id]).map(ticket(row:))
    }

    private static func ticket(row: Row) throws -> AntrianTicket {
        guard let day = LocalDate(iso: row["day"]), let group = AntrianGroup(rawValue: row["grp"]),
            let taken = Timestamp(iso: row["taken_at"])
        else { throw SimpulError(.io, "baris antrian \(row["id"] as Int64? ?? 0) rusak") }
        return AntrianTicket(
            id: row["id"], day: day, group: group, number: row["number"], takenAt: taken,
            calledAt: (row["called_at"] as String?).flatMap(Timestamp.init(iso:)),
            lastCalledAt: (row["last_called_at"] as String?).flatMap(Timestamp.init(iso:)), desk: row["desk"],
            calledBy: row["called_by"])
    }
}
