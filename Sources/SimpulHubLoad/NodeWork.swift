import Crypto
import Foundation
import SimpulDomain
import SimpulStore
import SimpulSync

/// SplitMix64: the same seed gives the same nodes, keys, days and timetable on every machine.
public struct LoadRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    public mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
}

/// One simulated kecamatan office (or a field laptop of one, past 99 nodes) and its signing key.
public struct LoadNode: Sendable {
    /// The hub's kabupaten: Kota Semarang, as everywhere in the benches.
    public static let hub = NodeID("33.74")!
    /// A kabupaten has at most 99 kecamatan codes (two digits) and each kecamatan up to 9 sub-nodes.
    public static let maxNodes = 99 * 10

    public let index: Int
    public let identity: NodeIdentity
    public var id: NodeID { identity.node }
    public var partition: String { id.homePartition }

    /// The `index`-th node: kecamatan 33.74.01 to 33.74.99 first, then their sub-nodes `-1`, `-2`...
    /// in the same order, so that N nodes spread over as many partitions as the kabupaten has codes.
    /// The key is drawn from the seed.
    public static func make(index: Int, seed: UInt64) -> LoadNode {
        let kecamatan = index % 99 + 1
        let sub = index / 99
        let code = String(format: "33.74.%02ld", kecamatan) + (sub == 0 ? "" : "-\(sub)")
        var rng = LoadRandom(seed: seed ^ 0x6B65_7973 &+ UInt64(index) &* 0x1000_0001)
        let raw = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        // 32 bytes are always a valid Ed25519 seed.
        let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        return LoadNode(index: index, identity: NodeIdentity(node: NodeID(code)!, privateKey: key))
    }

    /// Its key as a store learns it.
    public func key(enrolledAt: Timestamp) -> NodeKey {
        NodeKey(
            node: id.rawValue, publicKey: identity.publicKey, fingerprint: identity.fingerprint, enrolledAt: enrolledAt,
            revokedAt: nil, active: true)
    }
}

/// A node's counter work, made in memory through the workflow (as the counter would) and sealed into
/// signed change sets under the node's key, day by day, as a nightly sync seals them. Its history
/// comes first, then its busy day, whose chain continues the history's.
public struct NodeWork: Sendable {
    public let node: LoadNode
    let catalog: LayananCatalog
    let calendar: WorkingDayCalendar
    var rng: LoadRandom
    var seq: UInt64 = 0
    var prev: String?
    var sequence: [Int: Int] = [:]
    var receipts = 0
    var pending: [Event] = []
    var pendingBytes = 0
    var sealed: [[UInt8]] = []
    /// Events and change sets made so far.
    public private(set) var events = 0
    public private(set) var changeSets = 0

    public init(node: LoadNode, catalog: LayananCatalog, calendar: WorkingDayCalendar, seed: UInt64) {
        self.node = node
        self.catalog = catalog
        self.calendar = calendar
        rng = LoadRandom(seed: seed &+ UInt64(node.index) &* 0x9E37_79B9)
    }

    /// Most of a kecamatan counter's files are its own delegated services (the letters and small
    /// permits it completes); about one in seven is a service it forwards to the PTSP.
    private mutating func service() -> Layanan {
        let forwarded = rng.chance(0.15)
        let pool = catalog.services.filter { $0.isDelegated != forwarded }
        return rng.pick(pool.isEmpty ? catalog.services : pool)
    }

    /// Plays `permohonan` applications registered on `day`, seals them and returns the change sets'
    /// documents (one day's work, sealed at its nightly sync) with the events they hold.
    public mutating func day(_ day: LocalDate, permohonan: Int) throws -> (documents: [[UInt8]], events: Int) {
        let before = events
        // 07:30 WIB is 00:30 UTC; an application every minute or two until the counter closes.
        var at = Int64(day.daysSinceEpoch) * 86_400_000 + 30 * 60_000
        for _ in 0..<permohonan {
            at += Int64.random(in: 30_000...120_000, using: &rng)
            try file(on: day, at: Timestamp(milliseconds: at))
        }
        try seal()
        let out = sealed
        sealed.removeAll()
        return (out, events - before)
    }

