import Foundation
import SimpulTestSupport
import Testing

/// `simpul-hub alerts` with the built programs: a kecamatan dark for days, a revoked laptop that keeps
/// trying, a certificate near its end and a filling disk, reported on stdout, in the journal's stream
/// and to a real webhook receiver on loopback, and handed to a sendmail program.
@Suite(.timeLimit(.minutes(10))) struct HubAlertsCommandTests {
    /// A webhook receiver: Python's HTTP server on a port the OS picks, writing each body it gets to
    /// `received` and answering `status`.
    private func receiver(writingTo received: String, status: Int) throws -> (Child, String) {
        let script = """
            import http.server, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers['Content-Length']))
                    with open(sys.argv[1], 'ab') as f: f.write(body + b'\\n')
                    self.send_response(int(sys.argv[2])); self.send_header('Content-Length', '0'); self.end_headers()
                def log_message(self, *a): pass
            s = http.server.HTTPServer(('127.0.0.1', 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        let child = try Child("/usr/bin/python3", ["-c", script, received, "\(status)"], stderr: .null)
        guard let port = child.stdout.firstLine(within: .seconds(30)) else {
            child.signal(SIGKILL)
            throw HarnessError("the webhook receiver did not start")
        }
        return (child, "http://127.0.0.1:\(port)/simpul")
    }

    private func alerts(_ hub: RealHub, at now: String, _ extra: [String]) throws -> RealHub.Run {
        var environment = RealHub.environment()
        environment["SIMPUL_NOW"] = now
        let (ended, out, err) = try Child.run(
            try RealHub.binary("simpul-hub"), ["alerts", "--data", hub.data] + extra, environment: environment,
            timeout: .seconds(120))
        return RealHub.Run(
            status: ended.status, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    private func iso(daysFromNow days: Int) -> String {
        let date = Date().addingTimeInterval(Double(days) * 86_400)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    @Test func theKabupatenHearsOfADarkIslandARevokedLaptopTheCertificateAndTheDisk() throws {
        let hub = try RealHub(name: "alerts")
        // 33.74.01 syncs today; 33.74.02 is enrolled and never syncs; 33.74.03 is revoked and keeps trying.
        var offices: [String: String] = [:]
        for node in ["33.74.01", "33.74.02", "33.74.03"] {
            let office = hub.dir + "/" + node
            let (initRun, key) = try hub.initNode(node, at: office)
            #expect(initRun.status == 0, "\(initRun.stderr)")
            #expect(try hub.enroll(node, try #require(key)).status == 0)
            offices[node] = office
        }
        #expect(try RealHub.run("simpul", ["sync", "--data", offices["33.74.01"]!]).status == 0)
        #expect(
            try RealHub.run("simpul-hub", ["node", "revoke", "--data", hub.data, "--node", "33.74.03"]).status == 0)
        for _ in 0..<3 {
            #expect(try RealHub.run("simpul", ["sync", "--data", offices["33.74.03"]!]).status == 77)
        }

        // Today: only the revoked laptop.
        let today = try alerts(hub, at: iso(daysFromNow: 0), [])
        #expect(today.status == 0, "\(today.stderr)")
        #expect(
            today.stdout
                == "PERINGATAN refused: node 33.74.03 ditolak 3 kali berturut-turut (terakhir: refused revoked)\n")

        // Five days later, with the certificate and the disk looked at through generous thresholds.
        let received = hub.dir + "/webhook.jsonl"
        let (webhook, url) = try receiver(writingTo: received, status: 204)
        defer { webhook.signal(SIGKILL) }
        let mailed = hub.dir + "/mail.txt"
        let sendmail = hub.dir + "/sendmail"
        // Stands in for the MTA's sendmail interface: the message on stdin, the flags as arguments.
        try "#!/bin/sh\necho \"$@\" > \(mailed)\ncat >> \(mailed)\n".write(
            toFile: sendmail, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sendmail)
        let later = try alerts(
            hub, at: iso(daysFromNow: 5),
            [
                "--cert", hub.certs + "/cert.pem", "--cert-days", "900", "--disk-free-percent", "99", "--webhook", url,
                "--mail", "ti@ptsp.example", "--sendmail", sendmail,
            ])
        #expect(later.status == 0, "\(later.stderr)")
        let lines = later.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(later.stdout)")
        #expect(
            lines.filter { $0.hasPrefix("PERINGATAN silent: kecamatan 33.74.01 tidak terdengar 5 hari") }.count == 1)
        #expect(
            lines.filter { $0.hasPrefix("PERINGATAN silent: kecamatan 33.74.02") && $0.contains("belum pernah") }.count
                == 1)
        #expect(!later.stdout.contains("silent: kecamatan 33.74.03"))
        #expect(lines.contains { $0.hasPrefix("PERINGATAN refused: node 33.74.03") })
        #expect(lines.contains { $0.hasPrefix("PERINGATAN certificate: sertifikat TLS hub kedaluwarsa dalam") })
        #expect(lines.contains { $0.hasPrefix("PERINGATAN disk: disk data hub tinggal") })
        #expect(later.stderr.components(separatedBy: "hub alert").count - 1 == 5, "\(later.stderr)")

        let posted = try String(contentsOfFile: received, encoding: .utf8).split(separator: "\n")
        #expect(posted.count == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(posted[0].utf8)) as? [String: Any])
        #expect(report["hub"] as? String == "33.74")
        let kinds = (report["alerts"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds.sorted() == ["certificate", "disk", "refused", "silent", "silent"])

        let mail = try String(contentsOfFile: mailed, encoding: .utf8)
        #expect(mail.hasPrefix("-t -oi\nTo: ti@ptsp.example\nSubject: [Simpul] 5 peringatan hub 33.74\n"), "\(mail)")
        #expect(mail.contains("- kecamatan 33.74.02"))
        #expect(try hub.stop() == .exited(0))
    }

    @Test func aWebhookThatRefusesIsAFailedDeliveryAfterTheAlertsArePrinted() throws {
        let hub = try RealHub(name: "alerts-refused")
        let office = hub.dir + "/kec"
        let (initRun, key) = try hub.initNode("33.74.01", at: office)
        #expect(initRun.status == 0)
        #expect(try hub.enroll("33.74.01", try #require(key)).status == 0)
        let received = hub.dir + "/webhook.jsonl"
        let (webhook, url) = try receiver(writingTo: received, status: 500)
        defer { webhook.signal(SIGKILL) }
        let run = try alerts(hub, at: iso(daysFromNow: 10), ["--webhook", url])
        #expect(run.status == 74, "\(run.stderr)")
        #expect(run.stdout.contains("PERINGATAN silent: kecamatan 33.74.01"))
        #expect(run.stderr.contains("webhook menjawab HTTP 500"), "\(run.stderr)")
        #expect(try hub.stop() == .exited(0))

        let bad = try alerts(hub, at: iso(daysFromNow: 0), ["--silent-days", "0"])
        #expect(bad.status == 64 && bad.stderr.contains("silent-days"), "\(bad.stderr)")
    }
}
