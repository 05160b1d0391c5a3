import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A counter PC loses power mid-command: whatever a killed process left behind must open as a
/// healthy store with a dense registration sequence and complete logs.
@Suite("Crash safety", .timeLimit(.minutes(10)))
struct CrashTests {
    @Test func registrationsKilledAtRandomMomentsLeaveAHealthyStore() throws {
        let node = try TestNode.fresh()
        let arguments = TestNode.createArguments("SKTM") + ["--data", node.data, "--json"]

        // One undisturbed run tells how long a registration takes here, so the kills can be spread
        // over the whole of it (start-up, the write transaction, the output) on any machine.
        let clock = ContinuousClock()
        let started = clock.now
        let first = try Simpul.run(arguments)
        let runtime = clock.now - started
        try #require(first.succeeded, "\(first.summary)")
        var printed = [try #require(try first.json()["permohonan"]?["number"]?.string)]
        let runtimeMicros = runtime.components.seconds * 1_000_000 + runtime.components.attoseconds / 1_000_000_000_000
        let spanMicros = UInt64(max(30_000, runtimeMicros * 6 / 5))

        var generator = SeededGenerator(seed: 0x5349_4D50_554C)
        var killedWhileWriting = 0
        for run in 0..<24 {
            let process = try Simpul.start(arguments)
            if run.isMultiple(of: 2) {
                // Spread over the whole run; the first kill lands before the process can have done anything.
                let delay = run == 0 ? 0 : UInt32(UInt64.random(in: 0...spanMicros, using: &generator))
                if delay > 0 { usleep(delay) }
                process.kill()
            } else if try WriteLock.stopWhileHeld(by: process.pid, store: node.storeFile) {
                // Stopped while it held the store's write lock: the kill lands inside a write transaction.
                process.kill()
                killedWhileWriting += 1
            } else {
                process.kill()
            }
            let r = try process.wait()
            if r.signal != SIGKILL {
                // A run that finished before the kill printed its tanda terima: it must be kept.
                #expect(r.succeeded, "\(r.summary)")
                if let number = try r.json()["permohonan"]?["number"]?.string { printed.append(number) }
            }
        }
        // Only kills known to have landed inside a write count; most of the twelve tries must (all do here).
        #expect(killedWhileWriting >= 8, "only \(killedWhileWriting) kills landed while the store was being written")

        let check = try node.json(["admin", "check"])
        #expect(check["integrity"]?.string == "ok")
        #expect(check["foldMatches"]?.bool == true)

        let list = try node.json(["permohonan", "list", "--limit", "1000"])
        let numbers = try #require(list["permohonan"]?.array).compactMap { $0["number"]?.string }
        #expect(list["count"]?.int == numbers.count)
        #expect(Set(numbers).count == numbers.count, "duplicate numbers: \(numbers)")
        #expect(Set(printed).isSubset(of: numbers), "a printed tanda terima was lost: \(printed) vs \(numbers)")
        let sequences = numbers.compactMap { Int($0.split(separator: "-")[2]) }.sorted()
        #expect(sequences == Array(1...max(1, numbers.count)), "registration sequence has gaps: \(sequences)")
        #expect(check["permohonan"]?.int == numbers.count)
        // Each permohonan is one registration event.
        #expect(check["events"]?.int == numbers.count)

        var dots: [Int] = []
        for number in numbers {
            let events = try #require(try node.json(["permohonan", "log", number])["events"]?.array)
            #expect(events.count == 1, "\(number)")
            #expect(events.first?["body"]?["type"]?.string == "permohonan.registered", "\(number)")
            #expect(events.first?["body"]?["data"]?["number"]?.string == number)
            if let seq = events.first?["dot"]?["seq"]?.int { dots.append(seq) }
        }
        #expect(dots.sorted() == Array(1...max(1, numbers.count)), "event dots have gaps: \(dots.sorted())")

        // The node goes on numbering where the log left off.
        let next = try node.create("SKTM")
        let nextSequence = next["number"]?.string.flatMap { Int($0.split(separator: "-")[2]) }
        #expect(nextSequence == numbers.count + 1)
    }
}

extension CrashTests {
    /// The operator's PC loses power while a letter is being made: a letter killed before its commit
    /// leaves neither the letter nor a used number, and the next one follows the last committed.
    @Test func lettersKilledWhileWritingLeaveNoGapInTheNomorSurat() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        try node.advance(number, through: ["verifikasi"])
        #expect(try node.show(number)["tahap"]?.string == "operator")
        let arguments = [
            "permohonan", "surat", number, "--conf", Simpul.conf, "--petugas", "Budi", "--data", node.data, "--json",
        ]
        let first = try Simpul.run(arguments)
        try #require(first.succeeded, "\(first.summary)")
        var printed = [try #require(try first.json()["nomorSurat"]?.string)]
        #expect(printed == ["400/0001/33.74.01/2026"])

        var killedWhileWriting = 0
        for _ in 0..<8 {
            let process = try Simpul.start(arguments)
            if try WriteLock.stopWhileHeld(by: process.pid, store: node.storeFile) { killedWhileWriting += 1 }
            process.kill()
            let r = try process.wait()
            if r.signal != SIGKILL {
                #expect(r.succeeded, "\(r.summary)")
                if let n = try r.json()["nomorSurat"]?.string { printed.append(n) }
            }
        }
        #expect(killedWhileWriting >= 5, "only \(killedWhileWriting) kills landed while the store was being written")

        let check = try node.json(["admin", "check"])
        #expect(check["integrity"]?.string == "ok")
        #expect(check["foldMatches"]?.bool == true)
        let letters = try #require(try node.show(number)["attachments"]?.array).compactMap {
            $0["letterNumber"]?.string
        }
        let sequences = letters.compactMap { Int($0.split(separator: "/")[1]) }.sorted()
        #expect(sequences == Array(1...letters.count), "nomor surat has gaps: \(letters)")
        #expect(Set(printed).isSubset(of: letters), "a printed letter was lost: \(printed) vs \(letters)")
        // Every killed run left no blob behind either: each held blob is a recorded letter's.
        let blobs = try StoreDigest.tables(of: node.storeFile)["blob"] ?? ""
        #expect(blobs.hasSuffix("(\(letters.count) rows)"), "\(blobs)")

