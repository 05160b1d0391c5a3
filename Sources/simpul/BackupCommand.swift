import ArgumentParser
import SimpulConsole
import SimpulDomain
import SimpulStore

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Cadangkan penyimpanan node ke satu berkas SQLite, aman selagi agen berjalan.")

    @Option(help: "Berkas cadangan yang ditulis (tidak boleh sudah ada).")
    var out: String

    @OptionGroup var store: StoreOptions

    func run() throws {
        try execute { () throws(SimpulError) in
            let backup = try store.open().backup(to: out)
            if store.json { return try Console.printJSON(backup) }
            BackupText.lines(backup, dataDirectory: store.directory).forEach { print($0) }
        }
    }
}
