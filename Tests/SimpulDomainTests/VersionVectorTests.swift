import Foundation
import SimpulDomain
import Testing

@Suite("VersionVector", .timeLimit(.minutes(10)))
struct VersionVectorTests {
    @Test func zeroEntriesAreDropped() {
        let vv = VersionVector(["33.74.01": 0, "33.74.02": 3])
        #expect(vv.entries == ["33.74.02": 3])
        #expect(VersionVector(["33.74.01": 0]).isEmpty)
        #expect(VersionVector().isEmpty)
        // A vector with an explicit zero is the same vector as one without the node.
        #expect(VersionVector(["33.74.01": 0, "33.74.02": 3]) == VersionVector(["33.74.02": 3]))
    }

    @Test func missingNodeReadsAsZero() {
        let vv = VersionVector(["33.74.01": 5])
        #expect(vv["33.74.01"] == 5)
        #expect(vv["33.74.02"] == 0)
    }

    @Test func coversDotsUpToItsEntry() {
        let vv = VersionVector(["33.74.01": 3])
        #expect(vv.covers(Dot(node: "33.74.01", seq: 1)))
        #expect(vv.covers(Dot(node: "33.74.01", seq: 3)))
        #expect(!vv.covers(Dot(node: "33.74.01", seq: 4)))
        #expect(!vv.covers(Dot(node: "33.74.02", seq: 1)))
    }

    @Test func includeRaisesButNeverLowers() {
        var vv = VersionVector()
        vv.include(Dot(node: "33.74.01", seq: 4))
        #expect(vv["33.74.01"] == 4)
        vv.include(Dot(node: "33.74.01", seq: 2))
        #expect(vv["33.74.01"] == 4)
        vv.include(Dot(node: "33.74.01", seq: 5))
        #expect(vv["33.74.01"] == 5)
        vv.include(Dot(node: "33.74", seq: 1))
        #expect(vv.entries == ["33.74.01": 5, "33.74": 1])
        vv.include(Dot(node: "33.74.02", seq: 0))
        #expect(vv.entries["33.74.02"] == nil)
        #expect(vv.covers(Dot(node: "33.74.01", seq: 2)))
    }

    @Test func codableRoundTripIsAPlainObject() throws {
        let vv = VersionVector(["33.74.01": 7, "33.74": 2])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(vv)
        #expect(String(decoding: data, as: UTF8.self) == #"{"33.74":2,"33.74.01":7}"#)
        #expect(try JSONDecoder().decode(VersionVector.self, from: data) == vv)
        let withZero = try JSONDecoder().decode(VersionVector.self, from: Data(#"{"33.74.01": 0, "33.74": 2}"#.utf8))
        #expect(withZero.entries == ["33.74": 2])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(VersionVector.self, from: Data(#"{"33.74.01": -1}"#.utf8))
        }
    }

    @Test func descriptionIsSortedByNode() {
        #expect(VersionVector(["b": 2, "a": 1, "c": 0]).description == "{a:1, b:2}")
        #expect(VersionVector().description == "{}")
    }

    @Test func dotsOrderByNodeThenSequence() {
        let dots = [Dot(node: "33.74.02", seq: 1), Dot(node: "33.74.01", seq: 10), Dot(node: "33.74.01", seq: 2)]
        #expect(dots.sorted().map(\.description) == ["33.74.01:2", "33.74.01:10", "33.74.02:1"])
    }
}
