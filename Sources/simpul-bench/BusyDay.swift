import Foundation
import Logging
import SimpulDomain
import SimpulStore
import SimpulSync

/// One busy working day at kecamatan 33.74.01 and its PTSP hub, played through the real stores and
/// the real sync protocol, and the signed change sets it leaves behind.
///
/// The counter registers permohonan across the day and walks each through its steps; the node
/// syncs every hour, so forwarded files reach the hub, whose PTSP officers process and decide them,
/// and the decisions come back for payment and handover. Every writer seals with the default
/// budget, as a real sync does.
struct BusyDay {
    static let kecamatan = NodeID("33.74.01")!
    static let hub = NodeID("33.74")!
    static var partition: String { kecamatan.homePartition }
    /// Tuesday 10 March 2026, 07:30 WIB: a plain working day, away from the Idul Fitri holidays.
    static let opening = Timestamp(iso: "2026-03-10T00:30:00Z")!
    static let tickMinutes = 5
    /// 07:30 to 16:00 WIB.
    static let ticks = 102
    /// The loket stops taking new applications at 14:00 WIB.
    static let lastArrivalTick = 78

    let conf: ConfDirectory
    let clock: SimClock
    let logger: Logger
    let permohonan: Int
    /// Every change set of the partition, in an order where each comes after all it depends on (the
    /// order a replica that syncs through the day receives them in).
    let changeSets: [SignedChangeSet]
    let stored: [StoredChangeSet]
    /// The events of `changeSets`, in the same order.
    let events: [Event]
    /// The keys a replica must hold to verify the change sets.
    let keys: [NodeKey]
    let writers: [String: (changeSets: Int, events: Int)]
    /// The hub's folded state of the partition: what any replica must reach.
    let state: String
    let syncs: Int
    /// What a replica's fold does with these change sets: each change set folds every record it
    /// touches again from that record's whole history, re-reading the events it already held.
    let refolds: Int
    let eventsReread: Int
    let buildSeconds: Double
    /// Kept for restoring a replica over the sync protocol.
    let service: HubService
    let kecamatanIdentity: NodeIdentity
    let hubIdentity: NodeIdentity
    /// Where the kecamatan's store and key file are.
    let kecamatanDirectory: String

