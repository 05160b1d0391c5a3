import GRDB
import SimpulDomain

/// The Camat's monthly report: per service, what the counter received, finished (and finished on
/// time), closed early, forwarded and got decided, the fees it took and the IKM of its survey
/// responses; for the office, the fees deposited and the complaints; in one month of the office's
/// calendar.
public struct MonthlyReport: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var layanan: String
        public var received = 0
        /// Handed over to the applicant.
        public var finished = 0
        /// Of those with a due date, handed over on or before it.
        public var finishedOnTime = 0
        /// Handed over with a due date (the base of `finishedOnTime`).
        public var finishedWithDue = 0
        public var withdrawn = 0
        /// Rejected at the counter.
        public var rejected = 0
        public var forwarded = 0
        public var approved = 0
        /// Refused by the receiving office.
        public var refused = 0
        public var fees: Int64 = 0
        public var payments = 0
        /// The month's survey responses about the service.
        public var ikm = IKM()

        public init(layanan: String) { self.layanan = layanan }

        mutating func add(_ other: Row) {
            received += other.received
            finished += other.finished
            finishedOnTime += other.finishedOnTime
            finishedWithDue += other.finishedWithDue
            withdrawn += other.withdrawn
            rejected += other.rejected
            forwarded += other.forwarded
            approved += other.approved
            refused += other.refused
            fees += other.fees
            payments += other.payments
            ikm.add(other.ikm)
        }
    }

    public var year: Int
    public var month: Int
    /// One row per service with anything in the month, in the catalog's order of codes.
    public var rows: [Row]
    public var total: Row
    /// Fees handed to the kabupaten treasury in the month (`kas.deposited`).
    public var deposited: Int64 = 0
    /// The month's complaints, and those open and late at its end (today, for the month in progress).
    public var complaints = ComplaintSummary()

    /// `2026-11`.
    public var monthText: String { "\(year)-\(month < 10 ? "0" : "")\(month)" }
}

extension NodeStore {
    /// The report of `month` (1-12) of `year` for this node's partition, counted from the log: each
    /// event in the month of the office's zone, whoever wrote it (the hub's decisions included).
    public func monthlyReport(year: Int, month: Int) throws(SimpulError) -> MonthlyReport {
        guard (2000...2200).contains(year), (1...12).contains(month),
            let first = LocalDate(year: year, month: month, day: 1)
        else {
            throw SimpulError(.invalidData, "bulan: \(year)-\(month) bukan bulan yang sah (YYYY-MM)")
        }
        let offset = info.zona.offsetMinutes
        let next = first.adding(days: LocalDate.daysInMonth(year: year, month: month))
        // The month's bounds in UTC, as the log's `at` is written: local midnight minus the zone.
        func bound(_ day: LocalDate) -> String {
            Timestamp(milliseconds: (Int64(day.daysSinceEpoch) * 1440 - Int64(offset)) * 60_000).description
        }
        let partition = info.node.homePartition
        var rows: [String: MonthlyReport.Row] = [:]
        try readDB("menyusun laporan bulanan") { db in
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT e.type AS type, e.at AS at, p.layanan AS layanan, p.due_on AS due,
                        json_extract(e.data, '$.tahap') AS tahap, json_extract(e.data, '$.code') AS code,
                        json_extract(e.data, '$.amount') AS amount
                    FROM event e JOIN permohonan p ON p.number = e.record
                    WHERE e.partition = ? AND e.at >= ? AND e.at < ?
                    """, arguments: [partition, bound(first), bound(next)])
            while let row = try cursor.next() {
                let code: String = row["layanan"]
                var r = rows[code] ?? MonthlyReport.Row(layanan: code)
                switch EventType(rawValue: row["type"]) {
                case .registered: r.received += 1
                case .stepCompleted:
                    guard row["tahap"] == Tahap.penyerahan.rawValue else { break }
                    r.finished += 1
                    if let due = (row["due"] as String?).flatMap(LocalDate.init(iso:)),
                        let at = Timestamp(iso: row["at"])
                    {
                        r.finishedWithDue += 1
                        if at.localDate(offsetMinutes: offset) <= due { r.finishedOnTime += 1 }
                    }
                case .withdrawn: r.withdrawn += 1
                case .rejected: r.rejected += 1
                case .forwarded: r.forwarded += 1
                case .decided:
                    if PTSPStatus.entry(row["code"] ?? "")?.kind == .approved {
                        r.approved += 1
                    } else {
                        r.refused += 1
                    }
                case .paymentReceived:
                    r.fees += row["amount"] ?? 0
                    r.payments += 1
                default: break
                }
                rows[code] = r
            }
        }
        for (code, ikm) in try self.ikm(year: year, month: month, partition: partition).perLayanan {
            rows[code, default: MonthlyReport.Row(layanan: code)].ikm = ikm
        }
        var total = MonthlyReport.Row(layanan: "Jumlah")
        let sorted = rows.values.sorted { $0.layanan < $1.layanan }
        for r in sorted { total.add(r) }
        var report = MonthlyReport(year: year, month: month, rows: sorted, total: total)
        report.deposited =
            try kasMonth(year: year, month: month, partition: partition).totals[partition]?.deposited ?? 0
        report.complaints = try complaintSummary(year: year, month: month, partition: partition)[partition] ?? .init()
        return report
    }
}