    /// About `target` events of earlier days, on the working days before `busy` (up to `perDay`
    /// applications a day), sealed day by day; their documents, oldest first.
    public mutating func history(events target: Int, before busy: LocalDate, perDay: Int = 300) throws -> [[UInt8]] {
        guard target > 0 else { return [] }
        // A file makes two events at least (registered and forwarded): days enough for that many files.
        var days: [LocalDate] = []
        var d = busy.adding(days: -1)
        while days.count < target / 2 / perDay + 1 {
            if calendar.isWorkingDay(d) { days.append(d) }
            d = d.adding(days: -1)
        }
        let start = events
        var out: [[UInt8]] = []
        for day in days.reversed() where events - start < target {
            var at = Int64(day.daysSinceEpoch) * 86_400_000 + 30 * 60_000
            var files = 0
            while events - start < target && files < perDay {
                at += Int64.random(in: 30_000...120_000, using: &rng)
                try file(on: day, at: Timestamp(milliseconds: at))
                files += 1
            }
            try seal()
            out += sealed
            sealed.removeAll()
        }
        return out
    }

    /// One application from registration to where the day leaves it: most delegated files are
    /// completed and handed over, a few rejected or withdrawn, and forwarded services leave for the
    /// PTSP.
    private mutating func file(on day: LocalDate, at start: Timestamp) throws {
        let layanan = service()
        var isian: [String: String] = [:]
        if case .formula(_, let inputs, _) = layanan.fee {
            for name in inputs { isian[name] = formInput(name) }
        }
        sequence[day.year, default: 0] += 1
        let number = RegistrationNumber(
            prefix: node.id.registrationPrefix, year: day.year, sequence: sequence[day.year]!
        ).text
        let registration = try Workflow.register(
            number: number, layanan: layanan, catalogVersion: catalog.version, pemohon: pemohon(),
            syarat: layanan.requirements.map(\.code), isian: isian, acceptedOn: day, calendar: calendar)
        var at = start
        let first = try add(
            number, context: VersionVector(), at: at, officer: rng.pick(Names.loket), role: Peran.loket,
            body: .registered(registration))
        var state = Permohonan(registeredBy: first, registration)
        let ending: (tahap: Tahap, withdraw: Bool)? =
            rng.chance(0.04)
            ? (rng.pick([Tahap.verifikasi, .validasiKasi, .pengesahanCamat]), false)
            : rng.chance(0.03) ? (.verifikasi, true) : nil
        while state.status == .diproses, let tahap = state.tahap {
            let command: Command
            if let ending, ending.tahap == tahap, state.paid == 0 {
                command = ending.withdraw ? .withdraw(reason: Names.withdrawal) : .reject(reason: Names.rejection)
            } else if tahap == .penerusan {
                command = .forward(note: rng.chance(0.3) ? "berkas lengkap, dikirim hari ini" : nil)
            } else if tahap == .penyerahan && state.outstanding > 0 {
                receipts += 1
                command = .pay(
                    amount: state.outstanding, receipt: NodeStore.receiptNumber(node: node.id, seq: receipts))
            } else {
                command = .advance(tahap: tahap, note: rng.chance(0.2) ? rng.pick(Names.notes) : nil)
            }
            let body = try Workflow.decide(command, on: state)
            let (officer, role): (String, String) =
                switch body {
                case .stepCompleted(let s): (Names.officer(s.tahap), s.tahap.role)
                case .rejected(let r): (Names.officer(r.tahap), r.tahap.role)
                case .paymentReceived: (Names.kasir, Peran.kasir)
                default: (rng.pick(Names.loket), Peran.loket)
                }
            at = Timestamp(milliseconds: at.milliseconds + Int64.random(in: 60_000...900_000, using: &rng))
            let e = try add(state.number, context: state.seen, at: at, officer: officer, role: role, body: body)
            state.apply(e)
        }
    }

