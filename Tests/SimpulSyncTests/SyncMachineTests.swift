import SimpulSync
import Testing

@Suite(.timeLimit(.minutes(10))) struct SyncMachineTests {
    @Test func pushesEveryChangeSetInOrderThenPullsUntilComplete() {
        var m = SyncMachine()
        #expect(m.start() == .fetchKnowledge)
        #expect(m.handle(.knowledge(outbox: 2)) == .push(index: 0))
        #expect(m.handle(.pushed) == .push(index: 1))
        #expect(m.handle(.pushed) == .pull)
        #expect(m.handle(.pulled(applied: 5, complete: false)) == .pull)
        guard case .finish(let outcome) = m.handle(.pulled(applied: 3, complete: true)) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.result == .inSync)
        #expect(outcome.exitCode == 0)
        #expect(m.pushed == 2)
        #expect(m.pulled == 8)
    }

    @Test func nothingToPushGoesStraightToPull() {
        var m = SyncMachine()
        _ = m.start()
        #expect(m.handle(.knowledge(outbox: 0)) == .pull)
    }

    @Test func failuresMapToTheDocumentedExitCodes() {
        let cases: [(SyncFailure, Int32)] = [
            (.link("connection refused"), 75),
            (.garbled("html page"), 75),
            (.problem(status: 503, code: "store", detail: "x"), 75),
            (.problem(status: 401, code: "not-enrolled", detail: "x"), 77),
            (.problem(status: 403, code: "revoked", detail: "x"), 77),
            (.problem(status: 422, code: "hash-mismatch", detail: "x"), 65),
            (.problem(status: 400, code: "malformed", detail: "x"), 65),
            (.invalidData("bad signature from hub"), 65),
        ]
        for (failure, code) in cases {
            var m = SyncMachine()
            _ = m.start()
            guard case .finish(let outcome) = m.handle(.failed(failure)) else {
                Issue.record("expected finish for \(failure)")
                continue
            }
            #expect(outcome.exitCode == code, "\(failure)")
        }
    }

    @Test func pullsThatBringNothingTwiceStopInsteadOfLooping() {
        var m = SyncMachine()
        _ = m.start()
        _ = m.handle(.knowledge(outbox: 0))
        #expect(m.handle(.pulled(applied: 0, complete: false)) == .pull)
        guard case .finish(let outcome) = m.handle(.pulled(applied: 0, complete: false)) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.exitCode == 65)
    }

    // MARK: - Blob uploads

    @Test func blobsGoUpAfterEveryChangeSetAndBeforeThePull() {
        var m = SyncMachine()
        _ = m.start()
        #expect(m.handle(.knowledge(outbox: 2, uploads: 2)) == .push(index: 0))
        #expect(m.handle(.pushed) == .push(index: 1))
        #expect(m.handle(.pushed) == .blobStatus(index: 0))
        // The hub holds nothing of the first: it goes up chunk by chunk, each acknowledged.
        #expect(m.handle(.blobHeld(received: 0, size: 150)) == .sendChunk(index: 0, offset: 0))
        #expect(m.handle(.blobHeld(received: 64, size: 150)) == .sendChunk(index: 0, offset: 64))
        #expect(m.handle(.blobHeld(received: 128, size: 150)) == .sendChunk(index: 0, offset: 128))
        #expect(m.handle(.blobHeld(received: 150, size: 150)) == .blobStatus(index: 1))
        // The hub holds the second already (an earlier run sent it, the acknowledgement was lost).
        #expect(m.handle(.blobHeld(received: 80, size: 80)) == .pull)
        guard case .finish(let outcome) = m.handle(.pulled(applied: 0, complete: true)) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.result == .inSync)
        #expect(outcome.message.contains("2 lampiran terkirim"))
        #expect(m.uploaded == 2)
    }

    @Test func aBlobUploadResumesFromTheOffsetTheHubHolds() {
        var m = SyncMachine()
        _ = m.start()
        #expect(m.handle(.knowledge(outbox: 0, uploads: 1)) == .blobStatus(index: 0))
        // A run that broke off left 4 chunks at the hub: the upload goes on from there, not from 0.
        #expect(m.handle(.blobHeld(received: 256, size: 400)) == .sendChunk(index: 0, offset: 256))
        // The hub is elsewhere than the agent thought (a chunk it took whose answer was lost): go on from there.
        #expect(m.handle(.blobHeld(received: 320, size: 400)) == .sendChunk(index: 0, offset: 320))
        #expect(m.handle(.blobHeld(received: 384, size: 400)) == .sendChunk(index: 0, offset: 384))
        #expect(m.handle(.blobHeld(received: 400, size: 400)) == .pull)
    }

    @Test func aBlobThatDoesNotMoveOnIsGivenUpRatherThanLoopedOn() {
        var m = SyncMachine()
        _ = m.start()
        _ = m.handle(.knowledge(outbox: 0, uploads: 2))
        #expect(m.handle(.blobHeld(received: 64, size: 200)) == .sendChunk(index: 0, offset: 64))
        #expect(m.handle(.blobHeld(received: 64, size: 200)) == .sendChunk(index: 0, offset: 64))
        #expect(m.handle(.blobHeld(received: 64, size: 200)) == .blobStatus(index: 1))
        #expect(m.handle(.blobHeld(received: 10, size: 10)) == .pull)
        guard case .finish(let outcome) = m.handle(.pulled(applied: 1, complete: true)) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.result == .rejected)
        #expect(m.uploaded == 1)
    }

    @Test func aRefusedBlobDoesNotStopThePullButTheRunEndsRejected() {
        var m = SyncMachine()
        _ = m.start()
        _ = m.handle(.knowledge(outbox: 1, uploads: 2))
        #expect(m.handle(.pushed) == .blobStatus(index: 0))
        #expect(m.handle(.blobRefused("lampiran 1a2b3c4d5e6f: bukan milik node ini")) == .blobStatus(index: 1))
        #expect(m.handle(.blobHeld(received: 0, size: 10)) == .sendChunk(index: 1, offset: 0))
        #expect(m.handle(.blobRefused("lampiran 9f8e7d6c5b4a: tidak cocok")) == .pull)
        #expect(m.handle(.pulled(applied: 3, complete: false)) == .pull)
        guard case .finish(let outcome) = m.handle(.pulled(applied: 2, complete: true)) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.result == .rejected)
        #expect(outcome.exitCode == 65)
        #expect(outcome.message.contains("1a2b3c4d5e6f"))
        #expect(outcome.message.contains("1 lampiran lain"))
        #expect(m.pulled == 5)
    }

    @Test func aDropDuringABlobUploadIsALinkFailure() {
        var m = SyncMachine()
        _ = m.start()
        _ = m.handle(.knowledge(outbox: 0, uploads: 1))
        _ = m.handle(.blobHeld(received: 0, size: 100))
        guard case .finish(let outcome) = m.handle(.failed(.link("connection dropped"))) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.exitCode == 75)
        var revoked = SyncMachine()
        _ = revoked.start()
        _ = revoked.handle(.knowledge(outbox: 0, uploads: 1))
        guard case .finish(let refused) = revoked.handle(.failed(.problem(status: 403, code: "revoked", detail: "x")))
        else {
            Issue.record("expected finish")
            return
        }
        #expect(refused.exitCode == 77)
    }

    // MARK: - Blob downloads

    @Test func theBlobsThisNodeLacksComeChunkByChunkAfterACompletePull() {
        var m = SyncMachine()
        _ = m.start()
        #expect(m.handle(.knowledge(outbox: 0)) == .pull)
        // An incomplete answer does not start downloads: the events naming the rest are still to come.
        #expect(m.handle(.pulled(applied: 40, complete: false)) == .pull)
        #expect(m.handle(.pulled(applied: 7, complete: true, downloads: 2)) == .fetchChunk(index: 0))
        #expect(m.handle(.blobFetched(received: 64, size: 150)) == .fetchChunk(index: 0))
        #expect(m.handle(.blobFetched(received: 128, size: 150)) == .fetchChunk(index: 0))
        #expect(m.handle(.blobFetched(received: 150, size: 150)) == .fetchChunk(index: 1))
        // The second was half here from a run that broke off: its first chunk completes it.
        guard case .finish(let outcome) = m.handle(.blobFetched(received: 80, size: 80)) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.result == .inSync)
        #expect(outcome.message == "sinkron: 0 change set terkirim, 47 event diterima, 2 lampiran diunduh")
        #expect(m.downloaded == 2)
        #expect(m.unavailable == 0)
    }

    @Test func aBlobTheHubDoesNotHoldCompleteYetIsSkippedWithoutFailingTheRun() {
        var m = SyncMachine()
        _ = m.start()
        _ = m.handle(.knowledge(outbox: 0))
        #expect(m.handle(.pulled(applied: 3, complete: true, downloads: 3)) == .fetchChunk(index: 0))
        #expect(m.handle(.blobUnavailable) == .fetchChunk(index: 1))
        #expect(m.handle(.blobFetched(received: 10, size: 10)) == .fetchChunk(index: 2))
        guard case .finish(let outcome) = m.handle(.blobUnavailable) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.result == .inSync)
        #expect(outcome.exitCode == 0)
        #expect(outcome.message.contains("1 lampiran diunduh (2 belum lengkap di hub"), "\(outcome.message)")
        #expect(m.downloaded == 1)
        #expect(m.unavailable == 2)
    }

    @Test func aDownloadThatIsRefusedOrDoesNotMoveOnIsLeftAndTheRunEndsRejectedAfterTheRest() {
        var m = SyncMachine()
        _ = m.start()
        _ = m.handle(.knowledge(outbox: 0))
        #expect(m.handle(.pulled(applied: 1, complete: true, downloads: 3)) == .fetchChunk(index: 0))
        #expect(m.handle(.blobFetched(received: 64, size: 200)) == .fetchChunk(index: 0))
        #expect(m.handle(.blobFetched(received: 64, size: 200)) == .fetchChunk(index: 0))
        #expect(m.handle(.blobFetched(received: 64, size: 200)) == .fetchChunk(index: 1))
        #expect(
            m.handle(.blobRefused("lampiran 1a2b3c4d5e6f dari hub tidak cocok dengan hash-nya"))
                == .fetchChunk(index: 2))
        guard case .finish(let outcome) = m.handle(.blobFetched(received: 5, size: 5)) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.result == .rejected)
        #expect(outcome.exitCode == 65)
        #expect(outcome.message.hasPrefix("lampiran tidak bisa diunduh dari hub: "), "\(outcome.message)")
        #expect(outcome.message.contains("1 lampiran lain"))
        #expect(m.downloaded == 1)
    }

    @Test func anUploadRefusalIsNamedFirstAndDownloadsStillRun() {
        var m = SyncMachine()
        _ = m.start()
        #expect(m.handle(.knowledge(outbox: 0, uploads: 1)) == .blobStatus(index: 0))
        #expect(m.handle(.blobRefused("lampiran 9f8e7d6c5b4a: bukan milik node ini")) == .pull)
        #expect(m.handle(.pulled(applied: 0, complete: true, downloads: 1)) == .fetchChunk(index: 0))
        guard case .finish(let outcome) = m.handle(.blobFetched(received: 9, size: 9)) else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.result == .rejected)
        #expect(outcome.message.hasPrefix("lampiran ditolak hub: lampiran 9f8e7d6c5b4a"))
        #expect(m.downloaded == 1)
    }

    @Test func aDropOrAStopDuringADownloadIsALinkFailure() {
        for stop in [SyncMachine.Input.failed(.link("connection dropped")), .cancelled] {
            var m = SyncMachine()
            _ = m.start()
            _ = m.handle(.knowledge(outbox: 0))
            _ = m.handle(.pulled(applied: 2, complete: true, downloads: 1))
            #expect(m.handle(.blobFetched(received: 64, size: 100)) == .fetchChunk(index: 0))
            guard case .finish(let outcome) = m.handle(stop) else {
                Issue.record("expected finish")
                continue
            }
            #expect(outcome.exitCode == 75)
            #expect(m.downloaded == 0)
        }
        var revoked = SyncMachine()
        _ = revoked.start()
        _ = revoked.handle(.knowledge(outbox: 0))
        _ = revoked.handle(.pulled(applied: 0, complete: true, downloads: 1))
        guard case .finish(let refused) = revoked.handle(.failed(.problem(status: 403, code: "revoked", detail: "x")))
        else {
            Issue.record("expected finish")
            return
        }
        #expect(refused.exitCode == 77)
    }

    @Test func aHubOnANewerProtocolEndsTheRunAsAConfigurationErrorNotARetry() {
        var m = SyncMachine()
        #expect(m.start() == .fetchKnowledge)
        guard
            case .finish(let outcome) = m.handle(
                .failed(.problem(status: 426, code: "upgrade-required", detail: "perbarui simpul")))
        else {
            Issue.record("expected finish")
            return
        }
        #expect(outcome.result == .rejected)
        #expect(outcome.exitCode == 65)
        #expect(outcome.message.contains("upgrade-required"))
    }

    @Test func busyAndALinkReplayAreRetriedLaterAndClockSkewNeedsAPerson() {
        #expect(SyncMachine.classify(.problem(status: 429, code: "busy", detail: "")).exitCode == 75)
        #expect(SyncMachine.classify(.problem(status: 401, code: "clock-skew", detail: "")).exitCode == 77)
        #expect(SyncMachine.classify(.problem(status: 409, code: "replayed", detail: "")).exitCode == 75)
    }
}
