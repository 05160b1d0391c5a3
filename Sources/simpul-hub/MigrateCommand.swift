import ArgumentParser
import Foundation
import SimpulConsole
import SimpulDomain
import SimpulHubPostgres
import SimpulStore
import SimpulSync

/// `simpul-hub migrate --to URL`: copies a SQLite hub into an empty PostgreSQL database, checks the
/// copy table by table, and only then points the data folder at the database (docs/postgres.md,
/// "Moving a SQLite hub to PostgreSQL").
///
/// Change sets are not copied as rows: each is read back as the signed document it is, verified
/// (hash, signature, key state, authorization) and applied by the same rules a push goes through,
/// so the database holds nothing the hub would not have accepted from the network. Bookkeeping that
/// the sync API would stamp anew (contacts, relays, parking, blob owners) is written as it was.
struct HubMigrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Pindahkan data hub SQLite ke database PostgreSQL kosong, diperiksa per tabel.",
        discussion: """
            Hentikan simpul-hub serve dulu. Database tujuan harus kosong (createdb); kata sandi lewat \
            PGPASSWORD. Setelah semua tabel cocok, folder data memakai database itu (database.json) dan \
            simpul.sqlite disimpan sebagai simpul.sqlite.migrated-TANGGAL. Exit: 0 selesai, 64 pemakaian \
            (mis. kata sandi di URL), 65 isi PostgreSQL berbeda dari SQLite (folder tetap memakai SQLite), \
            69 serve sedang berjalan, 73 hub tidak ada, sudah di PostgreSQL, atau database tujuan tidak \
            kosong, 74 gagal baca/tulis.
            """)

    @OptionGroup var store: HubOptions
    @Option(
        help:
            "Database tujuan yang kosong, mis. postgres://simpul@db.kab:5432/simpul_hub (kata sandi lewat PGPASSWORD, tidak di sini)."
    )
    var to: String

    func run() throws {
        try execute { () throws(SimpulError) in
            // Before anything is opened: a password on the command line is refused without a trace.
            let settings = try HubDatabase.parse(commandLine: to)
            let directory = store.directory
            if try HubDatabase.read(directory: directory) != nil {
                throw SimpulError(
                    .storeUnavailable, "hub di \(directory) sudah memakai PostgreSQL; tidak ada yang perlu dipindah")
            }
            let sqlitePath = (directory as NSString).appendingPathComponent(NodeStore.fileName)
            guard FileManager.default.fileExists(atPath: sqlitePath) else {
                throw SimpulError(.storeUnavailable, "tidak ada hub SQLite di \(directory)")
            }
            // The lock `serve` holds: no change set arrives while the copy runs.
            let lock: SyncLock
            do throws(SimpulError) { lock = try SyncLock.acquire(directory: directory) } catch
                where error.code == .busy
            {
                throw SimpulError(
                    .busy,
                    "simpul-hub serve sedang berjalan pada folder \(directory); hentikan dulu, lalu ulangi migrate")
            }
            defer { withExtendedLifetime(lock) {} }

            let result = try copyAndVerify(settings)
            guard let differing = result.tables.first(where: { !$0.match }) else {
                // The store is closed (copyAndVerify returned): its file can be set aside.
                try HubDatabase(url: to, node: result.node).write(directory: directory)
                let kept = try setAside(sqlitePath)
                return try show(result, kept: kept)
            }
            try show(result, kept: nil)
            throw SimpulError(
                .invalidData,
                "tabel \(differing.name) berbeda antara SQLite dan PostgreSQL; folder tetap memakai SQLite. "
                    + "Hapus dan buat ulang database \(settings.database) (dropdb/createdb) sebelum mengulang")
        }
    }

    // MARK: - Copy

    struct Outcome {
        var node: String
        var database: String
        var sealed: Int
        var changeSets: Int
        var tables: [Comparison]
        var notMoved: [NotMoved]
    }

    struct Comparison: Encodable {
        var name: String
        var sqliteRows: Int
        var postgresRows: Int
        var sqliteDigest: String
        var postgresDigest: String
        var match: Bool
    }

    struct NotMoved: Encodable {
        var table: String
        var rows: Int
        var reason: String
    }

    /// Everything from opening both stores to comparing them; both are closed when it returns.
    private func copyAndVerify(_ settings: PostgresSettings) throws(SimpulError) -> Outcome {
        let sqlite = try store.open()
        let identity = try store.identity(sqlite)
        let target = try PostgresHubStorage.open(
            settings, hub: sqlite.info, logger: HubEnvironment.logger, clock: Console.now)
        defer { target.close() }
        guard target.info == sqlite.info else {
            throw SimpulError(
                .storeUnavailable,
                "database \(settings.database) sudah disiapkan untuk hub \(target.info.node) (\(target.info.name)) lain; "
                    + "migrate hanya mengisi database kosong (createdb)")
        }
        let used = try target.tablesInUse()
        guard used.isEmpty else {
            throw SimpulError(
                .storeUnavailable,
                "database \(settings.database) tidak kosong (berisi \(used.joined(separator: ", "))); migrate tidak "
                    + "menggabungkan ke database yang sudah dipakai. Bila ini sisa migrate yang gagal: hapus dan buat "
                    + "ulang database itu (dropdb/createdb), lalu ulangi")
        }
        let sealed = try prepare(sqlite, identity: identity)
        let copied: Int
        do throws(SimpulError) {
            copied = try copy(from: sqlite, to: target)
        } catch {
            throw SimpulError(
                error.code,
                error.message
                    + "; folder tetap memakai SQLite, database \(settings.database) mungkin sudah terisi sebagian: "
                    + "hapus dan buat ulang (dropdb/createdb) sebelum mengulang", cause: error.cause)
        }
        return Outcome(
            node: sqlite.info.node.rawValue, database: settings.database, sealed: sealed, changeSets: copied,
            tables: try compare(sqlite, target), notMoved: try notMoved(sqlite))
    }

    /// Brings the SQLite hub to where `serve` would leave it: its own key among the keys (so its
    /// change sets verify in the copy) and every own event sealed in a change set (so nothing of the
    /// log is outside what the copy carries).
    private func prepare(_ sqlite: NodeStore, identity: NodeIdentity) throws(SimpulError) -> Int {
        if try sqlite.keys(node: identity.node.rawValue).isEmpty {
            try sqlite.learn([
                NodeKey(
                    node: identity.node.rawValue, publicKey: identity.publicKey, fingerprint: identity.fingerprint,
                    enrolledAt: Console.now(), revokedAt: nil, active: true)
            ])
        }
        let sealed: Int
        do { sealed = try ChangeSetSealer.sealPending(store: sqlite, identity: identity) } catch {
            throw SimpulError(.io, "event hub yang belum tersegel tidak bisa disegel", cause: error)
        }
        let left = try sqlite.unsealedOwnEvents()
        guard left == 0 else {
            throw SimpulError(.invalidData, "\(left) event hub masih di luar change set setelah disegel")
        }
        return sealed
    }

    /// Copies keys, then every change set, then the bookkeeping. Returns how many change sets.
    private func copy(from sqlite: NodeStore, to target: PostgresHubStorage) throws(SimpulError) -> Int {
        // Keys first: the change sets are verified against the keys the database holds. The database
        // is empty, so `learn` writes each key as it is, revoked and retired ones included.
        try target.learn(try sqlite.keys(node: nil))
        var keys: [String: NodeKey] = [:]
        for k in try target.keys(node: nil) { keys[k.fingerprint] = k }
        var copied = 0
        var clock: UInt64 = 0
        let knowledge = try sqlite.knowledge()
        for partition in knowledge.keys.sorted() {
            copied += try copyPartition(
                partition, held: knowledge[partition] ?? VersionVector(), from: sqlite, to: target, keys: keys,
                clock: &clock)
        }
        try target.importPeerKnowledge(try sqlite.allPeerKnowledge())
        try target.importContacts(try sqlite.contacts())
        try target.importRelays(try sqlite.relays())
        for report in try sqlite.nodeReports() { try target.recordNodeReport(report) }
        try target.importParked(try sqlite.parkedRows())
        let piece = 1 << 20
        for blob in try sqlite.blobRows() {
            try target.importBlob(blob) { (offset: Int64) throws(SimpulError) -> [UInt8] in
                try sqlite.readBlob(blob.sha256, offset: offset, count: piece)
            }
        }
        try target.importPeerBlobs(try sqlite.peerBlobs())
        return copied
    }

    /// Applies one partition's change sets in an order the apply rules accept without parking:
    /// each writer's chain in order, a change set as soon as the events its events saw of other
    /// writers are in. The SQLite hub accepted all of them, so such an order exists; a change set
    /// that can never be applied is reported, not parked.
    private func copyPartition(
        _ partition: String, held source: VersionVector, from sqlite: NodeStore, to target: PostgresHubStorage,
        keys: [String: NodeKey], clock: inout UInt64
    ) throws(SimpulError) -> Int {
        var held: [String: UInt64] = [:]
        var queue: [String: [ReceivedChangeSet]] = [:]
        var finished: Set<String> = []
        let writers = source.entries.keys.sorted()
        var copied = 0
        func lookup(_ fingerprint: String) throws(SimpulError) -> NodeKey? { keys[fingerprint] }
        while finished.count < writers.count {
            var progress = false
            for writer in writers where !finished.contains(writer) {
                if queue[writer, default: []].isEmpty {
                    let next = try sqlite.changeSets(
                        partition: partition, node: writer, after: held[writer] ?? 0, limit: 64)
                    if next.isEmpty {
                        guard held[writer] ?? 0 == source[writer] else {
                            throw SimpulError(
                                .invalidData,
                                "event \(writer) seq \((held[writer] ?? 0) + 1)-\(source[writer]) di partisi \(partition) "
                                    + "tidak ada dalam change set mana pun")
                        }
                        finished.insert(writer)
                        progress = true
                        continue
                    }
                    var parsed: [ReceivedChangeSet] = []
                    for cs in next {
                        do throws(SyncError) { parsed.append(try ReceivedChangeSet(body: cs.body)) } catch {
                            throw SimpulError(
                                .invalidData,
                                "change set \(writer) \(cs.first)-\(cs.last) tidak terbaca: \(error.message)")
                        }
                    }
                    queue[writer] = parsed
                }
                var ready: [RemoteChangeSet] = []
                var seen = held
                for received in queue[writer] ?? [] {
                    let cs = received.changeSet
                    let waits = cs.events.contains { e in
                        e.context.entries.contains { node, seq in node != writer && seen[node] ?? 0 < seq }
                    }
                    if waits { break }
                    do throws(SyncError) { try received.verify(key: lookup, clock: clock) } catch {
                        throw SimpulError(
                            .invalidData, "change set \(writer) \(cs.first)-\(cs.last) ditolak: \(error.message)")
                    }
                    ready.append(received.remote)
                    seen[writer] = cs.last
                    clock = max(clock, cs.events.map(\.lamport).max() ?? 0)
                }
                guard !ready.isEmpty else { continue }
                let outcomes = try target.applyRemote(ready)
                for (cs, outcome) in zip(ready, outcomes) {
                    guard case .applied = outcome else {
                        throw SimpulError(
                            .invalidData,
                            "change set \(writer) \(cs.stored.first)-\(cs.stored.last) tidak diterapkan: \(outcome)")
                    }
                }
                guard outcomes.count == ready.count else {
                    throw SimpulError(.invalidData, "change set \(writer) di partisi \(partition) berhenti diterapkan")
                }
                held[writer] = seen[writer]
                queue[writer]?.removeFirst(ready.count)
                copied += ready.count
                progress = true
            }
            guard progress else {
                let stuck = writers.first { !finished.contains($0) } ?? "-"
                throw SimpulError(
                    .invalidData,
                    "change set \(stuck) di partisi \(partition) menunggu event yang tidak ada di hub SQLite")
            }
        }
        return copied
    }

    // MARK: - Verify

    /// The tables both stores must hold alike, as listings hashed on each side.
    private func compare(_ sqlite: NodeStore, _ target: PostgresHubStorage) throws(SimpulError) -> [Comparison] {
        let a = try Listing(sqlite: sqlite)
        let b = try Listing(postgres: target)
        return a.tables.map { name, digest in
            let other = b.tables.first { $0.name == name }?.digest ?? HubTables.Digest()
            return Comparison(
                name: name, sqliteRows: digest.rows, postgresRows: other.rows, sqliteDigest: digest.hex,
                postgresDigest: other.hex, match: digest.hex == other.hex && digest.rows == other.rows)
        }
    }

    /// Every logical table of a hub, each as a digest over its rows in one canonical order, read
    /// through the same calls on either store.
    struct Listing {
        var tables: [(name: String, digest: HubTables.Digest)] = []

        init(sqlite s: NodeStore) throws(SimpulError) {
            try self.init(
                knowledge: s.knowledge(), eventCount: s.eventCount(),
                events: { (p, n, after) throws(SimpulError) in
                    try s.loggedEvents(partition: p, node: n, after: after, limit: 2000)
                },
                changeSets: { (p, n, after) throws(SimpulError) in
                    try s.changeSets(partition: p, node: n, after: after, limit: 256)
                },
                keys: s.keys(node: nil), peerKnowledge: s.allPeerKnowledge(), contacts: s.contacts(),
                relays: s.relays(), reports: s.nodeReports(), parked: s.parkedRows(), blobs: s.blobRows(),
                readBlob: { (sha, offset) throws(SimpulError) in try s.readBlob(sha, offset: offset, count: 1 << 20) },
                peerBlobs: s.peerBlobs(), permohonan: s.list(PermohonanFilter(limit: Int(Int32.max))),
                conflicts: s.conflicts(openOnly: false))
        }

        init(postgres s: PostgresHubStorage) throws(SimpulError) {
            try self.init(
                knowledge: s.knowledge(), eventCount: s.eventCount(),
                events: { (p, n, after) throws(SimpulError) in
                    try s.loggedEvents(partition: p, node: n, after: after, limit: 2000)
                },
                changeSets: { (p, n, after) throws(SimpulError) in
                    try s.changeSets(partition: p, node: n, after: after, limit: 256)
                },
                keys: s.keys(node: nil), peerKnowledge: s.allPeerKnowledge(), contacts: s.contacts(),
                relays: s.relays(), reports: s.nodeReports(), parked: s.parkedRows(), blobs: s.blobRows(),
                readBlob: { (sha, offset) throws(SimpulError) in try s.readBlob(sha, offset: offset, count: 1 << 20) },
                peerBlobs: s.peerBlobs(), permohonan: s.list(PermohonanFilter(limit: Int(Int32.max))),
                conflicts: s.conflicts(openOnly: false))
        }

        private init(
            knowledge: [String: VersionVector], eventCount: Int,
            events: (String, String, UInt64) throws(SimpulError) -> [LoggedColumns],
            changeSets: (String, String, UInt64) throws(SimpulError) -> [StoredChangeSet],
            keys: [NodeKey], peerKnowledge: [HubTables.PeerKnowledge], contacts: [Contact],
            relays: [HubTables.Relay], reports: [NodeReport], parked: [HubTables.Parked], blobs: [HubTables.Blob],
            readBlob: (String, Int64) throws(SimpulError) -> [UInt8], peerBlobs: [HubTables.PeerBlob],
            permohonan: [Permohonan], conflicts: [Conflict]
        ) throws(SimpulError) {
            let chains = knowledge.keys.sorted().flatMap { p in
                (knowledge[p]?.entries ?? [:]).sorted { $0.key < $1.key }.map { (partition: p, node: $0.key) }
            }
            var k = HubTables.Digest()
            for c in chains { k.add([c.partition, c.node, "\(knowledge[c.partition]?[c.node] ?? 0)"]) }
            tables.append(("knowledge", k))

            var e = HubTables.Digest()
            for c in chains {
                var after: UInt64 = 0
                while true {
                    let page = try events(c.partition, c.node, after)
                    guard let last = page.last else { break }
                    for r in page {
                        e.add([
                            r.partition, r.node, "\(r.seq)", "\(r.lamport)", r.record, r.type, r.officer, r.role, r.at,
                            r.context, r.data,
                        ])
                    }
                    after = last.seq
                }
            }
            // An event outside every writer's knowledge would escape the listing: the count catches it.
            e.note("count \(eventCount)")
            tables.append(("event", e))

            var cs = HubTables.Digest()
            for c in chains {
                var after: UInt64 = 0
                while true {
                    let page = try changeSets(c.partition, c.node, after)
                    guard let last = page.last else { break }
                    for s in page {
                        cs.add([
                            s.partition, s.node, "\(s.first)", "\(s.last)", s.hash, s.prev, s.key, s.signature,
                            HubTables.Digest.sha256(s.body),
                        ])
                    }
                    after = last.last
                }
            }
            tables.append(("changeset", cs))

            tables.append(("node_key", try Self.json(keys.sorted { $0.fingerprint < $1.fingerprint })))
            var pk = HubTables.Digest()
            for r in peerKnowledge.sorted(by: { ($0.peer, $0.partition, $0.node) < ($1.peer, $1.partition, $1.node) }) {
                pk.add([r.peer, r.partition, r.node, "\(r.seq)"])
            }
            tables.append(("peer_knowledge", pk))
            tables.append(("contact", try Self.json(contacts.sorted { $0.node < $1.node })))
            var rl = HubTables.Digest()
            for r in relays.sorted(by: { ($0.relay, $0.node) < ($1.relay, $1.node) }) {
                rl.add([r.relay, r.node, r.since])
            }
            tables.append(("relay", rl))
            tables.append(("node_report", try Self.json(reports.sorted { $0.node < $1.node })))
            var pa = HubTables.Digest()
            for p in parked.sorted(by: { $0.hash < $1.hash }) {
                pa.add([
                    p.hash, p.partition, p.node, "\(p.firstSeq)", HubTables.Digest.sha256(p.body), p.reason, p.parkedAt,
                    p.waitNode, p.waitSeq.map { "\($0)" },
                ])
            }
            tables.append(("parked", pa))
            var bl = HubTables.Digest()
            for b in blobs.sorted(by: { $0.sha256 < $1.sha256 }) {
                var hash = HubTables.StreamHash()
                var offset: Int64 = 0
                while offset < b.received {
                    let piece = try readBlob(b.sha256, offset)
                    if piece.isEmpty { break }
                    hash.update(piece)
                    offset += Int64(piece.count)
                }
                bl.add([
                    b.sha256, "\(b.size)", "\(b.received)", "\(offset)", "\(b.complete)", b.createdAt, b.atHub, b.owner,
                    hash.hex,
                ])
            }
            tables.append(("blob", bl))
            var pb = HubTables.Digest()
            for r in peerBlobs.sorted(by: { ($0.peer, $0.sha256) < ($1.peer, $1.sha256) }) {
                pb.add([r.peer, r.sha256])
            }
            tables.append(("peer_blob", pb))
            tables.append(("permohonan", try Self.json(permohonan.sorted { $0.number < $1.number })))
            tables.append(("conflict", try Self.json(conflicts.sorted { $0.id < $1.id })))
        }

        private static func json<T: Encodable>(_ rows: [T]) throws(SimpulError) -> HubTables.Digest {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var digest = HubTables.Digest()
            for row in rows {
                do { digest.add([String(decoding: try encoder.encode(row), as: UTF8.self)]) } catch {
                    throw SimpulError(.io, "baris tidak bisa disusun untuk diperiksa", cause: error)
                }
            }
            return digest
        }
    }

    // MARK: - What stays behind

    /// The SQLite tables that the copy carries, or that the database rebuilds from the log.
    static let moved: Set<String> = [
        "node_info", "event", "knowledge", "changeset", "parked", "node_key", "peer_knowledge", "contact", "relay",
        "node_report", "blob", "blob_chunk", "peer_blob", "permohonan", "conflict",
    ]

    /// Why a table is not copied: the PostgreSQL hub does not run the web back office or the
    /// kecamatan counter yet, and what the log folds into is folded again there.
    static let reasons: [String: String] = [
        "staff_account": "akun staf back office web; hub PostgreSQL belum menjalankan back office",
        "staff_session": "sesi login back office web; hub PostgreSQL belum menjalankan back office",
        "officer_account": "akun petugas web; hub PostgreSQL belum menjalankan back office",
        "web_session": "sesi login web; hub PostgreSQL belum menjalankan back office",
        "file_access": "catatan akses berkas back office; hub PostgreSQL belum menjalankan back office",
        "printed_paper": "catatan cetak surat back office; hub PostgreSQL belum menjalankan back office",
        "attachment": "lipatan lampiran SQLite; di PostgreSQL lampiran dibaca dari event",
        "pembayaran": "lipatan pembayaran SQLite; sumbernya event, yang ikut dipindah",
        "catalog": "salinan katalog lokal; katalog yang diterbitkan ikut dipindah sebagai event",
        "wilayah": "daftar wilayah lokal dari folder konfigurasi",
        "holiday": "kalender libur lokal; kalender yang diterbitkan ikut dipindah sebagai event",
        "sync_run": "catatan sinkron milik node kecamatan",
        "hub": "alamat hub milik node kecamatan",
        "kas": "buku kas loket kecamatan",
        "skm": "survei kepuasan loket; hub PostgreSQL belum menjalankan back office",
        "skm_taken": "survei kepuasan loket; hub PostgreSQL belum menjalankan back office",
        "pengaduan": "pengaduan loket; hub PostgreSQL belum menjalankan back office",
        "antrian_ticket": "antrean loket kecamatan",
    ]

    private func notMoved(_ sqlite: NodeStore) throws(SimpulError) -> [NotMoved] {
        try sqlite.tableRowCounts().filter { !Self.moved.contains($0.table) && $0.rows > 0 }.map {
            NotMoved(
                table: $0.table, rows: $0.rows,
                reason: Self.reasons[$0.table] ?? "tabel lokal hub SQLite; hub PostgreSQL tidak memakainya")
        }
    }

    // MARK: - Switch and output

    /// Renames the SQLite file (and any journal beside it) out of the way, never over another file.
    private func setAside(_ path: String) throws(SimpulError) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd"
        let base = "\(path).migrated-\(formatter.string(from: Date()))"
        var kept = base
        var n = 2
        while FileManager.default.fileExists(atPath: kept) {
            kept = "\(base)-\(n)"
            n += 1
        }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            guard rename(path + suffix, kept + suffix) == 0 else {
                throw SimpulError(
                    .io,
                    "\(path + suffix) tidak bisa diganti nama (\(String(cString: strerror(errno)))); "
                        + "folder sudah memakai PostgreSQL, pindahkan berkas itu secara manual")
            }
        }
        return kept
    }

    private func show(_ result: Outcome, kept: String?) throws(SimpulError) {
        if store.json {
            struct View: Encodable {
                var node, database: String
                var sealed, changeSets: Int
                var matched: Bool
                var tables: [Comparison]
                var notMoved: [NotMoved]
                var sqliteKeptAs: String?
            }
            return try Console.printJSON(
                View(
                    node: result.node, database: result.database, sealed: result.sealed,
                    changeSets: result.changeSets, matched: result.tables.allSatisfy(\.match), tables: result.tables,
                    notMoved: result.notMoved, sqliteKeptAs: kept))
        }
        print("Hub \(result.node) ke database PostgreSQL \(result.database):")
        print(
            "  event hub disegel: \(result.sealed) change set; change set diperiksa dan diterapkan: \(result.changeSets)"
        )
        print("")
        print("  \(pad("Tabel", 16)) \(pad("SQLite", 8, left: true)) \(pad("PostgreSQL", 10, left: true))  Hasil")
        for t in result.tables {
            print(
                "  \(pad(t.name, 16)) \(pad("\(t.sqliteRows)", 8, left: true)) \(pad("\(t.postgresRows)", 10, left: true))  \(t.match ? "cocok" : "BEDA")"
            )
        }
        if !result.notMoved.isEmpty {
            print("")
            print(
                "  Tidak dipindah (data lokal hub SQLite untuk back office web dan layanan di hub; hub PostgreSQL belum menjalankan back office):"
            )
            for t in result.notMoved {
                print("  \(pad(t.table, 16)) \(pad("\(t.rows)", 8, left: true))  tidak dipindah: \(t.reason)")
            }
        }
        if let kept {
            print("")
            print("Semua tabel cocok. Folder \(store.directory) kini memakai PostgreSQL (\(HubDatabase.fileName)).")
            print("File SQLite lama disimpan sebagai \(kept); jalankan lagi simpul-hub serve (tanpa --web).")
        }
    }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? fill + text : text + fill
    }
}
