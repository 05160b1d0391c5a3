import ArgumentParser
import SimpulConsole
import SimpulDomain
import SimpulStore

struct HubPermohonan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "permohonan", abstract: "Berkas yang diteruskan ke PTSP: lihat, proses, putuskan.",
        subcommands: [List.self, Show.self, Log.self, Advance.self, Decide.self, Issue.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Daftar permohonan di hub (bawaan: yang diteruskan).")
        @OptionGroup var store: HubOptions
        @Option(help: "Saring status (bawaan diteruskan; 'semua' untuk semua).") var status: String = "diteruskan"
        @Option(help: "Saring kode layanan.") var layanan: String?
        @Option(help: "Paling banyak sekian baris.") var limit: Int = 100

        func run() throws {
            try execute { () throws(SimpulError) in
                var filter = PermohonanFilter(layanan: layanan, limit: limit)
                if status != "semua" { filter.status = try Console.status(status) }
                try Console.list(filter, store: try store.storage(), json: store.json) { p in
                    let code = p.ptspCode.map { " / \(PTSPStatus.label($0))" } ?? ""
                    return
                        "\(p.number)  \(p.partition)  \(p.layanan.code)  \(p.pemohon.nama)  [\(Render.statusLabel(p))\(code)]"
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keadaan satu permohonan.")
        @OptionGroup var store: HubOptions
        @Argument(help: "Nomor pendaftaran.") var number: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.storage()
                try Console.show(
                    try s.permohonan(try RegistrationNumber(parsing: number).text), store: s, json: store.json)
            }
        }
    }

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Riwayat lengkap, dari loket kecamatan sampai PTSP.")
        @OptionGroup var store: HubOptions
        @Argument(help: "Nomor pendaftaran.") var number: String

        func run() throws {
            try execute { () throws(SimpulError) in
                try Console.history(number, store: try store.storage(), json: store.json)
            }
        }
    }

    struct Advance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Catat langkah proses PTSP dengan kode status OSS (05, 10, 11, 20, 40, 45).")
        @OptionGroup var store: HubOptions
        @Argument(help: "Nomor pendaftaran.") var number: String
        @Option(help: "Kode status OSS.") var kode: String
        @Option(help: "Catatan.") var catatan: String?
        @Option(help: "Nama petugas PTSP.") var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                try hubChange(.ptspProgress(code: kode, note: catatan), number: number, petugas: petugas, store: store)
            }
        }
    }

    struct Decide: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Putuskan berkas: 50, 52, 57 menyetujui; 90, 93 menolak. Keputusan kembali ke loket kecamatan.")
        @OptionGroup var store: HubOptions
        @Argument(help: "Nomor pendaftaran.") var number: String
        @Option(help: "Kode keputusan OSS.") var kode: String
        @Option(parsing: .unconditional, help: "Retribusi yang ditetapkan PTSP (rupiah), bila layanannya begitu.")
        var retribusi: String?
        @Option(help: "Catatan.") var catatan: String?
        @Option(help: "Nama pejabat yang memutuskan.") var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let fee = try retribusi.map { (r) throws(SimpulError) in try Console.rupiah(r, field: "retribusi") }
                try hubChange(
                    .decide(code: kode, fee: fee, note: catatan), number: number, petugas: petugas, store: store)
            }
        }
    }

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "terbit",
            abstract: "Lampirkan dokumen yang diterbitkan PTSP (izin bertanda tangan, PDF) pada berkas yang disetujui.",
            discussion:
                "Dokumen dikirim ke loket kecamatan pada sinkron berikutnya, untuk dicetak dan diserahkan kepada pemohon."
        )
        @OptionGroup var store: HubOptions
        @Argument(help: "Nomor pendaftaran.") var number: String
        @Argument(help: "File PDF dokumen yang diterbitkan.") var file: String
        @Option(name: .customLong("nomor-dokumen"), help: "Nomor dokumen yang diterbitkan, mis. 503/0123/DPMPTSP/2026.")
        var nomorDokumen: String
        @Option(help: "Nama petugas PTSP.") var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.storage()
                let id = try RegistrationNumber(parsing: number).text
                let attached = try s.attachIssued(file: file, to: id, issuedNumber: nomorDokumen, officer: petugas)
                try Console.attached(attached, to: try s.permohonan(id), store: s, json: store.json)
            }
        }
    }
}

func hubChange(_ command: Command, number: String, petugas: String, store: HubOptions) throws(SimpulError) {
    let s = try store.storage()
    let id = try RegistrationNumber(parsing: number).text
    try s.perform(command, on: id, officer: petugas)
    try Console.show(try s.permohonan(id), store: s, json: store.json)
}
