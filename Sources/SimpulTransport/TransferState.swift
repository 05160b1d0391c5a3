import Foundation
import SimpulSync

/// What the libcurl callbacks collect during one transfer.
final class TransferState {
    var body: [UInt8] = []
    var maxBody = Int.max
    var tooLarge = false
    var monitor: SyncMonitor?
    /// How long nothing may move while bytes are due, and while the answer is awaited.
    var silence = 5.0
    var answerWait = 5.0
    var connected = false
    var answerBegun = false
    var lastMove = ContinuousClock.now
    private var lastUp: Int64 = 0
    private var lastDown: Int64 = 0
    /// Set when the transfer was given up on for silence: the silence allowed, and whether the
    /// request had gone and the answer not begun.
    var silentFor: Double?
    var silentWhileWaiting = false

    /// Notes the progress libcurl reports; false when the link has been silent too long.
    func progress(up: Int64, upTotal: Int64, down: Int64) -> Bool {
        let now = ContinuousClock.now
        if up != lastUp || down != lastDown {
            lastUp = up
            lastDown = down
            lastMove = now
            return true
        }
        // Until the connection is up, the connect timeout is the deadline.
        guard connected else { return true }
        let waiting = up >= upTotal && !answerBegun
        let allowed = waiting ? answerWait : silence
        let quiet = now - lastMove
        guard quiet > .milliseconds(Int64(allowed * 1000)) else { return true }
        silentFor = allowed
        silentWhileWaiting = waiting
        return false
    }
    /// Lowercased names; repeated headers are joined with ", " as RFC 9110 allows.
    var headers: [String: String] = [:]

    func addHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingTrailingNewlines()
        // Each response (an interim 100 Continue, then the final one) starts with its status line.
        if line.hasPrefix("HTTP/") {
            headers = [:]
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: [" ", "\t"])
        if let existing = headers[name] {
            headers[name] = existing + ", " + value
        } else {
            headers[name] = value
        }
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var result = Substring(self)
        while let last = result.last, last.isNewline {
            result.removeLast()
        }
        return String(result)
    }
}

extension Substring {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var result = self
        while let first = result.first, set.contains(first) {
            result.removeFirst()
        }
        while let last = result.last, set.contains(last) {
            result.removeLast()
        }
        return String(result)
    }
}
