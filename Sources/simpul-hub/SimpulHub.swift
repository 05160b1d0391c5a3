import ArgumentParser
import Foundation
import Logging
import SimpulConsole
import SimpulDomain
import SimpulHubPostgres
import SimpulStore
import SimpulSync

@main
struct SimpulHub: AsyncParsableCommand {
    static func main() async { await Console.main(SimpulHub.self, tool: "simpul-hub") }

    static let configuration = CommandConfiguration(
        commandName: "simpul-hub",
        abstract: "Simpul hub PTSP kabupaten: endpoint sinkron HTTPS, pendaftaran node, alur PTSP, rekonsiliasi.",
        discussion: """
            Exit codes: 0 done, 64 usage, 65 bad data, 66 no such record or file, 73 store missing or \
            cannot be created, 74 store read/write failure, 77 bundle from a revoked sender, or for a node not \
            enrolled or revoked.
            """,
        subcommands: [
            HubInit.self, Serve.self, DevCert.self, NodeCommand.self, KeyCommand.self, HubLayanan.self,
            HubPermohonan.self,
            Conflicts.self, BlobCommand.self, HubStatus.self, HubImport.self, HubExport.self, HubBundle.self,
            HubBackup.self, HubAlertsCommand.self, HubVerifyCommand.self, HubUserCommand.self, HubMigrate.self,
        ]
    )
}

/// Options every hub command that touches the store takes.
struct HubOptions: ParsableArguments {
    @Option(help: "Folder data hub (bawaan: $SIMPUL_HUB_DATA, lalu /var/lib/simpul-hub).")
    var data: String?

    @Flag(help: "Tulis satu dokumen JSON ke stdout untuk skrip.")
    var json = false

    var directory: String {
        data ?? ProcessInfo.processInfo.environment["SIMPUL_HUB_DATA"] ?? "/var/lib/simpul-hub"
    }

    /// The hub's SQLite store; a hub whose data is in PostgreSQL is refused, naming the commands
    /// that work on it (`storage()`).
    func open() throws(SimpulError) -> NodeStore {
        if try HubDatabase.read(directory: directory) != nil {
            throw SimpulError(
                .configuration,
                "hub di \(directory) menyimpan datanya di PostgreSQL; perintah ini baru tersedia untuk hub SQLite "
                    + "(di PostgreSQL: serve tanpa --web, status, alerts, node enroll/list/revoke, "
                    + "permohonan list/show/log/advance/decide/terbit, conflicts list, layanan publish)")
        }
        let store = try NodeStore.open(directory: directory, now: Console.now, logger: HubEnvironment.logger)
        guard store.info.node.isHub else {
            throw SimpulError(.storeUnavailable, "\(directory) berisi data node kecamatan, bukan hub")
        }
        return store
    }

    /// The hub's storage as the sync protocol sees it, on whichever backend `init` chose.
    func storage() throws(SimpulError) -> any HubStorage {
        if let database = try HubDatabase.read(directory: directory) { return try database.connect() }
        return SQLiteHubStorage(try open())
    }

    func identity(_ store: NodeStore) throws(SimpulError) -> NodeIdentity {
        try NodeIdentity.load(node: store.info.node, directory: directory)
    }

    func identity(_ storage: any HubStorage) throws(SimpulError) -> NodeIdentity {
        try NodeIdentity.load(node: storage.info.node, directory: directory)
    }
}

enum HubEnvironment {
    static let logger: Logger = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let level = ProcessInfo.processInfo.environment["SIMPUL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            handler.logLevel = level ?? .notice
            return handler
        }
        return Logger(label: "simpul-hub")
    }()
}

func execute(_ body: () throws(SimpulError) -> Void) throws(ExitCode) {
    try Console.execute("simpul-hub", body)
}

