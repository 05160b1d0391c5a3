import GRDB
import SimpulDomain

/// One look at a file through the web pages: who, when, which file, and what of it.
public struct FileAccess: Sendable, Equatable {
    public enum What: String, Sendable {
        /// The file's page: applicant, history, requirements.
        case berkas
        /// A scan's bytes.
        case lampiran
    }

    public var at: Timestamp
    public var username: String
    public var number: String
    public var what: What
}

extension NodeStore {
    /// Records that `username` opened `number` (its page or one of its scans).
    public func recordAccess(username: String, number: String, what: FileAccess.What) throws(SimpulError) {
        let at = now().description
        try writeDB("mencatat akses berkas") { db in
            try db.execute(
                sql: "INSERT INTO file_access (at, username, number, what) VALUES (?, ?, ?, ?)",
                arguments: [at, username, number, what.rawValue])
        }
    }

    /// The permohonan whose attachments include a blob: whose file a scan's view is a look at.
    public func numbersNaming(blob sha: String) throws(SimpulError) -> [String] {
        try readDB("membaca lampiran") { db in
            try String.fetchAll(
                db, sql: "SELECT DISTINCT number FROM attachment WHERE sha256 = ? ORDER BY number", arguments: [sha])
        }
    }

    /// The access log, newest first, optionally for one file or one account.
    public func accessLog(
        number: String? = nil, username: String? = nil, limit: Int = 100, offset: Int = 0
    ) throws(SimpulError) -> (entries: [FileAccess], total: Int) {
        var clauses = ["1"]
        var arguments: [any DatabaseValueConvertible] = []
        if let number {
            clauses.append("number = ?")
            arguments.append(number)
        }
        if let username {
            clauses.append("username = ?")
            arguments.append(username)
        }
        let condition = clauses.joined(separator: " AND ")
        let filter = arguments
        return try readDB("membaca log akses") { db in
            let total =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM file_access WHERE \(condition)",
                    arguments: StatementArguments(filter)) ?? 0
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM file_access WHERE \(condition) ORDER BY id DESC LIMIT ? OFFSET ?",
                arguments: StatementArguments(filter + [max(1, min(limit, 1000)), max(0, offset)]))
            let entries = try rows.map { row -> FileAccess in
                guard let at = Timestamp(iso: row["at"]), let what = FileAccess.What(rawValue: row["what"]) else {
                    throw SimpulError(.io, "baris log akses \(row["id"] as Int64? ?? 0) rusak")
                }
                return FileAccess(at: at, username: row["username"], number: row["number"], what: what)
            }
            return (entries, total)
        }
    }
}
