import GRDB
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

/// `Timestamp` is stored as the ISO 8601 text every timestamp column holds, and a stored value that
/// is not a timestamp is an error, never a time in 1970.
@Suite(.timeLimit(.minutes(10))) struct TimestampDatabaseTests {
    @Test func aTimestampIsStoredAsItsISOTextAndReadBack() throws {
        let queue = try DatabaseQueue()
        let at = try #require(Timestamp(iso: "2026-03-02T09:15:00.250+07:00"))
        let (text, back) = try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (at TEXT)")
            try db.execute(sql: "INSERT INTO t (at) VALUES (?)", arguments: [at])
            return (
                try String.fetchOne(db, sql: "SELECT at FROM t"), try Timestamp.fetchOne(db, sql: "SELECT at FROM t")
            )
        }
        #expect(text == "2026-03-02T02:15:00.250Z")
        #expect(back == at)
    }

    @Test func onlyTimestampTextConverts() {
        #expect(Timestamp.fromDatabaseValue("2026-03-02T02:15:00Z".databaseValue)?.milliseconds == 1_772_417_700_000)
        #expect(Timestamp.fromDatabaseValue("2026-03-02".databaseValue) == nil)
        #expect(Timestamp.fromDatabaseValue("".databaseValue) == nil)
        #expect(Timestamp.fromDatabaseValue(0.databaseValue) == nil)
        #expect(Timestamp.fromDatabaseValue(.null) == nil)
    }

    @Test func aBadStoredContactTimeIsAnErrorNotNineteenSeventy() throws {
        let store = try Fixture.newStore()
        try store.recordContact(node: "33.74.02", result: "in-sync")
        #expect(try store.contacts().map(\.node) == ["33.74.02"])
        try DatabaseQueue(path: store.path).write { db in
            try db.execute(sql: "UPDATE contact SET last_contact = 'kemarin sore'")
        }
        let error = try #require(throws: SimpulError.self) { try store.contacts() }
        #expect(error.code == .io)
        #expect(error.message.contains("contact.last_contact"))
    }

    @Test func aBadStoredSyncRunTimeIsAnError() throws {
        let store = try Fixture.newStore()
        let at = TestClock().now()
        try store.recordSyncRun(
            SyncRun(
                startedAt: at, finishedAt: at, result: "in-sync", exitCode: 0, pushed: 0, pulled: 0, bytesSent: 0,
                bytesReceived: 0, message: ""))
        #expect(try store.lastSyncRun()?.finishedAt == at)
        try DatabaseQueue(path: store.path).write { db in
            try db.execute(sql: "UPDATE sync_run SET finished_at = '1970'")
        }
        let error = try #require(throws: SimpulError.self) { try store.lastSyncRun() }
        #expect(error.code == .io)
        #expect(error.message.contains("sync_run.finished_at"))
    }
}
