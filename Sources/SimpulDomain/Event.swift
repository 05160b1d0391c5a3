/// The identity of an event: the node that wrote it and its dense sequence number in the partition.
public struct Dot: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var node: String
    public var seq: UInt64

    public init(node: String, seq: UInt64) {
        self.node = node
        self.seq = seq
    }

    public var description: String { "\(node):\(seq)" }

    public static func < (a: Dot, b: Dot) -> Bool { (a.node, a.seq) < (b.node, b.seq) }
}

/// A version vector: for each node, the highest sequence number held (or seen).
public struct VersionVector: Hashable, Sendable, Codable, CustomStringConvertible {
    public private(set) var entries: [String: UInt64]

    public init(_ entries: [String: UInt64] = [:]) { self.entries = entries.filter { $0.value > 0 } }

    public subscript(node: String) -> UInt64 { entries[node] ?? 0 }

    public func covers(_ dot: Dot) -> Bool { self[dot.node] >= dot.seq }

    /// Raises the entry of the dot's node to include it.
    public mutating func include(_ dot: Dot) {
        if dot.seq > self[dot.node] { entries[dot.node] = dot.seq }
    }

    public var isEmpty: Bool { entries.isEmpty }

    public var description: String {
        "{" + entries.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ", ") + "}"
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode([String: UInt64].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(entries)
    }
}

/// One immutable, attributed change: the unit of the log, of replication and of the audit trail.
public struct Event: Sendable, Equatable, Codable {
    public var dot: Dot
    /// The partition (a kecamatan code, or the kabupaten code for the global partition).
    public var partition: String
    /// Lamport clock: larger than that of every event the writer had seen.
    public var lamport: UInt64
    /// The version vector of the record's state that the writer saw.
    public var context: VersionVector
    /// The record the event is about: a permohonan's registration number, a node's ledger record
    /// (`LedgerRecord`), or the reference data's version.
    public var record: String
    /// The officer who did it, by name, and the role they acted in.
    public var officer: String
    public var role: String
    public var at: Timestamp
    public var body: EventBody

    public init(
        dot: Dot, partition: String, lamport: UInt64, context: VersionVector, record: String, officer: String,
        role: String, at: Timestamp, body: EventBody
    ) {
        self.dot = dot
        self.partition = partition
        self.lamport = lamport
        self.context = context
        self.record = record
        self.officer = officer
        self.role = role
        self.at = at
        self.body = body
    }

    /// The total order every replica folds a record's events in: Lamport clock, then dot. It
    /// extends causal order, so all replicas reach the same state with no coordination.
    public static func foldOrder(_ a: Event, _ b: Event) -> Bool {
        (a.lamport, a.dot.node, a.dot.seq) < (b.lamport, b.dot.node, b.dot.seq)
    }
}

/// Every kind of event. The raw values are the `type` strings of the stored and wire format.
///
/// Adding a type is one case here, its data type and `EventBody` case, its writer and scope
/// (`EventType.writer`, `EventType.isGlobal`, `EventType.ledger`), its fold (`Permohonan.apply`, `Workflow.admissible`)
/// and its entry in sync-schemas: the compiler points at every switch, a test at the schemas.
public enum EventType: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case registered = "permohonan.registered"
    case stepCompleted = "permohonan.step-completed"
    case forwarded = "permohonan.forwarded"
    case withdrawn = "permohonan.withdrawn"
    case rejected = "permohonan.rejected"
    case paymentReceived = "pembayaran.received"
    case ptspProgress = "permohonan.ptsp-progress"
    case decided = "permohonan.decided"
    case settled = "permohonan.settled"
    case catalogPublished = "katalog.published"
    case calendarPublished = "kalender.published"
    case attached = "permohonan.attached"
    case returned = "permohonan.returned"
    case kasClosed = "kas.closed"
    case kasDeposited = "kas.deposited"
    case skmRecorded = "skm.recorded"
    case complaintReceived = "pengaduan.received"
    case complaintFollowedUp = "pengaduan.followed-up"
    case complaintClosed = "pengaduan.closed"

    /// The wire string, so messages and logs read as the log does.
    public var description: String { rawValue }
}

