import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// A stolen laptop with a valid enrolled key sends what no honest agent would: each attack class is
/// refused with its code, the hub answers another node afterwards, and the store is as before.
@Suite(.timeLimit(.minutes(10))) struct WireBoundsTests {
    static func post(
        _ world: SyncWorld, _ replica: Replica, _ path: String, _ body: [UInt8], headers: [String: String] = [:]
    ) throws -> HTTPResponseMessage {
        var request = HTTPRequestMessage(method: "POST", path: path, headers: headers, body: body)
        try RequestSignature.sign(&request, identity: replica.identity, at: world.clock.now())
        return world.service.respond(request)
    }

    static func get(
        _ world: SyncWorld, _ replica: Replica, _ path: String, headers: [String: String] = [:]
    ) throws -> HTTPResponseMessage {
        var request = HTTPRequestMessage(method: "GET", path: path, headers: headers, body: [])
        try RequestSignature.sign(&request, identity: replica.identity, at: world.clock.now())
        return world.service.respond(request)
    }

    static func problem(_ response: HTTPResponseMessage) throws -> Problem {
        try Canonical.decode(Problem.self, from: response.body)
    }

    /// What the hub holds, as a digest that any write would change.
    static func digest(_ world: SyncWorld) throws -> String {
        let s = world.hub.store
        return "\(try s.eventCount()) \(try s.parkedBodies().count) \(try s.peerKnowledge("33.74.01")) "
            + "\(try s.knowledge()) \(try s.stateDump(partition: "33.74.01"))"
    }

    /// The hub still serves an honest node after the attack.
    static func stillAnswers(_ world: SyncWorld, _ honest: Replica) throws {
        try honest.register("SKTM", nama: "Budi")
        #expect(world.sync(honest).outcome.result == .inSync)
    }

    @Test func aPullWithASeqBeyondTwoToTheFiftyThreeIsMalformedNamingTheField() throws {
        let world = try SyncWorld()
        let thief = try world.kecamatan("33.74.01")
        let honest = try world.kecamatan("33.74.02")
        try thief.register("SKTM")
        #expect(world.sync(thief).outcome.result == .inSync)
        let before = try Self.digest(world)
        for seq in ["18446744073709551615", "9223372036854775808", "9007199254740992"] {
            let body = Array(#"{"knowledge":{"33.74.01":{"33.74.01":\#(seq)}},"maxBytes":65536}"#.utf8)
            let answer = try Self.post(world, thief, "/v2/pull", body)
            #expect(answer.status == 400)
            let p = try Self.problem(answer)
            #expect(p.code == "malformed")
            #expect(p.detail.contains("knowledge.33.74.01.33.74.01"), "\(p.detail)")
        }
        for maxBytes in ["-1", "9007199254740992"] {
            let body = Array(#"{"knowledge":{},"maxBytes":\#(maxBytes)}"#.utf8)
            let p = try Self.problem(try Self.post(world, thief, "/v2/pull", body))
            #expect(p.code == "malformed")
            #expect(p.detail.contains("maxBytes"))
        }
        #expect(try Self.digest(world) == before)
        try Self.stillAnswers(world, honest)
    }

    @Test func aBundleCarryingKnowledgeBeyondTheBoundIsRefusedBeforeTheStore() throws {
        #expect(throws: SyncError.self) {
            try WireBounds.check(["33.74.01": VersionVector(["33.74.01": UInt64.max])], field: "knowledge")
        }
        try WireBounds.check(["33.74.01": VersionVector(["33.74.01": WireBounds.maxSeq])], field: "knowledge")
        // The store refuses it too, rather than trapping where it becomes a signed column.
        let world = try SyncWorld()
        #expect(throws: SimpulError.self) {
            try world.hubStorage.setPeerKnowledge("33.74.01", ["33.74.01": VersionVector(["33.74.01": UInt64.max])])
        }
    }

    @Test func blobChunksWithHostileOffsetsAndSizesAreRefusedNeverTrapped() throws {
        let world = try SyncWorld()
        let thief = try world.kecamatan("33.74.01")
        let honest = try world.kecamatan("33.74.02")
        let p = try thief.register("PBG-KECIL")
        let bytes = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let file = (Fixture.tempDirectory() as NSString).appendingPathComponent("scan.pdf")
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let scan = try thief.store.attach(file: file, to: p.number, syarat: nil, officer: "Sari")
        // Only the change sets go up: the blob is then the thief's to send.
        #expect(world.sync(thief).outcome.result == .inSync)
        try world.hub.store.discardBlob(scan.attachment.sha256)
        let before = try Self.digest(world)
        let path = BlobRoutes.chunks(scan.attachment.sha256)
        let cases: [(offset: String, size: String, body: [UInt8], status: Int, code: String)] = [
            ("9223372036854775807", "5000", [1, 2, 3], 416, "blob-range"),
            ("9223372036854775000", "9223372036854775807", Array(repeating: 0, count: 2_000), 416, "blob-range"),
            ("4999", "5000", [1, 2], 416, "blob-range"),
            ("-1", "5000", [1], 400, "malformed"),
            ("0", "-5", [1], 400, "malformed"),
            ("0", "9223372036854775808", [1], 400, "malformed"),
            (String(repeating: "0", count: 100), "5000", [1], 400, "malformed"),
            ("0", "6000", [1], 422, "blob-size"),
        ]
        for c in cases {
            let answer = try Self.post(
                world, thief, path, c.body,
                headers: ["content-type": BlobRoutes.octetStream, "simpul-offset": c.offset, "simpul-size": c.size])
            #expect(answer.status == c.status, "\(c.offset) \(c.size)")
            #expect(try Self.problem(answer).code == c.code, "\(c.offset) \(c.size)")
        }
        #expect(try world.hubStorage.blob(scan.attachment.sha256) == nil)
        #expect(try Self.digest(world) == before)
        // The store's own check holds without the endpoint's: checked arithmetic, not a trap.
        #expect(throws: BlobError.self) {
            try world.hub.store.appendBlobChunk(
                sha256: scan.attachment.sha256, offset: .max, bytes: [1, 2], totalSize: 5_000)
        }
        #expect(try world.hubStorage.readBlob(scan.attachment.sha256, offset: 0, count: .max).isEmpty)
        try Self.stillAnswers(world, honest)
        // The owner's real upload still goes through, and a hostile Range is bounded.
        let whole = try Self.post(
            world, thief, path, bytes,
            headers: ["content-type": BlobRoutes.octetStream, "simpul-offset": "0", "simpul-size": "5000"])
        #expect(whole.status == 200)
        #expect(try world.hubStorage.blob(scan.attachment.sha256)?.complete == true)
        for range in ["bytes=0-9223372036854775807", "bytes=" + String(repeating: "9", count: 200) + "-"] {
            let answer = try Self.get(world, thief, BlobRoutes.blob(scan.attachment.sha256), headers: ["range": range])
            #expect([200, 206].contains(answer.status), "\(range)")
            #expect(answer.body == bytes)
        }
        let past = try Self.get(
            world, thief, BlobRoutes.blob(scan.attachment.sha256), headers: ["range": "bytes=9223372036854775806-"])
        #expect(past.status == 416)
    }

    @Test func aFalseDeclarationOfAnotherNodesBlobNeitherReadsItNorBlocksItsOwner() throws {
        let world = try SyncWorld()
        let owner = try world.kecamatan("33.74.01")
        let sibling = try world.kecamatan("33.74.01-1")
        let thief = try world.kecamatan("33.74.02")
        let bytes = (0..<30_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let dir = Fixture.tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = (dir as NSString).appendingPathComponent("ktp.pdf")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        // The thief learnt the SHA-256 and size and declares the document in its own partition first,
        // then starts an upload of garbage it cannot finish.
        let fake = try thief.register("SKTM")
        let forged = try thief.store.attach(file: file, to: fake.number, syarat: nil, officer: "Maling")
        try thief.store.discardBlob(forged.attachment.sha256)
        #expect(world.sync(thief).outcome.result == .inSync)
        let sha = forged.attachment.sha256
        let garbage = try Self.post(
            world, thief, BlobRoutes.chunks(sha), Array(repeating: 0, count: 1_000),
            headers: ["content-type": BlobRoutes.octetStream, "simpul-offset": "0", "simpul-size": "30000"])
        #expect(garbage.status == 200)

        // The owner attaches the same document and syncs: its upload is not blocked.
        let p = try owner.register("SKTM")
        _ = try owner.store.attach(file: file, to: p.number, syarat: nil, officer: "Sari")
        let report = world.sync(owner)
        #expect(report.outcome.result == .inSync, "\(report.outcome)")
        #expect(try world.hubStorage.blob(sha)?.complete == true)
        #expect(try world.hubHoldsBlob(sha))
        #expect(try world.hubStorage.blobOwner(sha) == "33.74.01")

        // The thief's own declaration does not let it read the owner's bytes.
        let read = try Self.get(world, thief, BlobRoutes.blob(sha))
        #expect(read.status == 403)
        #expect(try Self.problem(read).code == "forbidden-blob")
        // The owner's partition reads it: a sub-node downloads it after a pull.
        let pulled = world.sync(sibling)
        #expect(pulled.outcome.result == .inSync, "\(pulled.outcome)")
        #expect(try sibling.store.verifyBlob(sha))
    }

    @Test func aReplyBundleIsOnlyForTheCallerOrANodeItRelayedFor() throws {
        let world = try SyncWorld()
        let kec = try world.kecamatan("33.74.01")
        let thief = try world.kecamatan("33.74.02")
        try kec.register("SKTM")
        #expect(world.sync(kec).outcome.result == .inSync)
        let before = try world.hubStorage.contacts().count
        let answer = try Self.post(
            world, thief, "/v2/bundles/reply", try Canonical.encode(BundleReplyRequest(node: "33.74.01")))
        #expect(answer.status == 403)
        #expect(try Self.problem(answer).code == "forbidden-read")
        #expect(try world.hubStorage.contacts().count == before)
        let own = try Self.post(
            world, kec, "/v2/bundles/reply", try Canonical.encode(BundleReplyRequest(node: "33.74.01")))
        #expect(own.status == 200)
        try Self.stillAnswers(world, try world.kecamatan("33.74.03"))
    }

    @Test func aPullAnswerWithAHugeCountOrDeepNestingIsRefusedByTheAgent() throws {
        let many =
            "{\"changeSets\":["
            + Array(repeating: "0", count: WireBounds.maxPullChangeSets + 1).joined(
                separator: ",") + "],\"complete\":true,\"keys\":[]}"
        #expect(throws: SyncError.self) { try PullResponse(decoding: Array(many.utf8)) }
        let deep =
            "{\"changeSets\":[" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
            + "],\"complete\":true,\"keys\":[]}"
        #expect(throws: SyncError.self) { try PullResponse(decoding: Array(deep.utf8)) }
    }
}
