import ArgumentParser
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulSync

struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "Konflik antara loket kecamatan dan PTSP: lihat dan selesaikan.",
        subcommands: [List.self, Resolve.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Konflik yang belum diselesaikan (atau semua).")
        @OptionGroup var store: HubOptions
        @Flag(help: "Tampilkan juga yang sudah diselesaikan.") var all = false

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.storage()
                let conflicts = try s.conflicts(openOnly: !all)
                if store.json { return try Console.printJSON(conflicts) }
                if conflicts.isEmpty { return print("Tidak ada konflik\(all ? "" : " terbuka").") }
                for c in conflicts {
                    print("\(c.id)\(c.resolvedBy.map { "  [selesai oleh \($0)]" } ?? "")")
                    print("  permohonan \(c.record) (partisi \(c.partition))")
                    print(
                        "  sisi 1: \(c.concurrentWith.map(\.description).joined(separator: ", ")) (lebih dulu dalam urutan lipat)"
                    )
                    print("  sisi 2: \(c.event) \(c.eventType) (\(c.applied ? "berlaku" : "dikesampingkan"))")
                    print("  alasan: \(c.reason)")
                    if c.resolvedBy == nil, let history = try? s.history(c.record) {
                        let offset = s.info.zona.offsetMinutes
                        for e in history where c.concurrentWith.contains(e.dot) || e.dot == c.event {
                            print("    " + Render.eventLine(e, offset: offset))
                        }
                    }
                }
            }
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Selesaikan konflik dengan event baru yang menggantikan kedua sisi; ikut tersinkron ke kecamatan."
        )
        @OptionGroup var store: HubOptions
        @Argument(help: "Id konflik (dari 'conflicts list').") var id: String
        @Option(help: "Status lanjutan: diproses, diteruskan, selesai, ditarik, ditolak.") var status: String
        @Option(help: "Tahap yang menunggu bila status diproses, mis. penyerahan.") var tahap: String?
        @Option(help: "Alasan penyelesaian.") var catatan: String
        @Option(help: "Nama petugas rekonsiliasi.") var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                let st = try Console.status(status)
                let t = try tahap.map { (x) throws(SimpulError) in try Console.tahap(x) }
                let event = try s.settle(conflict: id, status: st, tahap: t, note: catatan, by: .typed(petugas))
                try Console.show(try s.permohonan(event.record), store: s, json: store.json)
            }
        }
    }
}

struct HubStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Kesehatan sinkron per node: kontak terakhir, knowledge, yang menunggu.")
    @OptionGroup var store: HubOptions

    func run() throws {
        try execute { () throws(SimpulError) in
            let s = try store.storage()
            let knowledge = try s.knowledge()
            let contacts = Dictionary(uniqueKeysWithValues: try s.contacts().map { ($0.node, $0) })
            let keys = try s.keys(node: nil).filter { $0.node != s.info.node.rawValue }
            let nodes = Set(keys.map(\.node)).sorted()
            let parked = try s.parkedBodies()
            let conflicts = try s.conflicts(openOnly: true)
            struct Row: Encodable {
                var node: String
                var enrolled: Bool
                var revoked: Bool
                var lastContact: Timestamp?
                var lastResult: String?
                var holds: UInt64
                var knowledge: VersionVector
                var openConflicts: Int
                var waitingForward: Int
            }
            var rows: [Row] = []
            for n in nodes {
                guard let id = NodeID(n) else { continue }
                let nodeKeys = keys.filter { $0.node == n }
                let part = knowledge[id.homePartition] ?? VersionVector()
                let waiting = try s.list(PermohonanFilter(status: .diteruskan, limit: 100_000)).filter {
                    $0.partition == id.homePartition
                }.count
                rows.append(
                    Row(
                        node: n, enrolled: nodeKeys.contains(where: \.active),
                        revoked: nodeKeys.contains { $0.active && $0.revokedAt != nil },
                        lastContact: contacts[n]?.lastContact, lastResult: contacts[n]?.lastResult, holds: part[n],
                        knowledge: part, openConflicts: conflicts.filter { $0.partition == id.homePartition }.count,
                        waitingForward: waiting))
            }
            if store.json { return try Console.printJSON(rows) }
            print("Hub \(s.info.node) (\(s.info.name)): \(rows.count) node")
            // What a kecamatan without a link needs for bundles: simpul init --hub-key.
            let identity = try store.identity(s)
            print("Kunci publik hub: \(identity.publicKey) (sidik jari \(NodeIdentity.readable(identity.fingerprint)))")
            let offset = s.info.zona.offsetMinutes
            for r in rows {
                let contact =
                    r.lastContact.map {
                        "\($0.localText(offsetMinutes: offset)) \(s.info.zona.rawValue) (\(r.lastResult ?? ""))"
                    } ?? "belum pernah"
                let state = r.revoked ? "DICABUT" : "aktif"
                print("\(r.node)  \(state)  kontak terakhir: \(contact)")
                print("  hub memegang \(r.holds) event node ini; knowledge partisi: \(r.knowledge)")
                print("  berkas diteruskan menunggu PTSP: \(r.waitingForward); konflik terbuka: \(r.openConflicts)")
            }
            if !parked.isEmpty { print("Change set menunggu dependensi: \(parked.count)") }
        }
    }
}
