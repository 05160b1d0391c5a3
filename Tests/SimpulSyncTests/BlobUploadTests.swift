import Foundation
import GRDB
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Synchronization
import Testing

@testable import SimpulSync

/// The agent's uploads against the hub's real code in this process: what goes up, when, and what
/// happens when a blob is refused.
@Suite(.timeLimit(.minutes(10))) struct BlobUploadTests {
    static func scan(_ count: Int, seed: UInt8) throws -> String {
        let dir = Fixture.tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent("pindaian-\(seed).pdf")
        try Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }).write(
            to: URL(fileURLWithPath: path))
        return path
    }

    static func sync(_ world: SyncWorld, _ replica: Replica, _ transport: any SyncTransport) -> SyncReport {
        SyncClient(
            store: replica.store, identity: replica.identity, transport: transport, logger: Fixture.logger,
            now: { world.clock.now() }, blobChunkBytes: 10_000
        ).run()
    }

    @Test(arguments: HubBackend.allCases) func blobsGoUpInChunksOnceAndAreNotAskedAboutAgain(backend: HubBackend) throws
    {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("PBG-KECIL")
        let ktp = try kec.store.attach(
            file: try Self.scan(25_000, seed: 1), to: p.number, syarat: "ktp", officer: "Sari")
        let tanah = try kec.store.attach(
            file: try Self.scan(9_999, seed: 2), to: p.number, syarat: "bukti-tanah", officer: "Sari")
        try kec.store.perform(.forward(note: nil), on: p.number, officer: "Sari")
        let counting = Counting(InProcessTransport(hub: world.service))
        let first = Self.sync(world, kec, counting)
        #expect(first.outcome.result == .inSync, "\(first.outcome)")
        #expect(first.uploaded == 2)
        #expect(first.outcome.message.contains("2 lampiran terkirim"))
        // Counted as sent: the agent compresses a body before it signs it, and these scans compress well.
        #expect(first.bytesSent > 0 && first.bytesSent < 25_000 + 9_999)
        // 3 chunks of the first, 1 of the second, and a status question each.
        #expect(counting.blobRequests == 6)
        for f in [ktp, tanah] {
            #expect(try world.hubStorage.blob(f.attachment.sha256)?.complete == true)
            #expect(try world.hubHoldsBlob(f.attachment.sha256))
            #expect(try kec.store.blob(f.attachment.sha256)?.atHub == true)
        }
        #expect(try world.hubStorage.permohonan(p.number).attachments == [ktp, tanah])
        #expect(try world.hubMatches(kec.store, partition: "33.74.01"))

        let again = Self.sync(world, kec, counting)
        #expect(again.outcome.result == .inSync)
        #expect(again.outcome.message == "sinkron: 0 change set terkirim, 0 event diterima")
        #expect(counting.blobRequests == 6)
    }

    @Test(arguments: HubBackend.allCases) func aDamagedLocalCopyIsDroppedAndTheRunStillPullsButEndsRejected(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let forwarded = try kec.register("PBG-KECIL")
        try kec.store.perform(.forward(note: nil), on: forwarded.number, officer: "Sari")
        #expect(world.sync(kec).outcome.result == .inSync)
        try world.hubStorage.perform(
            .decide(code: "50", fee: 50_000, note: nil), on: forwarded.number, officer: "Kabid")

        let p = try kec.register("SKTM")
        let scan = try kec.store.attach(
            file: try Self.scan(15_000, seed: 3), to: p.number, syarat: nil, officer: "Sari")
        // A bit flips on the disk of the kecamatan PC.
        try DatabaseQueue(path: kec.store.path).write { db in
            try db.execute(
                sql: "UPDATE blob_chunk SET bytes = zeroblob(length(bytes)) WHERE sha256 = ?",
                arguments: [scan.attachment.sha256])
        }
        let report = Self.sync(world, kec, InProcessTransport(hub: world.service))
        #expect(report.outcome.result == .rejected)
        #expect(report.outcome.exitCode == 65)
        #expect(report.outcome.message.contains("rusak di node ini"), "\(report.outcome.message)")
        // The decision still came back, and the damaged copy is gone from both sides.
        #expect(try kec.store.permohonan(forwarded.number).tahap == .penyerahan)
        #expect(try kec.store.blob(scan.attachment.sha256) == nil)
        #expect(try world.hubStorage.blob(scan.attachment.sha256) == nil)
        #expect(try kec.store.pendingUploads().isEmpty)
        // Attached again from the original file, the bytes come back without a second event and go up.
        let events = try kec.store.eventCount()
        let again = try kec.store.attach(
            file: try Self.scan(15_000, seed: 3), to: p.number, syarat: nil, officer: "Sari")
        #expect(again == scan)
        #expect(try kec.store.eventCount() == events)
        #expect(try kec.store.verifyBlob(scan.attachment.sha256))
        #expect(Self.sync(world, kec, InProcessTransport(hub: world.service)).outcome.result == .inSync)
        #expect(try world.hubStorage.blob(scan.attachment.sha256)?.complete == true)
    }

    @Test(arguments: HubBackend.allCases) func aSubNodeUploadsWhatItAttachedAndTheKecamatanDoesNotSendIt(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let laptop = try world.kecamatan("33.74.01-1")
        let p = try laptop.register("SKTM")
        let scan = try laptop.store.attach(
            file: try Self.scan(12_000, seed: 4), to: p.number, syarat: "ktp", officer: "Joko")
        #expect(Self.sync(world, laptop, InProcessTransport(hub: world.service)).uploaded == 1)
        let report = Self.sync(world, kec, InProcessTransport(hub: world.service))
        #expect(report.outcome.result == .inSync)
        #expect(report.uploaded == 0)
        #expect(try kec.store.permohonan(p.number).attachments == [scan])
        // The kecamatan pulled the attachment and, in the same run, fetched its bytes from the hub;
        // they are the laptop's, so nothing of them goes up from here.
        #expect(report.downloaded == 1)
        #expect(try kec.store.verifyBlob(scan.attachment.sha256))
        #expect(try kec.store.pendingUploads().isEmpty)
        // Fetching a blob held complete costs no request.
        let counting = Counting(InProcessTransport(hub: world.service))
        try BlobDownloader(
            store: kec.store, identity: kec.identity, transport: counting, now: { world.clock.now() },
            chunkBytes: 5_000
        ).fetch(sha256: scan.attachment.sha256, size: scan.attachment.size)
        #expect(counting.blobRequests == 0)
    }
}

/// Counts the blob requests that pass.
final class Counting: SyncTransport {
    let inner: any SyncTransport
    private let count = Mutex(0)
    init(_ inner: any SyncTransport) { self.inner = inner }
    var host: String { inner.host }
    var blobRequests: Int { count.withLock { $0 } }

    func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage {
        if request.path.hasPrefix(BlobRoutes.prefix) { count.withLock { $0 += 1 } }
        return try inner.send(request)
    }
}
