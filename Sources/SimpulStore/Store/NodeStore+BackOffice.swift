import Foundation
import GRDB
import SimpulDomain

/// What the PTSP's back office filters its queue of forwarded files by.
public struct ForwardedQuery: Sendable, Equatable {
    /// Where a file stands against its due date on `today`.
    public enum Due: String, Sendable, CaseIterable {
        /// Past its due date.
        case terlambat
        /// Due today.
        case hariIni = "hari-ini"
        /// Due after today.
        case aman
        /// No due date (set by the PTSP).
        case tanpa
    }

    /// The column the queue is ordered by. Every order ends on the registration number, which is
    /// unique, so that an offset pages through a stable order: no file on two pages, none skipped.
    public enum Sort: String, Sendable, CaseIterable {
        /// Due date (files without one last), the default: what the PTSP must act on first.
        case jatuhTempo = "jatuh-tempo"
        /// The day the kecamatan accepted the file.
        case diterima
        /// The kecamatan's partition code.
        case kecamatan
        case layanan
        /// The OSS code last recorded (files with none last).
        case kode
        /// The registration number.
        case nomor

        /// The ORDER BY terms. The column's own terms turn with `descending` (by acceptance, the whole
        /// order, so newest first is the exact reverse); files without a due date or a code stay last
        /// either way, since they are not the most or least urgent but waiting on something else.
        func terms(descending: Bool) -> [String] {
            let direction = descending ? " DESC" : ""
            return switch self {
            case .jatuhTempo: ["p.due_on IS NULL", "p.due_on\(direction)", "p.registered_at", "p.number"]
            case .diterima: ["p.accepted_on\(direction)", "p.registered_at\(direction)", "p.number\(direction)"]
            case .kecamatan: ["p.partition\(direction)", "p.due_on IS NULL", "p.due_on", "p.number"]
            case .layanan: ["p.layanan\(direction)", "p.due_on IS NULL", "p.due_on", "p.number"]
            case .kode: ["p.ptsp_code IS NULL", "p.ptsp_code\(direction)", "p.due_on IS NULL", "p.due_on", "p.number"]
            case .nomor: ["p.number\(direction)"]
            }
        }
    }

    /// The kecamatan's partition (its Kemendagri code, e.g. `33.74.01`).
    public var partition: String?
    public var layanan: String?
    /// The OSS code last recorded; `belum` for files with none yet.
    public var ptspCode: String?
    /// Nil: every file ever forwarded; otherwise that status (the queue's default is `diteruskan`).
    public var status: Status?
    public var due: Due?
    /// Accepted at the kecamatan on or after this day.
    public var from: LocalDate?
    /// Accepted on or before this day.
    public var to: LocalDate?
    /// The order of the rows (and so of the pages and the exports).
    public var sort: Sort
    /// The sort column from Z to A, newest or latest first.
    public var descending: Bool
    public var limit: Int
    public var offset: Int

    public init(
        partition: String? = nil, layanan: String? = nil, ptspCode: String? = nil, status: Status? = .diteruskan,
        due: Due? = nil, from: LocalDate? = nil, to: LocalDate? = nil, sort: Sort = .jatuhTempo,
        descending: Bool = false, limit: Int = 50, offset: Int = 0
    ) {
        self.partition = partition
        self.layanan = layanan
        self.ptspCode = ptspCode
        self.status = status
        self.due = due
        self.from = from
        self.to = to
        self.sort = sort
        self.descending = descending
        self.limit = limit
        self.offset = offset
    }

