import Foundation
import SimpulDomain

/// The reference data a node starts from, read from a configuration folder (`conf/` in the
/// repository, `/etc/simpul` when installed): `layanan.json`, every `hari-libur-*.tsv`, `wilayah.tsv`.
public struct ConfDirectory: Sendable {
    public var catalog: LayananCatalog
    public var calendar: WorkingDayCalendar
    public var wilayah: Wilayah

    public static func load(_ directory: String) throws(SimpulError) -> ConfDirectory {
        let catalogPath = (directory as NSString).appendingPathComponent("layanan.json")
        let catalog = try LayananCatalog.parse(json: try readFile(catalogPath), source: catalogPath)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasPrefix("hari-libur-") && $0.hasSuffix(".tsv") }.sorted()
        } catch {
            throw SimpulError(.notFound, "folder konfigurasi \(directory) tidak bisa dibaca", cause: error)
        }
        guard !names.isEmpty else {
            throw SimpulError(.notFound, "\(directory): tidak ada file kalender hari-libur-TAHUN.tsv")
        }
        var holidays: [WorkingDayCalendar.Holiday] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            holidays += try loadCalendar(path).holidays.values
        }
        let wilayahPath = (directory as NSString).appendingPathComponent("wilayah.tsv")
        let wilayah = try Wilayah.parse(
            tsv: String(decoding: try readFile(wilayahPath), as: UTF8.self), source: wilayahPath)
        return ConfDirectory(catalog: catalog, calendar: WorkingDayCalendar(holidays: holidays), wilayah: wilayah)
    }

    /// Reads and validates one catalog file.
    public static func loadCatalog(_ path: String) throws(SimpulError) -> LayananCatalog {
        try LayananCatalog.parse(json: try readFile(path), source: path)
    }

    /// Reads and validates one holiday calendar file.
    public static func loadCalendar(_ path: String) throws(SimpulError) -> WorkingDayCalendar {
        try WorkingDayCalendar.parse(tsv: String(decoding: try readFile(path), as: UTF8.self), source: path)
    }

    static func readFile(_ path: String) throws(SimpulError) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimpulError(.notFound, "file \(path) tidak ada atau tidak bisa dibaca")
        }
        return data
    }
}
