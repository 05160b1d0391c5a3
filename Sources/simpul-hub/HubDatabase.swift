import Foundation
import SimpulConsole
import SimpulDomain
import SimpulHubPostgres
import SimpulStore
import SimpulSync

/// Where a hub on PostgreSQL finds its database: `database.json` in its data folder, written by
/// `simpul-hub init --database`. The folder keeps the hub's key either way; only the data moves.
///
/// The file holds the URL without a password: the password comes from `PGPASSWORD` in the
/// environment (a systemd `EnvironmentFile` of mode 0600), so it is never on a command line, in the
/// process list, in shell history, or in a file every hub command reads.
struct HubDatabase: Codable, Equatable {
    static let fileName = "database.json"

    /// `postgres://user@host:port/database`, never with a password.
    var url: String
    /// The hub node the database belongs to; opening checks the database says the same.
    var node: String

    /// Reads a URL typed on the command line, refusing one that carries a password.
    static func parse(commandLine url: String) throws(SimpulError) -> PostgresSettings {
        // The message never quotes the URL: it may hold the password it refuses.
        if let parts = URLComponents(string: url), let password = parts.password, !password.isEmpty {
            throw SimpulError(
                .usage,
                "database: kata sandi jangan ditulis di baris perintah (terlihat di daftar proses); berikan lewat PGPASSWORD"
            )
        }
        return try PostgresSettings(url: url)
    }

    static func path(_ directory: String) -> String {
        (directory as NSString).appendingPathComponent(fileName)
    }

    /// The folder's database, or nil when the hub keeps its data in the folder's SQLite file.
    static func read(directory: String) throws(SimpulError) -> HubDatabase? {
        let path = path(directory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4096,
            let file = try? JSONDecoder().decode(HubDatabase.self, from: data)
        else { throw SimpulError(.configuration, "\(path) rusak: harus berisi url dan node") }
        return file
    }

    /// Written once, by `init`, with mode 0600 and never over an existing file.
    func write(directory: String) throws(SimpulError) {
        let path = Self.path(directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(self)) + [0x0A] } catch {
            throw SimpulError(.io, "\(path) tidak bisa disusun", cause: error)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SimpulError(.storeUnavailable, "\(path) tidak bisa dibuat: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            unlink(path)
            throw SimpulError(.storeUnavailable, "\(path) tidak bisa ditulis")
        }
    }

    func connect() throws(SimpulError) -> PostgresHubStorage {
        guard let id = NodeID(node), id.isHub else {
            throw SimpulError(.configuration, "\(Self.fileName): '\(node.prefix(20))' bukan kode hub")
        }
        return try PostgresHubStorage.open(
            try PostgresSettings(url: url), node: id, logger: HubEnvironment.logger, clock: Console.now)
    }
}
