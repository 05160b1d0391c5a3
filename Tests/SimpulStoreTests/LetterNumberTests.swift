import Foundation
import GRDB
import SimpulDomain
import SimpulTestSupport
import Testing

@testable import SimpulStore

/// The nomor surat sequence in the store: per node, year and kode klasifikasi, gap-free and never
/// repeated, whoever makes letters at the same time; and a letter only where the workflow allows it.
@Suite(.timeLimit(.minutes(10))) struct LetterNumberTests {
    static let template = LetterTemplate(
        klasifikasi: "503", title: "SURAT IZIN PENGGUNAAN JALAN",
        lines: ["Izin untuk {{nama}} ({{nik}}), panjang\t{{isian.panjang_m}} m", "", "Nomor {{nomor_surat}}."])

    /// A file of `code` at the operator step.
    static func atOperator(_ store: NodeStore, _ code: String = "IZIN-JALAN") throws -> String {
        let layanan = try #require(try store.catalog().service(code: code))
        let p = try store.register(Fixture.application(layanan), officer: "Sari")
        while try store.permohonan(p.number).tahap != .operatorStep {
            try store.perform(.advance(tahap: nil, note: nil), on: p.number, officer: "Budi")
        }
        return p.number
    }

    @Test func lettersAreNumberedPerClassificationAndACorrectionTakesANewNumber() throws {
        let store = try Fixture.newStore()
        let first = try Self.atOperator(store)
        let second = try Self.atOperator(store)
        let a = try store.makeLetter(for: first, template: Self.template, by: .typed("Budi"))
        #expect(a.number.text == "503/0001/33.74.01/2026")
        let b = try store.makeLetter(for: second, template: Self.template, by: .typed("Budi"))
        #expect(b.number.text == "503/0002/33.74.01/2026")
        var other = Self.template
        other.klasifikasi = "470"
        #expect(
            try store.makeLetter(for: second, template: other, by: .typed("Budi")).number.text
                == "470/0001/33.74.01/2026")
        let corrected = try store.makeLetter(for: first, template: Self.template, by: .typed("Budi"))
        #expect(corrected.number.text == "503/0003/33.74.01/2026")
        let p = try store.permohonan(first)
        #expect(p.letter?.attachment.letterNumber == "503/0003/33.74.01/2026")
        #expect(p.attachments.filter(\.attachment.isLetter).count == 2)
        #expect(p.letter?.attachment.mediaType == "application/pdf")
        #expect(p.letter?.attachment.name == "surat-503-0003-2026.pdf")
        // The bytes are the PDF, held complete, named by their hash.
        let blob = try #require(try store.blob(corrected.file.attachment.sha256))
        #expect(blob.complete)
        let head = try store.readBlob(blob.sha256, offset: 0, count: 8)
        #expect(String(decoding: head, as: UTF8.self) == "%PDF-1.4")
        // The fold and a rebuild agree, letter numbers included.
        let reopened = try NodeStore.open(
            directory: (store.path as NSString).deletingLastPathComponent, now: { Timestamp(milliseconds: 0) },
            logger: Fixture.logger)
        #expect(try reopened.permohonan(first) == p)
    }

    @Test func concurrentLettersGetEveryNumberOnce() async throws {
        let store = try Fixture.newStore()
        let files = try (0..<6).map { _ in try Self.atOperator(store) }
        // Eight tasks on threads of their own, each making four letters on the six files.
        let made = try await withThrowingTaskGroup(of: [String].self) { group in
            for t in 0..<8 {
                group.addTask {
                    var numbers: [String] = []
                    for i in 0..<4 {
                        let file = files[(t + i) % files.count]
                        numbers.append(
                            try store.makeLetter(for: file, template: Self.template, by: .typed("Budi \(t)")).number
                                .text)
                    }
                    return numbers
                }
            }
            var all: [String] = []
            for try await numbers in group { all += numbers }
            return all
        }
        #expect(made.count == 32)
        #expect(Set(made).count == 32, "a nomor surat was given twice")
        let sequences = try made.map { try LetterNumber(parsing: $0).sequence }.sorted()
        #expect(sequences == Array(1...32))
        // The log holds each once too.
        let logged = try await store.pool.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT json_extract(data, '$.letterNumber') FROM event WHERE type = 'permohonan.attached'")
        }
        #expect(Set(logged) == Set(made) && logged.count == 32)
    }

    @Test func aLetterOutsideTheOperatorStepOrWithoutTheRoleUsesNoNumber() throws {
        let store = try Fixture.newStore()
        let layanan = try #require(try store.catalog().service(code: "IZIN-JALAN"))
        let early = try store.register(Fixture.application(layanan), officer: "Sari")
        #expect(throws: SimpulError.self) {
            try store.makeLetter(for: early.number, template: Self.template, by: .typed("Budi"))
        }
        let ready = try Self.atOperator(store)
        let loket = try store.addAccount(
            username: "loket1", name: "Sari", roles: [.loket], passwordHash: "x", isPIN: true)
        let refused = #expect(throws: SimpulError.self) {
            try store.makeLetter(for: ready, template: Self.template, by: .account(loket, substitution: nil))
        }
        #expect(refused?.message.contains("Operator") == true, "\(refused?.message ?? "")")
        let op = try store.addAccount(
            username: "operator1", name: "Budi", roles: [.operator], passwordHash: "x", isPIN: true)
        let made = try store.makeLetter(for: ready, template: Self.template, by: .account(op, substitution: nil))
        #expect(made.number.sequence == 1)
        let event = try #require(try store.history(ready).last)
        #expect(event.officer == "Budi (operator1)" && event.role == "Operator")
        // Past the operator step the file takes no letter.
        try store.perform(.advance(tahap: .operatorStep, note: nil), on: ready, by: .account(op, substitution: nil))
        #expect(throws: SimpulError.self) {
            try store.makeLetter(for: ready, template: Self.template, by: .account(op, substitution: nil))
        }
        #expect(try store.permohonan(ready).attachments.count == 1)
    }

    @Test func theSequenceFollowsTheLogNotTheFold() throws {
        let store = try Fixture.newStore()
        let file = try Self.atOperator(store)
        _ = try store.makeLetter(for: file, template: Self.template, by: .typed("Budi"))
        // A rebuild of the materialized tables (as after a restore) changes nothing about what was used.
        try store.pool.write { db in try db.execute(sql: "DELETE FROM attachment") }
        let next = try store.makeLetter(for: file, template: Self.template, by: .typed("Budi"))
        #expect(next.number.sequence == 2)
    }
}
