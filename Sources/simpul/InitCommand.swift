import ArgumentParser
import Foundation
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulSync

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Siapkan penyimpanan node kecamatan baru.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Kode Kemendagri kecamatan node ini, mis. 33.74.01 (sub-node: 33.74.01-1).")
    var node: String

    @Option(help: "Nama kantor, mis. \"Kecamatan Semarang Tengah\".")
    var name: String

    @Option(help: "Zona waktu kantor: WIB, WITA atau WIT.")
    var zona: String = "WIB"

    @Option(
        help:
            "Folder konfigurasi: layanan.json, hari-libur-*.tsv, wilayah.tsv (bawaan: $SIMPUL_CONF, lalu /etc/simpul).")
    var conf: String?

    @Option(help: "Alamat HTTPS hub PTSP kabupaten, mis. https://ptsp.semarangkota.go.id:8443.")
    var hub: String?

    @Option(help: "File PEM sertifikat CA yang dipercaya untuk hub (bawaan: trust store sistem).")
    var hubCa: String?

    @Option(
        help:
            "Kunci publik hub (base64, dicetak 'simpul-hub init' dan 'simpul-hub status'): untuk bundle USB bila node belum pernah terhubung ke hub."
    )
    var hubKey: String?

    @Option(help: "Pakai kunci node yang sudah ada (cadangan node.key) alih-alih membuat kunci baru.")
    var key: String?

    @Flag(help: "Pulihkan seluruh partisi kecamatan dari hub (setelah disk rusak); butuh --hub.")
    var restore = false

    func run() throws {
        try execute { () throws(SimpulError) in
            guard let id = NodeID(node) else {
                throw SimpulError(.usage, "node: '\(node)' bukan kode kecamatan Kemendagri (mis. 33.74.01)")
            }
            guard !id.isHub else {
                throw SimpulError(
                    .usage, "node: \(node) adalah kode kabupaten/kota; node kecamatan memakai kode kecamatan")
            }
            guard let zona = Zona(rawValue: zona.uppercased()) else {
                throw SimpulError(.usage, "zona: harus WIB, WITA atau WIT, bukan '\(zona)'")
            }
            let confDir = conf ?? ProcessInfo.processInfo.environment["SIMPUL_CONF"] ?? "/etc/simpul"
            let reference = try ConfDirectory.load(confDir)
            guard let kecamatan = reference.wilayah.name(of: id.wilayah) else {
                throw SimpulError(.invalidData, "node: kode \(id.wilayah) tidak ada di daftar wilayah Kemendagri")
            }
            let kabupaten = reference.wilayah.name(of: id.kabupaten) ?? id.kabupaten.code
            if let hub { try HubAddress.check(hub) }
            // Check everything before writing anything, so a refused init leaves nothing behind.
            for file in [NodeStore.fileName, NodeIdentity.fileName] {
                let path = (store.directory as NSString).appendingPathComponent(file)
                guard !FileManager.default.fileExists(atPath: path) else {
                    throw SimpulError(
                        .storeUnavailable, "\(store.directory) sudah berisi data Simpul (\(file)); init tidak menimpa")
                }
            }
            guard try FreeText.clean(name, field: "name", maxLength: 200) != nil else {
                throw SimpulError(.invalidData, "name: nama kantor wajib diisi")
            }
            if restore && hub == nil { throw SimpulError(.usage, "restore: butuh --hub URL untuk memulihkan dari hub") }
            if let hubCa, !FileManager.default.fileExists(atPath: hubCa) {
                throw SimpulError(.notFound, "hub-ca: file \(hubCa) tidak ada")
            }
            var hubFingerprint: String?
            if let hubKey {
                do throws(SyncError) { hubFingerprint = try NodeIdentity.parsePublicKey(hubKey).fingerprint } catch {
                    throw SimpulError(.usage, "hub-key: \(error.message)")
                }
            }
            let identity =
                if let key {
                    try NodeIdentity.adopt(node: id, keyFile: key, directory: store.directory)
                } else {
                    try NodeIdentity.create(node: id, directory: store.directory)
                }
            let created = try NodeStore.create(
                directory: store.directory, node: id, name: name, zona: zona, catalog: reference.catalog,
                calendar: reference.calendar, wilayah: reference.wilayah, now: Console.now,
                logger: Environment.logger)
            if hub != nil || hubKey != nil {
                var config = HubConfig(url: hub ?? "", caFile: hubCa.map(absolutePath))
                if let hubKey, let hubFingerprint {
                    // Pinned now as a first sync would pin it: a hub answering later with another key is
                    // refused (hub-key-changed). The hub's node is the kabupaten's code.
                    config.node = id.kabupaten.code
                    config.publicKey = hubKey
                    try created.learn([
                        NodeKey(
                            node: id.kabupaten.code, publicKey: hubKey, fingerprint: hubFingerprint,
                            enrolledAt: Console.now(), revokedAt: nil, active: true)
                    ])
                }
                try created.setHub(config)
            }
            var report: SyncReport?
            if restore { report = Agent.sync(store: created, identity: identity, restore: RestoreProgress()) }
            let view = InitView(
                node: id.rawValue, name: name, kecamatan: kecamatan, kabupaten: kabupaten, zona: zona.rawValue,
                data: created.path, catalogVersion: try created.catalog().version,
                services: try created.catalog().services.count, holidayYears: reference.calendar.years.sorted(),
                publicKey: identity.publicKey, fingerprint: identity.fingerprint, hub: hub,
                hubFingerprint: hubFingerprint, restore: report.map { SyncView($0) })
            defer { if let report, report.outcome.exitCode != 0 { Agent.exitAfterPrinting(report) } }
            if store.json { return try Console.printJSON(view) }
            print("Node \(id) siap: \(name) (wilayah: Kecamatan \(kecamatan), \(kabupaten)), zona \(zona.rawValue).")
            print("Data: \(created.path)")
            print("Katalog layanan versi \(view.catalogVersion): \(view.services) layanan.")
            print("Kalender hari libur: \(view.holidayYears.map(String.init).joined(separator: ", ")).")
            print("Kunci publik node : \(identity.publicKey)")
            print("Sidik jari        : \(NodeIdentity.readable(identity.fingerprint))")
            if let hubFingerprint {
                print("Kunci hub         : sidik jari \(NodeIdentity.readable(hubFingerprint)) (cocokkan dengan PTSP)")
            }
            if hub != nil || hubKey != nil {
                if let hub { print("Hub               : \(hub)") }
                if !restore {
                    print("Minta admin TI kabupaten mendaftarkan kunci ini:")
                    print("  simpul-hub node enroll --node \(id) --public-key \(identity.publicKey)")
                }
            }
            if let report { print("Pemulihan dari hub: \(Agent.summary(report))") }
        }
    }
}

struct InitView: Encodable {
    var node, name, kecamatan, kabupaten, zona, data: String
    var catalogVersion, services: Int
    var holidayYears: [Int]
    var publicKey, fingerprint: String
    var hub: String?
    var hubFingerprint: String?
    var restore: SyncView?
}

func absolutePath(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}
