import ArgumentParser
import SimpulConsole
import SimpulDomain
import SimpulStore

struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Pemeliharaan penyimpanan dan data acuan.",
        subcommands: [Rebuild.self, Check.self, Katalog.self, Kalender.self])

    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bangun ulang tabel keadaan dari log event (log tidak berubah).")
        @OptionGroup var store: StoreOptions

        func run() throws {
            try execute { () throws(SimpulError) in
                let count = try store.open().rebuild()
                if store.json {
                    struct View: Encodable { var events: Int }
                    return try Console.printJSON(View(events: count))
                }
                print("Tabel keadaan dibangun ulang dari \(count) event.")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Periksa keutuhan file dan kecocokan tabel keadaan dengan log (tanpa mengubah apa pun).")
        @OptionGroup var store: StoreOptions

        func run() throws {
            try execute { () throws(SimpulError) in
                let result = try store.open().check()
                if store.json {
                    try Console.printJSON(result)
                } else {
                    print("Keutuhan SQLite : \(result.integrity)")
                    print("Event           : \(result.events)")
                    print("Permohonan      : \(result.permohonan)")
                    print(
                        "Keadaan = log   : \(result.foldMatches ? "cocok" : "TIDAK COCOK (jalankan simpul admin rebuild)")"
                    )
                }
                if !result.isHealthy { throw SimpulError(.io, "penyimpanan tidak sehat") }
            }
        }
    }

    struct Katalog: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pasang katalog layanan versi baru (permohonan berjalan tetap memakai versinya).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "File layanan.json.") var file: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let catalog = try ConfDirectory.loadCatalog(file)
                try store.open().loadCatalog(catalog)
                if store.json { return try Console.printJSON(catalog) }
                print("Katalog versi \(catalog.version) terpasang: \(catalog.services.count) layanan.")
            }
        }
    }

    struct Kalender: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pasang kalender hari libur (tahun yang sama diganti, tahun lain tetap).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "File hari-libur-TAHUN.tsv.") var file: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let calendar = try ConfDirectory.loadCalendar(file)
                try store.open().loadCalendar(calendar)
                if store.json {
                    struct View: Encodable {
                        var years: [Int]
                        var holidays: Int
                    }
                    return try Console.printJSON(
                        View(years: calendar.years.sorted(), holidays: calendar.holidays.count))
                }
                print(
                    "Kalender \(calendar.years.sorted().map(String.init).joined(separator: ", ")) terpasang: \(calendar.holidays.count) hari libur."
                )
            }
        }
    }
}
