import Foundation
import SimpulSync
import Synchronization

/// The round trips of every node's requests, by route, as the client saw them: from the request
/// handed to libcurl to the last byte of the answer (connection set-up included when the request
/// opened one).
public final class Latencies: Sendable {
    public struct Summary: Sendable {
        public var count = 0
        public var p50 = 0.0
        public var p95 = 0.0
        public var p99 = 0.0
        public var max = 0.0

        public init(count: Int = 0, p50: Double = 0, p95: Double = 0, p99: Double = 0, max: Double = 0) {
            (self.count, self.p50, self.p95, self.p99, self.max) = (count, p50, p95, p99, max)
        }
    }

    private let seconds = Mutex<[String: [Double]]>([:])
    /// Requests that failed below HTTP (connection refused, reset, silent), and answers of 4xx or 5xx.
    private let failures = Mutex<[String: Int]>([:])

    public init() {}

    func record(_ route: String, _ s: Double, failed: String?) {
        seconds.withLock { $0[route, default: []].append(s) }
        if let failed { failures.withLock { $0[failed, default: 0] += 1 } }
    }

    /// The routes seen, each summarised.
    public func summaries() -> [String: Summary] {
        seconds.withLock { $0 }.mapValues(Self.summary)
    }

    /// Failed requests by kind (`transport:<code>` or `http:<status>`).
    public func failureCounts() -> [String: Int] { failures.withLock { $0 } }

    /// Nearest-rank percentiles.
    public static func summary(_ values: [Double]) -> Summary {
        guard !values.isEmpty else { return Summary() }
        let sorted = values.sorted()
        func rank(_ p: Double) -> Double {
            sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
        }
        return Summary(count: sorted.count, p50: rank(0.50), p95: rank(0.95), p99: rank(0.99), max: sorted.last!)
    }
}

/// A transport that times every request of the one it wraps and notes its failures.
final class TimedTransport: SyncTransport {
    let inner: any SyncTransport
    let latencies: Latencies

    init(_ inner: any SyncTransport, latencies: Latencies) {
        self.inner = inner
        self.latencies = latencies
    }

    var host: String { inner.host }

    func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage {
        try sendCounted(request).0
    }

    func sendCounted(
        _ request: HTTPRequestMessage
    ) throws(TransportError) -> (HTTPResponseMessage, sent: Int, received: Int) {
        let route = String(request.path.prefix { $0 != "?" })
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        do {
            let answer = try inner.sendCounted(request)
            let status = answer.0.status
            latencies.record(route, elapsed(), failed: status >= 400 ? "http:\(status)" : nil)
            return answer
        } catch {
            latencies.record(route, elapsed(), failed: "transport:\(error.code.rawValue)")
            throw error
        }
    }

    func finish() { inner.finish() }
}
