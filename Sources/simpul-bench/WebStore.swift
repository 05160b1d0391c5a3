import Foundation
import Logging
import SimpulDomain
import SimpulStore
import SimpulSync

/// A kecamatan store holding years of counter work, for the `web` scenario: every service of the
/// catalog, most files closed long ago, the last weeks' files open at every step, forwarded files
/// waiting at the PTSP or decided by it and back for payment and handover.
///
/// With `side: .hub` it is the PTSP hub's store instead (`web --side hub`): the files the 16
/// kecamatan of Kota Semarang forwarded, each kecamatan signing its own change sets under its own
/// key and the hub its codes and decisions, applied as the hub applies what it receives. Only
/// services the kecamatan forwards are drawn, and every file reaches the PTSP: the recent ones wait
/// there at some OSS code, the older ones came back decided.
///
/// The events are made in memory through the workflow (`Workflow.decide`, `Permohonan.apply`, as the
/// counter and the hub would), sealed into signed change sets by the kecamatan and the hub, and
/// applied to the store through the same path as a pull. Registering and performing one command at
/// a time would cost a synchronous commit and a catalog read per event: hours for 100,000 files.
struct WebStore {
    /// Whose store: a kecamatan's counter or the hub's back office.
    enum Side: String {
        case kecamatan
        case hub
    }

    static let node = BusyDay.kecamatan
    /// The kecamatan whose files a hub store holds: every kecamatan of Kota Semarang.
    static let kecamatans = (1...16).map { NodeID(String(format: "33.74.%02ld", $0))! }
    static let hub = BusyDay.hub
    /// Files a working day at a busy kecamatan counter.
    static let perDay = 150
    /// The last working day of the history; the pages are read the next morning.
    static let lastDay = LocalDate(year: 2026, month: 12, day: 3)!
    /// Friday 4 December 2026, 09:00 WIB: the moment the counter's pages are read at.
    static let now = Timestamp(iso: "2026-12-04T02:00:00Z")!

    let store: NodeStore
    let permohonan: Int
    let events: Int
    let changeSets: Int
    let seconds: Double
    let storeBytes: Int
    let byStatus: [String: Int]
    let openByTahap: [String: Int]
    /// Numbers, NIKs and names of files in the store, for the pages asked for.
    let numbers: [String]
    let niks: [String]
    /// Files that reached the PTSP (at the hub: every file).
    let forwarded: Int

