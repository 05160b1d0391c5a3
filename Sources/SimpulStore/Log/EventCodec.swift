import Foundation
import GRDB
import SimpulDomain

/// Reads and writes events as rows of the `event` table. JSON columns use sorted keys so the same
/// event always has the same bytes.
enum EventCodec {
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
            data: try json(DataOnly(body: event.body)), into: db)
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

    static let columns = "partition, node, seq, lamport, record, type, officer, role, at, context, data"

    /// The same columns from a table aliased `alias`, named as `decode` reads them.
    static func columns(qualifiedBy alias: String) -> String {
        columns.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespaces))" }
            .joined(separator: ", ")
    }

    static func decode(_ row: Row) throws -> Event {
        let type: String = row["type"]
        let decoder = JSONDecoder()
        decoder.userInfo[BodyBox.typeKey] = type
        let body = try decoder.decode(BodyBox.self, from: Data((row["data"] as String).utf8)).body
        guard let at = Timestamp(iso: row["at"]) else {
            throw SimpulError(.io, "event \(row["node"] as String):\(row["seq"] as Int64) has a bad timestamp")
        }
        return Event(
            dot: Dot(node: row["node"], seq: UInt64(row["seq"] as Int64)), partition: row["partition"],
            lamport: UInt64(row["lamport"] as Int64),
            context: try decoder.decode(VersionVector.self, from: Data((row["context"] as String).utf8)),
            record: row["record"], officer: row["officer"], role: row["role"], at: at, body: body)
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
