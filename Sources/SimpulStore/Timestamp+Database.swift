import GRDB
import SimpulDomain

/// Stored as its ISO 8601 text (`2026-03-02T02:15:00.000Z`), the form every timestamp column holds.
extension Timestamp: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Timestamp? {
        guard case .string(let text) = dbValue.storage else { return nil }
        return Timestamp(iso: text)
    }
}

extension Row {
    /// The timestamp in `column`. A value that is not one is an error naming the table and column,
    /// never a time in 1970; GRDB's own decoding error is not used because it lists the whole row,
    /// which may hold personal data.
    func timestamp(_ column: String, in table: String) throws(SimpulError) -> Timestamp {
        guard let t = try timestampIfPresent(column, in: table) else {
            throw SimpulError(.io, "penyimpanan rusak: \(table).\(column) kosong, seharusnya berisi waktu")
        }
        return t
    }

    /// The timestamp in `column`, or nil when the column is NULL; any other value that is not a
    /// timestamp is an error.
    func timestampIfPresent(_ column: String, in table: String) throws(SimpulError) -> Timestamp? {
        let value: DatabaseValue = self[column]
        if value.isNull { return nil }
        guard let t = Timestamp.fromDatabaseValue(value) else {
            throw SimpulError(.io, "penyimpanan rusak: \(table).\(column) berisi waktu yang tidak sah")
        }
        return t
    }
}
