import ArgumentParser
import SimpulConsole
import SimpulDomain
import SimpulStore

struct LayananCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layanan", abstract: "Katalog layanan: persyaratan, waktu dan tarif.",
        subcommands: [List.self, Show.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Daftar layanan di katalog yang berlaku.")
        @OptionGroup var store: StoreOptions

        func run() throws {
            try execute { () throws(SimpulError) in
                let catalog = try store.open().catalog()
                if store.json { return try Console.printJSON(catalog) }
                print("Katalog layanan versi \(catalog.version)")
                for s in catalog.services {
                    let place = s.isDelegated ? "kecamatan" : "diteruskan ke \(s.forwardTo ?? "PTSP")"
                    let duration =
                        s.durationWorkingDays.map { $0 == 0 ? "hari itu juga" : "\($0) hari kerja" }
                        ?? "ditetapkan penerima"
                    print(
                        "  \(s.code.padding(toLength: 20, withPad: " ", startingAt: 0)) \(s.name) [\(s.kind.label); \(place); \(duration); \(s.fee.label)]"
                    )
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rincian satu layanan.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Kode layanan, mis. SKTM.") var code: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let catalog = try store.open().catalog()
                guard let s = catalog.service(code: code) else {
                    throw SimpulError(
                        .notFound, "layanan: kode '\(code)' tidak ada di katalog versi \(catalog.version)")
                }
                if store.json { return try Console.printJSON(s) }
                print("\(s.code): \(s.name) (versi \(s.version), katalog \(catalog.version))")
                print("  Jenis        : \(s.kind.label)")
                print("  Diselesaikan : \(s.isDelegated ? "di kecamatan" : "diteruskan ke \(s.forwardTo ?? "PTSP")")")
                print(
                    "  Waktu        : \(s.durationWorkingDays.map { $0 == 0 ? "hari itu juga" : "\($0) hari kerja" } ?? "ditetapkan penerima")"
                )
                print("  Retribusi    : \(s.fee.label)")
                print("  Cek lapangan : \(s.fieldCheck ? "ya" : "tidak")")
                print("  Persyaratan  :")
                for r in s.requirements { print("    - \(r.code): \(r.name)") }
            }
        }
    }
}
