import ArgumentParser
import Foundation
import Logging
import SimpulDomain
import SimpulStore

/// Options every command that touches a store takes.
struct StoreOptions: ParsableArguments {
    @Option(help: "Folder data node (bawaan: $SIMPUL_DATA, lalu /var/lib/simpul).")
    var data: String?

    @Flag(help: "Tulis satu dokumen JSON ke stdout untuk skrip.")
    var json = false

    var directory: String {
        data ?? ProcessInfo.processInfo.environment["SIMPUL_DATA"] ?? "/var/lib/simpul"
    }

    func open() throws(SimpulError) -> NodeStore {
        try NodeStore.open(directory: directory, now: Environment.now, logger: Environment.logger)
    }
}

enum Environment {
    /// The clock: the system's, or a fixed instant from `SIMPUL_NOW` (ISO 8601) so that demos and
    /// tests print reproducible dates.
    static let now: @Sendable () -> Timestamp = {
        if let fixed = ProcessInfo.processInfo.environment["SIMPUL_NOW"], let t = Timestamp(iso: fixed) {
            return { t }
        }
        return { Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded())) }
    }()

    static let logger: Logger = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let level = ProcessInfo.processInfo.environment["SIMPUL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            handler.logLevel = level ?? .warning
            return handler
        }
        return Logger(label: "simpul")
    }()
}

/// Runs a command body, turning a `SimpulError` into one line on stderr and its documented exit code.
func execute(_ body: () throws(SimpulError) -> Void) throws(ExitCode) {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data("simpul: \(error.message)\n".utf8))
        throw ExitCode(exitCode(error.code))
    }
}

func exitCode(_ code: SimpulError.Code) -> Int32 {
    switch code {
    case .usage: 64
    case .invalidData, .configuration: 65
    case .notFound: 66
    case .storeUnavailable: 73
    case .io: 74
    }
}

/// Prints a JSON document on stdout.
func printJSON<T: Encodable>(_ value: T) throws(SimpulError) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do {
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    } catch {
        throw SimpulError(.io, "keluaran JSON gagal dibuat", cause: error)
    }
}
