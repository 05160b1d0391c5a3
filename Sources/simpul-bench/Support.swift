import Foundation
import SimpulDomain
import SimpulSync
import Synchronization

/// SplitMix64: the same seed replays the same day on every machine, so two runs of the bench
/// measure the same events.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
}

/// A simulated wall clock: the day's schedule moves it forward, and every reading moves it a little
/// so events written in one tick still get distinct, increasing times, whatever the real speed.
final class SimClock: Sendable {
    private let milliseconds: Mutex<Int64>

    init(_ start: Timestamp) { milliseconds = Mutex(start.milliseconds) }

    func now() -> Timestamp {
        milliseconds.withLock { ms in
            defer { ms += 50 }
            return Timestamp(milliseconds: ms)
        }
    }

    /// Jumps to `time` unless the clock is already past it.
    func advance(to time: Timestamp) {
        milliseconds.withLock { ms in ms = max(ms, time.milliseconds) }
    }
}

/// Hands requests straight to the hub's real request handler, so the day's syncs run the real
/// protocol without a network.
struct InProcessTransport: SyncTransport {
    let hub: HubService

    func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage { hub.respond(request) }
}

/// An error that ends the bench with a message and an exit code.
struct BenchError: SimpulFailure {
    enum Code: String, Sendable { case failed }

    var code: Code { .failed }
    var message: String
    var exitCode: Int32 = 1
    var cause: (any Error)?

    init(_ message: String, exitCode: Int32 = 1, cause: (any Error)? = nil) {
        self.message = message
        self.exitCode = exitCode
        self.cause = cause
    }
}

/// Runs `body` and returns its result with the wall-clock seconds it took.
func timed<T>(_ body: () throws -> T) rethrows -> (value: T, seconds: Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = try body()
    return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// A fresh folder under /tmp for one store; the caller removes it.
func temporaryDirectory(_ label: String) -> String {
    "/tmp/simpul-bench-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
}

func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// One JSON object on one line, keys in the order added so the line reads like the table under it.
struct JSONLine {
    private var members: [String] = []

    mutating func add(_ key: String, _ value: Int) { members.append("\(Self.quote(key)):\(value)") }

    mutating func add(_ key: String, _ value: Double, decimals: Int = 1) {
        let text = value.isFinite ? String(format: "%.\(decimals)f", value) : "null"
        members.append("\(Self.quote(key)):\(text)")
    }

    mutating func add(_ key: String, _ value: String) { members.append("\(Self.quote(key)):\(Self.quote(value))") }

    mutating func add(_ key: String, _ value: Bool) { members.append("\(Self.quote(key)):\(value)") }

    mutating func add(_ key: String, _ value: JSONLine) { members.append("\(Self.quote(key)):\(value.text)") }

    var text: String { "{" + members.joined(separator: ",") + "}" }

    private static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}

/// Fixed-width columns for the human tables.
func column(_ text: String, _ width: Int, right: Bool = true) -> String {
    let pad = String(repeating: " ", count: max(0, width - text.count))
    return right ? pad + text : text + pad
}

/// 1234567 as "1,234,567".
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (value < 0 ? "-" : "") + out
}

func fixed(_ value: Double, _ decimals: Int = 1) -> String { String(format: "%.\(decimals)f", value) }
