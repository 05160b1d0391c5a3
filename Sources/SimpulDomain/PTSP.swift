/// The OSS status codes a forwarded file carries back from the PTSP (OSS integration guide,
/// Lampiran 10).
public enum PTSPStatus {
    public enum Kind: String, Sendable {
        case progress
        case approved
        case rejected
    }

    /// What a code does to the service clock (the guide's SLA): the time a file waits on the applicant
    /// does not count against the office.
    public enum Clock: String, Sendable {
        case runs
        /// 41: the clock stops while the applicant confirms the requirements.
        case stop
        /// 42: it resumes; the due date moves by the working days it stood still.
        case resume
        /// 43: it stops, and will start again from zero.
        case stopForRestart
        /// 44: it starts again from zero: the whole duration counts from this day.
        case restart
    }

    public struct Entry: Sendable {
        public var code: String
        public var label: String
        public var kind: Kind
        public var clock: Clock = .runs
    }

    /// Every code of the PTSP's processing of a file. The guide's sanctions on an issued permit
    /// (60 Peringatan, 70 Penghentian sementara, 80 Denda administratif) come after the decision, on the
    /// permit rather than the application, and are not part of it.
    public static let all: [Entry] = [
        Entry(code: "05", label: "Penapisan", kind: .progress),
        Entry(code: "09", label: "Telah melengkapi persyaratan", kind: .progress),
        Entry(code: "10", label: "Dokumen lengkap", kind: .progress),
        Entry(code: "11", label: "Belum lengkap", kind: .progress),
        Entry(code: "12", label: "Pemenuhan komitmen", kind: .progress),
        Entry(code: "20", label: "Validasi", kind: .progress),
        Entry(code: "30", label: "Verifikasi pembayaran", kind: .progress),
        Entry(code: "31", label: "Konfirmasi pembayaran", kind: .progress),
        Entry(code: "32", label: "Menunggu verifikasi bukti bayar PNBP", kind: .progress),
        Entry(code: "33", label: "Persetujuan pembayaran", kind: .progress),
        Entry(code: "34", label: "Perbaikan konfirmasi pembayaran", kind: .progress),
        Entry(code: "40", label: "Inspeksi", kind: .progress),
        Entry(code: "41", label: "Konfirmasi persyaratan (jam layanan berhenti)", kind: .progress, clock: .stop),
        Entry(
            code: "42", label: "Data konfirmasi persyaratan (jam layanan berjalan lagi)", kind: .progress,
            clock: .resume),
        Entry(
            code: "43", label: "Re-konfirmasi persyaratan (jam layanan berhenti, mulai dari nol)", kind: .progress,
            clock: .stopForRestart),
        Entry(
            code: "44", label: "Data re-konfirmasi persyaratan (jam layanan mulai dari nol)", kind: .progress,
            clock: .restart),
        Entry(code: "45", label: "Persyaratan terverifikasi", kind: .progress),
        Entry(code: "49", label: "Pengambilan nomor", kind: .progress),
        Entry(code: "50", label: "Disetujui", kind: .approved),
        Entry(code: "52", label: "Terbit sementara", kind: .approved),
        Entry(code: "57", label: "Fiktif-positif", kind: .approved),
        Entry(code: "90", label: "Ditolak", kind: .rejected),
        Entry(code: "93", label: "Penolakan persyaratan", kind: .rejected),
    ]

    public static func entry(_ code: String) -> Entry? { all.first { $0.code == code } }

    public static func label(_ code: String) -> String { entry(code).map { "\(code) \($0.label)" } ?? code }
}

/// Who writes events of a type.
public enum EventWriter: Sendable, Equatable {
    /// The kecamatan counter (a kecamatan node or one of its sub-nodes), in its own partition.
    case kecamatan
    /// The kabupaten's PTSP hub.
    case hub
    /// Either side, each only its own kind of the type's data (`EventAuthorization.refusal(body:author:)`).
    case both
}

extension EventType {
    /// Who may write events of this type.
    public var writer: EventWriter {
        switch self {
        case .registered, .stepCompleted, .forwarded, .withdrawn, .rejected, .paymentReceived, .returned,
            .kasClosed, .kasDeposited, .skmRecorded, .complaintReceived, .complaintFollowedUp, .complaintClosed:
            .kecamatan
        // The loket attaches scans; the hub attaches the document the PTSP issued.
        case .attached: .both
        case .ptspProgress, .decided, .settled, .catalogPublished, .calendarPublished: .hub
        }
    }

