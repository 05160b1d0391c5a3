import Foundation
import GRDB
import SimpulDomain

/// What an officer looks for at the counter: by number, NIK, name, service, status and dates.
public struct PermohonanSearch: Sendable, Equatable {
    public var number: String?
    public var nik: String?
    /// Part of the applicant's name, any case.
    public var name: String?
    public var layanan: String?
    public var status: Status?
    /// Accepted on or after this day.
    public var from: LocalDate?
    /// Accepted on or before this day.
    public var to: LocalDate?
    public var limit: Int
    public var offset: Int

    public init(
        number: String? = nil, nik: String? = nil, name: String? = nil, layanan: String? = nil,
        status: Status? = nil, from: LocalDate? = nil, to: LocalDate? = nil, limit: Int = 50, offset: Int = 0
    ) {
        self.number = number
        self.nik = nik
        self.name = name
        self.layanan = layanan
        self.status = status
        self.from = from
        self.to = to
        self.limit = limit
        self.offset = offset
    }
}

extension NodeStore {
    /// The OSS code with which the PTSP asks the loket for what a forwarded file lacks.
    public static let incompleteCode = "11"

    /// The permohonan waiting for one of `steps`, oldest due first (those without a due date last),
    /// when `unpaid` also those still owing a fee (the kasir), and when `incomplete` also the forwarded
    /// files the PTSP found incomplete (the loket asks the applicant): an officer's work queue.
    public func workQueue(
        steps: Set<Tahap>, unpaid: Bool, incomplete: Bool = false, limit: Int = 200, offset: Int = 0
    ) throws(SimpulError) -> [Permohonan] {
        let (condition, arguments) = Self.queueCondition(steps: steps, unpaid: unpaid, incomplete: incomplete)
        guard let condition else { return [] }
        return try readDB("membaca antrean kerja") { db in
            try Projection.states(
                where: condition,
                arguments: StatementArguments(arguments) + StatementArguments([limit, max(0, offset)]),
                suffix: "ORDER BY p.due_on IS NULL, p.due_on, p.registered_at, p.number LIMIT ? OFFSET ?", db: db)
        }
    }

    /// How many permohonan `workQueue` would list without its limit.
    public func workQueueCount(steps: Set<Tahap>, unpaid: Bool, incomplete: Bool = false) throws(SimpulError) -> Int {
        let (condition, arguments) = Self.queueCondition(steps: steps, unpaid: unpaid, incomplete: incomplete)
        guard let condition else { return 0 }
        return try readDB("menghitung antrean kerja") { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM permohonan p WHERE \(condition)",
                arguments: StatementArguments(arguments)) ?? 0
        }
    }

    private static func queueCondition(steps: Set<Tahap>, unpaid: Bool, incomplete: Bool) -> (String?, [String]) {
        var parts: [String] = []
        let sorted = steps.map(\.rawValue).sorted()
        if !sorted.isEmpty {
            parts.append("(p.status = 'diproses' AND p.tahap IN (\(sorted.map { _ in "?" }.joined(separator: ", "))))")
        }
        // A fee is owed on an open or decided file; a withdrawn or rejected one owes nothing more.
        // `p.fee > p.paid` is written as the partial index `permohonan_owing` is, so SQLite uses it.
        if unpaid { parts.append("(p.status IN ('diproses', 'diteruskan', 'selesai') AND p.fee > p.paid)") }
        if incomplete { parts.append("(p.status = 'diteruskan' AND p.ptsp_code = '\(incompleteCode)')") }
        guard !parts.isEmpty else { return (nil, []) }
        return (parts.joined(separator: " OR "), sorted)
    }

    /// Permohonan matching every given criterion, newest first.
    public func search(_ query: PermohonanSearch) throws(SimpulError) -> [Permohonan] {
        var clauses = ["1"]
        var arguments: [any DatabaseValueConvertible] = []
        if let number = query.number {
            clauses.append("p.number = ?")
            arguments.append(number)
        }
        if let nik = query.nik {
            clauses.append("p.nik = ?")
            arguments.append(nik)
        }
        if let name = query.name {
            // LIKE's own wildcards in a typed name are matched as themselves.
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_")
            clauses.append("p.nama LIKE ? ESCAPE '\\'")
            arguments.append("%\(escaped)%")
        }
        if let layanan = query.layanan {
            clauses.append("p.layanan = ?")
            arguments.append(layanan)
        }
        if let status = query.status {
            clauses.append("p.status = ?")
            arguments.append(status.rawValue)
        }
        if let from = query.from {
            clauses.append("p.accepted_on >= ?")
            arguments.append(from.description)
        }
        if let to = query.to {
            clauses.append("p.accepted_on <= ?")
            arguments.append(to.description)
        }
        arguments.append(max(1, min(query.limit, 500)))
        arguments.append(max(0, query.offset))
        let condition = clauses.joined(separator: " AND ")
        let args = arguments
        return try readDB("mencari permohonan") { db in
            try Projection.states(
                where: condition, arguments: StatementArguments(args),
                suffix: "ORDER BY p.registered_at DESC, p.number DESC LIMIT ? OFFSET ?", db: db)
        }
    }
}

extension NodeStore {
    /// The attachment a permohonan on this node names by `sha256`, or nil: a page shows only bytes that
    /// belong to a file here.
    public func attachment(sha256: String) throws(SimpulError) -> Attachment? {
        try readDB("membaca lampiran") { db in
            try Row.fetchOne(
                db,
                sql:
                    "SELECT sha256, size, name, media_type, syarat, issued_number, letter_number FROM attachment WHERE sha256 = ? LIMIT 1",
                arguments: [sha256]
            ).map {
                Attachment(
                    sha256: $0["sha256"], size: $0["size"], name: $0["name"], mediaType: $0["media_type"],
                    syarat: $0["syarat"], issuedNumber: $0["issued_number"], letterNumber: $0["letter_number"])
            }
        }
    }
}
