import Foundation
import GRDB
import Logging
import SimpulDomain

/// Who a node is: its id, the office's name and the time zone its counter works in.
public struct NodeInfo: Sendable, Equatable, Codable {
    public var node: NodeID
    public var name: String
    public var zona: Zona
    public var createdAt: Timestamp

    public init(node: NodeID, name: String, zona: Zona, createdAt: Timestamp) {
        self.node = node
        self.name = name
        self.zona = zona
        self.createdAt = createdAt
    }
}

/// An application as the loket officer takes it.
public struct Application: Sendable {
    public var layanan: String
    public var pemohon: Pemohon
    public var syarat: [String]
    public var isian: [String: String]

    public init(layanan: String, pemohon: Pemohon, syarat: [String], isian: [String: String]) {
        self.layanan = layanan
        self.pemohon = pemohon
        self.syarat = syarat
        self.isian = isian
    }
}

/// Filters for listing permohonan.
public struct PermohonanFilter: Sendable {
    public var status: Status?
    public var tahap: Tahap?
    public var layanan: String?
    public var limit: Int

    public init(status: Status? = nil, tahap: Tahap? = nil, layanan: String? = nil, limit: Int = 100) {
        self.status = status
        self.tahap = tahap
        self.layanan = layanan
        self.limit = limit
    }
}

/// A node's local store: one SQLite file (WAL) holding the event log, the reference data and the
/// state folded from the log.
///
/// Every change appends one event and updates the folded state in the same transaction, so a crash
/// leaves the whole change or none of it.
public final class NodeStore: Sendable {
    public static let fileName = "simpul.sqlite"

    public let path: String
    public let info: NodeInfo
    let pool: DatabasePool
    let now: @Sendable () -> Timestamp
    let logger: Logger

    private init(
        path: String, info: NodeInfo, pool: DatabasePool, now: @escaping @Sendable () -> Timestamp, logger: Logger
    ) {
        self.path = path
        self.info = info
        self.pool = pool
        self.now = now
        self.logger = logger
    }

