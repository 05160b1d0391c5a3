import Foundation
import SimpulDomain
import SimpulTestSupport
import Testing

@testable import SimpulStore

/// Property: for random valid sequences of counter work, the state kept incrementally equals the
/// state rebuilt from the event log, and refused commands change nothing.
@Suite(.timeLimit(.minutes(10))) struct ProjectionTests {
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func incrementalStateEqualsAFullRebuild(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let store = try Fixture.newStore()
        let services = try store.catalog().services
        var open: [String] = []
        var refused = 0
        var written = 0
        var attached = 0
        for _ in 0..<150 {
            if open.isEmpty || Int.random(in: 0..<4, using: &rng) == 0 {
                let layanan = services.randomElement(using: &rng)!
                open.append(try store.register(Fixture.application(layanan), officer: "Loket").number)
                written += 1
                continue
            }
            let number = open.randomElement(using: &rng)!
            let p = try store.permohonan(number)
            if Int.random(in: 0..<6, using: &rng) == 0 {
                // A scanned document; now and then one already attached, which must be refused.
                let again = p.attachments.first.map { _ in Int.random(in: 0..<3, using: &rng) == 0 } ?? false
                let content =
                    again
                    ? try store.readBlob(p.attachments[0].attachment.sha256, offset: 0, count: 1 << 20)
                    : (0..<Int.random(in: 1...200_000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let file = try scanFile(content)
                let syarat = p.layanan.requirements.randomElement(using: &rng)?.code
                if again || p.status.isClosed {
                    let before = try store.stateDump()
                    #expect(throws: SimpulError.self) {
                        try store.attach(file: file, to: number, syarat: syarat, officer: "Loket")
                    }
                    #expect(try store.stateDump() == before)
                    refused += 1
                } else {
                    _ = try store.attach(file: file, to: number, syarat: syarat, officer: "Loket")
                    written += 1
                    attached += 1
                }
                continue
            }
            if Int.random(in: 0..<8, using: &rng) == 0 {
                // A step that is not the one waiting must be refused and must leave no trace.
                let before = try store.stateDump()
                let wrong = Tahap.allCases.filter { $0 != p.tahap }.randomElement(using: &rng)!
                #expect(throws: SimpulError.self) {
                    try store.perform(.advance(tahap: wrong, note: nil), on: number, officer: "X")
                }
                #expect(try store.stateDump() == before)
                refused += 1
                continue
            }
            guard let action = Workflow.nextActions(p).randomElement(using: &rng) else {
                open.removeAll { $0 == number }
                continue
            }
            written += 1
            switch action {
            case .advance(let t):
                try store.perform(.advance(tahap: t, note: "catatan \(t.rawValue)"), on: number, officer: "Petugas")
            case .forward:
                try store.perform(.forward(note: nil), on: number, officer: "Loket")
            case .pay(let outstanding):
                let amount = Int64.random(in: 1...outstanding, using: &rng)
                try store.perform(.pay(amount: amount, receipt: ""), on: number, officer: "Kasir")
            case .withdraw:
                try store.perform(.withdraw(reason: "pemohon membatalkan"), on: number, officer: "Loket")
            case .reject:
                try store.perform(.reject(reason: "berkas tidak sesuai"), on: number, officer: "Petugas")
            case .returnToLoket:
                try store.perform(.returnToLoket(note: "fotokopi KK kurang"), on: number, officer: "Petugas")
            case .fieldCheck:
                try store.perform(.sendToFieldCheck(note: "batas tanah"), on: number, officer: "Petugas")
            case .ptsp:
                // Only the hub acts on forwarded files; a kecamatan store must refuse.
                #expect(throws: SimpulError.self) {
                    try store.perform(.ptspProgress(code: "10", note: nil), on: number, officer: "X")
                }
                written -= 1
            }
        }
        #expect(refused > 0)
        #expect(attached > 0)
        let incremental = try store.stateDump()
        let check = try store.check()
        #expect(check.integrity == "ok")
        #expect(check.foldMatches)
        let events = try store.rebuild()
        #expect(events == written)
        #expect(try store.eventCount() == written)
        #expect(try store.stateDump() == incremental)
        // The folded state of each permohonan also equals folding its own history in memory.
        for p in try store.list(.init(limit: 10_000)) {
            let history = try store.history(p.number)
            guard case .registered(let r) = history[0].body else {
                Issue.record("first event of \(p.number) is not its registration")
                continue
            }
            var folded = Permohonan(registeredBy: history[0], r)
            for e in history.dropFirst() { folded.apply(e) }
            #expect(folded == p)
        }
    }

    private func scanFile(_ content: [UInt8]) throws -> String {
        let dir = Fixture.tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent("pindaian.pdf")
        try Data(content).write(to: URL(fileURLWithPath: path))
        return path
    }
}