/// What happened, by kind, with the data of that kind.
public enum EventBody: Sendable, Equatable, Codable {
    case registered(Registration)
    case stepCompleted(StepCompleted)
    case forwarded(Forwarding)
    case withdrawn(Closure)
    case rejected(Rejection)
    case paymentReceived(Payment)
    case ptspProgress(PTSPProgress)
    case decided(Decision)
    case settled(Settlement)
    case catalogPublished(LayananCatalog)
    case calendarPublished(CalendarPublication)
    case attached(Attachment)
    case returned(Pengembalian)
    case kasClosed(KasClosing)
    case kasDeposited(KasDeposit)
    case skmRecorded(SurveyResponse)
    case complaintReceived(ComplaintReceived)
    case complaintFollowedUp(ComplaintNote)
    case complaintClosed(ComplaintNote)

    public var type: EventType {
        switch self {
        case .registered: .registered
        case .stepCompleted: .stepCompleted
        case .forwarded: .forwarded
        case .withdrawn: .withdrawn
        case .rejected: .rejected
        case .paymentReceived: .paymentReceived
        case .ptspProgress: .ptspProgress
        case .decided: .decided
        case .settled: .settled
        case .catalogPublished: .catalogPublished
        case .calendarPublished: .calendarPublished
        case .attached: .attached
        case .returned: .returned
        case .kasClosed: .kasClosed
        case .kasDeposited: .kasDeposited
        case .skmRecorded: .skmRecorded
        case .complaintReceived: .complaintReceived
        case .complaintFollowedUp: .complaintFollowedUp
        case .complaintClosed: .complaintClosed
        }
    }