        let next = try node.json(["permohonan", "surat", number, "--conf", Simpul.conf, "--petugas", "Budi"])
        #expect(next["nomorSurat"]?.string == "400/\(String(format: "%04d", letters.count + 1))/33.74.01/2026")
    }
}

/// SQLite's WAL write lock, as another process sees it: while a connection writes, it holds an
/// exclusive POSIX lock on byte 120 of the `-shm` file (byte 122 too while it recovers the WAL on
/// opening, which is not a write of ours).
enum WriteLock {
    static let writer: off_t = 120
    static let recovery: off_t = 122

    /// Waits until `pid` holds the write lock of `store`, stops the process with SIGSTOP and checks
    /// that the stopped process still holds it; true then, with the process left stopped. False when
    /// the process ended first. Throws after a minute without either.
    static func stopWhileHeld(by pid: pid_t, store: String) throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        var fd: Int32 = -1
        defer { if fd >= 0 { close(fd) } }
        while ContinuousClock.now < deadline {
            guard kill(pid, 0) == 0, !isZombie(pid) else { return false }
            if fd < 0 {
                // The file appears when the process opens the store.
                fd = open(store + "-shm", O_RDWR)
                continue
            }
            guard holds(pid, fd, writer), !holds(pid, fd, recovery) else { continue }
            _ = kill(pid, SIGSTOP)
            while !isStopped(pid), !isZombie(pid), ContinuousClock.now < deadline {}
            if isStopped(pid), holds(pid, fd, writer), !holds(pid, fd, recovery) { return true }
            // It let go before the stop took effect: let it run on to its next write.
            _ = kill(pid, SIGCONT)
        }
        throw HarnessError("process \(pid) neither took the write lock of \(store) nor ended within a minute")
    }

    private static func holds(_ pid: pid_t, _ fd: Int32, _ byte: off_t) -> Bool {
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = byte
        lock.l_len = 1
        guard fcntl(fd, F_GETLK, &lock) == 0 else { return false }
        return lock.l_type == Int16(F_WRLCK) && lock.l_pid == pid
    }

    /// The state letter of /proc/PID/stat: T when stopped, Z when it has ended but is not yet reaped.
    private static func state(_ pid: pid_t) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let paren = stat.lastIndex(of: ")")
        else { return nil }
        return stat[paren...].dropFirst(2).first
    }

    private static func isStopped(_ pid: pid_t) -> Bool { state(pid) == "T" }
    private static func isZombie(_ pid: pid_t) -> Bool { state(pid) == "Z" || state(pid) == nil }
}
