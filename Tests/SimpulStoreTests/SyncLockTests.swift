import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@Suite(.timeLimit(.minutes(10))) struct SyncLockTests {
    @Test func aSecondHolderIsRefusedAtOnceNamingTheFirstAndTheLockIsFreedWithItsHolder() throws {
        let dir = Fixture.tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var first: SyncLock? = try SyncLock.acquire(directory: dir)
        do {
            _ = try SyncLock.acquire(directory: dir)
            Issue.record("a second lock was granted")
        } catch {
            #expect(error.code == .busy)
            #expect(error.message.contains("proses \(getpid())"))
        }
        withExtendedLifetime(first) {}
        first = nil
        let again = try SyncLock.acquire(directory: dir)
        withExtendedLifetime(again) {}
    }
}
