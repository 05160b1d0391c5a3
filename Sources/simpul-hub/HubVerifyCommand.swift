import ArgumentParser
import SimpulConsole
import SimpulDomain

struct HubVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Periksa keaslian tanda terima atau kuitansi kecamatan mana pun dari kode QR-nya.",
        discussion:
            "Exit codes: 0 asli, 65 tidak cocok (diubah atau dipalsukan) atau kode rusak, 66 belum tercatat di hub.")

    @OptionGroup var store: HubOptions
    @Argument(help: "Kode dari pemindai QR atau yang tercetak di bawahnya.") var code: String

    func run() throws {
        try execute { () throws(SimpulError) in try PaperText.verify(code, store: try store.open(), json: store.json) }
    }
}
