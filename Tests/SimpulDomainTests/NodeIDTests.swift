import Foundation
import SimpulDomain
import Testing

@Suite("NodeID", .timeLimit(.minutes(10)))
struct NodeIDTests {
    @Test func kecamatanNode() throws {
        let node = try #require(NodeID("33.74.01"))
        #expect(node.rawValue == "33.74.01")
        #expect(node.wilayah.code == "33.74.01")
        #expect(node.wilayah.level == .kecamatan)
        #expect(node.subNode == nil)
        #expect(!node.isHub)
        #expect(node.homePartition == "33.74.01")
        #expect(node.kabupaten.code == "33.74")
        #expect(node.registrationPrefix == "01")
        #expect(node.description == "33.74.01")
    }

    @Test func hubNode() throws {
        let hub = try #require(NodeID("33.74"))
        #expect(hub.isHub)
        #expect(hub.subNode == nil)
        #expect(hub.wilayah.level == .kabupaten)
        #expect(hub.kabupaten.code == "33.74")
        #expect(hub.homePartition == "33.74")
    }

    @Test func subNodeSharesItsKecamatanPartition() throws {
        let laptop = try #require(NodeID("33.74.01-1"))
        #expect(laptop.subNode == 1)
        #expect(!laptop.isHub)
        #expect(laptop.wilayah.code == "33.74.01")
        #expect(laptop.homePartition == "33.74.01")
        #expect(laptop.kabupaten.code == "33.74")
        #expect(laptop.registrationPrefix == "011")
        #expect(NodeID("33.74.12-9")?.registrationPrefix == "129")
    }

    @Test func prefixesAreUniqueInsideAKabupaten() throws {
        // Numbers are assigned offline, so no two nodes of a kabupaten may share a prefix.
        var ids = ["33.74.01", "33.74.02", "33.74.10", "33.74.11"]
        for k in ["01", "02", "10", "11"] { ids += (1...9).map { "33.74.\(k)-\($0)" } }
        let prefixes = try ids.map { try #require(NodeID($0)).registrationPrefix }
        #expect(Set(prefixes).count == ids.count)
    }

    @Test(arguments: [
        "33", "33.74.01.1001", "33.74-1", "33.74.01-0", "33.74.01-10", "33.74.01-", "33.74.01-a", "33.74.01--1",
        "33.74.01-1-1", "", "abc", "33.7.01", "33.74.1", "3.74.01", "33.74.01 ", " 33.74.01", "33,74,01",
        "33.74.01.", ".33.74.01", "-1", "33.74.01-+1", "３３.74.01", "33.74.01-１",
    ])
    func rejects(text: String) {
        #expect(NodeID(text) == nil)
    }

    @Test func rejectsADigitWithACombiningMark() {
        #expect(NodeID("3\u{301}3.74.01") == nil)
    }

    @Test func ordersAndCodes() throws {
        let ids = try ["33.74.02", "33.74", "33.74.01-1", "33.74.01"].map { try #require(NodeID($0)) }
        #expect(ids.sorted().map(\.rawValue) == ["33.74", "33.74.01", "33.74.01-1", "33.74.02"])
        let data = try JSONEncoder().encode(ids)
        #expect(String(decoding: data, as: UTF8.self) == #"["33.74.02","33.74","33.74.01-1","33.74.01"]"#)
        #expect(try JSONDecoder().decode([NodeID].self, from: data) == ids)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([NodeID].self, from: Data(#"["33.74.01-0"]"#.utf8))
        }
    }
}