    static func fill(
        conf: ConfDirectory, seed: UInt64, permohonan: Int, directory: String, side: Side = .kecamatan,
        logger: Logger
    ) throws -> WebStore {
        let started = DispatchTime.now().uptimeNanoseconds
        let atHub = side == .hub
        let store = try NodeStore.create(
            directory: directory, node: atHub ? hub : node,
            name: atHub ? "DPMPTSP Kota Semarang" : "Kecamatan Semarang Tengah", zona: .wib, catalog: conf.catalog,
            calendar: conf.calendar, wilayah: conf.wilayah, now: { now }, logger: logger)
        var keyRNG = SplitMix64(seed: seed ^ 0x6B65_7973)
        // Each node's key in a folder of its own, the store's own node's in the store's folder.
        func identity(_ id: NodeID, own: Bool) throws -> NodeIdentity {
            let folder =
                own ? directory : (directory as NSString).appendingPathComponent(id.isHub ? "hub" : id.rawValue)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return try BusyDay.seededIdentity(node: id, directory: folder, rng: &keyRNG)
        }
        let kecIdentities = try (atHub ? kecamatans : [node]).map { try identity($0, own: !atHub) }
        let hubIdentity = try identity(hub, own: atHub)
        try store.learn(
            (kecIdentities + [hubIdentity]).map {
                NodeKey(
                    node: $0.node.rawValue, publicKey: $0.publicKey, fingerprint: $0.fingerprint,
                    enrolledAt: Timestamp(iso: "2024-01-01T00:00:00Z")!, revokedAt: nil, active: true)
            })
        if !atHub { try store.setHub(HubConfig(url: "https://hub.semarangkota.go.id:8443", caFile: nil)) }

        var writer = Writer(store: store, kecamatans: kecIdentities, hub: hubIdentity)
        var planner = Planner(
            rng: SplitMix64(seed: seed), catalog: conf.catalog, calendar: conf.calendar, permohonan: permohonan,
            kecamatans: kecIdentities.map(\.node), forwardedOnly: atHub)
        var numbers: [String] = []
        var niks: [String] = []
        var byStatus: [String: Int] = [:]
        var openByTahap: [String: Int] = [:]
        var forwarded = 0
        // A round at a time, so memory holds one round's files: the kecamatan's work up to each
        // forwarding, the hub's on what it received, then the kecamatan's again on what came back.
        let round = 2_000
        for start in stride(from: 0, to: permohonan, by: round) {
            var files = try (start..<min(start + round, permohonan)).map { i in try planner.file(i) }
            for phase in [Writer.Side.kecamatan, .hub, .kecamatan] {
                for i in files.indices { try writer.play(&files[i], side: phase) }
                try writer.flush()
            }
            for f in files {
                guard let state = f.state else { throw BenchError("file \(f.index) was never registered") }
                byStatus[state.status.rawValue, default: 0] += 1
                if let t = state.tahap, state.status == .diproses { openByTahap[t.rawValue, default: 0] += 1 }
                if state.forwardedTo != nil { forwarded += 1 }
                // At the hub the file pages asked for are of files still waiting there, as the queue links them.
                let asked =
                    atHub
                    ? state.status == .diteruskan && f.index % 7 == 0
                    : f.index % 97 == 0 || (state.status == .diproses && f.index % 7 == 0)
                if asked {
                    numbers.append(state.number)
                    niks.append(state.pemohon.nik.digits)
                }
            }
        }
        // The hub holds everything: the status strip shows nothing waiting to go.
        if !atHub { try store.setPeerKnowledge(SyncClient.hubPeer, try store.knowledge()) }
        let bytes =
            (try? FileManager.default.attributesOfItem(
                atPath: (directory as NSString).appendingPathComponent(NodeStore.fileName))[.size] as? Int) ?? 0
        return WebStore(
            store: store, permohonan: permohonan, events: writer.events, changeSets: writer.changeSets,
            seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, storeBytes: bytes,
            byStatus: byStatus, openByTahap: openByTahap, numbers: numbers, niks: niks, forwarded: forwarded)
    }
}

/// One file as planned: its state so far and how far its story goes.
struct PlannedFile {
    var index: Int
    /// The kecamatan that registered it, by its place in the writer's list.
    var kecamatan: Int
    var registration: Registration
    var registrar: String
    /// Nil until the registration is written.
    var state: Permohonan?
    /// Commands after which the file stays where it is (still open on the day the pages are read).
    var stopAfter: Int
    var done = 0
    /// A step at which an officer rejects the file, or the citizen withdraws.
    var ending: (tahap: Tahap, withdraw: Bool)?
    var ptspSteps: [String]
    var decision: (code: String, fee: Int64?)
    var at: Timestamp
}

/// Draws the files: services, applicants, dates and how far each got.
private struct Planner {
    var rng: SplitMix64
    let catalog: LayananCatalog
    let calendar: WorkingDayCalendar
    /// The working days of the history, oldest first.
    let days: [LocalDate]
    let permohonan: Int
    /// Files go to these in turn.
    let kecamatans: [NodeID]
    /// Only services the kecamatan forwards, and every file forwarded (the hub's store).
    let forwardedOnly: Bool
    let services: [Layanan]
    /// The last registration sequence per kecamatan and year.
    var sequence: [String: Int] = [:]