    /// The SQL condition and its arguments on `today` (in the hub's zone).
    func condition(today: LocalDate) -> (String, [any DatabaseValueConvertible]) {
        var clauses = ["p.forwarded_to IS NOT NULL"]
        var arguments: [any DatabaseValueConvertible] = []
        if let partition {
            clauses.append("p.partition = ?")
            arguments.append(partition)
        }
        if let layanan {
            clauses.append("p.layanan = ?")
            arguments.append(layanan)
        }
        if let ptspCode {
            if ptspCode == "belum" {
                clauses.append("p.ptsp_code IS NULL")
            } else {
                clauses.append("p.ptsp_code = ?")
                arguments.append(ptspCode)
            }
        }
        if let status {
            clauses.append("p.status = ?")
            arguments.append(status.rawValue)
        }
        switch due {
        case .terlambat:
            // A file whose clock the PTSP stopped waits on its applicant, not on the office.
            clauses.append("p.due_on < ? AND p.clock_stopped_at IS NULL")
            arguments.append(today.description)
        case .hariIni:
            clauses.append("p.due_on = ?")
            arguments.append(today.description)
        case .aman:
            clauses.append("p.due_on > ?")
            arguments.append(today.description)
        case .tanpa: clauses.append("p.due_on IS NULL")
        case nil: break
        }
        if let from {
            clauses.append("p.accepted_on >= ?")
            arguments.append(from.description)
        }
        if let to {
            clauses.append("p.accepted_on <= ?")
            arguments.append(to.description)
        }
        return (clauses.joined(separator: " AND "), arguments)
    }
}

/// One kecamatan's line on the back office's dashboard.
public struct KecamatanSummary: Sendable, Equatable {
    /// The kecamatan's partition (its Kemendagri code).
    public var partition: String
    /// Files forwarded and waiting at the PTSP.
    public var waiting: Int
    /// Of those, files past their due date.
    public var late: Int
    /// Waiting files per OSS code (`belum` for none yet).
    public var waitingByCode: [String: Int]
    /// Of those, files whose service clock runs and that have sat at their code (or, without one,
    /// since they were forwarded) longer than the working days asked for.
    public var ageing: Int
    public var openConflicts: Int
    /// Payments received this month (in the hub's zone), in rupiah.
    public var feesThisMonth: Int64
    public var paymentsThisMonth: Int

    public init(partition: String) {
        self.partition = partition
        waiting = 0
        late = 0
        waitingByCode = [:]
        ageing = 0
        openConflicts = 0
        feesThisMonth = 0
        paymentsThisMonth = 0
    }
}

extension NodeStore {
    /// Forwarded files matching `query` in its order (by default due first, files without a due date
    /// last, then oldest).
    public func forwarded(_ query: ForwardedQuery, today: LocalDate) throws(SimpulError) -> [Permohonan] {
        let (condition, arguments) = query.condition(today: today)
        let args = arguments + [max(1, min(query.limit, 10_000)), max(0, query.offset)]
        // Terms from a closed enum, never from the request: nothing a user typed reaches the SQL text.
        let order = query.sort.terms(descending: query.descending).joined(separator: ", ")
        // The page's numbers are chosen on the narrow table first, and only those rows joined with
        // their registration events: sorting every matching row with its event (the whole table for
        // "every file ever forwarded" in an order no index gives) would carry each event's JSON
        // through the sorter. The outer ORDER BY puts the page's few rows back in order.
        return try readDB("membaca berkas diteruskan") { db in
            try Projection.states(
                where: """
                    p.number IN (SELECT p.number FROM permohonan p WHERE \(condition)
                        ORDER BY \(order) LIMIT ? OFFSET ?)
                    """, arguments: StatementArguments(args), suffix: "ORDER BY \(order)", db: db)
        }
    }

