import CoreMetrics
import SimpulDomain
import SimpulStore

/// The hub's metrics, through swift-metrics: `simpul-hub serve --metrics` chooses the Prometheus
/// backend; without a backend (tests, the CLI) they cost a no-op call.
enum HubMetrics {
    static func request(route: String, status: Int, duration: Duration) {
        Counter(label: "simpul_hub_requests_total", dimensions: [("route", route), ("status", "\(status)")]).increment()
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        Timer(label: "simpul_hub_request_duration_seconds", dimensions: [("route", route)])
            .recordNanoseconds(nanoseconds)
    }

    static func refusal(code: String) {
        Counter(label: "simpul_hub_refusals_total", dimensions: [("code", code)]).increment()
    }

    static func pushed(_ results: [PushResult]) {
        for r in results {
            Counter(label: "simpul_hub_change_sets_total", dimensions: [("result", r.result)]).increment()
            if r.result == "applied" {
                Counter(label: "simpul_hub_events_applied_total").increment(by: r.events)
            }
        }
    }

    /// The store's side, read when the metrics are scraped.
    static func record(contacts: [Contact], parked writers: [ParkedWriter], openConflicts: Int, at now: Timestamp) {
        let parked = Dictionary(writers.map { ($0.node, $0.changeSets) }, uniquingKeysWith: +)
        for c in contacts {
            let age = Double(max(0, now.milliseconds - c.lastContact.milliseconds)) / 1000
            Gauge(label: "simpul_hub_node_last_contact_age_seconds", dimensions: [("node", c.node)]).record(age)
        }
        for node in Set(contacts.map(\.node)).union(parked.keys) {
            Gauge(label: "simpul_hub_parked_change_sets", dimensions: [("node", node)]).record(parked[node] ?? 0)
        }
        Gauge(label: "simpul_hub_conflicts_open").record(openConflicts)
    }
}
