import ArgumentParser
import Foundation
import Logging
import SimpulConsole
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
        try NodeStore.open(directory: directory, now: Console.now, logger: Environment.logger)
    }
}

/// The configuration folder: `--conf`, then `$SIMPUL_CONF`, then `/etc/simpul` (as `simpul init` reads it).
func confDirectory(_ option: String?) -> String {
    option ?? ProcessInfo.processInfo.environment["SIMPUL_CONF"] ?? "/etc/simpul"
}

enum Environment {
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

func execute(_ body: () throws(SimpulError) -> Void) throws(ExitCode) {
    try Console.execute("simpul", body)
}
