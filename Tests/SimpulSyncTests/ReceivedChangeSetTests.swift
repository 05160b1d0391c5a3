import Foundation
import GRDB
import SimpulDomain
import SimpulTestSupport
import Testing

@testable import SimpulStore
@testable import SimpulSync

/// A received change set is read from its bytes as they came: the form is checked, the hash is
/// taken over those bytes, and the log keeps the events' JSON as it came.
@Suite(.timeLimit(.minutes(10))) struct ReceivedChangeSetTests {
    /// A kecamatan's first sealed change set, as stored and sent.
    private func body() throws -> (SyncWorld, [UInt8]) {
        let world = try SyncWorld()
        let kec = try world.kecamatan("33.74.01")
        for _ in 0..<3 { try kec.register("SKTM") }
        try ChangeSetSealer.sealPending(store: kec.store, identity: kec.identity)
        let stored = try #require(
            try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 1).first)
        return (world, stored.body)
    }

    private func replace(_ body: [UInt8], _ old: String, _ new: String) throws -> [UInt8] {
        let range = try #require(body.firstRange(of: Array(old.utf8)))
        var out = body
        out.replaceSubrange(range, with: Array(new.utf8))
        return out
    }

    private func refusal(_ bytes: [UInt8]) -> SyncError? {
        do {
            _ = try ReceivedChangeSet(body: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func theStoredBytesReadBackAndTheirColumnsAreTheSignedJSON() throws {
        let (world, bytes) = try body()
        let received = try ReceivedChangeSet(body: bytes)
        let keys = try world.hubStorage.keys(node: nil)
        try received.verify(key: { fp in keys.first { $0.fingerprint == fp } }, clock: 0)
        let remote = received.remote
        #expect(remote.stored.body == bytes)
        #expect(remote.events.count == received.changeSet.events.count)
        for (wire, e) in zip(received.changeSet.events, remote.events) {
            #expect(e.context == String(decoding: try Canonical.encode(wire.context), as: UTF8.self))
            let data = try JSONDecoder().decode(JSONValue.self, from: Data(e.data.utf8))
            guard case .object(let members) = data else {
                Issue.record("data is not an object")
                continue
            }
            #expect(!members.isEmpty)
            #expect(bytes.firstRange(of: Array(e.data.utf8)) != nil)
        }
    }

    @Test(arguments: [
        ("white space", #"{"changeSet":"#, #"{ "changeSet":"#),
        ("keys out of order", #""first":1,"format":1"#, #""format":1,"first":1"#),
        ("a member twice", #""format":1"#, #""format":1,"format":1"#),
        ("an unknown member", #""format":1"#, #""format":1,"gratis":1"#),
        ("a number with a fraction", #""format":1"#, #""format":1.0"#),
        ("a needless escape", #""node":"33.74.01""#, #""node":"33\u002e74.01""#),
        ("trailing bytes", #""}"#, #""} "#),
    ])
    func aDocumentNotInCanonicalFormIsMalformedNotAHashMismatch(what: String, old: String, new: String) throws {
        let (_, bytes) = try body()
        let tampered =
            what == "trailing bytes" ? bytes + Array(" ".utf8) : try replace(bytes, old, new)
        let error = try #require(refusal(tampered), "\(what) was accepted")
        #expect(error.code == .malformed, "\(what): \(error)")
    }

    @Test func aTruncatedDocumentIsMalformed() throws {
        let (_, bytes) = try body()
        for cut in [1, bytes.count / 3, bytes.count / 2, bytes.count - 1] {
            #expect(refusal(Array(bytes.prefix(cut)))?.code == .malformed, "cut at \(cut)")
        }
    }

    @Test func aCanonicalDocumentWithAlteredContentIsAHashMismatch() throws {
        let (world, bytes) = try body()
        let altered = try ReceivedChangeSet(
            body: try replace(bytes, #""officer":"Petugas 33.74.01""#, #""officer":"Petugas 33.74.02""#))
        let keys = try world.hubStorage.keys(node: nil)
        do {
            try altered.verify(key: { fp in keys.first { $0.fingerprint == fp } }, clock: 0)
            Issue.record("an altered officer name was accepted")
        } catch {
            #expect(error.code == .hashMismatch)
        }
    }

    @Test func canonicalReaderAcceptsWhatTheEncoderWritesForEveryControlCharacter() throws {
        var text = ""
        for c in 0..<0x20 { text.unicodeScalars.append(Unicode.Scalar(UInt8(c))) }
        text += "\u{7f}/\"\\ é😀"
        let bytes = try Canonical.encode(["k": [text], "a": ["-1", "0"]])
        let end = try CanonicalReader.read(bytes) { r throws(CanonicalReader.Malformed) in try r.value(at: 0) }
        #expect(end == bytes.count)
        let numbers = try Canonical.encode([Int64.min, -1, 0, 7, Int64.max])
        #expect(
            try CanonicalReader.read(numbers) { r throws(CanonicalReader.Malformed) in try r.value(at: 0) }
                == numbers.count)
        #expect(JSONText.array([text]) == String(decoding: try Canonical.encode([text]), as: UTF8.self))
    }

    @Test func canonicalReaderBoundsIntegersAndNesting() throws {
        func unsigned(_ text: String) throws(CanonicalReader.Malformed) -> UInt64 {
            try CanonicalReader.read(Array(text.utf8)) { r throws(CanonicalReader.Malformed) in
                try r.unsigned(at: 0).value
            }
        }
        #expect(try unsigned("9007199254740991") == (1 << 53) - 1)
        for text in ["9007199254740992", "9223372036854775808", "18446744073709551615"] {
            let refusal = #expect(throws: CanonicalReader.Malformed.self) { try unsigned(text) }
            #expect(refusal?.reason.contains("2^53") == true, "\(text)")
        }
        func depth(_ levels: Int) -> [UInt8] {
            Array((String(repeating: "[", count: levels) + String(repeating: "]", count: levels)).utf8)
        }
        let deepest = depth(CanonicalReader.maxDepth + 1)
        #expect(
            try CanonicalReader.read(deepest) { r throws(CanonicalReader.Malformed) in try r.value(at: 0) }
                == deepest.count)
        // Far deeper than any stack would survive unbounded recursion through: refused at the bound.
        let hostile = depth(1_000_000)
        let refusal = #expect(throws: CanonicalReader.Malformed.self) {
            try CanonicalReader.read(hostile) { r throws(CanonicalReader.Malformed) in try r.value(at: 0) }
        }
        #expect(refusal?.offset == CanonicalReader.maxDepth + 1)
    }

    @Test func aChangeSetWithAnOutOfRangeLamportOrDeepDataIsMalformedBeforeItsHashIsChecked() throws {
        let (_, bytes) = try body()
        let text = String(decoding: bytes, as: UTF8.self)
        let lamport = try #require(text.firstRange(of: #""lamport":"#))
        let digits = text[lamport.upperBound...].prefix { $0.isNumber }
        let tooLarge = try replace(bytes, #""lamport":\#(digits),"#, #""lamport":9223372036854775807,"#)
        let refusal = #expect(throws: SyncError.self) { try ReceivedChangeSet(body: tooLarge) }
        #expect(refusal?.code == .malformed)
        #expect(refusal?.message.contains("2^53") == true)
        let data = try #require(text.firstRange(of: #""data":{"#))
        var deep = bytes
        let nested = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        deep.insert(
            contentsOf: Array(#""aaa":\#(nested),"#.utf8),
            at: text.utf8.distance(from: text.startIndex, to: data.upperBound))
        let deepRefusal = #expect(throws: SyncError.self) { try ReceivedChangeSet(body: deep) }
        #expect(deepRefusal?.code == .malformed)
        #expect(deepRefusal?.message.contains("bersarang") == true)
    }

    @Test func theStoreKeepsNoCopyOfADocumentItsLogGivesBackByteForByte() throws {
        let (world, bytes) = try body()
        let received = try ReceivedChangeSet(body: bytes)
        #expect(received.remote.rebuildable)
        let replica = try Fixture.newStore(clock: world.clock, node: "33.74.01-7")
        try replica.learn(try world.hubStorage.keys(node: nil))
        #expect(try SyncClient.apply([received], store: replica) == received.changeSet.events.count)
        let kept = try DatabaseQueue(path: replica.path).read { db in
            try Int.fetchOne(db, sql: "SELECT SUM(length(body)) FROM changeset")
        }
        #expect(kept == 0)
        let served = try replica.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 10)
        #expect(served.map(\.body) == [bytes])
    }

    @Test func aDocumentTheLogCannotGiveBackIsKeptAsItCame() throws {
        let (world, bytes) = try body()
        var remote = try ReceivedChangeSet(body: bytes).remote
        // The same events under a document with other bytes: the store must keep that document.
        remote = RemoteChangeSet(
            stored: {
                var s = remote.stored
                s.body = Array(#"{"other":"bytes"}"#.utf8)
                return s
            }(), events: remote.events)
        #expect(!remote.rebuildable)
        let replica = try Fixture.newStore(clock: world.clock, node: "33.74.01-7")
        #expect(try replica.applyRemote(remote) == .applied(events: remote.events.count))
        let served = try replica.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 10)
        #expect(served.map(\.body) == [Array(#"{"other":"bytes"}"#.utf8)])
    }
}

/// The Lamport lead margin: an accepted Lamport value can never push the receiver's clock so far
/// that its own later writes leave what the wire carries.
@Suite(.timeLimit(.minutes(10))) struct LamportMarginTests {
    @Test(arguments: [UInt64(1) << 53 - 1, ReceivedChangeSet.lamportLeadMargin + 100])
    func aLamportFarAheadOfTheReceiversClockIsRefusedAndTheHubStillWrites(lamport: UInt64) throws {
        let world = try SyncWorld()
        let kec = try world.kecamatan("33.74.01")
        try kec.register("SKTM")
        try ChangeSetSealer.sealPending(store: kec.store, identity: kec.identity)
        let stored = try #require(
            try kec.store.changeSets(partition: "33.74.01", node: "33.74.01", after: 0, limit: 1).first)
        var events = try Canonical.decode(SignedChangeSet.self, from: stored.body).events
        events[0].lamport = lamport
        let forged = try SignedChangeSet.seal(events, node: kec.identity, partition: "33.74.01", prev: nil)
        let received = try ReceivedChangeSet(body: try forged.encoded())

        let refusal = #expect(throws: SyncError.self) { _ = try world.service.push(received, from: kec.node) }
        #expect(refusal?.code == .malformed)
        #expect(refusal?.message.contains("lamport") == true)
        #expect(Problem(refusal!).status == 400)
        #expect(try world.hubStorage.lamportClock() < ReceivedChangeSet.lamportLeadMargin)

        // The hub's own writes go on, and so does the node's honest change set.
        var catalog = try world.hub.store.catalog()
        catalog.version += 1
        let published = try world.hub.store.publish(catalog: catalog, calendar: nil, officer: "Admin TI")
        #expect(published.allSatisfy { $0.lamport < ReceivedChangeSet.lamportLeadMargin })
        #expect(world.sync(kec).outcome.result == .inSync)
        #expect(try kec.store.catalog().version == catalog.version)
    }
}
