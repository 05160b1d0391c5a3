/// A permohonan's current state: a fold of its events.
public struct Permohonan: Sendable, Equatable, Codable {
    public var number: String
    public var partition: String
    /// The dot of the registration event, where the fixed part of the application is kept.
    public var registration: Dot
    public var layanan: Layanan
    public var catalogVersion: Int
    public var pemohon: Pemohon
    public var syarat: [String]
    public var isian: [String: String]
    public var fee: Int64?
    public var paid: Int64
    public var status: Status
    /// The step waiting to be done; nil once closed or forwarded.
    public var tahap: Tahap?
    public var acceptedOn: LocalDate
    public var dueOn: LocalDate?
    public var registeredAt: Timestamp
    public var updatedAt: Timestamp
    public var forwardedTo: String?
    /// The PTSP's latest OSS status code on a forwarded file.
    public var ptspCode: String?
    public var closingReason: String?
    /// When the PTSP stopped the service clock (41, 43) and has not started it again; nil while it runs.
    public var clockStoppedAt: Timestamp?
    public var receipts: [String]
    /// The scanned documents attached at the loket and the documents the PTSP issued, in fold order,
    /// each blob once.
    public var attachments: [AttachedFile]

    /// The document the PTSP issued on this file, the latest when it sent a corrected one.
    public var issuedDocument: AttachedFile? { attachments.last { $0.attachment.isIssued } }
    /// The newest letter the kecamatan made at the operator step: a second one corrects the first,
    /// and only the newest is printed.
    public var letter: AttachedFile? { attachments.last { $0.attachment.isLetter } }
    /// The dots of every event folded into this state: the causal context of the next event.
    public var seen: VersionVector
    public var lastLamport: UInt64

    /// Rupiah still owed; 0 when nothing is due or the PTSP has not set the fee yet.
    public var outstanding: Int64 { max(0, (fee ?? 0) - paid) }

    /// The state right after acceptance at the loket.
    public init(registeredBy event: Event, _ r: Registration) {
        number = r.number
        partition = event.partition
        registration = event.dot
        layanan = r.layanan
        catalogVersion = r.catalogVersion
        pemohon = r.pemohon
        syarat = r.syarat
        isian = r.isian
        fee = r.fee
        paid = 0
        status = .diproses
        tahap = r.layanan.isDelegated ? .verifikasi : .penerusan
        acceptedOn = r.acceptedOn
        dueOn = r.dueOn
        registeredAt = event.at
        updatedAt = event.at
        receipts = []
        attachments = []
        seen = VersionVector()
        seen.include(event.dot)
        lastLamport = event.lamport
    }

    /// Folds one more event in. Events reach this only after `Workflow.decide` accepted them (or, for
    /// a rebuild, in the same order they were first folded), so every case here is a valid transition.
    public mutating func apply(_ event: Event) {
        switch event.body {
        case .registered: break
        case .stepCompleted(let s):
            tahap = s.next ?? Workflow.step(after: s.tahap, layanan: layanan)
            if tahap == nil { status = .selesai }
        case .forwarded(let f):
            status = .diteruskan
            tahap = nil
            forwardedTo = f.to
        case .withdrawn(let c):
            status = .ditarik
            tahap = nil
            closingReason = c.reason
        case .rejected(let r):
            status = .ditolak
            tahap = nil
            closingReason = r.reason
        case .returned:
            tahap = .kelengkapan
        case .paymentReceived(let p):
            paid += p.amount
            receipts.append(p.receipt)
        case .ptspProgress(let pr):
            ptspCode = pr.code
            switch PTSPStatus.entry(pr.code)?.clock ?? .runs {
            case .runs: break
            case .stop, .stopForRestart: if clockStoppedAt == nil { clockStoppedAt = event.at }
            case .resume, .restart:
                clockStoppedAt = nil
                if let due = pr.dueOn { dueOn = due }
            }
        case .decided(let d):
            ptspCode = d.code
            if PTSPStatus.entry(d.code)?.kind == .approved {
                status = .diproses
                tahap = .penyerahan
                if let f = d.fee { fee = f }
            } else {
                status = .ditolak
                tahap = nil
                closingReason =
                    "Ditolak \(forwardedTo ?? "PTSP") (\(PTSPStatus.label(d.code)))" + (d.note.map { ": \($0)" } ?? "")
            }
        case .settled(let st):
            status = st.status
            tahap = st.tahap
            closingReason = st.status.isClosed ? st.note : nil
        case .attached(let a):
            // The same document attached twice (two officers, a sub-node) is one document.
            if !attachments.contains(where: { $0.attachment.sha256 == a.sha256 }) {
                attachments.append(AttachedFile(attachment: a, dot: event.dot))
            }
        case .catalogPublished, .calendarPublished, .kasClosed, .kasDeposited, .skmRecorded, .complaintReceived,
            .complaintFollowedUp, .complaintClosed:
            break
        }
        witness(event)
    }

    /// Records that an event was seen without letting it change the state: a conflicting event
    /// that the fold set aside still belongs to the causal context of what comes next.
    public mutating func witness(_ event: Event) {
        updatedAt = max(updatedAt, event.at)
        seen.include(event.dot)
        lastLamport = max(lastLamport, event.lamport)
    }
}