    static func play(
        conf: ConfDirectory, seed: UInt64, permohonan: Int, root: String, logger: Logger
    ) throws -> BusyDay {
        let started = DispatchTime.now().uptimeNanoseconds
        let clock = SimClock(opening)
        let hubDir = (root as NSString).appendingPathComponent("hub")
        let hubStore = try NodeStore.create(
            directory: hubDir, node: hub, name: "DPMPTSP Kota Semarang", zona: .wib, catalog: conf.catalog,
            calendar: conf.calendar, wilayah: conf.wilayah, now: clock.now, logger: logger)
        var keyRNG = SplitMix64(seed: seed ^ 0x6B65_7973)
        let hubIdentity = try seededIdentity(node: hub, directory: hubDir, rng: &keyRNG)
        let service = try HubService(store: hubStore, identity: hubIdentity, logger: logger, now: clock.now)

        let kecDir = (root as NSString).appendingPathComponent("kecamatan")
        let kecStore = try NodeStore.create(
            directory: kecDir, node: kecamatan, name: "Kecamatan Semarang Tengah", zona: .wib, catalog: conf.catalog,
            calendar: conf.calendar, wilayah: conf.wilayah, now: clock.now, logger: logger)
        let kecIdentity = try seededIdentity(node: kecamatan, directory: kecDir, rng: &keyRNG)
        try kecStore.setHub(HubConfig(url: "in-process", caFile: nil))
        _ = try hubStore.enroll(
            node: kecamatan, publicKey: kecIdentity.publicKey, fingerprint: kecIdentity.fingerprint)
        let client = SyncClient(
            store: kecStore, identity: kecIdentity, transport: InProcessTransport(hub: service), logger: logger,
            now: clock.now)

        var counter = Counter(
            rng: SplitMix64(seed: seed), clock: clock, kecamatan: kecStore, hub: hubStore, client: client,
            catalog: conf.catalog)
        try counter.run(permohonan: permohonan)
        try service.sealOwn()

        var byWriter: [String: [SignedChangeSet]] = [:]
        var storedByHash: [String: StoredChangeSet] = [:]
        for writer in [hub.rawValue, kecamatan.rawValue] {
            let sets = try hubStore.changeSets(partition: partition, node: writer, after: 0, limit: 1_000_000)
            for s in sets { storedByHash[s.hash] = s }
            byWriter[writer] = try sets.map { try Canonical.decode(SignedChangeSet.self, from: $0.body) }
        }
        let ordered = try causalOrder(byWriter)
        let events = ordered.flatMap(\.events)
        let held = try hubStore.eventCount()
        guard events.count == held else {
            throw BenchError("the day's change sets hold \(events.count) events, the hub \(held)")
        }
        let keys = [kecIdentity, hubIdentity].map {
            NodeKey(
                node: $0.node.rawValue, publicKey: $0.publicKey, fingerprint: $0.fingerprint, enrolledAt: opening,
                revokedAt: nil, active: true)
        }
        var heldPerRecord: [String: Int] = [:]
        var (refolds, reread) = (0, 0)
        for cs in ordered {
            var incoming: [String: Int] = [:]
            for e in cs.changeSet.events { incoming[e.record, default: 0] += 1 }
            for (record, n) in incoming {
                refolds += 1
                reread += heldPerRecord[record, default: 0]
                heldPerRecord[record, default: 0] += n
            }
        }
        var writers: [String: (changeSets: Int, events: Int)] = [:]
        for (writer, sets) in byWriter {
            writers[writer] = (sets.count, sets.reduce(0) { $0 + $1.changeSet.events.count })
        }
        return BusyDay(
            conf: conf, clock: clock, logger: logger, permohonan: permohonan, changeSets: ordered,
            stored: ordered.map { storedByHash[$0.hash]! }, events: events, keys: keys, writers: writers,
            state: try hubStore.stateDump(partition: partition), syncs: counter.syncs, refolds: refolds,
            eventsReread: reread,
            buildSeconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, service: service,
            kecamatanIdentity: kecIdentity, hubIdentity: hubIdentity, kecamatanDirectory: kecDir)
    }

    /// A key drawn from the seed instead of the system's randomness: Ed25519 signatures are
    /// deterministic, so the same seed gives byte-identical change sets and the same `bytes` figures.
    static func seededIdentity(
        node: NodeID, directory: String, rng: inout SplitMix64
    ) throws -> NodeIdentity {
        let raw = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let path = (directory as NSString).appendingPathComponent(NodeIdentity.fileName)
        let text = Data(raw).base64EncodedString() + "\n"
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw BenchError("cannot write \(path)") }
        return try NodeIdentity.load(node: node, directory: directory)
    }

    /// Merges the writers' chains so that every change set follows the events its events saw.
    private static func causalOrder(_ byWriter: [String: [SignedChangeSet]]) throws -> [SignedChangeSet] {
        var queues = byWriter.mapValues { $0[...] }
        var held: [String: UInt64] = [:]
        var out: [SignedChangeSet] = []
        while queues.values.contains(where: { !$0.isEmpty }) {
            var progressed = false
            for writer in queues.keys.sorted() {
                while let next = queues[writer]?.first,
                    next.changeSet.events.allSatisfy({ e in
                        e.context.entries.allSatisfy { $0.key == writer || held[$0.key, default: 0] >= $0.value }
                    })
                {
                    out.append(next)
                    held[writer] = next.changeSet.last
                    queues[writer] = queues[writer]?.dropFirst()
                    progressed = true
                }
            }
            guard progressed else { throw BenchError("the day's change sets depend on each other in a cycle") }
        }
        return out
    }

    /// A fresh, empty replica of the kecamatan (a restore of the same node on a new disk) that knows
    /// the writers' keys.
    func emptyReplica(directory: String) throws -> NodeStore {
        let store = try NodeStore.create(
            directory: directory, node: Self.kecamatan, name: "Kecamatan Semarang Tengah", zona: .wib,
            catalog: conf.catalog, calendar: conf.calendar, wilayah: conf.wilayah, now: clock.now, logger: logger)
        try store.learn(keys)
        return store
    }
}

