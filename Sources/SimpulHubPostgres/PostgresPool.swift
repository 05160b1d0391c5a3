import Dispatch
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO
import SimpulDomain

/// The storage's own bounded set of connections. `HubStorage` is synchronous, and HubService calls it
/// on its blocking thread pool, so a caller leases a connection and waits on PostgresNIO's futures on
/// its own thread; at most `settings.maxConnections` are open, and a caller beyond them waits for one
/// to come back rather than opening more.
final class PostgresPool: Sendable {
    let settings: PostgresSettings
    private let group: any EventLoopGroup
    private let logger: Logger
    private let idle = NIOLockedValueBox<[PostgresConnection]>([])
    private let nextID = NIOLockedValueBox<Int>(0)
    private let slots: DispatchSemaphoreBox

    init(settings: PostgresSettings, group: any EventLoopGroup, logger: Logger) {
        self.settings = settings
        self.group = group
        self.logger = logger
        slots = DispatchSemaphoreBox(settings.maxConnections)
    }

    /// Runs `body` with a connection of its own; the connection goes back to the pool afterwards,
    /// or is closed when it failed.
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        // Waiting on an event loop would stop the very loop that must answer: refuse instead of hanging.
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            throw SimpulError(.io, "penyimpanan PostgreSQL dipanggil dari thread event loop")
        }
        slots.wait()
        defer { slots.signal() }
        let connection = try idle.withLockedValue { $0.popLast() } ?? open()
        do {
            let value = try body(connection)
            idle.withLockedValue { $0.append(connection) }
            return value
        } catch {
            // A connection the transaction closed (a failed ROLLBACK, a broken socket) is not reused.
            if !connection.isClosed { idle.withLockedValue { $0.append(connection) } }
            throw error
        }
    }

    private func open() throws -> PostgresConnection {
        let id = nextID.withLockedValue {
            $0 += 1
            return $0
        }
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(10)
        do {
            return try PostgresConnection.connect(
                on: group.next(), configuration: configuration, id: id, logger: logger
            ).wait()
        } catch {
            logger.error(
                "postgres connect failed",
                metadata: ["server": "\(settings.host):\(settings.port)", "database": "\(settings.database)"])
            throw SimpulError(
                .storeUnavailable, "tidak bisa terhubung ke PostgreSQL \(settings)", cause: PostgresFailure(error))
        }
    }

    /// A pool let go without `close()` (a command that ends without closing its storage) still closes
    /// its connections: PostgresNIO traps on a connection released open.
    deinit { close() }

    /// Closes every idle connection (those leased are closed as they come back by their users' end).
    func close() {
        let connections = idle.withLockedValue { held -> [PostgresConnection] in
            defer { held = [] }
            return held
        }
        // On an event loop, waiting would stop the loop that must carry the close: the close is only started.
        let mayWait = MultiThreadedEventLoopGroup.currentEventLoop == nil
        for connection in connections {
            let closed: EventLoopFuture<Void> = connection.close()
            if mayWait { try? closed.wait() }
        }
    }
}

/// A counting semaphore as a Sendable value.
final class DispatchSemaphoreBox: Sendable {
    private let semaphore: DispatchSemaphore
    init(_ value: Int) { semaphore = DispatchSemaphore(value: value) }
    func wait() { semaphore.wait() }
    func signal() { semaphore.signal() }
}

/// What PostgreSQL or the driver said, as a cause: the server's message and SQLSTATE, never the
/// connection's settings (PSQLError's own description is deliberately vague).
struct PostgresFailure: Error, CustomStringConvertible {
    let description: String

    init(_ error: any Error) {
        if let psql = error as? PSQLError {
            if let server = psql.serverInfo {
                let state = server[.sqlState] ?? "?"
                let message = server[.message] ?? "?"
                description = "PostgreSQL \(state): \(message)"
            } else {
                description = "PostgreSQL: \(psql.code)"
            }
        } else if let failure = error as? PostgresFailure {
            description = failure.description
        } else {
            description = String(describing: type(of: error))
        }
    }
}
