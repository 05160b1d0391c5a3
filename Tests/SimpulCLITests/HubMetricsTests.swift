import Foundation
import GRDB
import SimpulTestSupport
import Testing

/// `simpul-hub serve --metrics`: Prometheus's scrape, `/healthz` and `/readyz` on a listener of their
/// own, read with curl over TLS from the built hub while a kecamatan syncs with it.
@Suite(.timeLimit(.minutes(10))) struct HubMetricsTests {
    struct Answer {
        var status: Int
        var contentType: String
        var body: String
    }

    private func get(_ url: String, _ hub: RealHub, method: String = "GET") throws -> Answer {
        let marker = "\n--simpul-test--"
        let (ended, out, err) = try Child.run(
            "/usr/bin/curl",
            [
                "-sS", "-X", method, "--cacert", hub.certs + "/cert.pem", "-w", "\(marker)%{http_code} %{content_type}",
                url,
            ], timeout: .seconds(60))
        #expect(ended.status == 0, "\(String(decoding: err, as: UTF8.self))")
        let text = String(decoding: out, as: UTF8.self)
        let parts = text.components(separatedBy: marker)
        let tail = (parts.last ?? "").split(separator: " ", maxSplits: 1).map(String.init)
        return Answer(
            status: Int(tail.first ?? "") ?? 0, contentType: tail.count > 1 ? tail[1] : "",
            body: parts.dropLast().joined(separator: marker))
    }

    /// The value of one sample line of the exposition, by its name and labels exactly as printed.
    private func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func theOperationsListenerTellsHowTheHubAndEachKecamatanAreDoing() throws {
        let hub = try RealHub(name: "metrics", serveArguments: ["--metrics", "127.0.0.1:0"])
        let ops = try #require(hub.metricsURL)
        #expect(ops != hub.url)

        let healthy = try get(ops + "/healthz", hub)
        #expect(healthy.status == 200 && healthy.body.contains("\"status\":\"ok\""), "\(healthy.body)")
        let ready = try get(ops + "/readyz", hub)
        #expect(ready.status == 200 && ready.body.contains("\"status\":\"ok\""), "\(ready.body)")
        // The sync port, which faces every kecamatan, answers health but keeps the metrics to itself.
        #expect(try get(hub.url + "/healthz", hub).status == 200)
        #expect(try get(hub.url + "/metrics", hub).status == 404)
        #expect(try get(ops + "/v2/hub", hub).status == 404)

        let office = hub.dir + "/kec"
        let (initRun, key) = try hub.initNode("33.74.01", at: office)
        #expect(initRun.status == 0, "\(initRun.stderr)")
        #expect(try hub.enroll("33.74.01", try #require(key)).status == 0)
        _ = try RealHub.createPermohonan(at: office, nama: "Budi")
        #expect(try RealHub.run("simpul", ["sync", "--data", office]).status == 0)
        // Someone without a key tries the sync port.
        #expect(try get(hub.url + "/v2/push", hub, method: "POST").status == 401)

        let scraped = try get(ops + "/metrics", hub)
        #expect(scraped.status == 200)
        #expect(scraped.contentType.hasPrefix("text/plain; version=0.0.4"), "\(scraped.contentType)")
        let text = scraped.body
        #expect(sample(text, "simpul_hub_store_up") == 1, "\(text)")
        #expect(sample(text, "simpul_hub_conflicts_open") == 0)
        #expect((sample(text, #"simpul_hub_requests_total{route="push",status="200"}"#) ?? 0) >= 1, "\(text)")
        #expect((sample(text, #"simpul_hub_requests_total{route="pull",status="200"}"#) ?? 0) >= 1)
        #expect((sample(text, "simpul_hub_events_applied_total") ?? 0) >= 1)
        #expect(sample(text, #"simpul_hub_change_sets_total{result="applied"}"#) != nil)
        #expect(sample(text, #"simpul_hub_refusals_total{code="unauthenticated"}"#) == 1)
        #expect(sample(text, #"simpul_hub_parked_change_sets{node="33.74.01"}"#) == 0)
        let age = try #require(sample(text, #"simpul_hub_node_last_contact_age_seconds{node="33.74.01"}"#))
        #expect(age >= 0 && age < 3600)
        #expect(text.contains(#"simpul_hub_request_duration_seconds_bucket{route="push",le="#), "\(text)")

        // Every series the shipped Grafana dashboard asks for is one the hub exports.
        let dashboard = try String(contentsOfFile: Simpul.conf + "/grafana-simpul-hub.json", encoding: .utf8)
        let asked = Set(
            dashboard.matches(of: /simpul_hub_[a-z_]+/).map { String($0.output) })
        #expect(asked.count >= 8, "\(asked)")
        for name in asked { #expect(text.contains("\n" + name), "the dashboard asks for \(name)") }

        // A store this build has not migrated (here: one step's record removed) is not ready; the
        // process still answers.
        let queue = try DatabaseQueue(path: hub.data + "/simpul.sqlite")
        try queue.write { db in
            try db.execute(
                sql: "DELETE FROM grdb_migrations WHERE identifier = (SELECT max(identifier) FROM grdb_migrations)")
        }
        try queue.close()
        let notReady = try get(ops + "/readyz", hub)
        #expect(notReady.status == 503, "\(notReady.body)")
        #expect(
            notReady.body.contains("\"status\":\"unavailable\"") && notReady.body.contains("skema"), "\(notReady.body)")
        #expect(try get(ops + "/healthz", hub).status == 200)
        #expect(try hub.stop() == .exited(0))
    }
}
