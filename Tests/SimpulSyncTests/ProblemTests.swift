import SimpulSync
import Testing

/// Every sync error code has its own problem title and status; the detail carries the message, never
/// the cause, which stays in the hub's log.
@Suite(.timeLimit(.minutes(10))) struct ProblemTests {
    @Test func everyCodeHasItsOwnTitle() {
        let problems = SyncError.Code.allCases.map { Problem(SyncError($0, "x")) }
        for p in problems {
            #expect(!p.title.isEmpty && p.title != p.code, "\(p.code) has no title of its own")
            #expect(p.type == "https://simpul.invalid/problems/\(p.code)")
        }
        #expect(Set(problems.map(\.title)).count == problems.count)
    }

    @Test func theDetailIsTheMessageWithoutTheCause() {
        struct Internal: Error, CustomStringConvertible { var description: String { "disk full at /var/lib" } }
        let error = SyncError(.store, "event tidak bisa disimpan", cause: Internal())
        #expect(Problem(error).detail == "event tidak bisa disimpan")
        #expect(error.description == "store: event tidak bisa disimpan: disk full at /var/lib")
    }
}
