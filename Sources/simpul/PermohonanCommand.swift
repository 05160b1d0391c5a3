import ArgumentParser
import SimpulConsole
import SimpulDomain
import SimpulStore

struct PermohonanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "permohonan", abstract: "Permohonan di loket: daftar, proses, teruskan, tarik, tolak, riwayat.",
        subcommands: [
            Create.self, Show.self, List.self, Advance.self, Forward.self, Withdraw.self, Reject.self, Return.self,
            Attach.self, Surat.self, Log.self,
        ])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Terima permohonan di loket pendaftaran dan cetak tanda terima.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Kode layanan, mis. SKTM.") var layanan: String
        @Option(help: "NIK pemohon (16 digit).") var nik: String
        @Option(help: "Nama pemohon.") var nama: String
        @Option(help: "Alamat pemohon.") var alamat: String?
        @Option(help: "Nomor telepon pemohon.") var telepon: String?
        @Option(help: "Kode persyaratan yang dibawa dan diperiksa (ulangi untuk tiap berkas).") var syarat: [String] =
            []
        @Option(help: "Isian formulir KUNCI=NILAI, mis. panjang_m=12.5 (ulangi).") var isian: [String] = []
        @Option(help: petugasHelp) var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let nik: NIK
                do throws(NIK.Problem) { nik = try NIK(validating: self.nik) } catch {
                    throw SimpulError(.invalidData, error.description)
                }
                var fields: [String: String] = [:]
                for pair in isian {
                    guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                        throw SimpulError(.usage, "isian: '\(pair)' harus berbentuk KUNCI=NILAI")
                    }
                    let key = String(pair[..<eq])
                    guard fields[key] == nil else { throw SimpulError(.usage, "isian: \(key) diisi dua kali") }
                    fields[key] = String(pair[pair.index(after: eq)...])
                }
                let s = try store.open()
                let pemohon = Pemohon(
                    nik: nik, nama: nama.trimmingCharacters(in: .whitespaces), alamat: alamat.nonEmpty,
                    telepon: telepon.nonEmpty)
                let p = try s.register(
                    Application(layanan: layanan, pemohon: pemohon, syarat: syarat, isian: fields),
                    by: try resolveActor(s, petugas: petugas))
                let warning =
                    try s.wilayahName(nik.regionCode) == nil
                    ? nik.regionWarning(knownCodes: { _ in false }) : nil
                try Console.show(p, store: s, json: store.json, title: "TANDA TERIMA PERMOHONAN", warning: warning)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keadaan satu permohonan.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pendaftaran, mis. 01-26-00001-9.") var number: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                try Console.show(
                    try s.permohonan(try RegistrationNumber(parsing: number).text), store: s, json: store.json)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Daftar permohonan, terbaru dahulu.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Saring status: diproses, diteruskan, selesai, ditarik, ditolak.") var status: String?
        @Option(help: "Saring tahap yang menunggu, mis. verifikasi.") var tahap: String?
        @Option(help: "Saring kode layanan.") var layanan: String?
        @Option(help: "Paling banyak sekian baris.") var limit: Int = 100

        func run() throws {
            try execute { () throws(SimpulError) in
                var filter = PermohonanFilter(layanan: layanan, limit: limit)
                if let status { filter.status = try Console.status(status) }
                if let tahap { filter.tahap = try Console.tahap(tahap) }
                try Console.list(filter, store: try store.open(), json: store.json) { p in
                    let step = p.tahap.map { " / \($0.label)" } ?? ""
                    let due = p.dueOn.map { " / jatuh tempo \($0)" } ?? ""
                    return "\(p.number)  \(p.layanan.code)  \(p.pemohon.nama)  [\(Render.statusLabel(p))\(step)\(due)]"
                }
            }
        }
    }

    struct Advance: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Selesaikan tahap yang sedang menunggu.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pendaftaran.") var number: String
        @Option(help: "Tahap yang diselesaikan (harus tahap yang menunggu), mis. validasi-kasi.") var tahap: String?
        @Option(help: "Catatan petugas.") var catatan: String?
        @Option(help: petugasHelp) var petugas: String
        @Option(help: penggantiHelp) var pengganti: String?
        @Flag(
            name: .customLong("cek-lapangan"),
            help: "Di verifikasi: kirim ke Petugas Teknis untuk cek lapangan, untuk layanan yang tidak selalu dicek.")
        var cekLapangan = false

        func run() throws {
            try execute { () throws(SimpulError) in
                let step = try tahap.map { (t) throws(SimpulError) in try Console.tahap(t) }
                let command: Command
                if cekLapangan {
                    if let step, step != .verifikasi {
                        throw SimpulError(.usage, "--cek-lapangan: hanya dari tahap verifikasi, bukan \(step.rawValue)")
                    }
                    command = .sendToFieldCheck(note: catatan)
                } else {
                    command = .advance(tahap: step, note: catatan)
                }
                try change(command, number: number, petugas: petugas, pengganti: pengganti, store: store)
            }
        }
    }

    struct Forward: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Teruskan berkas layanan yang tidak didelegasikan ke kecamatan (ke PTSP atau instansi lain).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pendaftaran.") var number: String
        @Option(help: "Catatan petugas.") var catatan: String?
        @Option(help: petugasHelp) var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                try change(.forward(note: catatan), number: number, petugas: petugas, store: store)
            }
        }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Catat permohonan ditarik oleh pemohon.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pendaftaran.") var number: String
        @Option(help: "Alasan penarikan.") var alasan: String
        @Option(help: petugasHelp) var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                try change(.withdraw(reason: alasan), number: number, petugas: petugas, store: store)
            }
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tolak permohonan saat verifikasi, cek lapangan, validasi atau pengesahan.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pendaftaran.") var number: String
        @Option(help: "Alasan penolakan.") var alasan: String
        @Option(help: petugasHelp) var petugas: String
        @Option(help: penggantiHelp) var pengganti: String?

        func run() throws {
            try execute { () throws(SimpulError) in
                try change(
                    .reject(reason: alasan), number: number, petugas: petugas, pengganti: pengganti, store: store)
            }
        }
    }

    struct Return: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Kembalikan berkas yang belum lengkap dari verifikasi ke loket, dengan apa yang harus dilengkapi.",
            discussion: """
                Loket meminta kekurangannya kepada pemohon, lalu menyelesaikan tahap kelengkapan \
                (advance --tahap kelengkapan) sehingga berkas kembali ke verifikasi.
                """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pendaftaran.") var number: String
        @Option(help: "Apa yang harus dilengkapi pemohon.") var catatan: String
        @Option(help: petugasHelp) var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                try change(.returnToLoket(note: catatan), number: number, petugas: petugas, store: store)
            }
        }
    }

    struct Attach: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lampirkan dokumen hasil pindai (PDF, JPEG, PNG; paling besar 20 MB) ke permohonan.",
            discussion: "Isi file disimpan di node ini dan dikirim ke hub pada sinkron berikutnya.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pendaftaran.") var number: String
        @Argument(help: "File hasil pindai.") var file: String
        @Option(help: "Kode persyaratan yang dipenuhi dokumen ini, mis. ktp.") var syarat: String?
        @Option(help: petugasHelp) var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                let id = try RegistrationNumber(parsing: number).text
                let attached = try s.attach(
                    file: file, to: id, syarat: syarat.nonEmpty, by: try resolveActor(s, petugas: petugas))
                try Console.attached(attached, to: try s.permohonan(id), store: s, json: store.json)
            }
        }
    }

    struct Surat: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Buat surat (PDF, dengan nomor surat) dari templat layanan pada tahap operator.",
            discussion: """
                Templat dibaca dari FOLDER/surat/KODE-LAYANAN.txt. Nomor surat diambil dari urutan node ini \
                per tahun dan per kode klasifikasi, tanpa loncat. Surat kedua pada berkas yang sama mendapat \
                nomor baru (surat perbaikan); yang dicetak selalu yang terbaru.
                """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pendaftaran.") var number: String
        @Option(help: "Folder konfigurasi berisi surat/KODE.txt (bawaan: $SIMPUL_CONF, lalu /etc/simpul).")
        var conf: String?
        @Option(help: petugasHelp) var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                let id = try RegistrationNumber(parsing: number).text
                let p = try s.permohonan(id)
                let template = try ConfDirectory.letterTemplate(confDirectory(conf), service: p.layanan.code)
                let made = try s.makeLetter(for: id, template: template, by: try resolveActor(s, petugas: petugas))
                try Console.madeLetter(made, to: try s.permohonan(id), store: s, json: store.json)
            }
        }
    }

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Riwayat lengkap permohonan: siapa, kapan, apa.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pendaftaran.") var number: String

        func run() throws {
            try execute { () throws(SimpulError) in
                try Console.history(number, store: try store.open(), json: store.json)
            }
        }
    }
}

/// `--petugas`: an account's username once the node has accounts, a typed name before.
let petugasHelp = ArgumentHelp(
    "Username akun petugas yang memegang peran langkah ini (pada node tanpa akun: nama petugas).")

/// `--pengganti`: signing in the Camat's place.
let penggantiHelp = ArgumentHelp(
    "Tanda tangan menggantikan Camat (hanya tahap pengesahan-camat, akun berperan camat atau sekcam): plt atau an.")

/// Applies a workflow command and prints the new state.
func change(
    _ command: Command, number: String, petugas: String, pengganti: String? = nil, store: StoreOptions
) throws(SimpulError) {
    let s = try store.open()
    let id = try RegistrationNumber(parsing: number).text
    try s.perform(command, on: id, by: try resolveActor(s, petugas: petugas, pengganti: pengganti))
    try Console.show(try s.permohonan(id), store: s, json: store.json)
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        guard let s = self?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return nil }
        return s
    }
}