    init(
        rng: SplitMix64, catalog: LayananCatalog, calendar: WorkingDayCalendar, permohonan: Int,
        kecamatans: [NodeID], forwardedOnly: Bool
    ) {
        self.rng = rng
        self.catalog = catalog
        self.calendar = calendar
        self.permohonan = permohonan
        self.kecamatans = kecamatans
        self.forwardedOnly = forwardedOnly
        services = forwardedOnly ? catalog.services.filter { !$0.isDelegated } : catalog.services
        var days: [LocalDate] = []
        var d = WebStore.lastDay
        let count = max(1, (permohonan + WebStore.perDay - 1) / WebStore.perDay)
        while days.count < count {
            if calendar.isWorkingDay(d) { days.append(d) }
            d = d.adding(days: -1)
        }
        self.days = days.reversed()
    }

    mutating func file(_ i: Int) throws -> PlannedFile {
        let dayIndex = i * days.count / permohonan
        let day = days[dayIndex]
        // Working days before the morning the pages are read: the last weeks' files are still open.
        let age = days.count - 1 - dayIndex
        let layanan = rng.pick(services)
        let kecamatan = i % kecamatans.count
        var isian: [String: String] = [:]
        if case .formula(_, let inputs, _) = layanan.fee {
            for name in inputs { isian[name] = FileShape.formInput(name, using: &rng) }
        }
        let year = day.year
        let key = "\(kecamatan) \(year)"
        sequence[key, default: 0] += 1
        let number = RegistrationNumber(
            prefix: kecamatans[kecamatan].registrationPrefix, year: year, sequence: sequence[key]!
        ).text
        // 07:30 WIB onwards, a file every couple of minutes.
        let minutes = Int64(30 + (i % WebStore.perDay) * 2)
        let at = Timestamp(milliseconds: Int64(day.daysSinceEpoch) * 86_400_000 + minutes * 60_000)
        let registration = try Workflow.register(
            number: number, layanan: layanan, catalogVersion: catalog.version, pemohon: pemohon(),
            syarat: layanan.requirements.map(\.code), isian: isian, acceptedOn: day, calendar: calendar)
        let open = age < 15 ? rng.chance(0.9 * Double(15 - age) / 15) : rng.chance(0.002)
        var file = PlannedFile(
            index: i, kecamatan: kecamatan, registration: registration, registrar: rng.pick(Roster.loket), state: nil,
            stopAfter: open ? Int.random(in: 0...7, using: &rng) : Int.max, ending: nil, ptspSteps: [],
            decision: ("50", nil), at: at)
        if layanan.isDelegated {
            let steps = FileShape.steps(of: layanan)
            if rng.chance(0.04) {
                file.ending = (rng.pick(steps.filter(\.mayReject)), false)
            } else if rng.chance(0.03) {
                file.ending = (rng.pick(steps.filter { $0 != .penyerahan }), true)
            }
        } else {
            if rng.chance(0.03) && !forwardedOnly { file.ending = (.penerusan, true) }
            file.ptspSteps = FileShape.ptspSteps(to: layanan.forwardTo)
            if forwardedOnly && open {
                // Open at the hub means waiting there: a forwarded service's file starts at penerusan,
                // so one command forwards it; then it stops after some of its codes, before the decision.
                file.stopAfter = 1 + Int.random(in: 0...file.ptspSteps.count, using: &rng)
            }
            if rng.chance(0.08) {
                file.decision = (rng.pick(["90", "93"]), nil)
            } else if case .setByPTSP = layanan.fee {
                file.decision = ("50", Int64.random(in: 150...1_500, using: &rng) * 1_000)
            }
        }
        return file
    }

