import ArgumentParser
import Foundation
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulSync

struct HubImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract:
            "Terapkan bundle dari kecamatan dengan pemeriksaan yang sama seperti sinkron: utuh atau tidak sama sekali.",
        discussion: """
            Exit codes: 0 diterapkan (atau sudah dimiliki), 65 bundle ditolak (terpotong, rusak, asing, \
            kedaluwarsa, salah alamat, isi tidak sah), 66 berkas tidak ada, 77 pengirim dicabut.
            """)
    @OptionGroup var store: HubOptions
    @Argument(help: "Berkas bundle dari kecamatan.") var file: String

    func run() throws {
        try runHubBundle { () throws in
            let bytes = try BundleFiles.read(file)
            let service = try HubBundles.service(store)
            let result = try BundleExchange.importAtHub(bytes, service: service)
            if store.json { return try Console.printJSON(result) }
            print(result.summary)
            print("Balasan untuk kecamatan: simpul-hub export --for \(result.sender) --out BERKAS")
        }
    }
}

struct HubExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Tulis bundle balasan untuk satu node: yang belum dimilikinya, dan tanda terima yang dipegang hub.",
        discussion:
            "Exit codes: 0 ditulis, 64 penggunaan, 74 berkas tidak bisa ditulis, 77 node belum terdaftar atau dicabut.")
    @OptionGroup var store: HubOptions
    @Option(name: .customLong("for"), help: "Kode node tujuan, mis. 33.74.01.") var node: String
    @Option(help: "Berkas bundle yang ditulis, atau folder untuk nama bawaan.") var out: String
    @Option(help: "Berapa hari bundle berlaku; sesudahnya node menolaknya.")
    var expiresDays: Int = BundleExchange.defaultExpiryDays
    @Flag(
        help:
            "Bawa juga isi lampiran yang dinamai event dalam bundle ini (mis. lampiran sub-node, atau sesudah pemulihan)."
    )
    var withBlobs = false

    func run() throws {
        try runHubBundle { () throws in
            guard let id = NodeID(node), !id.isHub else {
                throw SimpulError(.usage, "for: '\(node)' bukan kode node kecamatan (mis. 33.74.01)")
            }
            let days = try BundleFiles.checkDays(expiresDays, max: BundleExchange.maxExpiryDays)
            let service = try HubBundles.service(store)
            let now = Console.now()
            let export = try BundleExchange.reply(
                for: id, service: service, createdAt: now,
                expiresAt: BundleExchange.expiry(from: now, days: days), withBlobs: withBlobs)
            let file = try BundleFiles.write(export.bytes, to: out, suggested: export.suggestedFileName)
            BundleFiles.warnDamaged(export.blobsDamaged, tool: "simpul-hub")
            if store.json {
                struct View: Encodable {
                    var file, bundle, sender, recipient: String
                    var changeSets, events, blobs, blobBytes, blobsConfirmed, bytes: Int
                    var createdAt, expiresAt: Timestamp
                    var knowledge: [String: VersionVector]
                }
                return try Console.printJSON(
                    View(
                        file: file, bundle: export.manifest.id, sender: export.manifest.sender.node,
                        recipient: id.rawValue, changeSets: export.changeSets, events: export.events,
                        blobs: export.blobs, blobBytes: export.blobBytes, blobsConfirmed: export.blobsHeld,
                        bytes: export.bytes.count, createdAt: export.manifest.createdAt,
                        expiresAt: export.manifest.expiresAt, knowledge: export.knowledge))
            }
            let zona = service.store.info.zona
            let until = export.manifest.expiresAt.localText(offsetMinutes: zona.offsetMinutes)
            print("Bundle balasan untuk \(id) ditulis: \(file)")
            print(
                "Isi: \(export.changeSets) change set (\(export.events) event) yang belum dimiliki node itu, "
                    + "dan tanda terima hub; berlaku sampai \(until) \(zona.rawValue).")
            if withBlobs {
                print("Lampiran: \(export.blobs) berkas (\(Attachment.sizeText(Int64(export.blobBytes)))).")
            }
            if export.blobsHeld > 0 {
                print(
                    "Tanda terima lampiran: \(export.blobsHeld) lampiran dari bundle terakhir node itu sudah lengkap di hub."
                )
            }
            print("Di kecamatan: simpul import BERKAS")
        }
    }
}

struct HubBundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle", abstract: "Periksa berkas bundle tanpa membukanya.", subcommands: [Inspect.self])

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pengirim, penerima, tanggal, ukuran dan tanda tangan bundle, tanpa mendekripsi isinya.",
            discussion: "Exit codes: 0 terbaca, 65 berkas terpotong, rusak atau bukan bundle, 66 berkas tidak ada.")
        @OptionGroup var store: HubOptions
        @Argument(help: "Berkas bundle.") var file: String

        func run() throws {
            try runHubBundle { () throws in
                let bytes = try BundleFiles.read(file)
                let s = try store.open()
                let inspection = try BundleExchange.inspect(
                    bytes, store: s, identity: try store.identity(s), now: Console.now())
                if store.json { return try Console.printJSON(inspection) }
                for line in inspection.lines(zona: s.info.zona) { print(line) }
            }
        }
    }
}

enum HubBundles {
    static func service(_ options: HubOptions) throws -> HubService {
        let s = try options.open()
        return try HubService(
            store: s, identity: try options.identity(s), logger: HubEnvironment.logger, now: Console.now)
    }
}

/// Runs a bundle command: a refusal becomes one line on stderr and its documented exit code.
func runHubBundle(_ body: () throws -> Void) throws(ExitCode) {
    do {
        try body()
    } catch let error as SimpulError {
        throw Console.fail("simpul-hub", error.message, code: Console.exitCode(error.code))
    } catch let error as SyncError {
        throw Console.fail("simpul-hub", error.message, code: error.exitCode)
    } catch let error as ExitCode {
        throw error
    } catch {
        throw Console.fail("simpul-hub", "\(error)", code: 74)
    }
}
