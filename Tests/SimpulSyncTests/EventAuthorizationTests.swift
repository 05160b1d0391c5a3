import Foundation
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulDomain
@testable import SimpulSync

/// Record ownership: an enrolled but stolen or rogue kecamatan node writes only on its own
/// kecamatan's permohonan, and registers only its own numbers, however it names another's.
@Suite(.timeLimit(.minutes(10))) struct EventAuthorizationTests {
    private static let a = NodeID("33.74.01")!
    private static let sub = NodeID("33.74.01-1")!
    private static let hub = NodeID("33.74")!
    private static let ofB = RegistrationNumber(prefix: "02", year: 2026, sequence: 1).text
    private static let ofA = RegistrationNumber(prefix: "01", year: 2026, sequence: 1).text
    private static let ofSub = RegistrationNumber(prefix: "011", year: 2026, sequence: 1).text

    @Test func aRecordBelongsToThePartitionItsNumberNames() {
        func reason(
            _ type: EventType, _ record: String, _ author: NodeID, _ partition: String
        )
            -> EventAuthorization.Refusal.Reason?
        {
            EventAuthorization.refusal(type: type, record: record, author: author, partition: partition)?.reason
        }
        for type in [EventType.withdrawn, .rejected, .paymentReceived, .attached, .stepCompleted, .forwarded] {
            #expect(reason(type, Self.ofB, Self.a, "33.74.01") == .foreignRecord)
            #expect(reason(type, Self.ofA, Self.a, "33.74.01") == nil)
            #expect(reason(type, Self.ofSub, Self.a, "33.74.01") == nil)
        }
        // Pre-registering another kecamatan's next number, or another node's of the same kecamatan.
        #expect(reason(.registered, Self.ofB, Self.a, "33.74.01") == .foreignRecord)
        #expect(reason(.registered, Self.ofA, Self.sub, "33.74.01") == .foreignNumber)
        #expect(reason(.registered, Self.ofSub, Self.a, "33.74.01") == .foreignNumber)
        #expect(reason(.registered, Self.ofSub, Self.sub, "33.74.01") == nil)
        // The hub decides on a file only in the partition its number names.
        #expect(reason(.decided, Self.ofB, Self.hub, "33.74.01") == .foreignRecord)
        #expect(reason(.decided, Self.ofB, Self.hub, "33.74.02") == nil)
        // A record that is no registration number at all.
        #expect(reason(.withdrawn, "01-26-00001-5", Self.a, "33.74.01") == .foreignRecord)
        #expect(reason(.withdrawn, "katalog/v2", Self.a, "33.74.01") == .foreignRecord)
        #expect(reason(.catalogPublished, "katalog/v2", Self.hub, "33.74") == nil)
        let refusal = EventAuthorization.refusal(
            type: .withdrawn, record: Self.ofB, author: Self.a, partition: "33.74.01")
        #expect(SyncError(refusal!).code == .forbiddenRecord)
        #expect(refusal!.message.contains(Self.ofB))
    }

    enum Attack: String, CaseIterable, Sendable {
        case withdraw, reject, pay, attach, register
    }

    /// Node A, enrolled and signing with its real key, writes into its own partition an event that
    /// names kecamatan B's permohonan: the hub refuses the whole change set naming the record, and
    /// B's file is unchanged at the hub and at B.
    @Test(arguments: Attack.allCases) func aKecamatanCannotTouchAnotherKecamatansFile(attack: Attack) throws {
        let world = try SyncWorld()
        let a = try world.kecamatan("33.74.01")
        let b = try world.kecamatan("33.74.02")
        let victim = try b.register("SKTM")
        #expect(world.sync(b).outcome.result == .inSync)
        let before = try world.hubStorage.permohonan(victim.number)
        let bBefore = try b.store.stateDump(partition: "33.74.02")

        let own = try a.register("SKTM")
        let target =
            attack == .register
            ? RegistrationNumber(prefix: "02", year: victim.acceptedOn.year, sequence: 2).text : victim.number
        let body: EventBody =
            switch attack {
            case .withdraw: .withdrawn(Closure(reason: "ditarik pemohon"))
            case .reject: .rejected(Rejection(tahap: .verifikasi, reason: "berkas palsu"))
            case .pay: .paymentReceived(Payment(receipt: "33.74.01/000001", amount: 1))
            case .attach:
                .attached(
                    Attachment(
                        sha256: String(repeating: "ab", count: 32), size: 10, name: "surat.pdf",
                        mediaType: "application/pdf"))
            case .register:
                try a.store.history(own.number)[0].body
            }
        let registration = try a.store.history(own.number)[0]
        let forged = Event(
            dot: Dot(node: "33.74.01", seq: 2), partition: "33.74.01", lamport: 1_000, context: VersionVector(),
            record: target, officer: "Petugas nakal", role: Peran.loket, at: world.clock.now(), body: body)
        let signed = try SignedChangeSet.seal(
            [registration, forged], node: a.identity, partition: "33.74.01", prev: nil)
        let received = try ReceivedChangeSet(body: try signed.encoded())

        let refusal = #expect(throws: SyncError.self) { _ = try world.service.push(received, from: a.node) }
        #expect(refusal?.code == .forbiddenRecord)
        #expect(refusal?.message.contains(target) == true)
        #expect(try world.hubStorage.knowledge()["33.74.01"]?["33.74.01"] ?? 0 == 0)
        #expect(try world.hubStorage.permohonan(victim.number) == before)
        if attack == .register {
            #expect(throws: SimpulError.self) { _ = try world.hubStorage.permohonan(target) }
            // B's own next number is still B's to register.
            let next = try b.register("SKTM")
            #expect(next.number == target)
            #expect(world.sync(b).outcome.result == .inSync)
            #expect(try world.hubStorage.permohonan(target).partition == "33.74.02")
        } else {
            #expect(world.sync(b).outcome.result == .inSync)
            #expect(try b.store.stateDump(partition: "33.74.02") == bBefore)
        }
        // A's honest change sets still go through.
        #expect(world.sync(a).outcome.result == .inSync)
        #expect(try world.hubStorage.permohonan(own.number).partition == "33.74.01")
    }

    /// Even if such an event sat in a log (a store written before the check), the fold keeps each
    /// permohonan to the events of its own partition.
    @Test func theFoldNeverMixesPartitions() throws {
        let world = try SyncWorld()
        let b = try world.kecamatan("33.74.02")
        let victim = try b.register("SKTM")
        let registration = try b.store.history(victim.number)[0]
        let stray = Event(
            dot: Dot(node: "33.74.01", seq: 1), partition: "33.74.01", lamport: registration.lamport + 1,
            context: VersionVector(["33.74.02": 1]), record: victim.number, officer: "Petugas nakal",
            role: Peran.loket, at: world.clock.now(), body: .withdrawn(Closure(reason: "ditarik")))
        let remote = RemoteChangeSet(
            stored: StoredChangeSet(
                partition: "33.74.01", node: "33.74.01", first: 1, last: 1, hash: String(repeating: "0", count: 64),
                prev: nil, key: "k", signature: "s", body: []),
            events: [
                ReceivedEvent(
                    event: stray, at: stray.at.description, context: #"{"33.74.02":1}"#,
                    data: #"{"reason":"ditarik"}"#)
            ])
        _ = try world.hub.store.applyRemote([try ReceivedChangeSet(body: try b.sealedBody()).remote, remote])
        #expect(try world.hubStorage.permohonan(victim.number).status == .diproses)
        #expect(try world.hub.store.rebuild() > 0)
        #expect(try world.hubStorage.permohonan(victim.number).status == .diproses)
        #expect(try world.hubStorage.history(victim.number).allSatisfy { $0.partition == "33.74.02" })
    }

    @Test func onlyTheHubAttachesTheIssuedDocumentAndOnlyAKecamatanAttachesScans() {
        let izin = EventBody.attached(
            Attachment(
                sha256: String(repeating: "a", count: 64), size: 1_000, name: "izin.pdf", mediaType: "application/pdf",
                issuedNumber: "503/1/2026"))
        let scan = EventBody.attached(
            Attachment(
                sha256: String(repeating: "b", count: 64), size: 1_000, name: "ktp.pdf", mediaType: "application/pdf"))
        func reason(_ body: EventBody, _ author: NodeID) -> EventAuthorization.Refusal.Reason? {
            var checker = EventAuthorization.Checker(author: author, partition: "33.74.01")
            return checker.refusal(body: body, record: Self.ofA)?.reason
        }
        #expect(reason(izin, Self.hub) == nil)
        #expect(reason(scan, Self.a) == nil)
        #expect(reason(scan, Self.sub) == nil)
        // A stolen kecamatan laptop cannot pass its own paper off as the PTSP's izin.
        #expect(reason(izin, Self.a) == .otherWriter)
        #expect(reason(izin, Self.sub) == .otherWriter)
        #expect(reason(scan, Self.hub) == .otherWriter)
        // The type alone is open to both sides; the rest of the rules still hold for each.
        #expect(EventAuthorization.refusal(type: .attached, author: Self.hub, partition: "33.74.01") == nil)
        #expect(reason(izin, NodeID("33.75")!) == .foreignPartition)
    }

    @Test func aLetterNumberIsWrittenOnlyByTheKecamatanNodeItNamesOnItsOwnPDF() {
        func letter(
            _ number: String, mediaType: String = "application/pdf", syarat: String? = nil, issued: String? = nil
        ) -> EventBody {
            .attached(
                Attachment(
                    sha256: String(repeating: "c", count: 64), size: 3_000, name: "surat.pdf", mediaType: mediaType,
                    syarat: syarat, issuedNumber: issued, letterNumber: number))
        }
        func reason(_ body: EventBody, _ author: NodeID) -> EventAuthorization.Refusal.Reason? {
            var checker = EventAuthorization.Checker(author: author, partition: "33.74.01")
            return checker.refusal(body: body, record: Self.ofA)?.reason
        }
        #expect(reason(letter("503/0007/33.74.01/2026"), Self.a) == nil)
        #expect(reason(letter("503/0001/33.74.01-1/2026"), Self.sub) == nil)
        // The hub issues through the PTSP's own document, never a kecamatan letter.
        #expect(reason(letter("503/0007/33.74.01/2026"), Self.hub) == .otherWriter)
        #expect(reason(letter("503/0007/33.74/2026"), Self.hub) == .otherWriter)
        // Only on a PDF that is neither a scan of a requirement nor the PTSP's document.
        #expect(reason(letter("503/0007/33.74.01/2026", mediaType: "image/jpeg"), Self.a) == .otherWriter)
        #expect(reason(letter("503/0007/33.74.01/2026", syarat: "ktp"), Self.a) == .otherWriter)
        #expect(reason(letter("503/0007/33.74.01/2026", issued: "503/1/2026"), Self.a) == .otherWriter)
        // A node numbers from its own sequence only: not its sub-node's, not another's, not a malformed one.
        #expect(reason(letter("503/0007/33.74.01-1/2026"), Self.a) == .otherWriter)
        #expect(reason(letter("503/0007/33.74.01/2026"), Self.sub) == .otherWriter)
        #expect(reason(letter("503/7/33.74.01/2026"), Self.a) == .otherWriter)
        #expect(reason(letter("surat kami"), Self.a) == .otherWriter)
    }
}

extension Replica {
    /// This node's first sealed change set, as signed.
    fileprivate func sealedBody() throws -> [UInt8] {
        try ChangeSetSealer.sealPending(store: store, identity: identity)
        return try store.changeSets(partition: node.homePartition, node: node.rawValue, after: 0, limit: 1)[0].body
    }
}

extension EventAuthorizationTests {
    /// A kasir's cash book is the writing node's own: another kecamatan's node, another node of the same
    /// kecamatan and the hub are all refused, whatever record they name; bounds are checked on receipt.
    @Test func aCashBookIsWrittenOnlyByItsOwnNode() {
        let day = LocalDate(iso: "2026-03-17")!
        let closing = EventBody.kasClosed(
            KasClosing(
                day: day, receipts: 1, total: 5_000, firstReceipt: "33.74.01/000001", lastReceipt: "33.74.01/000001"))
        let deposit = EventBody.kasDeposited(KasDeposit(day: day, amount: 5_000, reference: "STS-1"))
        func reason(
            _ body: EventBody, _ record: String, _ author: NodeID, _ partition: String
        )
            -> EventAuthorization.Refusal.Reason?
        {
            var checker = EventAuthorization.Checker(author: author, partition: partition)
            return checker.refusal(body: body, record: record)?.reason
        }
        for body in [closing, deposit] {
            #expect(reason(body, "KAS/01/2026-03-17", Self.a, "33.74.01") == nil)
            #expect(reason(body, "KAS/011/2026-03-17", Self.sub, "33.74.01") == nil)
            // Another node's book: of the same kecamatan, or of another.
            #expect(reason(body, "KAS/011/2026-03-17", Self.a, "33.74.01") == .foreignRecord)
            #expect(reason(body, "KAS/01/2026-03-17", Self.sub, "33.74.01") == .foreignRecord)
            #expect(reason(body, "KAS/02/2026-03-17", Self.a, "33.74.01") == .foreignRecord)
            #expect(reason(body, "KAS/02/2026-03-17", NodeID("33.74.02")!, "33.74.01") == .foreignPartition)
            // Not a cash book at all, or a permohonan's number.
            for record in ["KAS/01", "KAS/1/2026-03-17", "kas/01/2026-03-17", "KAS/01/a b", Self.ofA, "SKM/01/x"] {
                #expect(reason(body, record, Self.a, "33.74.01") == .foreignRecord, "\(record)")
            }
            #expect(reason(body, "KAS/01/2026-03-17", Self.hub, "33.74.01") == .otherWriter)
        }
        // A permohonan's event on a cash book.
        #expect(reason(.withdrawn(Closure(reason: "x")), "KAS/01/2026-03-17", Self.a, "33.74.01") == .foreignRecord)
        // Figures out of bounds, as a forged change set could carry them.
        let bad: [EventBody] = [
            .kasClosed(KasClosing(day: day, receipts: -1, total: 0, firstReceipt: nil, lastReceipt: nil)),
            .kasClosed(KasClosing(day: day, receipts: 0, total: 5, firstReceipt: "x", lastReceipt: nil)),
            .kasClosed(
                KasClosing(day: day, receipts: 1, total: KasClosing.maxAmount + 1, firstReceipt: "a", lastReceipt: "a")),
            .kasDeposited(KasDeposit(day: day, amount: 0, reference: "STS-1")),
            .kasDeposited(KasDeposit(day: day, amount: 1, reference: "")),
            .kasDeposited(KasDeposit(day: day, amount: 1, reference: "A\nB")),
            .kasDeposited(KasDeposit(day: day, amount: 1, reference: String(repeating: "9", count: 61))),
        ]
        for body in bad {
            #expect(reason(body, "KAS/01/2026-03-17", Self.a, "33.74.01") == .invalidData, "\(body)")
            #expect(EventAuthorization.refusal(body: body, author: Self.a).map { SyncError($0).code } == .malformed)
        }
    }
}
