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
        var killed = 0
        for run in 0..<20 {
            // The first kill lands before the process can have done anything at all.
            let delay = run == 0 ? 0 : UInt32(UInt64.random(in: 0...spanMicros, using: &generator))
            let process = try Simpul.start(arguments)
            if delay > 0 { usleep(delay) }
            process.kill()
            let r = try process.wait()
            if r.signal == SIGKILL {
                killed += 1
            } else {
                // A run that finished before the kill printed its tanda terima: it must be kept.
                #expect(r.succeeded, "\(r.summary)")
                if let number = try r.json()["permohonan"]?["number"]?.string { printed.append(number) }
            }
        }
        #expect(killed > 0)

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