    /// Whether events of this type belong to the global partition (the kabupaten's reference data)
    /// rather than to a kecamatan's.
    public var isGlobal: Bool {
        switch self {
        case .catalogPublished, .calendarPublished: true
        case .registered, .stepCompleted, .forwarded, .withdrawn, .rejected, .paymentReceived, .attached,
            .returned, .ptspProgress, .decided, .settled, .kasClosed, .kasDeposited, .skmRecorded, .complaintReceived,
            .complaintFollowedUp, .complaintClosed:
            false
        }
    }

    /// The kind of node ledger record events of this type are about, or nil for a permohonan's and
    /// for reference data.
    public var ledger: LedgerRecord.Kind? {
        switch self {
        case .kasClosed, .kasDeposited: .kas
        case .skmRecorded: .skm
        case .complaintReceived, .complaintFollowedUp, .complaintClosed: .aduan
        case .registered, .stepCompleted, .forwarded, .withdrawn, .rejected, .paymentReceived, .attached,
            .returned, .ptspProgress, .decided, .settled, .catalogPublished, .calendarPublished:
            nil
        }
    }

    /// Whether events of this type are folded into a permohonan's state by the workflow; the others
    /// (reference data, node ledgers) are facts projected each as it is.
    public var isPermohonan: Bool { !isGlobal && ledger == nil }
}

/// Who may write what, where: the rule the hub checks on every change set and every store checks
/// before it records a local command.
public enum EventAuthorization {
    /// Why an author may not write an event: its message for people, and which rule it broke, from
    /// which a wire error code is chosen.
    public struct Refusal: Sendable, Equatable, CustomStringConvertible {
        public enum Reason: Sendable, Equatable {
            /// The author may not write into the partition at all.
            case foreignPartition
            /// The event type is written by the other side (kecamatan versus hub).
            case otherWriter
            /// The global partition holds only reference data, and this is not.
            case notReferenceData
            /// Reference data belongs only in the global partition.
            case referenceDataOutsideGlobal
            /// The record belongs to another partition (its number names another kecamatan), or the
            /// record is not a registration number at all.
            case foreignRecord
            /// A registration of a number another node makes: each node registers only its own.
            case foreignNumber
            /// The event's data breaks a rule of its type (an amount out of bounds, a malformed field).
            case invalidData
        }

        public var reason: Reason
        public var message: String

        public var description: String { message }
    }

    /// Why `author` may not write an event of `type` into `partition`, or nil when it may.
    public static func refusal(type: EventType, author: NodeID, partition: String) -> Refusal? {
        let isGlobal = partition == author.kabupaten.code
        let ownsPartition =
            author.isHub ? hubMayWrite(author, partition, isGlobal: isGlobal) : partition == author.homePartition
        guard ownsPartition else { return foreignPartition(author, partition) }
        switch (type.writer, author.isHub) {
        case (.kecamatan, true):
            return Refusal(reason: .otherWriter, message: "event \(type) hanya ditulis oleh kecamatan, bukan hub")
        case (.hub, false):
            return Refusal(reason: .otherWriter, message: "event \(type) hanya ditulis oleh PTSP (hub)")
        case (.kecamatan, false), (.hub, true), (.both, _):
            break
        }
        if type.isGlobal != isGlobal {
            return isGlobal
                ? Refusal(
                    reason: .notReferenceData, message: "partisi global \(partition) hanya berisi katalog dan kalender")
                : Refusal(
                    reason: .referenceDataOutsideGlobal,
                    message: "event \(type) hanya di partisi global \(author.kabupaten)")
        }
        return nil
    }

