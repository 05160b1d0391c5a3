import Crypto
import Foundation
import SimpulDomain
import SimpulHubServer
import SimpulLinkSimulator
import SimpulStore
import SimpulSync
import SimpulTestSupport
import SimpulTransport
import Synchronization
import Testing

/// Attachments between a kecamatan and a real hub serving TLS on 127.0.0.1, with the link simulator
/// between them where the link must break: uploads and downloads resume at the byte where a drop
/// left them, and the hub takes only bytes that belong to the node and hash to their name.
@Suite(.timeLimit(.minutes(10))) struct BlobSyncTests {
    static let chunk = NodeStore.blobChunkBytes

    // MARK: - Uploads

    @Test(arguments: HubBackend.allCases) func aBlobUploadCutHalfwayResumesFromThatOffset(
        backend: HubBackend
    ) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("PBG-KECIL", nama: "Ahmad Fauzi")
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        // 17 chunks and a bit: a scanned PBG drawing.
        let content = Self.bytes(17 * Self.chunk + 1_234, seed: 1)
        let size = Int64(content.count)
        let attached = try kec.store.attach(
            file: try Self.file(content, name: "gambar-rencana.pdf"), to: p.number, syarat: "gambar", officer: "Sari")
        let sha = attached.attachment.sha256

        let hub = RecordingHub(world.service)
        let result = try await withHTTPSHub(hub) { port, ca in
            // A connection is cut once about half the blob has gone up; any connection libcurl opens to
            // retry is cut at once, so the run has to give up.
            let link = try LinkSimulator(upstreamPort: port, plan: Self.cutHalfwayThenAtOnce(size, .up))
            defer { link.stop() }
            let url = "https://127.0.0.1:\(link.port)"
            let first = RecordingTransport(CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger))
            let cut = Self.agent(world, kec, first).run()
            let received = try #require(try world.hubStorage.blob(sha)).received

            link.plan = .init()
            let upBefore = link.counters.bytesUp
            let seenBefore = hub.chunkOffsets.count
            let again = Self.agent(world, kec, CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger)).run()
            return (
                cut: cut, again: again, received: received, acknowledged: first.acknowledgedChunkEnd,
                resumedAt: hub.chunkOffsets.dropFirst(seenBefore).first, upInSecondRun: link.counters.bytesUp - upBefore
            )
        }

        #expect(result.cut.outcome.result == .linkFailure, "\(result.cut.outcome)")
        #expect(result.cut.outcome.exitCode == 75)
        // The hub kept whole chunks up to where the link broke: at least what the agent saw acknowledged,
        // never the whole blob.
        #expect(result.received % Int64(Self.chunk) == 0, "received \(result.received)")
        #expect(result.received >= result.acknowledged, "received \(result.received), acked \(result.acknowledged)")
        #expect(result.received > 0 && result.received < size, "received \(result.received) of \(size)")
        #expect(result.received >= size / 4, "a cut after half the blob left only \(result.received) bytes")
        // The second run starts exactly there and sends only the rest (plus requests and TLS).
        #expect(result.resumedAt == result.received)
        #expect(result.again.outcome.result == .inSync, "\(result.again.outcome)")
        #expect(result.again.uploaded == 1)
        #expect(result.upInSecondRun >= Int(size - result.received))
        #expect(result.upInSecondRun < Int(size - result.received) + 48 * 1024, "\(result.upInSecondRun) bytes up")
        #expect(result.again.bytesSent >= Int(size - result.received))
        let atHub = try #require(try world.hubStorage.blob(sha))
        #expect(atHub.complete && atHub.received == size)
        #expect(try world.hubHoldsBlob(sha))
        #expect(Self.sha(try world.hubStorage.readBlob(sha, offset: 0, count: content.count)) == sha)
        #expect(try kec.store.blob(sha)?.atHub == true)
        #expect(try kec.store.pendingUploads().isEmpty)
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
        #expect(try world.hubStorage.permohonan(p.number).attachments == [attached])
    }

    @Test(arguments: HubBackend.allCases) func aNodeMaySendOnlyBlobsItsOwnEventsNameAndReadOnlyItsPartitions(
        backend: HubBackend
    ) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let other = try world.kecamatan("33.74.02")
        let p = try kec.register("SKTM")
        let content = Self.bytes(5_000, seed: 2)
        let attached = try kec.store.attach(file: try Self.file(content), to: p.number, syarat: "ktp", officer: "Sari")
        let sha = attached.attachment.sha256
        let stray = Self.bytes(3_000, seed: 3)
        let answers = try await withHTTPSHub(world.service) { port, ca in
            let transport = CurlTransport(baseURL: "https://127.0.0.1:\(port)", caFile: ca, logger: Fixture.logger)
            // Before its change sets reach the hub, not even the writer may send the blob.
            let early = try Self.chunk(sha, offset: 0, content, as: kec, transport, world)
            let synced = Self.agent(world, kec, transport).run()
            return (
                early: early, synced: synced,
                stray: try Self.chunk(Self.sha(stray), offset: 0, stray, as: kec, transport, world),
                foreign: try Self.chunk(sha, offset: 0, content, as: other, transport, world),
                foreignRead: try Self.signed(
                    .init(method: "GET", path: BlobRoutes.blob(sha)), as: other, transport, world),
                foreignStatus: try Self.signed(
                    .init(method: "GET", path: BlobRoutes.status(sha)), as: other, transport, world),
                unsigned: try transport.send(.init(method: "GET", path: BlobRoutes.blob(sha))),
                badName: try Self.signed(.init(method: "GET", path: BlobRoutes.blob("ABC")), as: kec, transport, world)
            )
        }
        #expect(answers.early.status == 403)
        #expect(try Self.problem(answers.early).code == "forbidden-blob")
        #expect(answers.synced.outcome.result == .inSync)
        #expect(answers.synced.uploaded == 1)
        for refused in [answers.stray, answers.foreign, answers.foreignRead, answers.foreignStatus] {
            #expect(refused.status == 403)
            #expect(try Self.problem(refused).code == "forbidden-blob")
        }
        #expect(answers.unsigned.status == 401)
        #expect(answers.badName.status == 400)
        #expect(try world.hubStorage.blob(Self.sha(stray)) == nil)
        #expect(try world.hubStorage.blob(sha)?.complete == true)
    }

    @Test(arguments: HubBackend.allCases) func bytesThatDoNotHashToTheNameAreRefusedAndDiscarded(
        backend: HubBackend
    ) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("SKTM")
        let content = Self.bytes(3 * Self.chunk / 2, seed: 4)
        let attached = try kec.store.attach(file: try Self.file(content), to: p.number, syarat: nil, officer: "Sari")
        let sha = attached.attachment.sha256
        var damaged = content
        damaged[damaged.count - 1] ^= 0x01
        let forged = damaged
        let answers = try await withHTTPSHub(world.service) { port, ca in
            let transport = CurlTransport(baseURL: "https://127.0.0.1:\(port)", caFile: ca, logger: Fixture.logger)
            // The change sets go up; the blob does not (its requests never reach the hub).
            let pushed = Self.agent(world, kec, NoBlobs(transport)).run()
            let head = Array(forged[..<Self.chunk])
            let tail = Array(forged[Self.chunk...])
            return (
                pushed: pushed,
                skipped: try Self.chunk(sha, offset: Int64(Self.chunk), tail, as: kec, transport, world),
                wrongSize: try Self.chunk(
                    sha, offset: 0, head, as: kec, transport, world, size: Int64(content.count + 1)),
                head: try Self.chunk(sha, offset: 0, head, as: kec, transport, world, size: Int64(content.count)),
                heldAfterHead: try world.hubStorage.blob(sha),
                tail: try Self.chunk(
                    sha, offset: Int64(Self.chunk), tail, as: kec, transport, world, size: Int64(content.count)),
                heldAfterTail: try world.hubStorage.blob(sha),
                synced: Self.agent(world, kec, transport).run()
            )
        }
        #expect(answers.pushed.outcome.result == .linkFailure)
        #expect(try world.hubStorage.history(p.number).count == 2)
        #expect(answers.skipped.status == 409)
        let offset = try Self.problem(answers.skipped)
        #expect(offset.code == "blob-offset")
        #expect(offset.received == 0)
        #expect(answers.wrongSize.status == 422)
        #expect(try Self.problem(answers.wrongSize).code == "blob-size")
        #expect(answers.head.status == 200)
        #expect(answers.heldAfterHead?.received == Int64(Self.chunk))
        #expect(answers.tail.status == 422)
        #expect(try Self.problem(answers.tail).code == "blob-hash-mismatch")
        #expect(answers.heldAfterTail == nil)
        // The agent's own copy is sound, so the next run sends it whole from the start.
        #expect(answers.synced.outcome.result == .inSync, "\(answers.synced.outcome)")
        #expect(try world.hubHoldsBlob(sha))
    }

    // MARK: - Downloads

    @Test(arguments: HubBackend.allCases) func theHubServesABlobWithRangesAndADownloadCutHalfwayResumes(
        backend: HubBackend
    ) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("PBG-KECIL", nama: "Ahmad Fauzi")
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        let content = Self.bytes(9 * Self.chunk + 77, seed: 5)
        let size = Int64(content.count)
        let attached = try kec.store.attach(
            file: try Self.file(content), to: p.number, syarat: "bukti-tanah", officer: "Sari")
        let sha = attached.attachment.sha256
        let hub = RecordingHub(world.service)
        let result = try await withHTTPSHub(hub) { port, ca in
            let direct = CurlTransport(baseURL: "https://127.0.0.1:\(port)", caFile: ca, logger: Fixture.logger)
            let synced = Self.agent(world, kec, direct).run()
            let whole = try Self.signed(.init(method: "GET", path: BlobRoutes.blob(sha)), as: kec, direct, world)
            let rest = try Self.signed(
                .init(method: "GET", path: BlobRoutes.blob(sha), headers: ["range": "bytes=100000-"]), as: kec, direct,
                world)
            let beyond = try Self.signed(
                .init(method: "GET", path: BlobRoutes.blob(sha), headers: ["range": "bytes=\(size)-"]), as: kec, direct,
                world)
            // The node lost its copy (a restored disk): it fetches the blob back over a link that breaks.
            try kec.store.discardBlob(sha)
            let link = try LinkSimulator(upstreamPort: port, plan: Self.cutHalfwayThenAtOnce(size, .down))
            defer { link.stop() }
            let url = "https://127.0.0.1:\(link.port)"
            func downloader() -> BlobDownloader {
                BlobDownloader(
                    store: kec.store, identity: kec.identity,
                    transport: CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger),
                    now: { world.clock.now() })
            }
            var broke: BlobTransferError?
            do throws(BlobTransferError) { try downloader().fetch(sha256: sha, size: size) } catch { broke = error }
            let held = try kec.store.blob(sha)?.received ?? 0
            link.plan = .init()
            let downBefore = link.counters.bytesDown
            let rangesBefore = hub.ranges.count
            let fetched = try downloader().fetch(sha256: sha, size: size)
            return (
                synced: synced, whole: whole, rest: rest, beyond: beyond, broke: broke, held: held, fetched: fetched,
                resumedAt: hub.ranges.dropFirst(rangesBefore).first,
                downInSecondRun: link.counters.bytesDown - downBefore
            )
        }
        #expect(result.synced.outcome.result == .inSync)
        #expect(result.whole.status == 200)
        #expect(result.whole.body == content)
        #expect(result.whole.headers["content-type"] == "application/octet-stream")
        #expect(result.rest.status == 206)
        #expect(result.rest.headers["content-range"] == "bytes 100000-\(size - 1)/\(size)")
        #expect(result.rest.body == Array(content[100_000...]))
        #expect(result.beyond.status == 416)
        #expect(try Self.problem(result.beyond).code == "blob-range")

        #expect(result.broke?.code == .link, "\(String(describing: result.broke))")
        #expect(result.held % Int64(Self.chunk) == 0 && result.held > 0 && result.held < size, "held \(result.held)")
        let expectedRange = "bytes=\(result.held)-\(result.held + Int64(Self.chunk) - 1)"
        #expect(result.resumedAt == expectedRange)
        #expect(result.downInSecondRun >= Int(size - result.held))
        #expect(result.downInSecondRun < Int(size - result.held) + 48 * 1024, "\(result.downInSecondRun) bytes down")
        #expect(result.fetched.complete)
        #expect(try kec.store.readBlob(sha, offset: 0, count: content.count) == content)
        #expect(try kec.store.verifyBlob(sha))
    }

    @Test(arguments: HubBackend.allCases)
    func aNodeRestoredOverHTTPSEndsWithTheAttachmentBytesAndADownloadCutHalfwayResumes(backend: HubBackend) async throws
    {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("PBG-KECIL", nama: "Ahmad Fauzi")
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        // 12 chunks and a bit: a land title scanned in colour.
        let content = Self.bytes(12 * Self.chunk + 4_321, seed: 6)
        let size = Int64(content.count)
        let attached = try kec.store.attach(
            file: try Self.file(content, name: "sertifikat.pdf"), to: p.number, syarat: "bukti-tanah", officer: "Sari")
        let sha = attached.attachment.sha256
        let directory = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: world.clock, node: "33.74.01", directory: directory)
        let identity = try NodeIdentity.create(node: kec.node, directory: directory)
        try store.setHub(HubConfig(url: "set by the test", caFile: nil))
        let restored = Replica(store: store, identity: identity)

        let hub = RecordingHub(world.service)
        let result = try await withHTTPSHub(hub) { port, ca in
            let direct = CurlTransport(baseURL: "https://127.0.0.1:\(port)", caFile: ca, logger: Fixture.logger)
            let uploaded = Self.agent(world, kec, direct).run()
            // Then the disk of the kecamatan PC dies; a new one is set up with a new key the IT officer
            // enrolls in place of the old.
            try world.enroll(identity)
            // A connection of the restore is cut once about half the scan has come down (the pull's answer
            // is a few KB); a connection libcurl opens to retry is cut at once.
            let link = try LinkSimulator(upstreamPort: port, plan: Self.cutHalfwayThenAtOnce(size, .down))
            defer { link.stop() }
            let url = "https://127.0.0.1:\(link.port)"
            let cut = Self.agent(world, restored, CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger)).run()
            let held = try store.blob(sha)?.received ?? 0
            link.plan = .init()
            let downBefore = link.counters.bytesDown
            let rangesBefore = hub.ranges.count
            let again = Self.agent(world, restored, CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger))
                .run()
            return (
                uploaded: uploaded, cut: cut, held: held, again: again,
                ranges: Array(hub.ranges.dropFirst(rangesBefore)), downInSecondRun: link.counters.bytesDown - downBefore
            )
        }
        #expect(result.uploaded.outcome.result == .inSync)
        #expect(result.uploaded.uploaded == 1)

        #expect(result.cut.outcome.result == .linkFailure, "\(result.cut.outcome)")
        #expect(result.cut.outcome.exitCode == 75)
        // The pull was applied before the cut, and every chunk that came whole is kept.
        #expect(result.cut.pulled == (try kec.store.eventCount()))
        #expect(try store.permohonan(p.number).attachments == [attached])
        #expect(result.held % Int64(Self.chunk) == 0, "held \(result.held)")
        #expect(result.held > 0 && result.held < size, "held \(result.held) of \(size)")
        #expect(result.held >= size / 4, "a cut after half the scan left only \(result.held) bytes")

        // The next run asks only for what is missing, from the byte the store holds, chunk by chunk.
        #expect(result.again.outcome.result == .inSync, "\(result.again.outcome)")
        #expect(result.again.downloaded == 1)
        #expect(result.again.pulled == 0)
        #expect(result.ranges.first == "bytes=\(result.held)-\(result.held + Int64(Self.chunk) - 1)")
        #expect(result.ranges.count == Int((size - result.held + Int64(Self.chunk) - 1) / Int64(Self.chunk)))
        #expect(result.downInSecondRun >= Int(size - result.held))
        #expect(result.downInSecondRun < Int(size - result.held) + 48 * 1024, "\(result.downInSecondRun) bytes down")
        #expect(result.again.bytesReceived >= Int(size - result.held))
        #expect(try store.verifyBlob(sha))
        #expect(try store.readBlob(sha, offset: 0, count: content.count) == content)
        #expect(try store.blob(sha)?.atHub == true)
        #expect(try store.pendingUploads().isEmpty)
        #expect(try world.hubMatches(store, partition: "33.74.01"))
    }

    /// A letter the operator made travels like a scan: its event, then its PDF, to the hub.
    @Test(arguments: HubBackend.allCases)
    func aLetterMadeAtTheOperatorStepReachesTheHubWithItsNomorSuratOverHTTPS(backend: HubBackend) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("SKTM", nama: "Sri Rahayu")
        while try kec.store.permohonan(p.number).tahap != .operatorStep {
            try kec.store.perform(.advance(tahap: nil, note: nil), on: p.number, officer: "Budi")
        }
        let template = LetterTemplate(
            klasifikasi: "400", title: "SURAT KETERANGAN TIDAK MAMPU",
            lines: ["Nama\t{{nama}}", "", "Nomor {{nomor_surat}}."])
        let made = try kec.store.makeLetter(for: p.number, template: template, by: .typed("Budi"))
        let sha = made.file.attachment.sha256
        let report = try await withHTTPSHub(world.service) { port, ca in
            Self.agent(
                world, kec, CurlTransport(baseURL: "https://127.0.0.1:\(port)", caFile: ca, logger: Fixture.logger)
            ).run()
        }
        #expect(report.outcome.result == .inSync, "\(report.outcome)")
        #expect(report.uploaded == 1)
        let atHub = try world.hubStorage.permohonan(p.number)
        #expect(atHub.letter?.attachment.letterNumber == made.number.text)
        #expect(made.number.text == "400/0001/33.74.01/2026")
        let blob = try #require(try world.hubStorage.blob(sha))
        #expect(blob.received == made.file.attachment.size)
        #expect(try world.hubHoldsBlob(sha))
        let bytes = try world.hubStorage.readBlob(sha, offset: 0, count: Int(made.file.attachment.size))
        #expect(bytes.starts(with: Array("%PDF-1.4".utf8)))
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
    }

    @Test(arguments: HubBackend.allCases)
    func theIssuedDocumentTheHubAttachesComesDownToTheCounterOverHTTPS(backend: HubBackend) async throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("PBG-KECIL", nama: "Ahmad Fauzi")
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        let content = Self.bytes(3 * Self.chunk + 777, seed: 9)
        let result = try await withHTTPSHub(world.service) { port, ca in
            let transport = CurlTransport(baseURL: "https://127.0.0.1:\(port)", caFile: ca, logger: Fixture.logger)
            defer { transport.closeIdleConnections() }
            let forwarded = Self.agent(world, kec, transport).run()
            try world.hubStorage.perform(.decide(code: "50", fee: 150_000, note: nil), on: p.number, officer: "Kabid")
            let issued = try world.hubStorage.attachIssued(
                file: try Self.file(content, name: "izin-pbg.pdf"), to: p.number, issuedNumber: "503/0123/DPMPTSP/2026",
                officer: "Rina")
            let back = Self.agent(world, kec, transport).run()
            return (forwarded, issued, back)
        }
        let (forwarded, issued, back) = result
        #expect(forwarded.outcome.result == .inSync)
        #expect(back.outcome.result == .inSync, "\(back.outcome)")
        #expect(back.downloaded == 1)
        #expect(back.uploaded == 0)
        let atCounter = try kec.store.permohonan(p.number)
        #expect(atCounter.tahap == .penyerahan)
        #expect(atCounter.issuedDocument == issued)
        #expect(issued.dot.node == "33.74")
        let sha = issued.attachment.sha256
        #expect(try kec.store.readBlob(sha, offset: 0, count: content.count) == content)
        #expect(try kec.store.verifyBlob(sha))
        // The counter never offers the hub's own document back to it.
        #expect(try kec.store.pendingUploads().isEmpty)
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))
    }

    @Test func aKecamatanCannotAttachAnIssuedDocumentNorTheHubAScan() throws {
        let world = try SyncWorld()
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("PBG-KECIL")
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        #expect(world.sync(kec).outcome.result == .inSync)
        try world.hub.store.perform(.decide(code: "50", fee: 1_000, note: nil), on: p.number, officer: "Kabid")
        #expect(world.sync(kec).outcome.result == .inSync)
        let pdf = try Self.file(Self.bytes(2_000, seed: 3), name: "izin-palsu.pdf")
        let before = try kec.store.eventCount()
        let forged = try #require(throws: SimpulError.self) {
            try kec.store.attach(file: pdf, to: p.number, syarat: nil, issuedNumber: "503/9/2026", by: .typed("Sari"))
        }
        #expect(forged.message.contains("hanya dilampirkan PTSP"), "\(forged.message)")
        #expect(try kec.store.eventCount() == before)
        #expect(try kec.store.blob(Self.sha(Self.bytes(2_000, seed: 3))) == nil)
        let hubBefore = try world.hubEventCount()
        let scan = try #require(throws: SimpulError.self) {
            try world.hub.store.attach(file: pdf, to: p.number, syarat: "ktp", by: .typed("Rina"))
        }
        #expect(scan.message.contains("hub hanya melampirkan dokumen terbit"), "\(scan.message)")
        #expect(try world.hubEventCount() == hubBefore)
    }

    // MARK: - Helpers

    /// Cuts a connection once half of `size` has crossed it in `direction`, then every later connection at
    /// once, so that the run has to give up. The cuts are handed out in turn: a connection the agent left
    /// earlier for reasons of its own (a deadline passed on a machine loaded by the parallel suite) does not
    /// take the half-way cut, and the one that carries on does.
    static func cutHalfwayThenAtOnce(_ size: Int64, _ direction: LinkSimulator.Direction) -> LinkSimulator.Plan {
        let atOnce = Array(repeating: LinkSimulator.Fault.cut(afterBytes: 0), count: 16)
        return .init(faultsInTurn: [.cut(afterBytes: Int(size / 2), in: direction)] + atOnce)
    }

    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    static func sha(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    static func file(_ bytes: [UInt8], name: String = "pindaian.pdf") throws -> String {
        let dir = Fixture.tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func agent(_ world: SyncWorld, _ replica: Replica, _ transport: any SyncTransport) -> SyncClient {
        SyncClient(
            store: replica.store, identity: replica.identity, transport: transport, logger: Fixture.logger,
            now: { world.clock.now() })
    }

    static func signed(
        _ request: HTTPRequestMessage, as replica: Replica, _ transport: any SyncTransport, _ world: SyncWorld
    ) throws -> HTTPResponseMessage {
        var r = request
        try RequestSignature.sign(&r, identity: replica.identity, at: world.clock.now(), host: transport.host)
        return try transport.send(r)
    }

    static func chunk(
        _ sha: String, offset: Int64, _ bytes: [UInt8], as replica: Replica, _ transport: any SyncTransport,
        _ world: SyncWorld, size: Int64? = nil
    ) throws -> HTTPResponseMessage {
        try signed(
            .init(
                method: "POST", path: BlobRoutes.chunks(sha),
                headers: [
                    "content-type": "application/octet-stream", "simpul-offset": String(offset),
                    "simpul-size": String(size ?? Int64(bytes.count) + offset),
                ], body: bytes), as: replica, transport, world)
    }

    static func problem(_ response: HTTPResponseMessage) throws -> Problem {
        try Canonical.decode(Problem.self, from: response.body)
    }
}

/// The hub, noting where each blob chunk that reaches it starts and each Range asked for.
final class RecordingHub: HubRequestHandler {
    let inner: HubService
    private let seen = Mutex<(offsets: [Int64], ranges: [String])>(([], []))

    init(_ inner: HubService) { self.inner = inner }

    var chunkOffsets: [Int64] { seen.withLock { $0.offsets } }
    var ranges: [String] { seen.withLock { $0.ranges } }

    func handle(_ request: HTTPRequestMessage) async -> HTTPResponseMessage {
        if request.path.hasSuffix("/chunks"), let offset = request.headers["simpul-offset"].flatMap(Int64.init) {
            seen.withLock { $0.offsets.append(offset) }
        }
        if let range = request.headers["range"] { seen.withLock { $0.ranges.append(range) } }
        return await inner.handle(request)
    }
}

/// The agent's transport, noting how far the chunks it saw acknowledged reach.
final class RecordingTransport: SyncTransport {
    let inner: any SyncTransport
    private let acknowledged = Mutex<Int64>(0)

    init(_ inner: any SyncTransport) { self.inner = inner }
    var host: String { inner.host }

    var acknowledgedChunkEnd: Int64 { acknowledged.withLock { $0 } }

    func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage {
        let response = try inner.send(request)
        if request.path.hasSuffix("/chunks"), response.status == 200,
            let offset = request.headers["simpul-offset"].flatMap(Int64.init)
        {
            let length = WireLog.decodedSize(request)
            acknowledged.withLock { $0 = max($0, offset + Int64(length)) }
        }
        return response
    }
}

/// A link that carries everything but blob requests, which it drops.
struct NoBlobs: SyncTransport {
    let inner: any SyncTransport
    init(_ inner: any SyncTransport) { self.inner = inner }
    var host: String { inner.host }

    func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage {
        guard !request.path.hasPrefix(BlobRoutes.prefix) else { throw TransportError(.stalled, "connection dropped") }
        return try inner.send(request)
    }
}
