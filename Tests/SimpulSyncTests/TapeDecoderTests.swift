import Foundation
import SimpulDomain
import SimpulTestSupport
import Testing

@testable import SimpulStore
@testable import SimpulSync

/// The change set reader builds its values from the nodes of its one pass over the bytes: they must
/// be exactly what `JSONDecoder` makes of the same bytes, and a document it would refuse is refused.
@Suite(.timeLimit(.minutes(10))) struct TapeDecoderTests {
    private struct Sample: Codable, Equatable {
        var name: String
        var note: String?
        var gone: String?
        var count: Int64
        var small: Int8
        var flags: [Bool]
        var nested: [[String: UInt64]]
        var tags: [String: String]
        var level: Double
    }

    private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let bytes = Array(text.utf8)
        var tape = CanonicalTape()
        try CanonicalReader.read(bytes) { r throws(CanonicalReader.Malformed) in
            let end = try tape.record(r, at: 0)
            guard end == bytes.count else { throw r.fail(end, "ada isi setelah dokumen") }
        }
        return try TapeDecoder.decode(type, bytes: bytes, tape: tape.nodes, index: 0)
    }

    @Test func decodesAsJSONDecoderDoes() throws {
        let text =
            #"{"count":-9223372036854775808,"flags":[true,false],"level":3,"name":"Siti \"A\"\n\\ \u001f é","#
            + #""nested":[{"a":1,"b":2},{}],"note":null,"small":-128,"tags":{"x":"y"}}"#
        let mine = try decode(Sample.self, text)
        let theirs = try JSONDecoder().decode(Sample.self, from: Data(text.utf8))
        #expect(mine == theirs)
        #expect(mine.name == "Siti \"A\"\n\\ \u{1f} é")
        #expect(mine.note == nil && mine.gone == nil)
    }

    @Test(arguments: [
        #"{"count":1,"flags":[],"level":1,"name":"x","nested":[],"small":128,"tags":{}}"#,
        #"{"count":"1","flags":[],"level":1,"name":"x","nested":[],"small":1,"tags":{}}"#,
        #"{"count":1,"flags":[1],"level":1,"name":"x","nested":[],"small":1,"tags":{}}"#,
        #"{"count":1,"flags":[],"level":1,"nested":[],"small":1,"tags":{}}"#,
        #"{"count":1,"flags":[],"level":1,"name":"x","nested":[],"small":1,"tags":[]}"#,
    ])
    func refusesWhatJSONDecoderRefuses(text: String) throws {
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Sample.self, from: Data(text.utf8)) }
        #expect(throws: DecodingError.self) { try decode(Sample.self, text) }
    }

    @Test func everyChangeSetOfADayReadsAsJSONDecoderReadsIt() throws {
        let world = try SyncWorld()
        let kec = try world.kecamatan("33.74.01")
        for i in 0..<6 {
            let izin = try kec.register("IZIN-JALAN", nama: "Pemohon \"\(i)\" ke-\(i) Ñ")
            try kec.processToHandover(izin.number)
            try kec.store.perform(.pay(amount: 10_000, receipt: ""), on: izin.number, officer: "Rina")
            try kec.register("SKTM")
        }
        #expect(world.sync(kec, budget: 4096).outcome.result == .inSync)
        let sets = try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 100)
        #expect(sets.count > 2)
        for stored in sets {
            let received = try ReceivedChangeSet(body: stored.body)
            #expect(received.signed == (try Canonical.decode(SignedChangeSet.self, from: stored.body)))
        }
    }

    @Test(arguments: [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]])
    func aStringThatIsNotUTF8IsNotCanonical(bytes: [UInt8]) {
        let document = Array(#"{"a":""#.utf8) + bytes + Array(#""}"#.utf8)
        #expect(throws: CanonicalReader.Malformed.self) {
            try CanonicalReader.read(document) { r throws(CanonicalReader.Malformed) in _ = try r.value(at: 0) }
        }
    }

    @Test func aPullAnswerFindsEachChangeSetWithoutReadingItAndTheReaderChecksIt() throws {
        let inner = #"{"a":"}]\"{"}"#
        let answer = Array((#"{"changeSets":["# + inner + #"],"complete":true,"keys":[]}"#).utf8)
        let response = try PullResponse(decoding: answer)
        #expect(response.changeSets == [Array(inner.utf8)])
        #expect(throws: SyncError.self) { try ReceivedChangeSet(body: response.changeSets[0]) }
    }
}