    /// Why `author` may not write an event with this data, beyond what its type allows: of the
    /// attachments, the hub writes only the document the PTSP issued and a kecamatan only scans and
    /// its own letters, so a stolen kecamatan node cannot pass a paper of its own off as the PTSP's
    /// izin. A letter is a PDF that is neither a scan of a requirement nor the PTSP's document, and its
    /// nomor surat names the node that wrote it, so one node cannot take numbers from another's
    /// sequence.
    public static func refusal(body: EventBody, author: NodeID) -> Refusal? {
        switch body {
        case .kasClosed(let closing): return closing.problem.map { Refusal(reason: .invalidData, message: $0) }
        case .kasDeposited(let deposit): return deposit.problem.map { Refusal(reason: .invalidData, message: $0) }
        case .skmRecorded(let response): return response.problem.map { Refusal(reason: .invalidData, message: $0) }
        case .complaintReceived(let c): return c.problem.map { Refusal(reason: .invalidData, message: $0) }
        case .complaintFollowedUp(let n), .complaintClosed(let n):
            return n.problem.map { Refusal(reason: .invalidData, message: $0) }
        default: break
        }
        guard case .attached(let a) = body else { return nil }
        if let letter = a.letterNumber {
            guard !author.isHub else {
                return Refusal(
                    reason: .otherWriter, message: "surat dengan nomor surat hanya dibuat kecamatan, bukan hub")
            }
            guard a.issuedNumber == nil, a.syarat == nil, a.mediaType == "application/pdf" else {
                return Refusal(
                    reason: .otherWriter,
                    message:
                        "nomor surat hanya pada surat PDF buatan kecamatan, bukan pada pindaian atau dokumen terbit"
                )
            }
            guard let number = try? LetterNumber(parsing: letter), number.node == author else {
                return Refusal(
                    reason: .otherWriter,
                    message: "nomor surat \(letter.prefix(60)) bukan dari urutan node \(author)")
            }
            return nil
        }
        switch (a.isIssued, author.isHub) {
        case (true, false):
            return Refusal(
                reason: .otherWriter, message: "dokumen terbit (dengan nomor dokumen) hanya dilampirkan PTSP (hub)")
        case (false, true):
            return Refusal(
                reason: .otherWriter, message: "hub hanya melampirkan dokumen terbit PTSP, dengan nomor dokumennya")
        case (true, true), (false, false):
            return nil
        }
    }

    /// Why an event's data does not fit its record: a survey response belongs on the ledger of its own
    /// month, so that each month's record holds exactly the month's responses.
    public static func refusal(body: EventBody, record: String) -> Refusal? {
        guard case .skmRecorded(let response) = body, let ledger = LedgerRecord(parsing: record) else { return nil }
        guard ledger.key == response.month else {
            return Refusal(
                reason: .invalidData,
                message: "survei bulan \(response.month.prefix(20)) tidak di catatan \(ledger.kind.rawValue) bulan itu")
        }
        return nil
    }

    /// `refusal(type:author:partition:)` and `refusal(body:author:)` together: every rule on who may
    /// write an event that does not depend on its record.
    public static func refusal(body: EventBody, author: NodeID, partition: String) -> Refusal? {
        refusal(type: body.type, author: author, partition: partition) ?? refusal(body: body, author: author)
    }

    /// Why `author` may not write an event of `type` on `record` into `partition`, or nil when it may.
    ///
    /// On top of `refusal(type:author:partition:)`: a permohonan belongs to the partition of the
    /// kecamatan whose two digits lead its number, so an event on it is accepted only in that
    /// partition (where only its own kecamatan's nodes and the hub write), and a registration only
    /// from the node whose prefix the number carries. A stolen or rogue kecamatan node can thus not
    /// touch another kecamatan's files, nor take the numbers another node will make.
    public static func refusal(type: EventType, record: String, author: NodeID, partition: String) -> Refusal? {
        var checker = Checker(author: author, partition: partition)
        return checker.refusal(type: type, record: record)
    }

    /// `refusal(type:record:author:partition:)` for the events of one writer in one partition, each
    /// event type and each record decided once: a change set holds hundreds of events of a handful of
    /// types on a few dozen records, and a receiver checks every change set it is sent.
    public struct Checker: Sendable {
        public let author: NodeID
        public let partition: String
        private let registrationPrefix: String
        private var allowedTypes: Set<EventType> = []
        /// The number prefix of each record already found to belong to the partition.
        private var prefixes: [String: Substring] = [:]

        public init(author: NodeID, partition: String) {
            self.author = author
            self.partition = partition
            self.registrationPrefix = author.registrationPrefix
        }

        /// `refusal(type:record:)` and the rules on the event's data (`refusal(body:author:)`).
        public mutating func refusal(body: EventBody, record: String) -> Refusal? {
            refusal(type: body.type, record: record) ?? EventAuthorization.refusal(body: body, author: author)
                ?? EventAuthorization.refusal(body: body, record: record)
        }

        public mutating func refusal(type: EventType, record: String) -> Refusal? {
            if !allowedTypes.contains(type) {
                if let refusal = EventAuthorization.refusal(type: type, author: author, partition: partition) {
                    return refusal
                }
                allowedTypes.insert(type)
            }
            guard !type.isGlobal else { return nil }
            if let kind = type.ledger { return EventAuthorization.ledgerRefusal(kind, record: record, checker: self) }
            let prefix: Substring
            if let known = prefixes[record] {
                prefix = known
            } else {
                switch EventAuthorization.ownership(record: record, partition: partition) {
                case .refused(let refusal): return refusal
                case .owned(let p):
                    prefixes[record] = p
                    prefix = p
                }
            }
            if type == .registered, prefix != registrationPrefix {
                return EventAuthorization.foreignNumber(author: author, record: record)
            }
            return nil
        }
    }