    /// A citizen of the kecamatan with a valid NIK; some apply more than once over the years.
    private mutating func pemohon() -> Pemohon {
        let woman = rng.chance(0.5)
        let day = Int.random(in: 1...28, using: &rng) + (woman ? 40 : 0)
        let month = Int.random(in: 1...12, using: &rng)
        let year = Int.random(in: 50...105, using: &rng) % 100
        let serial = Int.random(in: 1...99, using: &rng)
        let text =
            "337401" + [day, month, year].map { String(format: "%02ld", $0) }.joined()
            + String(format: "%04ld", serial)
        let first = woman ? rng.pick(Roster.women) : rng.pick(Roster.men)
        let second = rng.chance(0.5) ? " " + (woman ? rng.pick(Roster.women) : rng.pick(Roster.men)) : ""
        let nama = "\(first)\(second) \(rng.pick(Roster.family))"
        let alamat =
            "Jl. \(rng.pick(Roster.streets)) No. \(Int.random(in: 1...120, using: &rng)), "
            + "RT 0\(Int.random(in: 1...9, using: &rng))/RW 0\(Int.random(in: 1...8, using: &rng))"
        // The generator only makes valid NIKs; a failure here is a bug in the bench.
        return Pemohon(nik: try! NIK(validating: text), nama: nama, alamat: alamat, telepon: nil)
    }
}

/// Writes the files' events as the kecamatan and the hub would, seals them into change sets and
/// applies those to the store.
private struct Writer {
    enum Side { case kecamatan, hub }

    /// One writer's events in one partition not sealed yet.
    struct Pending {
        var identity: NodeIdentity
        var partition: String
        var events: [Event] = []
        var bytes = 0
    }

    let store: NodeStore
    let kecamatans: [NodeIdentity]
    let hub: NodeIdentity
    var lamport: UInt64 = 0
    /// A writer's sequence numbers run per partition, as a store numbers its own events.
    var seq: [String: UInt64] = [:]
    /// The hash of the last change set per writer and partition: a chain runs within a partition.
    var prev: [String: String] = [:]
    /// Per writer and partition, so that the hub's events on many kecamatan's files fill change sets
    /// of a partition each, as the hub seals them, rather than one per file.
    var pending: [String: Pending] = [:]
    var pendingSide = Side.kecamatan
    var sealed: [RemoteChangeSet] = []
    var payments = 0
    var events = 0
    var changeSets = 0

    init(store: NodeStore, kecamatans: [NodeIdentity], hub: NodeIdentity) {
        self.store = store
        self.kecamatans = kecamatans
        self.hub = hub
    }

    /// Plays the file forward while its next command is `side`'s to write and its story goes on.
    mutating func play(_ file: inout PlannedFile, side: Side) throws {
        if file.state == nil {
            guard side == .kecamatan else { return }
            let e = try add(
                record: file.registration.number, context: VersionVector(), at: file.at, officer: file.registrar,
                role: Peran.loket, body: .registered(file.registration), side: .kecamatan, kecamatan: file.kecamatan)
            file.state = Permohonan(registeredBy: e, file.registration)
        }
        guard var state = file.state else { return }
        while file.done < file.stopAfter, let (command, writer) = next(file, state), writer == side {
            var cmd = command
            if case .pay(let amount, _) = command {
                payments += 1
                cmd = .pay(amount: amount, receipt: NodeStore.receiptNumber(node: WebStore.node, seq: payments))
            }
            let body = try Workflow.decide(cmd, on: state)
            file.at = Timestamp(milliseconds: file.at.milliseconds + 40 * 60_000)
            let (officer, role) = Self.attribution(body, index: file.index)
            let e = try add(
                record: state.number, context: state.seen, at: file.at, officer: officer, role: role, body: body,
                side: side, kecamatan: file.kecamatan)
            state.apply(e)
            file.done += 1
        }
        file.state = state
    }

