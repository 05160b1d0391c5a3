import SimpulDomain

/// How late a file is, in working days, as every page shows it: in words and in a colour class, so it
/// reads without colour too.
public struct DueState: Sendable, Equatable {
    public enum Level: String, Sendable {
        /// More than one working day left.
        case green = "hijau"
        /// Due today: the last working day.
        case amber = "kuning"
        case red = "merah"
        /// No due date running: closed, or set by the receiving office.
        case none = "netral"
    }

    public var level: Level
    public var text: String
    public var workingDaysLeft: Int?

    public init(_ p: Permohonan, today: LocalDate, calendar: WorkingDayCalendar) {
        guard let due = p.dueOn, !p.status.isClosed else {
            level = .none
            workingDaysLeft = nil
            // A closed file has no clock running: its state says all. A forwarded file's time is the
            // receiving office's until its decision comes back for handover.
            if p.status.isClosed {
                text = p.status.label.lowercased()
            } else if p.tahap == .penyerahan {
                text = "keputusan sudah tiba"
            } else {
                text = "ditetapkan \(p.layanan.forwardTo ?? "PTSP")"
            }
            return
        }
        if p.clockStoppedAt != nil {
            // The PTSP stopped the service clock (41, 43): the file waits on its applicant, so it is
            // neither counting down nor late; the due date moves when the clock runs again.
            level = .none
            workingDaysLeft = nil
            text = "jam layanan berhenti"
            return
        }
        let left = calendar.workingDaysLeft(from: today, until: due)
        workingDaysLeft = left
        if today > due {
            level = .red
            text = left < 0 ? "TERLAMBAT \(-left) hari kerja" : "TERLAMBAT"
        } else if left <= 0 {
            level = .amber
            text = "hari terakhir"
        } else {
            level = .green
            text = "\(left) hari kerja lagi"
        }
    }
}