    private mutating func add(
        _ record: String, context: VersionVector, at: Timestamp, officer: String, role: String, body: EventBody
    ) throws -> Event {
        seq += 1
        // The node's own events only: its Lamport clock runs with its sequence.
        let e = Event(
            dot: Dot(node: node.id.rawValue, seq: seq), partition: node.partition, lamport: seq, context: context,
            record: record, officer: officer, role: role, at: at, body: body)
        let size = try Canonical.encode(WireEvent(e)).count + 1
        if !pending.isEmpty && pendingBytes + size > ChangeSetSealer.defaultBudget { try seal() }
        pending.append(e)
        pendingBytes += size
        events += 1
        return e
    }

    private mutating func seal() throws {
        guard !pending.isEmpty else { return }
        let signed = try SignedChangeSet.seal(pending, node: node.identity, partition: node.partition, prev: prev)
        sealed.append(try signed.encoded())
        prev = signed.hash
        changeSets += 1
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
    }

    private mutating func pemohon() -> Pemohon {
        let woman = rng.chance(0.5)
        let day = Int.random(in: 1...28, using: &rng) + (woman ? 40 : 0)
        let month = Int.random(in: 1...12, using: &rng)
        let year = Int.random(in: 50...105, using: &rng) % 100
        let serial = Int.random(in: 1...9999, using: &rng)
        let text =
            "337401" + [day, month, year].map { String(format: "%02ld", $0) }.joined()
            + String(format: "%04ld", serial)
        let nama = "\(rng.pick(woman ? Names.women : Names.men)) \(rng.pick(Names.family))"
        let alamat =
            rng.chance(0.6)
            ? "Jl. \(rng.pick(Names.streets)) No. \(Int.random(in: 1...120, using: &rng)), RT 0\(Int.random(in: 1...9, using: &rng))"
            : nil
        let telepon = rng.chance(0.7) ? "08" + String(Int.random(in: 1_100_000_000...9_999_999_999, using: &rng)) : nil
        // Only valid NIKs are made; a failure here is a bug of the generator.
        return Pemohon(nik: try! NIK(validating: text), nama: nama, alamat: alamat, telepon: telepon)
    }

    private mutating func formInput(_ name: String) -> String {
        switch name {
        case "panjang_m": String(Int.random(in: 20...300, using: &rng))
        case "lebar_m": String(Int.random(in: 4...8, using: &rng))
        case "luas_m2": "\(Int.random(in: 1...12, using: &rng)).\(Int.random(in: 0...9, using: &rng))"
        case "hari": String(Int.random(in: 1...14, using: &rng))
        default: String(Int.random(in: 1...20, using: &rng))
        }
    }
}

/// Names and phrases the officers use.
enum Names {
    static let loket = ["Sri Wahyuni", "Agus Setiawan"]
    static let kasir = "Rina Marlina"
    static let women = ["Siti", "Dwi", "Endang", "Rahayu", "Nur", "Yuliana", "Fitri", "Wulan", "Ratna", "Tri"]
    static let men = ["Budi", "Slamet", "Joko", "Ahmad", "Eko", "Bambang", "Hendra", "Sugeng", "Yusuf", "Rizky"]
    static let family = ["Santoso", "Wibowo", "Purnomo", "Hidayat", "Susanti", "Kurniawan", "Prasetyo", "Nugroho"]
    static let streets = ["Pandanaran", "Pemuda", "Gajahmada", "Imam Bonjol", "Kartini", "Sriwijaya", "Kaligawe"]
    static let notes = ["berkas sesuai persyaratan", "data sudah dientri dan dokumen dicetak", "diparaf"]
    static let withdrawal = "pemohon membatalkan permohonan"
    static let rejection = "data KTP tidak sesuai KK"

    static func officer(_ tahap: Tahap) -> String {
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
