import SimpulDomain

/// Which commands the hub records as its own acts through `HubStorage.perform`.
public enum HubActs {
    /// The PTSP's steps (OSS status codes) and decisions; the rest of a permohonan's flow is the
    /// kecamatan's, and settling a conflict goes its own way.
    public static func check(_ command: Command) throws(SimpulError) {
        switch command {
        case .ptspProgress, .decide: return
        default:
            throw SimpulError(.usage, "hub hanya mencatat langkah proses PTSP dan keputusannya")
        }
    }
}
