import Foundation
import GRDB
import SimpulTestSupport
import Testing

/// A tampered kecamatan agent signs events whose text carries terminal escape sequences (the counter
/// refuses such input, a modified program does not); the PTSP officer's terminal shows them escaped.
@Suite(.timeLimit(.minutes(10))) struct RemoteTextTests {
    @Test func escapeSequencesFromAKecamatanAreShownNotObeyedAtTheHub() throws {
        let hub = try RealHub(name: "escapes")
        let office = hub.dir + "/kec"
        let (initRun, key) = try hub.initNode("33.74.01", at: office)
        #expect(initRun.status == 0, "\(initRun.stderr)")
        #expect(try hub.enroll("33.74.01", try #require(key)).status == 0)
        let number = try RealHub.createPermohonan(at: office, nama: "Siti Aminah")

        // What a modified agent would write: the log's text changed before it is sealed and signed.
        let db = try DatabaseQueue(path: office + "/simpul.sqlite")
        try db.write { db in
            try db.execute(sql: "DROP TRIGGER event_immutable")
            try db.execute(
                sql: "UPDATE event SET data = replace(data, 'Siti Aminah', ?), officer = ?",
                arguments: [#"Siti \u001b[2J\u001b]0;owned\u0007Aminah"#, "Sari\u{1B}[31m"])
        }
        try db.close()
        let synced = try RealHub.run("simpul", ["sync", "--data", office])
        #expect(synced.status == 0, "\(synced.stderr)")

        for args in [
            ["permohonan", "show", number], ["permohonan", "log", number], ["permohonan", "list", "--status", "semua"],
        ] {
            let shown = try RealHub.run("simpul-hub", args + ["--data", hub.data])
            #expect(shown.status == 0, "\(args) \(shown.stderr)")
            #expect(!shown.stdout.unicodeScalars.contains("\u{1B}") && !shown.stdout.unicodeScalars.contains("\u{07}"))
            #expect(shown.stdout.contains(#"\u{1b}"#), "\(args): \(shown.stdout)")
        }
        #expect(try hub.stop() == .exited(0))
    }
}