    /// Appends one event of `side` on a file of `kecamatan`, sealing what is pending first when the
    /// side changes or the change set is full.
    private mutating func add(
        record: String, context: VersionVector, at: Timestamp, officer: String, role: String, body: EventBody,
        side: Side, kecamatan: Int
    ) throws -> Event {
        if side != pendingSide {
            try sealAll()
            pendingSide = side
        }
        let identity = side == .kecamatan ? kecamatans[kecamatan] : hub
        let node = identity.node.rawValue
        let partition = kecamatans[kecamatan].node.homePartition
        let key = "\(node) \(partition)"
        let s = (seq[key] ?? 0) + 1
        seq[key] = s
        lamport += 1
        let e = Event(
            dot: Dot(node: node, seq: s), partition: partition, lamport: lamport, context: context,
            record: record, officer: officer, role: role, at: at, body: body)
        let size = try Canonical.encode(WireEvent(e)).count + 1
        if let held = pending[key], held.bytes + size > ChangeSetSealer.defaultBudget { try seal(key) }
        pending[key, default: Pending(identity: identity, partition: partition)].events.append(e)
        pending[key]?.bytes += size
        events += 1
        return e
    }

    private mutating func seal(_ key: String) throws {
        guard let held = pending.removeValue(forKey: key), !held.events.isEmpty else { return }
        let signed = try SignedChangeSet.seal(
            held.events, node: held.identity, partition: held.partition, prev: prev[key])
        sealed.append(try ReceivedChangeSet(body: try signed.encoded()).remote)
        prev[key] = signed.hash
        changeSets += 1
    }

    /// Seals every writer's pending events, in a fixed order so that a seed gives the same store.
    private mutating func sealAll() throws {
        for key in pending.keys.sorted() { try seal(key) }
    }

    /// Seals what is pending and applies every change set sealed so far, in one transaction.
    mutating func flush() throws {
        try sealAll()
        guard !sealed.isEmpty else { return }
        let outcomes = try store.applyRemote(sealed)
        if let refused = outcomes.first(where: { if case .applied = $0 { false } else { true } }) {
            throw BenchError("a generated change set was not applied: \(refused)")
        }
        guard outcomes.count == sealed.count else {
            throw BenchError("\(outcomes.count) of \(sealed.count) generated change sets applied")
        }
        sealed.removeAll(keepingCapacity: true)
    }

    /// The file's next command and who writes it, or nil once it is closed.
    private func next(_ file: PlannedFile, _ p: Permohonan) -> (Command, Side)? {
        switch p.status {
        case .diproses:
            guard let tahap = p.tahap else { return nil }
            if let ending = file.ending, ending.tahap == tahap, p.paid == 0 {
                return (
                    ending.withdraw
                        ? .withdraw(reason: Roster.withdrawals[file.index % Roster.withdrawals.count])
                        : .reject(reason: Roster.rejections[file.index % Roster.rejections.count]), .kecamatan
                )
            }
            if tahap == .penerusan { return (.forward(note: nil), .kecamatan) }
            if tahap == .penyerahan && p.outstanding > 0 {
                return (.pay(amount: p.outstanding, receipt: ""), .kecamatan)
            }
            return (.advance(tahap: tahap, note: file.index % 5 == 0 ? Roster.notes[file.index % 6] : nil), .kecamatan)
        case .diteruskan:
            // The PTSP's codes so far: the file's progress is the last one it wrote.
            let done = p.ptspCode.flatMap { file.ptspSteps.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
            if done < file.ptspSteps.count { return (.ptspProgress(code: file.ptspSteps[done], note: nil), .hub) }
            let d = file.decision
            let note = PTSPStatus.entry(d.code)?.kind == .rejected ? Roster.ptspRejections[file.index % 2] : nil
            return (.decide(code: d.code, fee: d.fee, note: note), .hub)
        case .selesai, .ditarik, .ditolak:
            return nil
        }
    }

    private static func attribution(_ body: EventBody, index: Int) -> (String, String) {
        switch body {
        case .stepCompleted(let s): (Roster.officer(for: s.tahap), s.tahap.role)
        case .rejected(let r): (Roster.officer(for: r.tahap), r.tahap.role)
        case .paymentReceived: (Roster.kasir, Peran.kasir)
        case .ptspProgress: (Roster.ptsp[index % Roster.ptsp.count], Peran.ptsp)
        case .decided: (Roster.kabid, Peran.ptsp)
        default: (Roster.loket[index % Roster.loket.count], Peran.loket)
        }
    }
}
