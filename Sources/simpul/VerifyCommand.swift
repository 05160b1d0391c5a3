import ArgumentParser
import SimpulConsole
import SimpulDomain

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Periksa keaslian tanda terima atau kuitansi dari kode QR-nya (SIMPUL:TT:... atau SIMPUL:KW:...).",
        discussion:
            "Exit codes: 0 asli, 65 tidak cocok (diubah atau dipalsukan) atau kode rusak, 66 tidak tercatat di node ini."
    )

    @OptionGroup var store: StoreOptions
    @Argument(help: "Kode dari pemindai QR atau yang tercetak di bawahnya.") var code: String

    func run() throws {
        try execute { () throws(SimpulError) in try PaperText.verify(code, store: try store.open(), json: store.json) }
    }
}