/// The front office at work: officers act on files in a random but seeded order.
private struct Counter {
    var rng: SplitMix64
    let clock: SimClock
    let kecamatan: NodeStore
    let hub: NodeStore
    let client: SyncClient
    let catalog: LayananCatalog
    var files: [File] = []
    var syncs = 0

    /// A file as the officers plan to handle it.
    struct File {
        var number: String
        var layanan: Layanan
        /// The step at which the citizen withdraws or an officer rejects, if the file ends early.
        var ending: (tahap: Tahap, withdraw: Bool)?
        /// The PTSP's remaining OSS progress codes, then its decision.
        var ptspSteps: [String]
        var decision: (code: String, fee: Int64?)
        var decided = false
        var closed = false
    }

    init(
        rng: SplitMix64, clock: SimClock, kecamatan: NodeStore, hub: NodeStore, client: SyncClient,
        catalog: LayananCatalog
    ) {
        self.rng = rng
        self.clock = clock
        self.kecamatan = kecamatan
        self.hub = hub
        self.client = client
        self.catalog = catalog
    }

    mutating func run(permohonan: Int) throws {
        let arrivals = (0..<permohonan).map { _ in Int.random(in: 0..<BusyDay.lastArrivalTick, using: &rng) }.sorted()
        var next = 0
        for tick in 0..<BusyDay.ticks {
            clock.advance(
                to: Timestamp(
                    milliseconds: BusyDay.opening.milliseconds + Int64(tick * BusyDay.tickMinutes) * 60_000))
            while next < arrivals.count && arrivals[next] == tick {
                try register()
                next += 1
            }
            // An officer finishes a step on about a third of the open files every five minutes.
            for i in files.indices.shuffled(using: &rng) where !files[i].closed && rng.chance(0.35) {
                try act(on: i)
            }
            if tick % 12 == 11 || tick == BusyDay.ticks - 1 {
                try sync()
                try ptspPass()
            }
        }
        // The evening sync carries the PTSP's last decisions back.
        try sync()
    }

    private mutating func register() throws {
        let layanan = rng.pick(catalog.services)
        var isian: [String: String] = [:]
        if case .formula(_, let inputs, _) = layanan.fee {
            for name in inputs { isian[name] = FileShape.formInput(name, using: &rng) }
        }
        let application = Application(
            layanan: layanan.code, pemohon: pemohon(), syarat: layanan.requirements.map(\.code), isian: isian)
        let p = try kecamatan.register(application, officer: rng.pick(Roster.loket))
        var file = File(number: p.number, layanan: layanan, ending: nil, ptspSteps: [], decision: ("50", nil))
        if layanan.isDelegated {
            let steps = FileShape.steps(of: layanan)
            if rng.chance(0.04) {
                file.ending = (rng.pick(steps.filter(\.mayReject)), false)
            } else if rng.chance(0.03) {
                file.ending = (rng.pick(steps.filter { $0 != .penyerahan }), true)
            }
        } else {
            if rng.chance(0.03) { file.ending = (.penerusan, true) }
            file.ptspSteps = FileShape.ptspSteps(to: layanan.forwardTo)
            if rng.chance(0.08) {
                file.decision = (rng.pick(["90", "93"]), nil)
            } else if case .setByPTSP = layanan.fee {
                file.decision = ("50", Int64.random(in: 150...1_500, using: &rng) * 1_000)
            }
        }
        files.append(file)
    }

