import SimpulDomain
import SimpulStore

/// A node's report of itself as officers read it, the same in `simpul-hub node list` and on the back
/// office's node page.
public enum NodeReportText {
    /// A clock further off than this is shown as a problem: request signatures allow 300 s, and a
    /// minute already puts wrong times on receipts and registrations.
    public static let offsetWarningSeconds: Int64 = 60

    /// What the node page and the node list say for a node that never sent a report (an agent from
    /// before reports, or one that has not synced since).
    public static let unreported = "belum dilaporkan"

    /// `+3 dtk`, `-75 dtk`, `+7200 dtk (2 jam)`: the node's clock against the hub's.
    public static func offset(_ seconds: Int64) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = seconds.magnitude
        var text = "\(sign)\(magnitude) dtk"
        if magnitude >= 2 * 86_400 {
            text += " (\(magnitude / 86_400) hari)"
        } else if magnitude >= 3_600 {
            text += " (\(magnitude / 3_600) jam)"
        } else if magnitude >= 120 {
            text += " (\(magnitude / 60) mnt)"
        }
        return text
    }

    /// Whether the clock offset is a problem an officer must fix.
    public static func offsetIsProblem(_ seconds: Int64) -> Bool { seconds.magnitude > UInt64(offsetWarningSeconds) }

    /// `12,4 MB`: bytes in decimal units with one decimal and a decimal comma, as Indonesian writes them.
    public static func size(_ bytes: Int64) -> String {
        let units = ["KB", "MB", "GB", "TB"]
        guard bytes >= 1_000 else { return "\(max(0, bytes)) B" }
        var value = Double(bytes) / 1_000
        var unit = 0
        while value >= 999.95, unit < units.count - 1 {
            value /= 1_000
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10),\(tenths % 10) \(units[unit])"
    }

    /// One line of `simpul-hub node list` for a node's report.
    public static func line(_ report: NodeReport, zona: Zona) -> String {
        let at = report.reportedAt.localText(offsetMinutes: zona.offsetMinutes)
        let warning = offsetIsProblem(report.clockOffsetSeconds) ? " JAM SALAH" : ""
        return "\(report.node)  laporan \(at) \(zona.rawValue): versi agen \(report.version), selisih jam "
            + "\(offset(report.clockOffsetSeconds))\(warning), ukuran penyimpanan \(size(report.storeBytes)), "
            + "event menunggu \(report.waitingEvents)"
    }
}
