import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

/// The code on a printed tanda terima or kuitansi, checked against the log.
@Suite(.timeLimit(.minutes(10)))
struct PaperCodeTests {
    @Test func aPrintedPaperIsGenuineHereAndAnAlteredOneIsNot() throws {
        let store = try Fixture.newStore()
        let izin = try #require(try store.catalog().service(code: "IZIN-JALAN"))
        let p = try store.register(Fixture.application(izin), officer: "Sari")
        let code = try store.tandaTerimaCode(p.number)
        #expect(code.description.hasPrefix("SIMPUL:TT:\(p.number):"))
        #expect(try store.verify(try PaperCode(parsing: code.description)) != .unknown)
        guard case .genuine(let number, _) = try store.verify(code) else {
            Issue.record("a tanda terima just printed is not genuine")
            return
        }
        #expect(number == p.number)
        // Read back as typed: lower case, no dash.
        let typed = "simpul:tt:\(p.number):\(code.check.lowercased())"
        #expect(try store.verify(try PaperCode(parsing: typed)) == store.verify(code))

        var altered = code
        altered.check = String(code.check.reversed())
        #expect(try store.verify(altered) == .mismatch(number: p.number))
        var elsewhere = code
        elsewhere.key = "02-26-00001-7"
        #expect(try store.verify(elsewhere) == .unknown)

        // A fee is taken when the document is ready to be handed over.
        while try store.permohonan(p.number).tahap != .penyerahan {
            try store.perform(.advance(tahap: nil, note: nil), on: p.number, officer: "Petugas")
        }
        let event = try store.perform(.pay(amount: 25_000, receipt: ""), on: p.number, officer: "Kasir")
        guard case .paymentReceived(let payment) = event.body else {
            Issue.record("no payment")
            return
        }
        let (kuitansi, paidFor, _) = try store.kuitansiCode(payment.receipt)
        #expect(paidFor == p.number)
        #expect(kuitansi.description.hasPrefix("SIMPUL:KW:33.74.01/000001:"))
        #expect(try store.verify(kuitansi) == .genuine(number: p.number, event: event))
        // The same check on another kind of paper is not the same paper.
        #expect(
            try store.verify(PaperCode(kind: .kuitansi, key: payment.receipt, check: code.check))
                != .genuine(number: p.number, event: event))
    }

    @Test func badCodesAreNamedNotGuessed() throws {
        for text in [
            "", "SIMPUL:XX:1:ABCDEFGH", "SIMPUL:TT:01-26-00001-7:ABC", "SIMPUL:TT:01-26-00001-7:ABCDEFG1",
            "http://example.com",
        ] {
            #expect(throws: SimpulError.self) { try PaperCode(parsing: text) }
        }
    }

    @Test func reprintsAreCountedPerPaper() throws {
        let store = try Fixture.newStore()
        #expect(try store.recordPrint(.tandaTerima, key: "01-26-00001-7") == 0)
        #expect(try store.recordPrint(.tandaTerima, key: "01-26-00001-7") == 1)
        #expect(try store.recordPrint(.kuitansi, key: "01-26-00001-7") == 0)
        #expect(try store.recordPrint(.tandaTerima, key: "01-26-00001-7") == 2)
    }
}
