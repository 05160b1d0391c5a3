import Foundation

/// The database a PostgreSQL hub-load run makes for itself on the server it was given, with psql
/// (Debian's postgresql-client-15), and drops when the run ends.
struct LoadDatabase: Sendable {
    static let psql = "/usr/bin/psql"

    /// The server URL the run was given (`postgres://user@host:port/db`).
    let server: String
    let name: String
    /// The URL of the run's own database.
    let url: String

    static func create(server: String, scratch: String) throws -> LoadDatabase {
        guard var parts = URLComponents(string: server), parts.scheme == "postgres" || parts.scheme == "postgresql"
        else { throw HubLoadError("--database: not a postgres://user@host:port/db URL") }
        guard FileManager.default.isExecutableFile(atPath: psql) else {
            throw HubLoadError("no \(psql): install postgresql-client-15 (make deps)")
        }
        let name = "simpul_load_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        parts.path = "/" + name
        // The password, if the URL carries one, is not echoed: ChildProcess.run shows only the program's stderr.
        try ChildProcess.run([psql, "--no-psqlrc", "-qc", "CREATE DATABASE \(name)", server], scratch: scratch)
        return LoadDatabase(server: server, name: name, url: parts.string ?? server)
    }

    func drop(scratch: String) {
        try? ChildProcess.run(
            [Self.psql, "--no-psqlrc", "-qc", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)", server],
            scratch: scratch)
    }

    /// The database's size on disk, as PostgreSQL counts it; 0 when it cannot be read.
    func size(scratch: String) -> Int {
        let out = (scratch as NSString).appendingPathComponent("size-\(name).out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try? ChildProcess.run(
            [
                Self.psql, "--no-psqlrc", "-tAc", "SELECT pg_database_size(current_database())", "-o", out, url,
            ], scratch: scratch)
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
