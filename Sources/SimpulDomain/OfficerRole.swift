/// A role an officer account holds at the kecamatan counter: the posts of the PATEN flow, the kasir,
/// and the admin who manages accounts. An account may hold several (a small office has one person at
/// the loket and the kasir).
public enum OfficerRole: String, Sendable, Codable, CaseIterable, Comparable {
    case informasi, loket, verifikasi, teknis, `operator`, kasi, sekcam, camat, penyerahan, kasir, admin

    /// The role's name as officers know it; for the roles of the steps, the same text as `Tahap.role`,
    /// so an event's role reads the same whether it was written by an account or a typed name.
    public var label: String {
        switch self {
        case .informasi: "Pemandu / Petugas Informasi"
        case .loket: Peran.loket
        case .verifikasi: "Petugas Verifikasi"
        case .teknis: "Petugas Teknis"
        case .operator: "Operator"
        case .kasi: "Kepala Seksi Pelayanan"
        case .sekcam: "Sekretaris Camat"
        case .camat: "Camat"
        case .penyerahan: "Petugas Penyerahan"
        case .kasir: Peran.kasir
        case .admin: "Admin"
        }
    }

    /// In the order of the counter's flow, as `allCases` lists them.
    public static func < (a: OfficerRole, b: OfficerRole) -> Bool { a.order < b.order }

    private var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    /// The role that may take a workflow step.
    public static func taking(_ tahap: Tahap) -> OfficerRole {
        switch tahap {
        case .verifikasi: .verifikasi
        case .cekLapangan: .teknis
        case .operatorStep: .operator
        case .validasiKasi: .kasi
        case .validasiSekcam: .sekcam
        case .pengesahanCamat: .camat
        case .penyerahan: .penyerahan
        case .penerusan, .kelengkapan: .loket
        }
    }

    /// The role a command needs on a permohonan in state `p`: completing or rejecting the step waiting
    /// needs that step's role, forwarding and withdrawing the loket's, a payment the kasir's. Nil when
    /// no role at a kecamatan may do it: the PTSP's and the reconciler's commands (the hub's), and a
    /// step command on a permohonan with no step waiting (the workflow refuses that with its own message).
    public static func required(for command: Command, on p: Permohonan) -> OfficerRole? {
        switch command {
        case .advance, .reject, .returnToLoket, .sendToFieldCheck: p.tahap.map(taking)
        case .forward, .withdraw: .loket
        case .pay: .kasir
        case .ptspProgress, .decide, .settle: nil
        }
    }

    /// What a command does, for the message that refuses an officer without the role:
    /// "tahap Validasi Kepala Seksi Pelayanan", "pembayaran retribusi".
    public static func task(of command: Command, on p: Permohonan) -> String {
        switch command {
        case .advance, .reject: p.tahap.map { "tahap \($0.label)" } ?? "tahap yang menunggu"
        case .returnToLoket: "pengembalian berkas ke loket"
        case .sendToFieldCheck: "pengiriman ke cek lapangan"
        case .forward: "penerusan berkas"
        case .withdraw: "penarikan permohonan"
        case .pay: "pembayaran retribusi"
        case .ptspProgress, .decide: "langkah PTSP"
        case .settle: "penyelesaian konflik"
        }
    }

    /// Registering a new permohonan at the loket.
    public static let registrationTask = "pendaftaran permohonan"
    /// Attaching a scanned document at the loket.
    public static let attachmentTask = "lampiran dokumen"

    /// The role text an event records when an officer holding `roles` does `task`, which needs
    /// `required`; refuses an officer without the role, naming the officer, the role and the task.
    ///
    /// A substitution (Plt. or a.n.) is only for the Camat's signature: the step's role must be
    /// `camat`, and the officer must hold `camat` (an acting Camat given the role) or `sekcam` (the
    /// Sekretaris Camat, who stands in for an absent Camat). Every other step needs its own role.
    /// The event's role then reads "Plt. Camat" or "a.n. Camat", so the log shows who signed in whose place.
    public static func roleText(
        required: OfficerRole, holding roles: [OfficerRole], officer: String, task: String,
        substitution: Substitution?
    ) throws(SimpulError) -> String {
        guard let substitution else {
            guard roles.contains(required) else {
                throw .invalid("peran: \(officer) tidak memegang peran \(required.label) untuk \(task)")
            }
            return required.label
        }
        guard required == .camat else {
            throw .invalid(
                "peran: \(substitution.label) hanya untuk tanda tangan Camat (tahap \(Tahap.pengesahanCamat.label)), bukan untuk \(task)"
            )
        }
        guard roles.contains(.camat) || roles.contains(.sekcam) else {
            throw .invalid(
                "peran: \(officer) tidak memegang peran \(OfficerRole.camat.label) atau \(OfficerRole.sekcam.label) untuk \(task) sebagai \(substitution.label) \(OfficerRole.camat.label)"
            )
        }
        return "\(substitution.label) \(required.label)"
    }
}

/// How an officer acts in another's place: an acting Camat (Pelaksana Tugas) signs as "Plt. Camat",
/// an officer signing on the Camat's behalf (atas nama) as "a.n. Camat".
public enum Substitution: String, Sendable, Codable, CaseIterable {
    case plt, an

    public var label: String {
        switch self {
        case .plt: "Plt."
        case .an: "a.n."
        }
    }
}