    /// Creates the store of a new node in `directory` with its first catalog and calendar.
    public static func create(
        directory: String, node: NodeID, name: String, zona: Zona, catalog: LayananCatalog,
        calendar: WorkingDayCalendar, wilayah: Wilayah, now: @escaping @Sendable () -> Timestamp, logger: Logger
    ) throws(SimpulError) -> NodeStore {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard !FileManager.default.fileExists(atPath: path) else {
            throw SimpulError(
                .storeUnavailable, "\(directory) sudah berisi data Simpul; init tidak menimpa data yang ada")
        }
        guard try FreeText.clean(name, field: "nama", maxLength: 200) != nil else {
            throw SimpulError(.invalidData, "nama: nama kantor wajib diisi")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SimpulError(.storeUnavailable, "folder data \(directory) tidak bisa dibuat", cause: error)
        }
        let pool = try openPool(path: path)
        let info = NodeInfo(node: node, name: name, zona: zona, createdAt: now())
        try run("membuat penyimpanan") {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO node_info (id, node, name, zona, created_at) VALUES (1, ?, ?, ?, ?)",
                    arguments: [node.rawValue, name, zona.rawValue, info.createdAt.description])
                try Self.insertCatalog(catalog, db: db, at: info.createdAt)
                try Self.replaceHolidays(calendar, db: db)
                for (code, name) in wilayah.names {
                    try db.execute(sql: "INSERT INTO wilayah (code, name) VALUES (?, ?)", arguments: [code, name])
                }
            }
        }
        logger.info("store created", metadata: ["node": "\(node)", "path": "\(path)"])
        return NodeStore(path: path, info: info, pool: pool, now: now, logger: logger)
    }

    /// Opens the store in `directory`, migrating its schema forward when needed.
    public static func open(
        directory: String, now: @escaping @Sendable () -> Timestamp, logger: Logger
    )
        throws(SimpulError) -> NodeStore
    {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: path) else {
            throw SimpulError(.storeUnavailable, "tidak ada data Simpul di \(directory); jalankan 'simpul init' dulu")
        }
        let pool = try openPool(path: path)
        let info = try run("membaca identitas node") {
            try pool.read { db -> NodeInfo? in
                guard let row = try Row.fetchOne(db, sql: "SELECT node, name, zona, created_at FROM node_info") else {
                    return nil
                }
                guard let node = NodeID(row["node"]), let zona = Zona(rawValue: row["zona"]),
                    let created = Timestamp(iso: row["created_at"])
                else { return nil }
                return NodeInfo(node: node, name: row["name"], zona: zona, createdAt: created)
            }
        }
        guard let info else { throw SimpulError(.io, "\(path): identitas node rusak atau tidak ada") }
        return NodeStore(path: path, info: info, pool: pool, now: now, logger: logger)
    }

    private static func openPool(path: String) throws(SimpulError) -> DatabasePool {
        var config = Configuration()
        config.prepareDatabase { db in
            // A receipt handed to a citizen must survive a power cut: FULL syncs the WAL on commit.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        config.busyMode = .timeout(10)
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            let migrator = Schema.migrator
            let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
            try migrator.migrate(pool)
            if !applied.isEmpty && Schema.refolding.contains(where: { !applied.contains($0) }) {
                _ = try pool.write { db in try Projection.rebuild(db: db) }
            }
            return pool
        } catch {
            throw SimpulError(.storeUnavailable, "penyimpanan \(path) tidak bisa dibuka", cause: error)
        }
    }

    // MARK: - Reference data

    /// The newest catalog loaded.
    public func catalog() throws(SimpulError) -> LayananCatalog {
        try readDB("membaca katalog") { db in
            guard
                let body = try String.fetchOne(
                    db, sql: "SELECT body FROM catalog ORDER BY published DESC, version DESC LIMIT 1")
            else { throw SimpulError(.io, "katalog layanan tidak ada di penyimpanan") }
            return try JSONDecoder().decode(LayananCatalog.self, from: Data(body.utf8))
        }
    }

    /// Loads a newer catalog; applications already registered keep the definition they were
    /// registered under.
    public func loadCatalog(_ catalog: LayananCatalog) throws(SimpulError) {
        let current = try self.catalog()
        guard catalog.version > current.version else {
            throw SimpulError(
                .invalidData,
                "version: katalog versi \(catalog.version) tidak lebih baru dari versi terpasang \(current.version)")
        }
        let at = now()
        try writeDB("memuat katalog") { db in try Self.insertCatalog(catalog, db: db, at: at) }
        logger.info("catalog loaded", metadata: ["version": "\(catalog.version)"])
    }

    /// The holiday calendar in use.
    public func calendar() throws(SimpulError) -> WorkingDayCalendar {
        try readDB("membaca kalender") { db in try Self.calendar(db) }
    }

    static func calendar(_ db: Database) throws -> WorkingDayCalendar {
        let rows = try Row.fetchAll(db, sql: "SELECT date, kind, name FROM holiday")
        return WorkingDayCalendar(
            holidays: rows.compactMap { row in
                LocalDate(iso: row["date"]).map {
                    WorkingDayCalendar.Holiday(date: $0, kind: row["kind"], name: row["name"])
                }
            })
    }

    /// Loads a calendar file: its years replace the same years held before, other years stay.
    public func loadCalendar(_ calendar: WorkingDayCalendar) throws(SimpulError) {
        try writeDB("memuat kalender") { db in try Self.replaceHolidays(calendar, db: db) }
        logger.info("calendar loaded", metadata: ["years": "\(calendar.years.sorted())"])
    }

    /// The name of a Kemendagri area, or nil when the code is not in the list loaded at init.
    public func wilayahName(_ code: String) throws(SimpulError) -> String? {
        try readDB("membaca wilayah") { db in
            try String.fetchOne(db, sql: "SELECT name FROM wilayah WHERE code = ?", arguments: [code])
        }
    }

    private static func insertCatalog(_ catalog: LayananCatalog, db: Database, at: Timestamp) throws {
        try db.execute(
            sql: "INSERT INTO catalog (version, body, loaded_at) VALUES (?, ?, ?)",
            arguments: [catalog.version, try EventCodec.json(catalog), at.description])
    }

    private static func replaceHolidays(_ calendar: WorkingDayCalendar, db: Database) throws {
        for year in calendar.years {
            try db.execute(sql: "DELETE FROM holiday WHERE date LIKE ?", arguments: ["\(year)-%"])
        }
        for h in calendar.holidays.values {
            try db.execute(
                sql: "INSERT INTO holiday (date, kind, name) VALUES (?, ?, ?)",
                arguments: [h.date.description, h.kind, h.name])
        }
    }

    // MARK: - The counter

    /// Accepts an application at the loket: checks it against its service, gives it a registration
    /// number and a due date, and records it.
    public func register(_ application: Application, officer: String) throws(SimpulError) -> Permohonan {
        try register(application, by: .typed(officer))
    }

    /// Registers as an actor: an account must hold the loket's role (checked in the transaction that
    /// records the registration).
    public func register(_ application: Application, by actor: Actor) throws(SimpulError) -> Permohonan {
        if case .typed(let name) = actor { _ = try Self.officerName(name) }
        let catalog = try self.catalog()
        guard let layanan = catalog.service(code: application.layanan) else {
            throw SimpulError(
                .notFound,
                "layanan: kode '\(application.layanan)' tidak ada di katalog versi \(catalog.version) (lihat 'simpul layanan list')"
            )
        }
        let calendar = try self.calendar()
        let at = now()
        let accepted = at.localDate(offsetMinutes: info.zona.offsetMinutes)
        let node = info.node
        let event = try writeDB("mendaftarkan permohonan") { db -> Event in
            let who = try self.attribution(
                actor, required: .loket, task: OfficerRole.registrationTask, typedRole: Peran.loket, db: db)
            let seq =
                try Int.fetchOne(
                    db, sql: "SELECT MAX(reg_seq) FROM permohonan WHERE reg_node = ? AND reg_year = ?",
                    arguments: [node.rawValue, accepted.year]) ?? 0
            let number = RegistrationNumber(prefix: node.registrationPrefix, year: accepted.year, sequence: seq + 1)
            let registration = try Workflow.register(
                number: number.text, layanan: layanan, catalogVersion: catalog.version, pemohon: application.pemohon,
                syarat: application.syarat, isian: application.isian, acceptedOn: accepted, calendar: calendar)
            return try self.append(
                record: number.text, partition: node.homePartition, context: VersionVector(), officer: who.officer,
                role: who.role, at: at, body: .registered(registration), db: db)
        }
        logger.info(
            "permohonan registered",
            metadata: ["number": "\(event.record)", "layanan": "\(layanan.code)", "nik": "\(application.pemohon.nik)"])
        return try permohonan(event.record)
    }

    /// Completes a step, forwards, withdraws or rejects, as the workflow allows.
    @discardableResult
    public func perform(_ command: Command, on number: String, officer: String) throws(SimpulError) -> Event {
        try perform(command, on: number, by: .typed(officer))
    }

    /// Performs a command as an actor. An account must hold the role the command needs on the state
    /// read in the write transaction (`OfficerRole.required`), so of two officers completing the same
    /// step at once the second is refused, by the workflow or for the next step's role.
    @discardableResult
    public func perform(_ command: Command, on number: String, by actor: Actor) throws(SimpulError) -> Event {
        if case .typed(let name) = actor { _ = try Self.officerName(name) }
        let at = now()
        let event = try writeDB("mencatat langkah") { db -> Event in
            try self.perform(command, on: number, by: actor, at: at, db: db)
        }
        logger.info("permohonan changed", metadata: ["number": "\(number)", "type": "\(event.body.type)"])
        return event
    }

    /// `perform` inside the caller's write transaction, so that what a caller checked first (a
    /// settlement: that its conflict is still open) holds when the event is written.
    func perform(_ command: Command, on number: String, by actor: Actor, at: Timestamp, db: Database) throws -> Event {
        guard let state = try Projection.load(number, db: db) else { throw Projection.notFound(number) }
        let cmd: Command
        if case .pay(let amount, _) = command {
            let seq =
                try Int.fetchOne(
                    db, sql: "SELECT MAX(seq) FROM pembayaran WHERE node = ?", arguments: [self.info.node.rawValue])
                ?? 0
            cmd = .pay(amount: amount, receipt: Self.receiptNumber(node: self.info.node, seq: seq + 1))
        } else {
            cmd = command
        }
        var body = try Workflow.decide(cmd, on: state)
        if case .ptspProgress(var progress) = body, let stopped = state.clockStoppedAt {
            let offset = self.info.zona.offsetMinutes
            progress.dueOn = Workflow.dueDate(
                restarting: state, code: progress.code, today: at.localDate(offsetMinutes: offset),
                stoppedOn: stopped.localDate(offsetMinutes: offset), calendar: try Self.calendar(db))
            body = .ptspProgress(progress)
        }
        if let refusal = EventAuthorization.refusal(body: body, author: self.info.node, partition: state.partition) {
            throw SimpulError(.invalidData, refusal.message)
        }
        let who = try self.attribution(
            actor, required: OfficerRole.required(for: command, on: state),
            staffRequired: StaffRole.required(for: command), task: OfficerRole.task(of: command, on: state),
            typedRole: Self.role(of: body, in: state), db: db)
        return try self.append(
            record: number, partition: state.partition, context: state.seen, officer: who.officer,
            role: who.role, at: at, body: body, db: db)
    }

    /// The receipt number of a node's n-th payment: `33.74.01/000017`.
    public static func receiptNumber(node: NodeID, seq: Int) -> String {
        "\(node.rawValue)/\(String(seq).leftPad(6))"
    }

    private static func role(of body: EventBody, in state: Permohonan) -> String {
        switch body {
        case .stepCompleted(let s): s.tahap.role
        case .rejected(let r): r.tahap.role
        case .returned(let r): r.tahap.role
        case .paymentReceived, .kasClosed, .kasDeposited: Peran.kasir
        case .registered, .forwarded, .withdrawn, .attached: Peran.loket
        case .ptspProgress, .decided: Peran.ptsp
        case .settled: Peran.rekonsiliasi
        case .catalogPublished, .calendarPublished: Peran.adminHub
        case .skmRecorded: SKMRecording.respondentRole
        case .complaintReceived, .complaintFollowedUp, .complaintClosed: Peran.pengaduan
        }
    }

    static func officerName(_ name: String) throws(SimpulError) -> String {
        guard let n = try FreeText.clean(name, field: "petugas", maxLength: 100) else {
            throw SimpulError(.invalidData, "petugas: nama petugas wajib diisi")
        }
        return n
    }

    /// Appends an event written by this node and folds it, inside the caller's transaction.
    func append(
        record: String, partition: String, context: VersionVector, officer: String, role: String, at: Timestamp,
        body: EventBody, db: Database
    ) throws -> Event {
        let seq =
            try Int64.fetchOne(
                db, sql: "SELECT MAX(seq) FROM event WHERE partition = ? AND node = ?",
                arguments: [partition, info.node.rawValue]) ?? 0
        let lamport = try Int64.fetchOne(db, sql: "SELECT MAX(lamport) FROM event") ?? 0
        // Received Lamport values lead the clock by a bounded margin, and the wire carries at most
        // 2^53 - 1: an overflow here is a damaged store, refused rather than trapped on.
        let (nextSeq, seqOverflow) = seq.addingReportingOverflow(1)
        let (nextLamport, lamportOverflow) = lamport.addingReportingOverflow(1)
        guard !seqOverflow, !lamportOverflow, nextSeq >= 1, nextLamport >= 1 else {
            throw SimpulError(.io, "seq atau jam Lamport node ini melampaui batas; penyimpanan rusak")
        }
        let event = Event(
            dot: Dot(node: info.node.rawValue, seq: UInt64(nextSeq)), partition: partition,
            lamport: UInt64(nextLamport), context: context, record: record, officer: officer, role: role, at: at,
            body: body)
        try EventCodec.insert(event, into: db)
        try Knowledge.include(partition: partition, node: event.dot.node, seq: event.dot.seq, db: db)
        let projection = Projection(db: db)
        try projection.apply(event)
        try projection.flush()
        return event
    }

    // MARK: - Queries

    public func permohonan(_ number: String) throws(SimpulError) -> Permohonan {
        try readDB("membaca permohonan") { db in
            guard let state = try Projection.load(number, db: db) else { throw Projection.notFound(number) }
            return state
        }
    }

    public func list(_ filter: PermohonanFilter) throws(SimpulError) -> [Permohonan] {
        try readDB("membaca daftar permohonan") { db in
            var args: [any DatabaseValueConvertible] = []
            var clauses = ["1"]
            if let s = filter.status {
                clauses.append("p.status = ?")
                args.append(s.rawValue)
            }
            if let t = filter.tahap {
                clauses.append("p.tahap = ?")
                args.append(t.rawValue)
            }
            if let l = filter.layanan {
                clauses.append("p.layanan = ?")
                args.append(l)
            }
            args.append(filter.limit)
            return try Projection.states(
                where: clauses.joined(separator: " AND "), arguments: StatementArguments(args),
                suffix: "ORDER BY p.registered_at DESC, p.number DESC LIMIT ?", db: db)
        }
    }

    /// The full, attributed history of a permohonan, in fold order.
    public func history(_ number: String) throws(SimpulError) -> [Event] {
        let events = try readDB("membaca riwayat") { db in
            try Row.fetchAll(
                db, sql: "SELECT \(EventCodec.columns) FROM event WHERE record = ? ORDER BY lamport, node, seq",
                arguments: [number]
            ).map(EventCodec.decode).filter(Projection.belongs)
        }
        guard !events.isEmpty else { throw Projection.notFound(number) }
        return events
    }

    /// Payments received at this node, in receipt order.
    public func payments() throws(SimpulError) -> [(
        receipt: String, number: String, amount: Int64, officer: String, at: String
    )] {
        try readDB("membaca pembayaran") { db in
            try Row.fetchAll(db, sql: "SELECT receipt, number, amount, officer, at FROM pembayaran ORDER BY node, seq")
                .map {
                    (
                        receipt: $0["receipt"], number: $0["number"], amount: $0["amount"], officer: $0["officer"],
                        at: $0["at"]
                    )
                }
        }
    }

    /// How many events the log holds.
    public func eventCount() throws(SimpulError) -> Int {
        try readDB("menghitung event") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0 }
    }

    // MARK: - Conflicts and publications

    /// Conflicts in record order; only those of one permohonan when `record` is given.
    public func conflicts(openOnly: Bool, record: String? = nil) throws(SimpulError) -> [Conflict] {
        try readDB("membaca konflik") { db in
            var clauses = ["1"]
            if openOnly { clauses.append("resolved = 0") }
            if record != nil { clauses.append("record = ?") }
            let sql = "SELECT body FROM conflict WHERE \(clauses.joined(separator: " AND ")) ORDER BY record, id"
            return try String.fetchAll(db, sql: sql, arguments: StatementArguments(record.map { [$0] } ?? [])).map {
                try JSONDecoder().decode(Conflict.self, from: Data($0.utf8))
            }
        }
    }

    /// The hub publishes a catalog (and holiday calendars) to every kecamatan as events in the global
    /// partition.
    public func publish(
        catalog: LayananCatalog, calendar: WorkingDayCalendar?, officer: String
    ) throws(SimpulError)
        -> [Event]
    {
        let officer = try Self.officerName(officer)
        let global = info.node.kabupaten.code
        guard info.node.isHub else {
            throw SimpulError(.invalidData, "hanya hub yang menerbitkan katalog untuk semua kecamatan")
        }
        let current = try self.catalog()
        let published = try readDB("membaca katalog") { db in
            try Int.fetchOne(db, sql: "SELECT MAX(version) FROM catalog WHERE published = 1") ?? 0
        }
        guard catalog.version > published || (published == 0 && catalog.version >= current.version) else {
            throw SimpulError(
                .invalidData,
                "version: katalog versi \(catalog.version) tidak lebih baru dari versi terbit \(published)")
        }
        let at = now()
        return try writeDB("menerbitkan katalog") { db in
            var events = [
                try append(
                    record: "katalog/v\(catalog.version)", partition: global, context: VersionVector(),
                    officer: officer,
                    role: Peran.adminHub, at: at, body: .catalogPublished(catalog), db: db)
            ]
            if let calendar {
                let years = calendar.years.sorted().map(String.init).joined(separator: ",")
                events.append(
                    try append(
                        record: "kalender/\(years)", partition: global, context: VersionVector(), officer: officer,
                        role: Peran.adminHub, at: at, body: .calendarPublished(CalendarPublication(calendar)), db: db))
            }
            return events
        }
    }

    // MARK: - Plumbing

    func readDB<T>(_ what: String, _ body: (Database) throws -> T) throws(SimpulError) -> T {
        try Self.run(what) { try pool.read(body) }
    }

    func writeDB<T>(_ what: String, _ body: (Database) throws -> T) throws(SimpulError) -> T {
        try Self.run(what) { try pool.write(body) }
    }

    static func run<T>(_ what: String, _ body: () throws -> T) throws(SimpulError) -> T {
        do {
            return try body()
        } catch let error as SimpulError {
            throw error
        } catch is RowDecodingError {
            // Its description lists the whole row, which may hold personal data: not a cause to show.
            throw SimpulError(.io, "gagal \(what): baris penyimpanan tidak sesuai skemanya")
        } catch {
            throw SimpulError(.io, "gagal \(what): penyimpanan tidak bisa dibaca atau ditulis", cause: error)
        }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
