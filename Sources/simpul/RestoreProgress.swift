import Foundation
import SimpulConsole
import SimpulDomain
import SimpulSync
import Synchronization

/// What `simpul init --restore` shows on stderr while it pulls: events and bytes received so far,
/// what the hub said remains and the time that leaves at the rate so far. One line at most every
/// `every` (rewritten in place on a terminal, one line each otherwise, for a log), the first answer
/// and the end of the pull always.
final class RestoreProgress: Sendable {
    private let every: Duration
    private let terminal: Bool
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(every: Duration = .seconds(1), terminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.every = every
        self.terminal = terminal
    }

    func show(_ p: SyncProgress) {
        guard p.phase == .pull else { return }
        let done = p.pullRemaining == 0
        let now = ContinuousClock.now
        let due = last.withLock { last -> Bool in
            if !done, let shown = last, now - shown < every { return false }
            last = now
            return true
        }
        guard due else { return }
        let text = Self.line(p)
        let shown = FreeText.shown(text)
        FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + shown + (done ? "\n" : "") : shown + "\n").utf8))
    }

    static func line(_ p: SyncProgress) -> String {
        var text = "Pemulihan: \(grouped(p.pulledEvents)) event diterima, \(ProgressLine.size(p.bytesReceived)) masuk"
        switch p.pullRemaining {
        case 0?: text += ", selesai"
        case let remaining?:
            text += ", sisa ±\(grouped(remaining)) event"
            if let left = p.pullSecondsLeft { text += ", ±\(ProgressLine.duration(left)) lagi" }
        case nil:
            text += ", \(ProgressLine.duration(Double(Agent.seconds(p.elapsed)))) berjalan (sisa tidak diketahui)"
        }
        return text
    }

    /// Thousands grouped with dots, as Indonesian writes them: 1.000.006.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(".") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }
}
