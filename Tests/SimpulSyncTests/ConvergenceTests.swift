import Foundation
import SimpulDomain
import SimpulStore
import SimpulTestSupport
import Testing

@testable import SimpulSync

/// Property: whatever the interleaving of work and syncs, and however change sets are duplicated or
/// reordered on the way, every replica of a partition ends with the same state digest.
@Suite(.timeLimit(.minutes(10))) struct ConvergenceTests {
    @Test(arguments: HubBackend.nodeStoreOnly, [11, 22, 33] as [UInt64])
    func replicasConvergeUnderRandomInterleavingsDuplicatesAndReordering(backend: HubBackend, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let world = try SyncWorld(backend: backend)
        let a = try world.kecamatan("33.74.01")
        let a1 = try world.kecamatan("33.74.01-1")
        let b = try world.kecamatan("33.74.02")
        let kecamatan = [a, a1, b]
        let services = try a.store.catalog().services.map(\.code)
        var pushResults: [String: Int] = [:]

        for _ in 0..<120 {
            switch Int.random(in: 0..<12, using: &rng) {
            case 0...3:
                let actor = kecamatan.randomElement(using: &rng)!
                try actOnce(actor.store, services: services, rng: &rng)
            case 4...5:
                try hubActsOnce(world.hub.store, rng: &rng)
            case 6...7:
                // New work reaches the hub out of order and mixed with change sets it already has.
                let actor = kecamatan.randomElement(using: &rng)!
                for _ in 0..<3 { try actOnce(actor.store, services: services, rng: &rng) }
                for result in try pushScrambled(actor, to: world, rng: &rng) { pushResults[result, default: 0] += 1 }
            default:
                let actor = kecamatan.randomElement(using: &rng)!
                #expect(world.sync(actor, budget: 2048, maxPullBytes: 8192).outcome.result == .inSync)
            }
        }
        // The hub did see both: change sets that had to wait for their predecessors, and repeats.
        #expect(pushResults["parked", default: 0] > 0, "\(pushResults)")
        #expect(pushResults["duplicate", default: 0] > 0, "\(pushResults)")
        #expect(pushResults["applied", default: 0] > 0, "\(pushResults)")

        // A conflict for certain: the counter withdraws a forwarded file while the PTSP decides it.
        let pbg = try a.register("PBG-KECIL", nama: "Siti Rahayu")
        try a.store.perform(.forward(note: nil), on: pbg.number, officer: "Loket")
        #expect(world.sync(a, budget: 2048).outcome.result == .inSync)
        try a.store.perform(.withdraw(reason: "pemohon pindah rumah"), on: pbg.number, officer: "Loket")
        try world.hub.store.perform(.decide(code: "50", fee: 50_000, note: nil), on: pbg.number, officer: "Kabid")
        #expect(world.sync(a, budget: 2048).outcome.result == .inSync)
        #expect(try world.hubStorage.conflicts(openOnly: true).contains { $0.record == pbg.number })
        // Quiesce: two rounds so that everything written anywhere has reached everyone.
        for _ in 0..<2 { for r in kecamatan { #expect(world.sync(r, budget: 2048).outcome.result == .inSync) } }

        let hub = world.hub.store
        for (replica, partition) in [(a, "33.74.01"), (a1, "33.74.01"), (b, "33.74.02")] {
            #expect(try replica.store.stateDump(partition: partition) == hub.stateDump(partition: partition))
            #expect(try replica.store.knowledge()[partition] == hub.knowledge()[partition])
            #expect(try replica.store.check().foldMatches)
        }
        #expect(try hub.check().foldMatches)
        #expect(try !hub.conflicts(openOnly: false).isEmpty)
        #expect(try hub.parkedBodies().isEmpty, "change sets still waiting at the hub after quiescing")

        // A fresh replica fed every change set of a partition, shuffled and duplicated, converges too.
        for partition in ["33.74.01", "33.74.02"] {
            var sets: [ReceivedChangeSet] = []
            for (writer, _) in try hub.knowledge()[partition]?.entries ?? [:] {
                sets += try hub.changeSets(partition: partition, node: writer, after: 0, limit: 100_000).map {
                    try ReceivedChangeSet(body: $0.body)
                }
            }
            var deliveries = sets + sets.filter { _ in Bool.random(using: &rng) }
            deliveries.shuffle(using: &rng)
            let observer = try Fixture.newStore(clock: world.clock, node: partition + "-9")
            try observer.learn(try hub.keys())
            while !deliveries.isEmpty {
                let n = min(deliveries.count, Int.random(in: 1...4, using: &rng))
                _ = try SyncClient.apply(Array(deliveries.prefix(n)), store: observer)
                deliveries.removeFirst(n)
            }
            #expect(try observer.stateDump(partition: partition) == hub.stateDump(partition: partition))
            #expect(try observer.parkedBodies().isEmpty)
        }
    }

    /// Seals the actor's new events one per change set, and pushes them to the hub signed by the actor,
    /// shuffled and mixed with repeats of change sets sent before. Returns the hub's answers (`applied`,
    /// `parked`, `duplicate`).
    private func pushScrambled(_ actor: Replica, to world: SyncWorld, rng: inout SeededGenerator) throws -> [String] {
        try ChangeSetSealer.sealPending(store: actor.store, identity: actor.identity, budget: 1)
        let writer = actor.node.rawValue
        var deliveries: [StoredChangeSet] = []
        for partition in try actor.store.ownPartitions() {
            let known = try world.hubStorage.knowledge()[partition]?.entries[writer] ?? 0
            let all = try actor.store.changeSets(partition: partition, node: writer, after: 0, limit: 100_000)
            deliveries += all.filter { $0.last > known }
            deliveries += all.filter { $0.last <= known && Int.random(in: 0..<3, using: &rng) == 0 }
            deliveries += all.filter { $0.last > known && Bool.random(using: &rng) }
        }
        deliveries.shuffle(using: &rng)
        let transport = InProcessTransport(hub: world.service)
        return try deliveries.map { cs in
            var push = HTTPRequestMessage(
                method: "POST", path: "/v2/push", headers: ["content-type": SyncProtocol.jsonContentType],
                body: PushRequest.encode([cs.body]))
            try RequestSignature.sign(&push, identity: actor.identity, at: world.clock.now())
            let response = try transport.send(push)
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
            return try #require(try Canonical.decode(PushBatchResponse.self, from: response.body).results.first).result
        }
    }

    /// One random, valid piece of counter work.
    private func actOnce(_ store: NodeStore, services: [String], rng: inout SeededGenerator) throws {
        let open = try store.list(PermohonanFilter(limit: 1000)).filter {
            $0.partition == store.info.node.homePartition && !$0.status.isClosed
        }
        if open.isEmpty || Int.random(in: 0..<3, using: &rng) == 0 {
            let layanan = try store.catalog().service(code: services.randomElement(using: &rng)!)!
            _ = try store.register(Fixture.application(layanan), officer: "Loket")
            return
        }
        let p = open.randomElement(using: &rng)!
        guard let action = Workflow.nextActions(p).filter({ $0 != .ptsp }).randomElement(using: &rng) else { return }
        switch action {
        case .advance(let t): try store.perform(.advance(tahap: t, note: nil), on: p.number, officer: "Petugas")
        case .forward: try store.perform(.forward(note: nil), on: p.number, officer: "Loket")
        case .pay(let due): try store.perform(.pay(amount: due, receipt: ""), on: p.number, officer: "Kasir")
        case .withdraw: try store.perform(.withdraw(reason: "batal"), on: p.number, officer: "Loket")
        case .reject: try store.perform(.reject(reason: "tidak sesuai"), on: p.number, officer: "Petugas")
        case .returnToLoket:
            try store.perform(.returnToLoket(note: "surat pengantar RT kurang"), on: p.number, officer: "Petugas")
        case .fieldCheck:
            try store.perform(.sendToFieldCheck(note: nil), on: p.number, officer: "Petugas")
        case .ptsp: break
        }
    }

    /// One random piece of PTSP work at the hub, on what the hub currently knows.
    private func hubActsOnce(_ hub: NodeStore, rng: inout SeededGenerator) throws {
        if let conflict = try hub.conflicts(openOnly: true).randomElement(using: &rng) {
            let p = try hub.permohonan(conflict.record)
            let status: Status = p.status == .diteruskan ? .diteruskan : .ditarik
            try hub.perform(
                .settle(conflicts: [conflict.id], status: status, tahap: nil, note: "diselesaikan"), on: p.number,
                officer: "Rekonsiliator")
            return
        }
        guard let p = try hub.list(PermohonanFilter(status: .diteruskan, limit: 1000)).randomElement(using: &rng)
        else { return }
        if Bool.random(using: &rng) {
            try hub.perform(.ptspProgress(code: "10", note: nil), on: p.number, officer: "PTSP")
        } else {
            let approve = Int.random(in: 0..<4, using: &rng) > 0
            let fee: Int64? = approve && p.layanan.fee == .setByPTSP ? 50_000 : nil
            try hub.perform(.decide(code: approve ? "50" : "90", fee: fee, note: nil), on: p.number, officer: "Kabid")
        }
    }
}