    /// The counter's next step on a file, as the workflow asks for it.
    private mutating func act(on i: Int) throws {
        let file = files[i]
        let p = try kecamatan.permohonan(file.number)
        guard p.status == .diproses, let tahap = p.tahap else {
            files[i].closed = p.status.isClosed
            return
        }
        let command: Command
        let officer: String
        if let ending = file.ending, ending.tahap == tahap, p.paid == 0 {
            command =
                ending.withdraw
                ? .withdraw(reason: rng.pick(Roster.withdrawals)) : .reject(reason: rng.pick(Roster.rejections))
            officer = ending.withdraw ? rng.pick(Roster.loket) : Roster.officer(for: tahap)
        } else if tahap == .penerusan {
            command = .forward(note: rng.chance(0.3) ? "berkas lengkap, dikirim hari ini" : nil)
            officer = rng.pick(Roster.loket)
        } else if tahap == .penyerahan && p.outstanding > 0 {
            command = .pay(amount: p.outstanding, receipt: "")
            officer = Roster.kasir
        } else {
            command = .advance(tahap: tahap, note: rng.chance(0.2) ? rng.pick(Roster.notes) : nil)
            officer = Roster.officer(for: tahap)
        }
        try kecamatan.perform(command, on: file.number, officer: officer)
    }

    private mutating func sync() throws {
        let report = client.run()
        syncs += 1
        guard report.outcome.result == .inSync else {
            throw BenchError(
                "sync \(syncs) of the day ended \(report.outcome.result.rawValue): \(report.outcome.message)")
        }
    }

    /// The PTSP works through the forwarded files it holds: one to three steps each per hour.
    private mutating func ptspPass() throws {
        for i in files.indices where !files[i].layanan.isDelegated && !files[i].decided {
            guard let p = try? hub.permohonan(files[i].number), p.status == .diteruskan else { continue }
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                if files[i].ptspSteps.isEmpty {
                    let d = files[i].decision
                    let note = PTSPStatus.entry(d.code)?.kind == .rejected ? rng.pick(Roster.ptspRejections) : nil
                    try hub.perform(
                        .decide(code: d.code, fee: d.fee, note: note), on: files[i].number, officer: Roster.kabid)
                    files[i].decided = true
                    break
                }
                let code = files[i].ptspSteps.removeFirst()
                try hub.perform(
                    .ptspProgress(code: code, note: rng.chance(0.25) ? "diperiksa tim teknis" : nil),
                    on: files[i].number, officer: rng.pick(Roster.ptsp))
            }
        }
    }

    /// A citizen of the kecamatan with a valid NIK registered there.
    private mutating func pemohon() -> Pemohon {
        let woman = rng.chance(0.5)
        let day = Int.random(in: 1...28, using: &rng) + (woman ? 40 : 0)
        let month = Int.random(in: 1...12, using: &rng)
        let year = Int.random(in: 50...105, using: &rng) % 100
        let serial = Int.random(in: 1...9999, using: &rng)
        let text =
            "337401" + [day, month, year].map { String(format: "%02ld", $0) }.joined()
            + String(format: "%04ld", serial)
        let first = woman ? rng.pick(Roster.women) : rng.pick(Roster.men)
        let nama = "\(first) \(rng.pick(Roster.family))"
        var alamat: String?
        if rng.chance(0.6) {
            let (number, rt, rw) = (
                Int.random(in: 1...120, using: &rng), Int.random(in: 1...9, using: &rng),
                Int.random(in: 1...8, using: &rng)
            )
            alamat = "Jl. \(rng.pick(Roster.streets)) No. \(number), RT 0\(rt)/RW 0\(rw)"
        }
        let telepon = rng.chance(0.7) ? "08" + String(Int.random(in: 1_100_000_000...9_999_999_999, using: &rng)) : nil
        // The generator only makes valid NIKs; a failure here is a bug in the bench.
        return Pemohon(nik: try! NIK(validating: text), nama: nama, alamat: alamat, telepon: telepon)
    }
}

