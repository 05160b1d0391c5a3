import Foundation
import SimpulDomain
import SimpulStore
import SimpulSync
import SimpulTestSupport
import Testing

/// The published wire format (`sync-schemas/`) and the Swift types agree: the schemas accept their
/// examples and refuse the broken ones, the Swift types read every valid example and verify its hashes
/// and signatures, and every kind of message a sync exchanges, captured here on an in-process transport,
/// validates against the schemas. What goes over real HTTP (TLS, libcurl, compression, the server's own
/// refusals) is captured and validated by `WireOverHTTPSTests` in SimpulIntegrationTests.
@Suite(.timeLimit(.minutes(10))) struct WireSchemaTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let schemas = repoRoot.appendingPathComponent("sync-schemas")
    static let validator = schemas.appendingPathComponent("validate.py").path

    /// Every message schema, by the name a capture gives it.
    static let messageSchemas: Set<String> = [
        "hub-info", "knowledge-request", "knowledge-response", "signed-change-set", "push-request", "push-response",
        "pull-request", "pull-response", "blob-status", "problem",
    ]

    @Test func theExamplesPassAndTheBrokenOnesFail() throws {
        try Self.requirePython()
        let run = try Self.python([Self.validator, "examples"])
        #expect(run.status == 0, "validate.py examples failed:\n\(run.output)")
        #expect(run.output.contains(" passed, 0 failed"), "\(run.output)")
    }

    @Test func theSwiftTypesReadEveryValidExampleAsWritten() throws {
        let manifest = try JSONDecoder().decode(
            Manifest.self, from: Data(contentsOf: Self.schemas.appendingPathComponent("examples/manifest.json")))
        let valid = manifest.examples.filter { $0.expect == "valid" }
        #expect(Set(valid.map(\.schema)).isSuperset(of: Self.messageSchemas))
        for example in valid {
            let bytes = [UInt8](try Data(contentsOf: Self.schemas.appendingPathComponent("examples/\(example.file)")))
            let decode = try #require(Self.roundTrips[example.schema], "no Swift type for schema \(example.schema)")
            let again: [UInt8]
            do {
                again = try decode(bytes)
            } catch {
                Issue.record("\(example.file): the Swift type does not read it: \(error)")
                continue
            }
            // Written back, the document says the same: the schema names no field the Swift type drops.
            let original = try Canonical.decode(JSONValue.self, from: bytes)
            let rewritten = try Canonical.decode(JSONValue.self, from: again)
            #expect(original == rewritten, "\(example.file) changes when Swift reads and writes it")
        }
    }

    @Test func theExampleHashesAndSignaturesVerifyInSwift() throws {
        let examples = Self.schemas.appendingPathComponent("examples")
        let key = try Canonical.decode(
            NodeKey.self, from: [UInt8](Data(contentsOf: examples.appendingPathComponent("node-key.json"))))
        // The examples are indented for reading; what travels is their canonical form.
        let signed = try Canonical.decode(
            SignedChangeSet.self,
            from: [UInt8](Data(contentsOf: examples.appendingPathComponent("signed-change-set.json"))))
        let received = try ReceivedChangeSet(body: try signed.encoded())
        var active = key
        active.revokedAt = nil
        try received.verify(key: { fp throws(SimpulError) in fp == active.fingerprint ? active : nil }, clock: 0)
        // The example key is revoked: the same change set is then refused.
        #expect(throws: SyncError.self) {
            try received.verify(key: { fp throws(SimpulError) in fp == key.fingerprint ? key : nil }, clock: 0)
        }

        let pulled = try PullResponse(
            decoding: Self.canonicalPullResponse(
                [UInt8](Data(contentsOf: examples.appendingPathComponent("pull-response.json")))))
        #expect(pulled.changeSets.count == 3)
        for body in pulled.changeSets {
            try ReceivedChangeSet(body: body).verify(
                key: { fp throws(SimpulError) in pulled.keys.first { $0.fingerprint == fp } }, clock: 0)
        }
        // The second change set of the kecamatan continues the first one's chain.
        let second = try Canonical.decode(
            ChangeSet.self, from: [UInt8](Data(contentsOf: examples.appendingPathComponent("change-set.json"))))
        #expect(second.prev == signed.hash)
        #expect(second.first == signed.changeSet.last + 1)
    }

    @Test(arguments: HubBackend.nodeStoreOnly) func everyMessageOfAnInProcessSyncSpeaksTheWireFormat(
        backend: HubBackend
    ) throws {
        try Self.requirePython()
        // SIMPUL_WIRE_CAPTURE=DIR keeps the capture in DIR (a new folder) to look at or to check another tool.
        let keep = ProcessInfo.processInfo.environment["SIMPUL_WIRE_CAPTURE"].flatMap { $0.isEmpty ? nil : $0 }
        let folder =
            keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("simpul-wire-\(UUID().uuidString)")
        try #require(
            !FileManager.default.fileExists(atPath: folder.path),
            "\(folder.path) exists; the capture needs a new folder")
        defer { if keep == nil { try? FileManager.default.removeItem(at: folder) } }
        let world = try SyncWorld(backend: backend)
        let capture = CapturingTransport(wrapping: InProcessTransport(hub: world.service), directory: folder)
        let clock = world.clock
        // Small change sets and pull answers, so the run has several of each and incomplete pulls.
        func sync(_ replica: Replica) -> SyncReport {
            SyncClient(
                store: replica.store, identity: replica.identity, transport: capture, logger: Fixture.logger,
                now: { clock.now() }, budget: 4096, maxPullBytes: 4096, blobChunkBytes: 16 * 1024
            ).run()
        }

        // A day at the counter: services done in the kecamatan, one paid and handed over, one forwarded.
        let kec = try world.kecamatan("33.74.01")
        let sktm = try kec.register("SKTM")
        try kec.processToHandover(sktm.number)
        let izin = try kec.register("IZIN-JALAN", nama: "Budi Santoso")
        try kec.processToHandover(izin.number)
        try kec.store.perform(.pay(amount: 25_000, receipt: ""), on: izin.number, officer: "Rina")
        try kec.store.perform(.advance(tahap: .penyerahan, note: "diambil sendiri"), on: izin.number, officer: "Ani")
        let pbg = try kec.register("PBG-KECIL", nama: "Ahmad Fauzi")
        // The scanned drawing goes with it, in several chunks.
        let scanFolder = Fixture.tempDirectory()
        try FileManager.default.createDirectory(atPath: scanFolder, withIntermediateDirectories: true)
        let scan = (scanFolder as NSString).appendingPathComponent("gambar.pdf")
        try Data((0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: scan))
        let drawing = try kec.store.attach(file: scan, to: pbg.number, syarat: "gambar", officer: "Sari")
        try kec.store.perform(.forward(note: "berkas lengkap"), on: pbg.number, officer: "Sari")
        let rejected = try kec.register("REK-KERAMAIAN", nama: "Dewi Lestari")
        try kec.store.perform(.reject(reason: "pengantar desa kedaluwarsa"), on: rejected.number, officer: "Budi")
        #expect(sync(kec).outcome.result == .inSync)
        #expect(try world.hubStorage.blob(drawing.attachment.sha256)?.complete == true)
        // A chunk sent again after the hub has the whole blob: refused with where the hub's copy ends.
        var resent = HTTPRequestMessage(
            method: "POST", path: BlobRoutes.chunks(drawing.attachment.sha256),
            headers: ["content-type": "application/octet-stream", "simpul-offset": "0", "simpul-size": "40000"],
            body: try kec.store.readBlob(drawing.attachment.sha256, offset: 0, count: 1_000))
        try RequestSignature.sign(&resent, identity: kec.identity, at: clock.now())
        let offset = try capture.send(resent)
        #expect(offset.status == 409)
        #expect(try Canonical.decode(Problem.self, from: offset.body).received == 40_000)

        // The hub publishes a new catalog and calendar, works on the forwarded file and decides it.
        var catalog = try world.hub.store.catalog()
        let i = try #require(catalog.services.firstIndex { $0.code == "IZIN-JALAN" })
        catalog.version = 2
        catalog.services[i].version = 2
        catalog.services[i].fee = .formula(rate: 1000, inputs: ["panjang_m", "lebar_m"], unit: "m2")
        let calendar = try WorkingDayCalendar.parse(
            tsv: "tanggal\tjenis\tketerangan\n2027-01-01\tlibur\tTahun Baru 2027 Masehi\n", source: "2027")
        _ = try world.hub.store.publish(catalog: catalog, calendar: calendar, officer: "Admin TI")
        try world.hub.store.perform(.ptspProgress(code: "10", note: nil), on: pbg.number, officer: "Rudi (PTSP)")
        try world.hub.store.perform(.decide(code: "50", fee: 100_000, note: nil), on: pbg.number, officer: "Kabid")
        #expect(sync(kec).outcome.result == .inSync)
        #expect(try kec.store.permohonan(pbg.number).fee == 100_000)
        #expect(try kec.store.catalog().version == 2)

        // Withdrawn at the counter while the PTSP approves: a conflict, then its settlement.
        let second = try kec.register("PBG-KECIL", nama: "Siti Rahayu")
        try kec.store.perform(.forward(note: nil), on: second.number, officer: "Sari")
        #expect(sync(kec).outcome.result == .inSync)
        try kec.store.perform(.withdraw(reason: "pemohon pindah rumah"), on: second.number, officer: "Sari")
        try world.hub.store.perform(.decide(code: "50", fee: 100_000, note: nil), on: second.number, officer: "Kabid")
        #expect(sync(kec).outcome.result == .inSync)
        let conflict = try #require(try world.hubStorage.conflicts(openOnly: true).first)
        try world.hub.store.perform(
            .settle(conflicts: [conflict.id], status: .ditarik, tahap: nil, note: "pemohon menarik; izin dibatalkan"),
            on: second.number, officer: "Rekonsiliator")
        #expect(sync(kec).outcome.result == .inSync)
        #expect(try kec.store.conflicts(openOnly: true).isEmpty)

        // Refusals: a change set signed with a key the hub never enrolled, a node the hub does not know,
        // a revoked node. (An altered change set is refused too, but validate.py rightly fails its hash.)
        let rogue = try NodeIdentity.create(node: kec.node, directory: Fixture.tempDirectory())
        let forged = try SignedChangeSet.seal(
            Array(try kec.store.history(sktm.number).prefix(1)), node: rogue, partition: "33.74.01", prev: nil)
        var push = HTTPRequestMessage(
            method: "POST", path: "/v2/push", headers: ["content-type": "application/json"],
            body: PushRequest.encode([try forged.encoded()]))
        try RequestSignature.sign(&push, identity: kec.identity, at: clock.now())
        let refused = try capture.send(push)
        #expect(refused.status == 422)
        #expect(try Canonical.decode(Problem.self, from: refused.body).code == "unknown-key")
        let stranger = try world.kecamatan("33.74.02", enroll: false)
        #expect(sync(stranger).outcome.result == .refused)
        try world.hubStorage.revoke(node: kec.node)
        #expect(sync(kec).outcome.result == .refused)

        let captured = Set(capture.files.map { String($0.dropFirst(5).dropLast(5)) })
        // A signed change set travels inside a push request, never alone.
        #expect(captured == Self.messageSchemas.subtracting(["signed-change-set"]), "captured: \(capture.files)")
        let run = try Self.python([Self.validator, "captured", folder.path])
        #expect(run.status == 0, "validate.py captured failed:\n\(run.output)")
        #expect(run.output.contains("\(capture.files.count) passed, 0 failed"), "\(run.output)")
    }

    // MARK: - Helpers

    struct Manifest: Decodable {
        struct Example: Decodable {
            var file: String
            var schema: String
            var expect: String
        }
        var examples: [Example]
    }

    /// For each schema, reads a document as its Swift type and writes it back canonically.
    static let roundTrips: [String: @Sendable ([UInt8]) throws -> [UInt8]] = [
        "hub-info": { try Canonical.encode(Canonical.decode(HubInfo.self, from: $0)) },
        "knowledge-request": { try Canonical.encode(Canonical.decode(KnowledgeRequest.self, from: $0)) },
        "knowledge-response": { try Canonical.encode(Canonical.decode(KnowledgeResponse.self, from: $0)) },
        "signed-change-set": { try Canonical.encode(Canonical.decode(SignedChangeSet.self, from: $0)) },
        "change-set": { try Canonical.encode(Canonical.decode(ChangeSet.self, from: $0)) },
        "wire-event": { try Canonical.encode(Canonical.decode(WireEvent.self, from: $0)) },
        "event-data": { try Canonical.encode(Canonical.decode(EventBody.self, from: $0)) },
        "push-request": { try PushRequest.encode(PushRequest.documents(canonicalPushRequest($0))) },
        "push-response": { try Canonical.encode(Canonical.decode(PushBatchResponse.self, from: $0)) },
        "pull-request": { try Canonical.encode(Canonical.decode(PullRequest.self, from: $0)) },
        "pull-response": { try PullResponse(decoding: canonicalPullResponse($0)).encoded() },
        "problem": { try Canonical.encode(Canonical.decode(Problem.self, from: $0)) },
        "node-key": { try Canonical.encode(Canonical.decode(NodeKey.self, from: $0)) },
        "version-vector": { try Canonical.encode(Canonical.decode(VersionVector.self, from: $0)) },
        "bundle-manifest": { try Canonical.encode(Canonical.decode(BundleManifest.self, from: $0)) },
        "bundle-reply-request": { try Canonical.encode(Canonical.decode(BundleReplyRequest.self, from: $0)) },
        "bundle-import-response": { try Canonical.encode(Canonical.decode(BundleImport.self, from: $0)) },
        "blob-status": { try Canonical.encode(Canonical.decode(BlobStatus.self, from: $0)) },
    ]

    /// A push request in its canonical form, as the agent writes it.
    static func canonicalPushRequest(_ bytes: [UInt8]) throws -> [UInt8] {
        struct Document: Decodable {
            var changeSets: [SignedChangeSet]
        }
        return PushRequest.encode(
            try Canonical.decode(Document.self, from: bytes).changeSets.map { try $0.encoded() })
    }

    /// A pull response in its canonical form, as the hub writes it.
    static func canonicalPullResponse(_ bytes: [UInt8]) throws -> [UInt8] {
        struct Document: Decodable {
            var changeSets: [SignedChangeSet]
            var keys: [NodeKey]
            var complete: Bool
        }
        let document = try Canonical.decode(Document.self, from: bytes)
        return try PullResponse(
            changeSets: try document.changeSets.map { try $0.encoded() }, keys: document.keys,
            complete: document.complete
        ).encoded()
    }

    struct ProcessResult {
        var status: Int32
        var output: String
    }

    /// Runs `python3` from the PATH with the arguments; stdout and stderr together.
    static func python(_ arguments: [String]) throws -> ProcessResult {
        let (ended, output, _) = try Child.run(
            "/usr/bin/env", ["python3"] + arguments, timeout: .seconds(120), mergingStderr: true)
        return ProcessResult(status: ended.status, output: String(decoding: output, as: UTF8.self))
    }

    /// Fails the test with what to install when python3 or its jsonschema package is missing.
    static func requirePython() throws {
        let check = try python(["-c", "import jsonschema, cryptography"])
        try #require(
            check.status == 0,
            """
            the wire-format tests need python3 with the jsonschema and cryptography packages (Debian: \
            python3-jsonschema and python3-cryptography, which 'make deps' installs; or pip install jsonschema \
            cryptography). /usr/bin/env python3 -c 'import jsonschema, cryptography' exited \(check.status): \
            \(check.output)
            """)
    }
}
