import Crypto
import Foundation
import PostgresNIO
import SimpulDomain
import SimpulStore
import SimpulSync

/// The PTSP's own acts on a hub on PostgreSQL: what `NodeStore.perform` does at a SQLite hub, on the
/// state folded from this database's log, in one transaction that takes its turn on the log's lock.
extension PostgresHubStorage {
    public func perform(_ command: Command, on number: String, officer: String) throws(SimpulError) -> Event {
        try HubActs.check(command)
        guard let name = try FreeText.clean(officer, field: "petugas", maxLength: 100) else {
            throw SimpulError(.invalidData, "petugas: nama petugas wajib diisi")
        }
        let at = clock()
        let author = info.node
        let offset = info.zona.offsetMinutes
        let event = try write("mencatat langkah") { tx -> Event in
            let state = try tx.foldedPermohonan(number)
            var body = try Workflow.decide(command, on: state)
            if case .ptspProgress(var progress) = body, let stopped = state.clockStoppedAt {
                progress.dueOn = Workflow.dueDate(
                    restarting: state, code: progress.code, today: at.localDate(offsetMinutes: offset),
                    stoppedOn: stopped.localDate(offsetMinutes: offset), calendar: try tx.calendar())
                body = .ptspProgress(progress)
            }
            if let refusal = EventAuthorization.refusal(body: body, author: author, partition: state.partition) {
                throw SimpulError(.invalidData, refusal.message)
            }
            return try tx.appendOwn(
                record: number, partition: state.partition, context: state.seen, author: author, officer: name,
                role: Peran.ptsp, at: at, body: body)
        }
        logger.info("permohonan changed", metadata: ["number": "\(number)", "type": "\(event.body.type)"])
        return event
    }

    /// Publishes a catalog (and holiday calendars) to every kecamatan as events in the global partition,
    /// as `NodeStore.publish` does at a SQLite hub. A hub on PostgreSQL holds no catalog but the ones it
    /// published, so a new one must be newer than the last published.
    public func publish(
        catalog: LayananCatalog, calendar: WorkingDayCalendar?, officer: String
    ) throws(SimpulError) -> [Event] {
        guard let name = try FreeText.clean(officer, field: "petugas", maxLength: 100) else {
            throw SimpulError(.invalidData, "petugas: nama petugas wajib diisi")
        }
        let at = clock()
        let author = info.node
        let global = author.kabupaten.code
        let events = try write("menerbitkan katalog") { tx -> [Event] in
            let published =
                try tx.events(
                    """
                    SELECT \(unescaped: PostgresStorageTransaction.eventColumns) FROM event
                    WHERE type = \(EventType.catalogPublished.rawValue)
                    """
                ).compactMap { event -> Int? in
                    guard case .catalogPublished(let earlier) = event.body else { return nil }
                    return earlier.version
                }.max() ?? 0
            guard catalog.version > published else {
                throw SimpulError(
                    .invalidData,
                    "version: katalog versi \(catalog.version) tidak lebih baru dari versi terbit \(published)")
            }
            var events = [
                try tx.appendOwn(
                    record: "katalog/v\(catalog.version)", partition: global, context: VersionVector(), author: author,
                    officer: name, role: Peran.adminHub, at: at, body: .catalogPublished(catalog))
            ]
            if let calendar {
                let years = calendar.years.sorted().map(String.init).joined(separator: ",")
                events.append(
                    try tx.appendOwn(
                        record: "kalender/\(years)", partition: global, context: VersionVector(), author: author,
                        officer: name, role: Peran.adminHub, at: at,
                        body: .calendarPublished(CalendarPublication(calendar))))
            }
            return events
        }
        logger.info("catalog published", metadata: ["version": "\(catalog.version)"])
        return events
    }

    /// The working-day calendar: the calendars the hub published, folded in log order.
    public func calendar() throws(SimpulError) -> WorkingDayCalendar {
        try read("membaca kalender") { tx in try tx.calendar() }
    }
}

extension PostgresStorageTransaction {
    /// A permohonan's state folded from its events as this transaction sees them, for an act to decide on.
    func foldedPermohonan(_ number: String) throws -> Permohonan {
        let history = try events(
            """
            SELECT \(unescaped: Self.eventColumns) FROM event WHERE record = \(number) ORDER BY lamport, node, seq
            """
        ).filter(EventCodec.belongsToRecord)
        guard let state = RecordFold.fold(history).state else {
            throw SimpulError(.notFound, "permohonan \(number) tidak ada di penyimpanan hub ini")
        }
        return state
    }