    private enum CodingKeys: String, CodingKey { case type, data }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        self = try EventBody.decode(typeName: type, from: c.superDecoder(forKey: .data))
    }

    /// Decodes the data of an event whose type is written as `typeName` (a type column or field);
    /// an unknown type is a decoding error.
    public static func decode(typeName: String, from decoder: any Decoder) throws -> EventBody {
        guard let type = EventType(rawValue: typeName) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown event type \(typeName)"))
        }
        return try decode(type: type, from: decoder)
    }

    /// Decodes the data of an event whose type is known, as stored in separate columns.
    public static func decode(type: EventType, from decoder: any Decoder) throws -> EventBody {
        switch type {
        case .registered: .registered(try Registration(from: decoder))
        case .stepCompleted: .stepCompleted(try StepCompleted(from: decoder))
        case .forwarded: .forwarded(try Forwarding(from: decoder))
        case .withdrawn: .withdrawn(try Closure(from: decoder))
        case .rejected: .rejected(try Rejection(from: decoder))
        case .paymentReceived: .paymentReceived(try Payment(from: decoder))
        case .ptspProgress: .ptspProgress(try PTSPProgress(from: decoder))
        case .decided: .decided(try Decision(from: decoder))
        case .settled: .settled(try Settlement(from: decoder))
        case .catalogPublished: .catalogPublished(try LayananCatalog(from: decoder))
        case .calendarPublished: .calendarPublished(try CalendarPublication(from: decoder))
        case .attached: .attached(try Attachment(from: decoder))
        case .returned: .returned(try Pengembalian(from: decoder))
        case .kasClosed: .kasClosed(try KasClosing(from: decoder))
        case .kasDeposited: .kasDeposited(try KasDeposit(from: decoder))
        case .skmRecorded: .skmRecorded(try SurveyResponse(from: decoder))
        case .complaintReceived: .complaintReceived(try ComplaintReceived(from: decoder))
        case .complaintFollowedUp: .complaintFollowedUp(try ComplaintNote(from: decoder))
        case .complaintClosed: .complaintClosed(try ComplaintNote(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try encodeData(to: c.superEncoder(forKey: .data))
    }

    /// Encodes only the data, for storage beside a separate type column.
    public func encodeData(to encoder: any Encoder) throws {
        switch self {
        case .registered(let v): try v.encode(to: encoder)
        case .stepCompleted(let v): try v.encode(to: encoder)
        case .forwarded(let v): try v.encode(to: encoder)
        case .withdrawn(let v): try v.encode(to: encoder)
        case .rejected(let v): try v.encode(to: encoder)
        case .paymentReceived(let v): try v.encode(to: encoder)
        case .ptspProgress(let v): try v.encode(to: encoder)
        case .decided(let v): try v.encode(to: encoder)
        case .settled(let v): try v.encode(to: encoder)
        case .catalogPublished(let v): try v.encode(to: encoder)
        case .calendarPublished(let v): try v.encode(to: encoder)
        case .attached(let v): try v.encode(to: encoder)
        case .returned(let v): try v.encode(to: encoder)
        case .kasClosed(let v): try v.encode(to: encoder)
        case .kasDeposited(let v): try v.encode(to: encoder)
        case .skmRecorded(let v): try v.encode(to: encoder)
        case .complaintReceived(let v): try v.encode(to: encoder)
        case .complaintFollowedUp(let v): try v.encode(to: encoder)
        case .complaintClosed(let v): try v.encode(to: encoder)
        }
    }
}

/// The citizen who applies (pemohon).
public struct Pemohon: Sendable, Equatable, Codable {
    public var nik: NIK
    public var nama: String
    public var alamat: String?
    public var telepon: String?

    public init(nik: NIK, nama: String, alamat: String? = nil, telepon: String? = nil) {
        self.nik = nik
        self.nama = nama
        self.alamat = alamat
        self.telepon = telepon
    }
}

/// Acceptance at the loket: the application with the service definition it is registered under.
public struct Registration: Sendable, Equatable, Codable {
    public var number: String
    public var layanan: Layanan
    public var catalogVersion: Int
    public var pemohon: Pemohon
    /// Codes of the requirements the loket officer saw present: always all of the service's.
    public var syarat: [String]
    public var isian: [String: String]
    /// The fee due in rupiah, or nil when the PTSP sets it.
    public var fee: Int64?
    public var acceptedOn: LocalDate
    /// nil when the receiving office sets the duration.
    public var dueOn: LocalDate?
}

public struct StepCompleted: Sendable, Equatable, Codable {
    public var tahap: Tahap
    public var note: String?
    /// The step the officer sent the file to instead of the usual next one: only `cek-lapangan`, from
    /// verifikasi, for a service whose catalog entry does not require a field check (the article leaves
    /// "bila diperlukan" to the verifikator). Absent otherwise.
    public var next: Tahap?

    public init(tahap: Tahap, note: String?, next: Tahap? = nil) {
        self.tahap = tahap
        self.note = note
        self.next = next
    }
}

public struct Forwarding: Sendable, Equatable, Codable {
    public var to: String
    public var note: String?
}

public struct Closure: Sendable, Equatable, Codable {
    public var reason: String
}

public struct Rejection: Sendable, Equatable, Codable {
    public var tahap: Tahap
    public var reason: String
}

/// The verifikator's return of an incomplete file to the loket (pengembalian berkas), with what the
/// applicant must still bring.
public struct Pengembalian: Sendable, Equatable, Codable {
    public var tahap: Tahap
    public var note: String

    public init(tahap: Tahap, note: String) {
        self.tahap = tahap
        self.note = note
    }
}

public struct Payment: Sendable, Equatable, Codable {
    /// The node's gap-free receipt number (`33.74.01/000017`).
    public var receipt: String
    public var amount: Int64
}

/// A PTSP processing step on a forwarded file, with its OSS status code (05 Penapisan, 10, 11, 20,
/// 40, 45).
public struct PTSPProgress: Sendable, Equatable, Codable {
    public var code: String
    public var note: String?
    /// When the code starts the service clock again (42, 44): the due date the hub computed with its
    /// calendar, so every replica shows the same one without needing the same calendar.
    public var dueOn: LocalDate?

    public init(code: String, note: String?, dueOn: LocalDate? = nil) {
        self.code = code
        self.note = note
        self.dueOn = dueOn
    }
}

/// The PTSP's decision on a forwarded file (50, 52, 57 approve; 90, 93 reject), with the fee it sets
/// when the service's fee is set by the PTSP.
public struct Decision: Sendable, Equatable, Codable {
    public var code: String
    public var fee: Int64?
    public var note: String?

    public init(code: String, fee: Int64?, note: String?) {
        self.code = code
        self.fee = fee
        self.note = note
    }
}

/// A reconciler's settlement of conflicting events: the state the permohonan continues from.
public struct Settlement: Sendable, Equatable, Codable {
    /// Ids of the conflicts this settles.
    public var conflicts: [String]
    public var status: Status
    public var tahap: Tahap?
    public var note: String
}

/// A holiday calendar published by the hub for every kecamatan.
public struct CalendarPublication: Sendable, Equatable, Codable {
    public var years: [Int]
    public var holidays: [WorkingDayCalendar.Holiday]

    public init(_ calendar: WorkingDayCalendar) {
        years = calendar.years.sorted()
        holidays = calendar.holidays.values.sorted { $0.date < $1.date }
    }
}
