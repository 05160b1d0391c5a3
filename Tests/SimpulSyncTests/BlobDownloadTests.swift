import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Synchronization
import Testing

@testable import SimpulSync

/// The agent's downloads against the hub's real code in this process: after the pull, a sync fetches
/// the bytes of the attachments its partition names and it lacks, skips those the hub does not hold
/// complete yet, and stops between chunks when asked to.
@Suite(.timeLimit(.minutes(10))) struct BlobDownloadTests {
    /// A link that carries everything but blob requests, which it drops.
    struct WithoutBlobs: SyncTransport {
        let inner: any SyncTransport
        var host: String { inner.host }
        func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage {
            guard !request.path.hasPrefix(BlobRoutes.prefix) else {
                throw TransportError(.stalled, "connection dropped")
            }
            return try inner.send(request)
        }
    }

    /// Notes every Range asked for; asks the run to stop once the first ranged answer has come back.
    final class Ranges: SyncTransport {
        let inner: any SyncTransport
        let stopAfterFirst: SyncMonitor?
        var host: String { inner.host }
        private let seen = Mutex<[String]>([])

        init(_ inner: any SyncTransport, stopping monitor: SyncMonitor? = nil) {
            self.inner = inner
            stopAfterFirst = monitor
        }

        var ranges: [String] { seen.withLock { $0 } }

        func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage {
            let response = try inner.send(request)
            if let range = request.headers["range"] {
                seen.withLock { $0.append(range) }
                stopAfterFirst?.cancel()
            }
            return response
        }
    }

    @Test(arguments: HubBackend.allCases) func aSyncFetchesWhatASubNodeAttachedOnceTheHubHoldsItComplete(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let laptop = try world.kecamatan("33.74.01-1")
        let p = try laptop.register("SKTM")
        let scan = try laptop.store.attach(
            file: try BlobUploadTests.scan(25_000, seed: 5), to: p.number, syarat: "ktp", officer: "Joko")
        let sha = scan.attachment.sha256
        // The laptop's events reach the hub; its upload does not.
        let cut = BlobUploadTests.sync(world, laptop, WithoutBlobs(inner: InProcessTransport(hub: world.service)))
        #expect(cut.outcome.result == .linkFailure)
        #expect(try world.hubStorage.history(p.number).count == 2)

        let counting = Counting(InProcessTransport(hub: world.service))
        let early = BlobUploadTests.sync(world, kec, counting)
        #expect(early.outcome.result == .inSync, "\(early.outcome)")
        #expect(early.downloaded == 0)
        #expect(
            early.outcome.message.contains("0 lampiran diunduh (1 belum lengkap di hub"), "\(early.outcome.message)")
        #expect(counting.blobRequests == 1)
        #expect(try kec.store.blob(sha) == nil)
        #expect(try kec.store.permohonan(p.number).attachments == [scan])

        #expect(BlobUploadTests.sync(world, laptop, InProcessTransport(hub: world.service)).uploaded == 1)
        let later = BlobUploadTests.sync(world, kec, counting)
        #expect(later.outcome.result == .inSync, "\(later.outcome)")
        #expect(later.downloaded == 1)
        #expect(later.outcome.message == "sinkron: 0 change set terkirim, 0 event diterima, 1 lampiran diunduh")
        // Three ranges of 10,000 bytes.
        #expect(counting.blobRequests == 1 + 3)
        #expect(later.bytesReceived >= 25_000)
        #expect(try kec.store.verifyBlob(sha))
        #expect(try kec.store.blob(sha)?.atHub == true)

        let after = BlobUploadTests.sync(world, kec, counting)
        #expect(after.outcome.message == "sinkron: 0 change set terkirim, 0 event diterima")
        #expect(counting.blobRequests == 4)
    }

    @Test(arguments: HubBackend.allCases) func aRunStoppedBetweenChunksKeepsWhatItFetchedAndTheNextResumesThere(
        backend: HubBackend
    ) throws {
        let world = try SyncWorld(backend: backend)
        let kec = try world.kecamatan("33.74.01")
        let p = try kec.register("PBG-KECIL")
        let scan = try kec.store.attach(
            file: try BlobUploadTests.scan(45_000, seed: 6), to: p.number, syarat: "gambar", officer: "Sari")
        let sha = scan.attachment.sha256
        #expect(BlobUploadTests.sync(world, kec, InProcessTransport(hub: world.service)).uploaded == 1)
        // A new disk: the node is restored from the hub with a new key.
        let directory = Fixture.tempDirectory()
        let store = try Fixture.newStore(clock: world.clock, node: "33.74.01", directory: directory)
        let identity = try NodeIdentity.create(node: kec.node, directory: directory)
        try world.enroll(identity)
        try store.setHub(HubConfig(url: "in-process", caFile: nil))

        let monitor = SyncMonitor()
        let first = Ranges(InProcessTransport(hub: world.service), stopping: monitor)
        let stopped = SyncClient(
            store: store, identity: identity, transport: first, logger: Fixture.logger, now: { world.clock.now() },
            blobChunkBytes: 10_000, monitor: monitor
        ).run()
        #expect(stopped.outcome.result == .linkFailure)
        #expect(first.ranges == ["bytes=0-9999"])
        // The events are in and the first chunk is kept.
        #expect(try store.permohonan(p.number).attachments == [scan])
        #expect(try store.blob(sha)?.received == 10_000)

        let second = Ranges(InProcessTransport(hub: world.service))
        let resumed = SyncClient(
            store: store, identity: identity, transport: second, logger: Fixture.logger, now: { world.clock.now() },
            blobChunkBytes: 10_000
        ).run()
        #expect(resumed.outcome.result == .inSync, "\(resumed.outcome)")
        #expect(resumed.downloaded == 1)
        #expect(second.ranges == ["bytes=10000-19999", "bytes=20000-29999", "bytes=30000-39999", "bytes=40000-44999"])
        #expect(try store.verifyBlob(sha))
        #expect(try store.readBlob(sha, offset: 0, count: 45_000) == kec.store.readBlob(sha, offset: 0, count: 45_000))
        // The restored node's own attachment is known to be at the hub: nothing goes back up.
        #expect(try store.pendingUploads().isEmpty)
    }
}
