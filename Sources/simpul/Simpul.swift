import ArgumentParser
import SimpulConsole

@main
struct Simpul: AsyncParsableCommand {
    static func main() async { await Console.main(Simpul.self, tool: "simpul") }

    static let configuration = CommandConfiguration(
        commandName: "simpul",
        abstract: "Simpul: penyimpanan dan alur pelayanan PATEN kecamatan yang bekerja tanpa jaringan.",
        discussion: """
            Exit codes: 0 done, 64 usage, 65 bad data, 66 no such record or file, 73 store missing or \
            cannot be created, 74 store read/write failure; sync and relay: 75 link failure (try later), 77 refused \
            (by the hub, or a bundle from a revoked sender).
            """,
        subcommands: [
            InitCommand.self, LayananCommand.self, PermohonanCommand.self, KasirCommand.self, SyncCommand.self,
            ServeCommand.self,
            StatusCommand.self, AdminCommand.self, ExportCommand.self, ImportCommand.self, BundleCommand.self,
            RelayCommand.self, BackupCommand.self, UserCommand.self, WebCommand.self, WebCertCommand.self,
            VerifyCommand.self, LaporanCommand.self, SKMCommand.self, PengaduanCommand.self,
        ]
    )
}
