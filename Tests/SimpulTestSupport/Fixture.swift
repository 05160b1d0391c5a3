import Foundation
import Logging
import SimpulDomain
import SimpulStore
import Synchronization

/// A clock that moves one minute per reading, so every event has its own time and tests never
/// depend on the real date.
public final class TestClock: Sendable {
    private let current: Mutex<Timestamp>
    private let stepMilliseconds: Int64

    /// - Parameter stepSeconds: How far each reading moves the clock on; 0 holds it still, for a test
    ///   that needs two readings to be an exact distance apart.
    public init(_ start: String = "2026-03-16T01:00:00Z", stepSeconds: Int64 = 60) {
        current = Mutex(Timestamp(iso: start)!)
        stepMilliseconds = stepSeconds * 1000
    }

    /// Moves the clock on, as a day passing between two registrations.
    public func advance(seconds: Int64) { current.withLock { $0.milliseconds += seconds * 1000 } }

    public func now() -> Timestamp {
        current.withLock { current in
            let t = current
            current.milliseconds += stepMilliseconds
            return t
        }
    }
}

/// SplitMix64: a small seeded generator, so random scenarios replay exactly.
public struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

public enum Fixture {
    public static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let conf = repoRoot.appendingPathComponent("conf").path

    public static func tempDirectory() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-store-\(UUID().uuidString)")
        return dir.path
    }

    public static func newStore(
        clock: TestClock = TestClock(), node: String = "33.74.01", directory: String = tempDirectory()
    ) throws -> NodeStore {
        let reference = try ConfDirectory.load(conf)
        return try NodeStore.create(
            directory: directory, node: NodeID(node)!, name: "Kantor \(node)", zona: .wib,
            catalog: reference.catalog, calendar: reference.calendar, wilayah: reference.wilayah,
            now: { clock.now() }, logger: Fixture.logger)
    }

    /// Tests stay quiet; the store's log lines are exercised by the binaries.
    public static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    public static let nik = try! NIK(validating: "3374014505900001")

    /// An application for a service with every requirement present and the form inputs its fee needs.
    public static func application(_ layanan: Layanan, nama: String = "Siti Aminah") -> Application {
        var isian: [String: String] = [:]
        if case .formula(_, let inputs, _) = layanan.fee {
            for (i, name) in inputs.enumerated() { isian[name] = i == 0 ? "12.5" : "4" }
        }
        return Application(
            layanan: layanan.code, pemohon: Pemohon(nik: nik, nama: nama), syarat: layanan.requirements.map(\.code),
            isian: isian)
    }
}