    /// How many forwarded files match `query`, without its limit.
    public func forwardedCount(_ query: ForwardedQuery, today: LocalDate) throws(SimpulError) -> Int {
        let (condition, arguments) = query.condition(today: today)
        return try readDB("menghitung berkas diteruskan") { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM permohonan p WHERE \(condition)",
                arguments: StatementArguments(arguments)) ?? 0
        }
    }

    /// Every kecamatan that has forwarded a file, by code: the queue's kecamatan filter.
    public func forwardedPartitions() throws(SimpulError) -> [String] {
        try readDB("membaca kecamatan") { db in
            try String.fetchAll(
                db, sql: "SELECT DISTINCT partition FROM permohonan WHERE forwarded_to IS NOT NULL ORDER BY partition")
        }
    }

    /// The dashboard's figures per kecamatan on `today` in the zone `offsetMinutes`: every kecamatan
    /// with a file, a conflict or a payment at the hub, by partition.
    ///
    /// A file is ageing when more than `ageingDays` working days passed since its last OSS code (or its
    /// forwarding): the time a file has stood still at one desk of the PTSP, which a due date still far
    /// off hides. A stopped service clock waits for the applicant, not the PTSP, and is left out.
    public func kecamatanSummaries(
        today: LocalDate, offsetMinutes: Int, ageingDays: Int = 5
    ) throws(SimpulError) -> [KecamatanSummary] {
        try readDB("membaca ringkasan kecamatan") { db in
            let calendar = try Self.calendar(db)
            var byPartition: [String: KecamatanSummary] = [:]
            func update(_ partition: String, _ change: (inout KecamatanSummary) -> Void) {
                var s = byPartition[partition] ?? KecamatanSummary(partition: partition)
                change(&s)
                byPartition[partition] = s
            }
            let global = info.node.kabupaten.code
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT partition, COALESCE(ptsp_code, 'belum') AS code, COUNT(*) AS n,
                        SUM(CASE WHEN due_on < ? AND clock_stopped_at IS NULL THEN 1 ELSE 0 END) AS late
                    FROM permohonan WHERE status = 'diteruskan' GROUP BY partition, code
                    """, arguments: [today.description])
            {
                let n: Int = row["n"]
                let late: Int = row["late"]
                update(row["partition"]) {
                    $0.waiting += n
                    $0.late += late
                    $0.waitingByCode[row["code"], default: 0] += n
                }
            }
            // Each waiting file's latest code or forwarding, read through the event log's record index.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT p.partition, (SELECT MAX(e.at) FROM event e WHERE e.record = p.number AND e.type IN (?, ?))
                        AS since
                    FROM permohonan p WHERE p.status = 'diteruskan' AND p.clock_stopped_at IS NULL
                    """, arguments: [EventType.forwarded.rawValue, EventType.ptspProgress.rawValue])
            {
                guard let text: String = row["since"], let since = Timestamp(iso: text) else { continue }
                let day = since.localDate(offsetMinutes: offsetMinutes)
                guard day < today, calendar.workingDaysLeft(from: day, until: today) > ageingDays else { continue }
                update(row["partition"]) { $0.ageing += 1 }
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT partition, COUNT(*) AS n FROM conflict WHERE resolved = 0 GROUP BY partition")
            {
                let n: Int = row["n"]
                update(row["partition"]) { $0.openConflicts += n }
            }
            // Payments are few per day; their time is read as a Timestamp rather than compared as text.
            let monthStart = LocalDate(year: today.year, month: today.month, day: 1) ?? today
            let since = Timestamp(
                milliseconds: (Int64(monthStart.daysSinceEpoch) * 86_400 - Int64(offsetMinutes) * 60 - 86_400) * 1000)
            for row in try Row.fetchAll(
                db, sql: "SELECT partition, amount, at FROM pembayaran WHERE at >= ?", arguments: [since.description])
            {
                let at = try row.timestamp("at", in: "pembayaran")
                let day = at.localDate(offsetMinutes: offsetMinutes)
                guard day.year == today.year, day.month == today.month else { continue }
                let amount: Int64 = row["amount"]
                update(row["partition"]) {
                    $0.feesThisMonth += amount
                    $0.paymentsThisMonth += 1
                }
            }
            byPartition[global] = nil
            return byPartition.values.sorted { $0.partition < $1.partition }
        }
    }
}
