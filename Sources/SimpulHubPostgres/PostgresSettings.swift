import Foundation
import SimpulDomain

/// Where the hub's PostgreSQL database is and who connects to it, from a URL
/// `postgres://user[:password]@host[:port]/database` and, when the URL carries no password, the
/// environment's `PGPASSWORD` as libpq reads it. The password is kept out of `description`, so a
/// log line or an error that shows the settings never shows it.
public struct PostgresSettings: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var database: String
    /// Never printed: `description` and every error leave it out.
    var password: String?
    /// Connections the storage opens at most; a caller beyond them waits for one to be handed back.
    public var maxConnections: Int

    /// The default bound on connections: HubService's blocking pool has few threads, and each holds
    /// at most one connection at a time, so more would only sit idle on the server.
    public static let defaultMaxConnections = 8

    public init(
        host: String, port: Int = 5432, username: String, password: String?, database: String,
        maxConnections: Int = PostgresSettings.defaultMaxConnections
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.maxConnections = max(1, maxConnections)
    }

    /// Reads a `postgres://` (or `postgresql://`) URL; `environment` supplies `PGPASSWORD` when the
    /// URL has no password.
    public init(
        url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        maxConnections: Int = PostgresSettings.defaultMaxConnections
    ) throws(SimpulError) {
        // The URL itself may hold the password: no message here quotes it.
        guard let parts = URLComponents(string: url), let scheme = parts.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw SimpulError(.configuration, "alamat PostgreSQL harus berbentuk postgres://user@host:port/db")
        }
        guard let host = parts.host, !host.isEmpty else {
            throw SimpulError(.configuration, "alamat PostgreSQL tidak menyebut host")
        }
        guard let user = parts.user, !user.isEmpty else {
            throw SimpulError(.configuration, "alamat PostgreSQL tidak menyebut user")
        }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw SimpulError(.configuration, "alamat PostgreSQL tidak menyebut nama database")
        }
        let password = parts.password.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGPASSWORD"]
        self.init(
            host: host, port: parts.port ?? 5432, username: user, password: password, database: database,
            maxConnections: maxConnections)
    }

    /// The same settings naming another database on the same server (the tests' throwaway ones).
    public func with(database: String) -> PostgresSettings {
        var copy = self
        copy.database = database
        return copy
    }

    public var description: String {
        "postgres://\(username)@\(host):\(port)/\(database)\(password == nil ? "" : " (password set)")"
    }
}
