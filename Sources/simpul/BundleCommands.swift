import ArgumentParser
import Foundation
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulSync
import SimpulTransport

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Tulis bundle untuk hub (USB, kurir, email): change set yang belum dimiliki hub, terenkripsi untuk hub.",
        discussion: "Exit codes: 0 ditulis, 64 penggunaan, 65 kunci hub belum diketahui, 74 berkas tidak bisa ditulis.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Berkas bundle yang ditulis, atau folder (mis. flashdisk) untuk nama bawaan.")
    var out: String

    @Option(help: "Berapa hari bundle berlaku; sesudahnya hub menolaknya.")
    var expiresDays: Int = BundleExchange.defaultExpiryDays

    @Flag(help: "Bawa juga lampiran node ini yang belum dikonfirmasi lengkap di hub (berkasnya jadi lebih besar).")
    var withBlobs = false

    func run() throws {
        try runBundle { () throws in
            let days = try BundleFiles.checkDays(expiresDays, max: BundleExchange.maxExpiryDays)
            let s = try store.open()
            let identity = try NodeIdentity.load(node: s.info.node, directory: store.directory)
            let hub = try BundleExchange.hub(of: s)
            let now = Console.now()
            let export = try BundleExchange.export(
                store: s, identity: identity, to: hub, createdAt: now,
                expiresAt: BundleExchange.expiry(from: now, days: days), withBlobs: withBlobs)
            let file = try BundleFiles.write(export.bytes, to: out, suggested: export.suggestedFileName)
            BundleFiles.warnDamaged(export.blobsDamaged, tool: "simpul")
            let view = ExportView(export, file: file)
            if store.json { return try Console.printJSON(view) }
            let until = export.manifest.expiresAt.localText(offsetMinutes: s.info.zona.offsetMinutes)
            print("Bundle untuk hub \(hub.node) ditulis: \(file)")
            print(
                "Isi: \(export.changeSets) change set (\(export.events) event) yang belum dimiliki hub; "
                    + "berlaku sampai \(until) \(s.info.zona.rawValue).")
            if withBlobs {
                print(
                    "Lampiran: \(export.blobs) berkas (\(Attachment.sizeText(Int64(export.blobBytes)))) yang belum "
                        + "dikonfirmasi lengkap di hub.")
            }
            print("Bawa berkas ini ke PTSP; di sana: simpul-hub import BERKAS, lalu bawa pulang balasannya.")
        }
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Terapkan bundle balasan dari hub: utuh atau tidak sama sekali.",
        discussion: """
            Exit codes: 0 diterapkan (atau sudah dimiliki), 65 bundle ditolak (terpotong, rusak, asing, \
            kedaluwarsa, salah alamat, isi tidak sah), 66 berkas tidak ada, 77 pengirim dicabut.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "Berkas bundle dari hub.")
    var file: String

    func run() throws {
        try runBundle { () throws in
            let bytes = try BundleFiles.read(file)
            let s = try store.open()
            let identity = try NodeIdentity.load(node: s.info.node, directory: store.directory)
            let result = try BundleExchange.importReply(bytes, store: s, identity: identity, now: Console.now())
            if store.json { return try Console.printJSON(result) }
            print(result.summary)
        }
    }
}

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle", abstract: "Periksa berkas bundle tanpa membukanya.", subcommands: [Inspect.self])

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pengirim, penerima, tanggal, ukuran dan tanda tangan bundle, tanpa mendekripsi isinya.",
            discussion: "Exit codes: 0 terbaca, 65 berkas terpotong, rusak atau bukan bundle, 66 berkas tidak ada.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "Berkas bundle.")
        var file: String

        func run() throws {
            try runBundle { () throws in
                let bytes = try BundleFiles.read(file)
                let s = try store.open()
                let identity = try NodeIdentity.load(node: s.info.node, directory: store.directory)
                let inspection = try BundleExchange.inspect(bytes, store: s, identity: identity, now: Console.now())
                if store.json { return try Console.printJSON(inspection) }
                for line in inspection.lines(zona: s.info.zona) { print(line) }
            }
        }
    }
}

struct RelayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Antar bundle node lain lewat jaringan node ini, tanpa bisa membaca isinya.",
        discussion: "Exit codes: 0 selesai, 65 bundle ditolak, 66 berkas tidak ada, 75 jaringan gagal, 77 ditolak hub.",
        subcommands: [Push.self, Fetch.self])

    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serahkan bundle untuk hub (dari node lain atau node ini) ke hub lewat HTTPS.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "Berkas bundle yang ditujukan ke hub.")
        var file: String

        func run() throws {
            try runBundle { () throws in
                let bytes = try BundleFiles.read(file)
                let (relay, transport) = try Relaying.open(store)
                defer { transport.closeIdleConnections() }
                let result = try relay.push(bytes)
                if store.json { return try Console.printJSON(result) }
                print("Diserahkan ke hub. " + result.summary)
            }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ambil bundle balasan hub untuk node lain; hanya node itu yang bisa membukanya.")

        @OptionGroup var store: StoreOptions

        @Option(name: .customLong("for"), help: "Kode node tujuan balasan, mis. 33.74.01-1.")
        var node: String

        @Option(help: "Berkas bundle yang ditulis, atau folder untuk nama bawaan.")
        var out: String

        func run() throws {
            try runBundle { () throws in
                guard let id = NodeID(node) else {
                    throw SimpulError(.usage, "for: '\(node)' bukan kode node (mis. 33.74.01-1)")
                }
                let (relay, transport) = try Relaying.open(store)
                defer { transport.closeIdleConnections() }
                let bytes = try relay.fetch(for: id)
                let manifest = try OfflineBundle.manifest(of: bytes)
                let file = try BundleFiles.write(
                    bytes, to: out, suggested: BundleExchange.suggestedFileName(manifest))
                if store.json {
                    struct View: Encodable {
                        var file: String
                        var bundle: String
                        var recipient: String
                        var bytes: Int
                        var expiresAt: Timestamp
                    }
                    return try Console.printJSON(
                        View(
                            file: file, bundle: manifest.id, recipient: id.rawValue, bytes: bytes.count,
                            expiresAt: manifest.expiresAt))
                }
                print("Bundle balasan hub untuk \(id) ditulis: \(file) (\(bytes.count) byte).")
                print("Hanya node \(id) yang bisa membukanya: di sana jalankan simpul import BERKAS.")
            }
        }
    }
}

/// The relaying node's own link: its hub address and certificate, its key for request signatures.
enum Relaying {
    static func open(_ options: StoreOptions) throws -> (BundleRelay, CurlTransport) {
        let s = try options.open()
        let identity = try NodeIdentity.load(node: s.info.node, directory: options.directory)
        guard let hub = try s.hubConfig(), !hub.url.isEmpty else {
            throw SimpulError(.usage, "hub: node ini belum punya alamat hub, jadi tidak bisa meneruskan bundle")
        }
        let transport = CurlTransport(
            baseURL: hub.url, caFile: hub.caFile, userAgent: "\(SyncClient.agentVersion) (\(identity.node))",
            logger: Environment.logger)
        return (BundleRelay(store: s, identity: identity, transport: transport, now: Console.now), transport)
    }
}

struct ExportView: Encodable {
    var file: String
    var bundle: String
    var sender: String
    var recipient: String
    var changeSets: Int
    var events: Int
    /// Attachments carried, and their bytes; in a reply, the blobs the hub confirms holding.
    var blobs: Int
    var blobBytes: Int
    var blobsConfirmed: Int
    var bytes: Int
    var createdAt: Timestamp
    var expiresAt: Timestamp
    var knowledge: [String: VersionVector]

    init(_ e: BundleExport, file: String) {
        self.file = file
        bundle = e.manifest.id
        sender = e.manifest.sender.node
        recipient = e.manifest.recipient.node
        changeSets = e.changeSets
        events = e.events
        blobs = e.blobs
        blobBytes = e.blobBytes
        blobsConfirmed = e.blobsHeld
        bytes = e.bytes.count
        createdAt = e.manifest.createdAt
        expiresAt = e.manifest.expiresAt
        knowledge = e.knowledge
    }
}

/// Runs a bundle command: a refusal becomes one line on stderr and its documented exit code.
func runBundle(_ body: () throws -> Void) throws(ExitCode) {
    do {
        try body()
    } catch let error as SimpulError {
        throw Console.fail("simpul", error.message, code: Console.exitCode(error.code))
    } catch let error as SyncError {
        throw Console.fail("simpul", error.message, code: error.exitCode)
    } catch let error as BundleError {
        throw Console.fail("simpul", SyncError(bundle: error).message, code: SyncError(bundle: error).exitCode)
    } catch let error as TransportError {
        throw Console.fail("simpul", "jaringan ke hub gagal: \(error.message); coba lagi nanti", code: 75)
    } catch let error as ExitCode {
        throw error
    } catch {
        throw Console.fail("simpul", "\(error)", code: 74)
    }
}
