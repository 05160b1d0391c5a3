import GRDB
import SimpulDomain

/// What the PTSP reconciles of the kecamatan's fees: the receipts that reached the hub, day by day,
/// each kecamatan's receipt numbers checked for gaps and repeats, and the fees still owed on files the
/// PTSP decided.
public struct Penerimaan: Sendable, Equatable {
    public struct Day: Sendable, Equatable {
        public var partition: String
        public var day: LocalDate
        public var receipts: Int
        public var total: Int64
    }

    /// A writer's receipt numbers that did not reach the hub though a later one did: not synced yet
    /// (a change set parked) or lost; either way the money behind them is not accounted for here.
    public struct Gap: Sendable, Equatable {
        public var node: String
        /// The first missing numbers, at most 20.
        public var missing: [Int]
        public var missingCount: Int
        public var highest: Int
    }

    public var year: Int
    public var month: Int
    /// The month's receipts per kecamatan and day (in the hub's zone).
    public var days: [Day]
    public var gaps: [Gap]
    /// Receipt numbers that more than one payment event carries.
    public var repeated: [String]
    /// Files the PTSP approved that wait at handover with a fee not fully paid.
    public var owed: [Permohonan]

    /// The numbers missing from 1 to the highest of each writer's receipt sequence.
    public static func gaps(_ seqs: [String: [Int]]) -> [Gap] {
        seqs.keys.sorted().compactMap { node in
            let held = Set(seqs[node] ?? [])
            guard let highest = held.max(), held.count < highest else { return nil }
            var missing: [Int] = []
            var count = 0
            for n in 1...highest where !held.contains(n) {
                count += 1
                if missing.count < 20 { missing.append(n) }
            }
            return Gap(node: node, missing: missing, missingCount: count, highest: highest)
        }
    }
}

extension NodeStore {
    public func penerimaan(year: Int, month: Int) throws(SimpulError) -> Penerimaan {
        guard (2000...2200).contains(year), (1...12).contains(month),
            let first = LocalDate(year: year, month: month, day: 1)
        else {
            throw SimpulError(.invalidData, "bulan: \(year)-\(month) bukan bulan yang sah (YYYY-MM)")
        }
        let offset = info.zona.offsetMinutes
        let next = first.adding(days: LocalDate.daysInMonth(year: year, month: month))
        func bound(_ day: LocalDate) -> String {
            Timestamp(milliseconds: (Int64(day.daysSinceEpoch) * 1440 - Int64(offset)) * 60_000).description
        }
        return try readDB("menyusun rekonsiliasi penerimaan") { db in
            var byDay: [String: Penerimaan.Day] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT partition, amount, at FROM pembayaran WHERE at >= ? AND at < ?",
                arguments: [bound(first), bound(next)])
            {
                guard let at = Timestamp(iso: row["at"]) else { continue }
                let day = at.localDate(offsetMinutes: offset)
                let partition: String = row["partition"]
                let key = "\(partition) \(day)"
                var d = byDay[key] ?? Penerimaan.Day(partition: partition, day: day, receipts: 0, total: 0)
                d.receipts += 1
                d.total += row["amount"]
                byDay[key] = d
            }
            var seqs: [String: [Int]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT node, seq FROM pembayaran") {
                seqs[row["node"], default: []].append(row["seq"])
            }
            let repeated = try String.fetchAll(
                db,
                sql: """
                    SELECT json_extract(data, '$.receipt') AS receipt FROM event WHERE type = ?
                    GROUP BY receipt HAVING COUNT(*) > 1 ORDER BY receipt
                    """, arguments: [EventType.paymentReceived.rawValue])
            let owed = try Projection.states(
                where:
                    "p.forwarded_to IS NOT NULL AND p.status = 'diproses' AND p.tahap = 'penyerahan' AND p.fee > p.paid",
                arguments: [], suffix: "ORDER BY p.partition, p.updated_at", db: db)
            return Penerimaan(
                year: year, month: month,
                days: byDay.values.sorted { ($0.partition, $0.day) < ($1.partition, $1.day) },
                gaps: Penerimaan.gaps(seqs), repeated: repeated, owed: owed)
        }
    }
}
