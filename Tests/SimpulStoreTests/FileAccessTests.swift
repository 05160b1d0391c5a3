import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

/// The log of who opened which file.
@Suite(.timeLimit(.minutes(10)))
struct FileAccessTests {
    @Test func everyLookIsKeptNewestFirstAndFoundByFileOrAccount() throws {
        let store = try Fixture.newStore()
        try store.recordAccess(username: "rina", number: "01-26-00001-6", what: .berkas)
        try store.recordAccess(username: "kabid", number: "01-26-00001-6", what: .lampiran)
        try store.recordAccess(username: "rina", number: "01-26-00002-4", what: .berkas)

        let all = try store.accessLog()
        #expect(all.total == 3)
        #expect(all.entries.map(\.username) == ["rina", "kabid", "rina"])
        #expect(all.entries.map(\.number) == ["01-26-00002-4", "01-26-00001-6", "01-26-00001-6"])
        #expect(all.entries[0].at > all.entries[2].at)

        let file = try store.accessLog(number: "01-26-00001-6")
        #expect(file.entries.map(\.what) == [.lampiran, .berkas])
        let rina = try store.accessLog(username: "rina", limit: 1)
        #expect(rina.total == 2)
        #expect(rina.entries.map(\.number) == ["01-26-00002-4"])
        let next = try store.accessLog(username: "rina", limit: 1, offset: 1)
        #expect(next.entries.map(\.number) == ["01-26-00001-6"])
        #expect(try store.accessLog(number: "01-26-00003-2").entries.isEmpty)
    }

    @Test func aScanIsTracedToTheFileThatNamesIt() throws {
        let store = try Fixture.newStore()
        let layanan = try #require(try store.catalog().service(code: "SKTM"))
        let p = try store.register(Fixture.application(layanan), officer: "Sari")
        let bytes = Array("%PDF-1.4 surat pengantar".utf8)
        let path = Fixture.tempDirectory() + "-pengantar.pdf"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let attached = try store.attach(file: path, to: p.number, syarat: nil, officer: "Sari")
        #expect(try store.numbersNaming(blob: attached.attachment.sha256) == [p.number])
        #expect(try store.numbersNaming(blob: String(repeating: "0", count: 64)).isEmpty)
    }
}
