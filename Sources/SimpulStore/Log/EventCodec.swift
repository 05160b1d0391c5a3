import Foundation
import GRDB
import SimpulDomain

/// Reads and writes events as rows of the `event` table. JSON columns use sorted keys so the same
/// event always has the same bytes.
public enum EventCodec {
    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }

    static func insert(_ event: Event, into db: Database) throws {
        try insert(
            event, at: event.at.description, context: JSONText.versionVector(event.context),
            data: try dataJSON(event.body), into: db)
    }

    /// The `data` column of an event with this body.
    static func dataJSON(_ body: EventBody) throws -> String {
        try json(DataOnly(body: body))
    }

    /// Inserts an event whose JSON columns are already written (as received from another replica).
    static func insert(_ event: Event, at: String, context: String, data: String, into db: Database) throws {
        try insert(event, at: at, context: context, data: data, with: db.cachedStatement(sql: EventLog.insertSQL))
    }

    /// Inserts with a statement of `EventLog.insertSQL` the caller prepared once for many events.
    static func insert(_ event: Event, at: String, context: String, data: String, with statement: Statement) throws {
        try statement.execute(
            arguments: [
                event.partition, event.dot.node, Int64(event.dot.seq), Int64(event.lamport), event.record,
                event.body.type.rawValue, event.officer, event.role, at, context, data,
            ])
    }

    public static let columns = "partition, node, seq, lamport, record, type, officer, role, at, context, data"

    /// The same columns from a table aliased `alias`, named as `decode` reads them.
    static func columns(qualifiedBy alias: String) -> String {
        columns.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespaces))" }
            .joined(separator: ", ")
    }

    static func decode(_ row: Row) throws -> Event {
        try decode(
            LoggedColumns(
                partition: row["partition"], node: row["node"], seq: UInt64(row["seq"] as Int64),
                lamport: UInt64(row["lamport"] as Int64), record: row["record"], type: row["type"],
                officer: row["officer"], role: row["role"], at: row["at"], context: row["context"], data: row["data"]))
    }

    /// An event from its columns as any log keeps them (the hub's PostgreSQL log has the same ones).
    public static func decode(_ columns: LoggedColumns) throws -> Event {
        let decoder = JSONDecoder()
        decoder.userInfo[BodyBox.typeKey] = columns.type
        let body = try decoder.decode(BodyBox.self, from: Data(columns.data.utf8)).body
        guard let at = Timestamp(iso: columns.at) else {
            throw SimpulError(.io, "event \(columns.node):\(columns.seq) has a bad timestamp")
        }
        return Event(
            dot: Dot(node: columns.node, seq: columns.seq), partition: columns.partition, lamport: columns.lamport,
            context: try decoder.decode(VersionVector.self, from: Data(columns.context.utf8)),
            record: columns.record, officer: columns.officer, role: columns.role, at: at, body: body)
    }

    /// Whether an event counts in its record's history and fold: global events, and events written in
    /// the partition that owns the record.
    public static func belongsToRecord(_ event: Event) -> Bool {
        event.body.type.isGlobal || EventAuthorization.owns(partition: event.partition, record: event.record)
    }

    private struct DataOnly: Encodable {
        var body: EventBody
        func encode(to encoder: any Encoder) throws { try body.encodeData(to: encoder) }
    }

    /// Decodes an event's data column given its type column.
    private struct BodyBox: Decodable {
        var body: EventBody
        init(from decoder: any Decoder) throws {
            guard let type = decoder.userInfo[BodyBox.typeKey] as? String else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "missing event type"))
            }
            body = try EventBody.decode(typeName: type, from: decoder)
        }
        static let typeKey = CodingUserInfoKey(rawValue: "simpul.eventType")!
    }
}

/// One event's columns as a log keeps them, `context` and `data` as the canonical JSON received.
public struct LoggedColumns: Sendable {
    public var partition: String
    public var node: String
    public var seq: UInt64
    public var lamport: UInt64
    public var record: String
    public var type: String
    public var officer: String
    public var role: String
    public var at: String
    public var context: String
    public var data: String

    public init(
        partition: String, node: String, seq: UInt64, lamport: UInt64, record: String, type: String,
        officer: String, role: String, at: String, context: String, data: String
    ) {
        self.partition = partition
        self.node = node
        self.seq = seq
        self.lamport = lamport
        self.record = record
        self.type = type
        self.officer = officer
        self.role = role
        self.at = at
        self.context = context
        self.data = data
    }
}
