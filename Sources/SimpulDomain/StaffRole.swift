/// A role a staff account holds at the kabupaten's PTSP (the hub's back office). The kecamatan's posts
/// are `OfficerRole`; the two never mix: a hub account cannot take a counter step, and a counter
/// account cannot decide a file.
public enum StaffRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Runs the hub: nodes, accounts, catalog.
    case adminTI = "admin-ti"
    /// Processes forwarded files: the OSS progress codes.
    case petugas
    /// Decides files (approves or rejects, with the fee the PTSP sets).
    case pengambilKeputusan = "pengambil-keputusan"
    /// Reads every page and changes nothing.
    case pimpinan

    /// The role's name as the PTSP's staff know it, and the role text its events record.
    public var label: String {
        switch self {
        case .adminTI: Peran.adminHub
        case .petugas: Peran.ptsp
        case .pengambilKeputusan: "Pengambil Keputusan PTSP"
        case .pimpinan: "Pimpinan PTSP"
        }
    }

    public static func < (a: StaffRole, b: StaffRole) -> Bool { a.order < b.order }

    private var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    /// The role a command needs at the hub: a progress code the petugas's, a decision the decider's,
    /// settling a conflict the petugas's (the reconciler's work). Nil for the kecamatan's commands,
    /// which no hub account may do.
    public static func required(for command: Command) -> StaffRole? {
        switch command {
        case .ptspProgress, .settle: .petugas
        case .decide: .pengambilKeputusan
        case .advance, .sendToFieldCheck, .forward, .withdraw, .reject, .returnToLoket, .pay: nil
        }
    }

    /// The role text an event records when a staff account holding `roles` does `task`, which needs
    /// `required`; refuses an account without the role, naming the officer, the role and the task.
    public static func roleText(
        required: StaffRole, holding roles: [StaffRole], officer: String, task: String
    ) throws(SimpulError) -> String {
        guard roles.contains(required) else {
            throw .invalid("peran: \(officer) tidak memegang peran \(required.label) untuk \(task)")
        }
        return required.label
    }
}