struct HubInit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Siapkan penyimpanan hub PTSP.")
    @OptionGroup var store: HubOptions
    @Option(help: "Kode Kemendagri kabupaten/kota, mis. 33.74.") var node: String
    @Option(help: "Nama kantor, mis. \"DPMPTSP Kota Semarang\".") var name: String
    @Option(help: "Zona waktu: WIB, WITA atau WIT.") var zona: String = "WIB"
    @Option(help: "Folder konfigurasi (bawaan: $SIMPUL_CONF, lalu /etc/simpul).") var conf: String?
    @Option(
        help:
            "Simpan data hub di PostgreSQL, mis. postgres://simpul@db.kab:5432/simpul_hub (kata sandi lewat PGPASSWORD, tidak di sini); folder data tetap menyimpan kunci hub."
    )
    var database: String?

    func run() throws {
        try execute { () throws(SimpulError) in
            guard let id = NodeID(node), id.isHub else {
                throw SimpulError(.usage, "node: '\(node)' bukan kode kabupaten/kota Kemendagri (mis. 33.74)")
            }
            guard let zona = Zona(rawValue: zona.uppercased()) else {
                throw SimpulError(.usage, "zona: harus WIB, WITA atau WIT, bukan '\(zona)'")
            }
            let reference = try ConfDirectory.load(
                conf ?? ProcessInfo.processInfo.environment["SIMPUL_CONF"] ?? "/etc/simpul")
            guard let kabupaten = reference.wilayah.name(of: id.wilayah) else {
                throw SimpulError(.invalidData, "node: kode \(id) tidak ada di daftar wilayah Kemendagri")
            }
            let identity: NodeIdentity
            let data: String
            if let database {
                (identity, data) = try initPostgres(database, node: id, zona: zona)
            } else {
                identity = try NodeIdentity.create(node: id, directory: store.directory)
                data =
                    try NodeStore.create(
                        directory: store.directory, node: id, name: name, zona: zona, catalog: reference.catalog,
                        calendar: reference.calendar, wilayah: reference.wilayah, now: Console.now,
                        logger: HubEnvironment.logger
                    ).path
            }
            struct View: Encodable { var node, name, kabupaten, data, publicKey, fingerprint: String }
            let view = View(
                node: id.rawValue, name: name, kabupaten: kabupaten, data: data, publicKey: identity.publicKey,
                fingerprint: identity.fingerprint)
            if store.json { return try Console.printJSON(view) }
            print("Hub \(id) siap: \(name) (\(kabupaten)).")
            print("Data              : \(data)")
            print("Kunci publik hub  : \(identity.publicKey)")
            print("Sidik jari        : \(NodeIdentity.readable(identity.fingerprint))")
            print("Terbitkan katalog untuk kecamatan: simpul-hub layanan publish FILE --petugas NAMA")
        }
    }
}

extension HubInit {
    /// Prepares an empty PostgreSQL database for this hub and points the data folder at it. The
    /// database is prepared before the key is made, so a refused database leaves the folder as it was.
    private func initPostgres(_ url: String, node: NodeID, zona: Zona) throws(SimpulError) -> (NodeIdentity, String) {
        let settings = try HubDatabase.parse(commandLine: url)
        let directory = store.directory
        for existing in [
            HubDatabase.path(directory), (directory as NSString).appendingPathComponent(NodeStore.fileName),
        ]
        where FileManager.default.fileExists(atPath: existing) {
            throw SimpulError(
                .storeUnavailable, "\(directory) sudah berisi data Simpul; init tidak menimpa data yang ada")
        }
        guard try FreeText.clean(name, field: "nama", maxLength: 200) != nil else {
            throw SimpulError(.invalidData, "nama: nama kantor wajib diisi")
        }
        let info = NodeInfo(node: node, name: name, zona: zona, createdAt: Console.now())
        let storage = try PostgresHubStorage.open(
            settings, hub: info, logger: HubEnvironment.logger, clock: Console.now)
        defer { storage.close() }
        // Another folder's hub already recorded itself: a second process copies that folder instead,
        // or the database would hold events signed by a key this new folder does not have.
        guard storage.info == info else {
            throw SimpulError(
                .storeUnavailable,
                "database \(settings.database) sudah dipakai hub \(storage.info.node) (\(storage.info.name)); "
                    + "untuk proses hub berikutnya salin folder data hub itu (kunci dan \(HubDatabase.fileName))")
        }
        let identity = try NodeIdentity.create(node: node, directory: directory)
        // The URL as typed: it was refused above if it carried a password.
        try HubDatabase(url: url, node: node.rawValue).write(directory: directory)
        return (identity, url)
    }
}

struct HubLayanan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layanan", abstract: "Katalog layanan kabupaten.", subcommands: [Publish.self])

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Terbitkan katalog (dan kalender libur) ke semua kecamatan lewat sinkron berikutnya.")
        @OptionGroup var store: HubOptions
        @Argument(help: "File layanan.json.") var file: String
        @Option(help: "File hari-libur-TAHUN.tsv yang ikut diterbitkan (ulangi).") var kalender: [String] = []
        @Option(help: "Nama petugas yang menerbitkan.") var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let catalog = try ConfDirectory.loadCatalog(file)
                var holidays: [WorkingDayCalendar.Holiday] = []
                for k in kalender { holidays += try ConfDirectory.loadCalendar(k).holidays.values }
                let s = try store.storage()
                let events = try s.publish(
                    catalog: catalog, calendar: holidays.isEmpty ? nil : WorkingDayCalendar(holidays: holidays),
                    officer: petugas)
                if store.json {
                    struct View: Encodable {
                        var version: Int
                        var services: Int
                        var events: [String]
                    }
                    return try Console.printJSON(
                        View(
                            version: catalog.version, services: catalog.services.count,
                            events: events.map(\.dot.description)))
                }
                print(
                    "Katalog versi \(catalog.version) (\(catalog.services.count) layanan) diterbitkan"
                        + (holidays.isEmpty ? "" : " bersama kalender libur")
                        + "; sampai ke kecamatan pada sinkron berikutnya.")
            }
        }
    }
}