    /// Appends an event the hub writes itself, next in its chain of `partition` and after every event
    /// held, and folds the record it touches.
    func appendOwn(
        record: String, partition: String, context: VersionVector, author: NodeID, officer: String, role: String,
        at: Timestamp, body: EventBody
    ) throws -> Event {
        let seq = try highestSeq(partition: partition, node: author.rawValue)
        let lamport = try rows("SELECT COALESCE(MAX(lamport), 0)::BIGINT FROM event").first?.decode(Int64.self) ?? 0
        // Received Lamport values lead the clock by a bounded margin and the wire carries at most
        // 2^53 - 1: an overflow here is a damaged store, refused rather than trapped on.
        let (nextLamport, overflow) = lamport.addingReportingOverflow(1)
        guard !overflow, seq < UInt64(Int64.max) else {
            throw SimpulError(.io, "seq atau jam Lamport hub melampaui batas; penyimpanan rusak")
        }
        let event = Event(
            dot: Dot(node: author.rawValue, seq: seq + 1), partition: partition, lamport: UInt64(nextLamport),
            context: context, record: record, officer: officer, role: role, at: at, body: body)
        try appendReceived([try ReceivedEvent(written: event)][...])
        try foldTouched()
        return event
    }

    func calendar() throws -> WorkingDayCalendar {
        let published = try events(
            """
            SELECT \(unescaped: Self.eventColumns) FROM event WHERE type = \(EventType.calendarPublished.rawValue)
            ORDER BY lamport, node, seq
            """)
        return WorkingDayCalendar.folding(
            published.compactMap { event in
                guard case .calendarPublished(let publication) = event.body else { return nil }
                return publication
            })
    }
}

extension PostgresHubStorage {
    /// Attaches the document the PTSP issued (a PDF) to a forwarded, approved permohonan, as
    /// `NodeStore.attach(issuedNumber:)` does at a SQLite hub: the bytes are stored complete with the hub
    /// as their owner and the event recorded in one transaction; it travels to the counter like a scan.
    /// The same file again, after the bytes were lost, brings them back without a second event.
    public func attachIssued(
        file path: String, to number: String, issuedNumber: String, officer: String
    ) throws(SimpulError) -> AttachedFile {
        guard let name = try FreeText.clean(officer, field: "petugas", maxLength: 100) else {
            throw SimpulError(.invalidData, "petugas: nama petugas wajib diisi")
        }
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw SimpulError(.notFound, "file: \(path) tidak ada")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        guard size <= Attachment.maxBytes else {
            throw SimpulError(
                .invalidData,
                "file: \(url.lastPathComponent) terlalu besar (\(Attachment.sizeText(size))); lampiran paling besar \(Attachment.sizeText(Attachment.maxBytes))"
            )
        }
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: url)) } catch {
            throw SimpulError(.io, "file: \(path) tidak bisa dibaca", cause: error)
        }
        let sha = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let draft = Attachment(
            sha256: sha, size: Int64(bytes.count), name: url.lastPathComponent,
            mediaType: Attachment.mediaType(forFileName: url.lastPathComponent), syarat: nil,
            issuedNumber: issuedNumber)
        let at = clock()
        let author = info.node
        return try write("melampirkan file") { tx -> AttachedFile in
            let state = try tx.foldedPermohonan(number)
            if let held = state.attachments.first(where: { $0.attachment.sha256 == sha }) {
                guard try tx.blob(sha)?.complete != true else { return held }
                try tx.storeCompleteBlob(sha256: sha, bytes: bytes, at: at)
                return held
            }
            let body = try Workflow.attach(draft, on: state)
            if let refusal = EventAuthorization.refusal(body: body, author: author, partition: state.partition) {
                throw SimpulError(.invalidData, refusal.message)
            }
            try tx.storeCompleteBlob(sha256: sha, bytes: bytes, at: at)
            try tx.execute("UPDATE blob SET owner = \(author.rawValue) WHERE sha256 = \(sha)")
            let event = try tx.appendOwn(
                record: number, partition: state.partition, context: state.seen, author: author, officer: name,
                role: Peran.ptsp, at: at, body: body)
            guard case .attached(let attachment) = event.body else {
                throw SimpulError(.io, "lampiran \(sha.prefix(12)) tidak tercatat sebagai lampiran")
            }
            return AttachedFile(attachment: attachment, dot: event.dot)
        }
    }
}
