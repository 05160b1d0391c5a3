/// The waiting-room queue (antrian): the pemandu gives each visitor a numbered ticket for what they
/// came for, an officer calls the next number to a desk, and the call screen shows it.
public enum AntrianGroup: String, Sendable, CaseIterable, Codable {
    /// Questions about services at the information desk.
    case informasi = "I"
    case nonPerizinan = "N"
    case perizinan = "P"

    /// What the visitor chose, as the pemandu says it and the ticket prints it.
    public var label: String {
        switch self {
        case .informasi: "Informasi"
        case .nonPerizinan: "Layanan non-perizinan"
        case .perizinan: "Layanan perizinan"
        }
    }
}

/// One queue ticket of one day: numbered per day and group without gaps, local to the node (a queue
/// is the room's, not the kabupaten's, so it never syncs).
public struct AntrianTicket: Sendable, Equatable {
    public var id: Int64
    /// The office's local day the ticket was taken on.
    public var day: LocalDate
    public var group: AntrianGroup
    public var number: Int
    public var takenAt: Timestamp
    /// The first call, which ends the wait; a recall changes only `lastCalledAt`.
    public var calledAt: Timestamp?
    public var lastCalledAt: Timestamp?
    public var desk: String?
    /// The officer (name and username) who called it.
    public var calledBy: String?

    public init(
        id: Int64, day: LocalDate, group: AntrianGroup, number: Int, takenAt: Timestamp, calledAt: Timestamp? = nil,
        lastCalledAt: Timestamp? = nil, desk: String? = nil, calledBy: String? = nil
    ) {
        self.id = id
        self.day = day
        self.group = group
        self.number = number
        self.takenAt = takenAt
        self.calledAt = calledAt
        self.lastCalledAt = lastCalledAt
        self.desk = desk
        self.calledBy = calledBy
    }

    /// `N-007`: the group's letter and the day's number, as printed and called.
    public var code: String {
        let digits = String(number)
        return "\(group.rawValue)-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    /// Seconds from taking the ticket to its first call; nil while it waits.
    public var waitSeconds: Int64? { calledAt.map { max(0, ($0.milliseconds - takenAt.milliseconds) / 1000) } }
}
