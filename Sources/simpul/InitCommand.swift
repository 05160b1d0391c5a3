import ArgumentParser
import Foundation
import SimpulDomain
import SimpulStore

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
            let created = try NodeStore.create(
                directory: store.directory, node: id, name: name, zona: zona, catalog: reference.catalog,
                calendar: reference.calendar, wilayah: reference.wilayah, now: Environment.now,
                logger: Environment.logger)
            let view = InitView(
                node: id.rawValue, name: name, kecamatan: kecamatan, kabupaten: kabupaten, zona: zona.rawValue,
                data: created.path, catalogVersion: reference.catalog.version,
                services: reference.catalog.services.count, holidayYears: reference.calendar.years.sorted())
            if store.json { return try printJSON(view) }
            print("Node \(id) siap: \(name) (wilayah: Kecamatan \(kecamatan), \(kabupaten)), zona \(zona.rawValue).")
            print("Data: \(created.path)")
            print("Katalog layanan versi \(view.catalogVersion): \(view.services) layanan.")
            print("Kalender hari libur: \(view.holidayYears.map(String.init).joined(separator: ", ")).")
        }
    }
}

struct InitView: Encodable {
    var node, name, kecamatan, kabupaten, zona, data: String
    var catalogVersion, services: Int
    var holidayYears: [Int]
}
