import ArgumentParser
import Foundation
import SimpulConsole
import SimpulDomain
import SimpulStore

struct BlobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob", abstract: "Lampiran (dokumen hasil pindai) yang dikirim kecamatan.",
        subcommands: [Get.self])

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tulis isi satu lampiran ke file, setelah hash-nya diperiksa.",
            discussion:
                "SHA256 boleh ditulis penuh atau awalannya (paling sedikit 8 digit), seperti di 'permohonan show'.")
        @OptionGroup var store: HubOptions
        @Argument(help: "SHA-256 lampiran, atau awalannya.") var sha256: String
        @Option(help: "File tujuan.") var out: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                let name = try s.blobName(prefix: sha256)
                let blob = try s.exportBlob(name, to: out)
                if store.json {
                    struct View: Encodable {
                        var sha256: String
                        var size: Int64
                        var file: String
                    }
                    return try Console.printJSON(View(sha256: name, size: blob.size, file: out))
                }
                print("Lampiran \(name.prefix(12)) (\(Attachment.sizeText(blob.size))) ditulis ke \(out); hash cocok.")
            }
        }
    }
}