    /// Why the checker's author may not write a ledger event of `kind` on `record`: the record must be
    /// a ledger of that kind carrying the author's own registration prefix, which also places it in
    /// the author's kecamatan (the hub writes no ledger: `EventType.writer`).
    fileprivate static func ledgerRefusal(_ kind: LedgerRecord.Kind, record: String, checker: Checker) -> Refusal? {
        guard let ledger = LedgerRecord(parsing: record), ledger.kind == kind else {
            return Refusal(
                reason: .foreignRecord, message: "record '\(record.prefix(64))' bukan catatan \(kind.rawValue) yang sah"
            )
        }
        guard ledger.prefix == checker.author.registrationPrefix,
            belongs(prefix: Substring(ledger.prefix), to: checker.partition)
        else {
            return Refusal(
                reason: .foreignRecord,
                message:
                    "node \(checker.author) hanya menulis catatan \(kind.rawValue) berawalan \(checker.author.registrationPrefix), bukan \(record)"
            )
        }
        return nil
    }

    /// The number prefix of `record` when it belongs to `partition`, or why it does not.
    fileprivate enum Ownership {
        case owned(prefix: Substring)
        case refused(Refusal)
    }

    fileprivate static func ownership(record: String, partition: String) -> Ownership {
        guard let prefix = numberPrefix(record) else {
            return .refused(
                Refusal(
                    reason: .foreignRecord, message: "record '\(record)' bukan nomor pendaftaran permohonan yang sah"))
        }
        guard belongs(prefix: prefix, to: partition) else {
            return .refused(
                Refusal(
                    reason: .foreignRecord,
                    message: "permohonan \(record) milik kecamatan lain, bukan partisi \(partition)")
            )
        }
        return .owned(prefix: prefix)
    }

    fileprivate static func foreignNumber(author: NodeID, record: String) -> Refusal {
        Refusal(
            reason: .foreignNumber,
            message: "node \(author) hanya mendaftarkan nomor berawalan \(author.registrationPrefix), bukan \(record)")
    }

    /// Whether a permohonan's number, or a node's ledger record, belongs to `partition` (a kecamatan
    /// code): its prefix starts with the kecamatan's two digits.
    public static func owns(partition: String, record: String) -> Bool {
        guard let prefix = numberPrefix(record) else {
            guard let ledger = LedgerRecord(parsing: record) else { return false }
            return belongs(prefix: Substring(ledger.prefix), to: partition)
        }
        return belongs(prefix: prefix, to: partition)
    }

    private static func numberPrefix(_ record: String) -> Substring? {
        guard case .valid(let length) = RegistrationNumber.read(record) else { return nil }
        // The number is all ASCII digits and dashes: bytes and characters count alike.
        return Substring(record.utf8.prefix(length))
    }

    /// Whether the prefix's first two digits are those of `partition`, a kecamatan (`33.74.01`).
    /// Compared byte by byte: it runs for every event received.
    private static func belongs(prefix: Substring, to partition: String) -> Bool {
        let code = partition.utf8
        guard code.count == 8, prefix.utf8.count >= 2 else { return false }
        var i = code.startIndex
        for k in 0..<8 {
            let c = code[i]
            if k == 2 || k == 5 {
                guard c == UInt8(ascii: ".") else { return false }
            } else {
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return false }
            }
            i = code.index(after: i)
        }
        return prefix.utf8.prefix(2).elementsEqual(code.suffix(2))
    }

    private static func hubMayWrite(_ hub: NodeID, _ partition: String, isGlobal: Bool) -> Bool {
        isGlobal || (partition.hasPrefix(hub.kabupaten.code + ".") && KodeWilayah(partition)?.level == .kecamatan)
    }

    private static func foreignPartition(_ author: NodeID, _ partition: String) -> Refusal {
        Refusal(
            reason: .foreignPartition,
            message: author.isHub
                ? "hub \(author) hanya menulis partisi kabupatennya, bukan \(partition)"
                : "node \(author) hanya menulis partisinya sendiri (\(author.homePartition)), bukan \(partition)")
    }
}
