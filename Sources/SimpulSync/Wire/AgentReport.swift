import SimpulDomain
import SimpulStore

/// What an agent says about itself on each sync, in the body of the run's first knowledge or pull
/// request (`report`), so it costs no round trip of its own and is covered by the request's
/// signature. Optional: an agent from before it sends none, and the hub keeps whatever it had.
///
/// The hub checks it after the request is authenticated and before anything is done for the
/// request; one field out of bounds refuses the whole request as `malformed` (400), like any other
/// field of a body (sync-schemas/README.md, "Bounds").
public struct AgentReport: Sendable, Equatable, Codable {
    /// The agent's version string, as its User-Agent names it (`simpul/1`).
    public var version: String
    /// The node's own clock when it made the request (ISO 8601 UTC), not corrected by the hub's time
    /// the way the request's `Simpul-Date` is: the hub takes the difference as the clock offset.
    public var clock: String
    /// The node's SQLite store in bytes (page count times page size).
    public var storeBytes: Int64
    /// The node's own events the hub does not hold yet, as `simpul status` counts them.
    public var waitingEvents: Int64

    public init(version: String, clock: String, storeBytes: Int64, waitingEvents: Int64) {
        self.version = version
        self.clock = clock
        self.storeBytes = storeBytes
        self.waitingEvents = waitingEvents
    }

    /// The longest version string.
    public static let maxVersion = 64
    /// The largest clock offset taken, in seconds: 100 years either way. A PC whose battery died and
    /// that woke up in 1970 is 56 years off, and is exactly what the back office must show.
    public static let maxOffsetSeconds: Int64 = 3_155_760_000
    /// The largest store size taken: 16 TiB, far above any kecamatan's PC.
    public static let maxStoreBytes: Int64 = 1 << 44
    /// The most events waiting: the largest seq a version vector may name.
    public static let maxWaitingEvents = Int64(WireBounds.maxSeq)

    /// The report as the hub keeps it for `node`, with the clock offset taken against `hubNow`, the
    /// hub's clock on receipt; throws `malformed`, naming the field, when a field is out of bounds.
    public func checked(node: NodeID, at hubNow: Timestamp) throws(SyncError) -> NodeReport {
        guard (1...Self.maxVersion).contains(version.utf8.count), version.utf8.allSatisfy(Self.versionByte) else {
            throw SyncError(
                .malformed,
                "report.version: 1 sampai \(Self.maxVersion) karakter huruf, angka, spasi atau ._-/()+:; saja")
        }
        guard let agentClock = Timestamp(iso: clock) else {
            throw SyncError(.malformed, "report.clock: bukan waktu ISO 8601")
        }
        // Rounded to the nearest second: the transit time the offset carries is larger than that.
        let (difference, overflow) = agentClock.milliseconds.subtractingReportingOverflow(hubNow.milliseconds)
        guard !overflow, difference.magnitude <= UInt64(Self.maxOffsetSeconds) * 1000 else {
            throw SyncError(.malformed, "report.clock: selisih dengan jam hub lebih dari 100 tahun")
        }
        guard (0...Self.maxStoreBytes).contains(storeBytes) else {
            throw SyncError(.malformed, "report.storeBytes: \(storeBytes) di luar 0 sampai 2^44")
        }
        guard (0...Self.maxWaitingEvents).contains(waitingEvents) else {
            throw SyncError(.malformed, "report.waitingEvents: \(waitingEvents) di luar 0 sampai 2^53 - 1")
        }
        let seconds = (difference + (difference >= 0 ? 500 : -500)) / 1000
        return NodeReport(
            node: node.rawValue, reportedAt: hubNow, version: version, clockOffsetSeconds: seconds,
            storeBytes: storeBytes, waitingEvents: waitingEvents)
    }

    /// Printable ASCII a version string may hold: nothing that could break a log line or a page.
    private static func versionByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: " ._-/()+:;".utf8.contains(b)
        }
    }
}