/// Names and phrases the officers use.
/// How a simulated file moves, shared by the busy day and the web bench's store.
enum FileShape {
    /// The steps a delegated service's file passes, in order.
    static func steps(of layanan: Layanan) -> [Tahap] {
        var out: [Tahap] = []
        var tahap: Tahap? = .verifikasi
        while let t = tahap {
            out.append(t)
            tahap = Workflow.step(after: t, layanan: layanan)
        }
        return out
    }

    /// OSS progress codes a forwarded file passes through at each receiving office.
    static func ptspSteps(to office: String?) -> [String] {
        switch office {
        case "PTSP": ["05", "10", "20", "40", "45"]
        case "OSS": ["05", "10"]
        case "Dukcapil": ["05"]
        default: ["05", "10", "20"]
        }
    }

    /// A plausible value for a fee formula's input.
    static func formInput(_ name: String, using rng: inout SplitMix64) -> String {
        switch name {
        case "panjang_m": String(Int.random(in: 20...300, using: &rng))
        case "lebar_m": String(Int.random(in: 4...8, using: &rng))
        case "luas_m2": "\(Int.random(in: 1...12, using: &rng)).\(Int.random(in: 0...9, using: &rng))"
        case "hari": String(Int.random(in: 1...14, using: &rng))
        default: String(Int.random(in: 1...20, using: &rng))
        }
    }
}

enum Roster {
    static let loket = ["Sri Wahyuni", "Agus Setiawan"]
    static let kasir = "Rina Marlina"
    static let kabid = "Ir. Bambang Wicaksono (Kabid Perizinan)"
    static let ptsp = ["Rudi Hartono (PTSP)", "Dewi Lestari (PTSP)", "Fajar Nugroho (PTSP)"]
    static let women = ["Siti", "Dwi", "Endang", "Rahayu", "Nur", "Yuliana", "Fitri", "Wulan", "Ratna", "Tri"]
    static let men = ["Budi", "Slamet", "Joko", "Ahmad", "Eko", "Bambang", "Hendra", "Sugeng", "Yusuf", "Rizky"]
    static let family = [
        "Santoso", "Wibowo", "Purnomo", "Hidayat", "Susanti", "Kurniawan", "Setiawati", "Prasetyo", "Handayani",
        "Maryati", "Nugroho", "Saputra",
    ]
    static let streets = ["Pandanaran", "Pemuda", "Gajahmada", "Imam Bonjol", "Kartini", "Sriwijaya", "Kaligawe"]
    static let notes = [
        "berkas sesuai persyaratan", "lokasi sesuai denah", "data sudah dientri dan dokumen dicetak", "diparaf",
        "ditandatangani", "dokumen diterima pemohon",
    ]
    static let withdrawals = ["pemohon membatalkan permohonan", "pemohon pindah domisili", "kegiatan dibatalkan"]
    static let rejections = [
        "surat pengantar desa sudah kedaluwarsa", "data KTP tidak sesuai KK", "lokasi tidak sesuai denah",
    ]
    static let ptspRejections = ["persyaratan teknis tidak terpenuhi", "lokasi di luar peruntukan tata ruang"]

    static func officer(for tahap: Tahap) -> String {
        switch tahap {
        case .verifikasi: "Hendra Gunawan"
        case .cekLapangan: "Slamet Riyadi"
        case .operatorStep: "Nur Aini"
        case .validasiKasi: "Drs. Sutrisno (Kasi Pelayanan)"
        case .validasiSekcam: "Wahyu Hidayat, S.Sos (Sekcam)"
        case .pengesahanCamat: "Dr. Ika Pratiwi (Camat)"
        case .penyerahan: "Dian Puspita"
        case .penerusan, .kelengkapan: "Sri Wahyuni"
        }
    }
}
