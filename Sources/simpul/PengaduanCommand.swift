import ArgumentParser
import SimpulConsole
import SimpulDomain
import SimpulStore

struct PengaduanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pengaduan",
        abstract:
            "Register pengaduan: terima, tindak lanjut, tutup, daftar (tenggat UU 25/2009: 14 hari menanggapi, 60 hari menyelesaikan).",
        subcommands: [Terima.self, TindakLanjut.self, Tutup.self, List.self])

    struct Terima: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Catat pengaduan yang diterima.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Saluran: \(Pengaduan.Channel.allCases.map(\.rawValue).joined(separator: ", ")).")
        var saluran: String
        @Option(help: "Isi pengaduan.") var isi: String
        @Option(help: "Kode layanan yang diadukan.") var layanan: String?
        @Option(help: "Nomor pendaftaran permohonan yang diadukan.") var nomor: String?
        @Option(help: "Nama pengadu (boleh kosong).") var nama: String?
        @Option(help: "Kontak pengadu: telepon, alamat atau email (boleh kosong).") var kontak: String?
        @Option(help: "Username akun petugas yang menerima (pada node tanpa akun: nama petugas).") var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                guard let channel = Pengaduan.Channel(rawValue: saluran) else {
                    throw SimpulError(
                        .usage,
                        "saluran: '\(FreeText.shown(String(saluran.prefix(20))))' tidak dikenal (\(Pengaduan.Channel.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                let s = try store.open()
                let c = try s.receiveComplaint(
                    channel: channel, layanan: layanan, number: nomor, text: isi, name: nama, contact: kontak,
                    by: try resolveActor(s, petugas: petugas))
                try PengaduanText.show(c, store: s, json: store.json)
            }
        }
    }

    struct TindakLanjut: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tindak-lanjut", abstract: "Catat tindak lanjut (tanggapan) atas pengaduan yang masih terbuka."
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pengaduan, ADU/01/26-00001 (atau 26-00001).") var id: String
        @Option(help: "Apa yang dilakukan atau dijawab.") var catatan: String
        @Option(help: "Username akun Kasi Pelayanan, Sekcam atau Camat (pada node tanpa akun: nama).") var petugas:
            String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                let c = try s.followUpComplaint(
                    PengaduanText.record(id, store: s), note: catatan, by: try resolveActor(s, petugas: petugas))
                try PengaduanText.show(c, store: s, json: store.json)
            }
        }
    }

    struct Tutup: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Tutup pengaduan dengan hasil penyelesaiannya.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pengaduan, ADU/01/26-00001 (atau 26-00001).") var id: String
        @Option(help: "Hasil penyelesaian.") var catatan: String
        @Option(help: "Username akun Kasi Pelayanan, Sekcam atau Camat (pada node tanpa akun: nama).") var petugas:
            String

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                let c = try s.closeComplaint(
                    PengaduanText.record(id, store: s), note: catatan, by: try resolveActor(s, petugas: petugas))
                try PengaduanText.show(c, store: s, json: store.json)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Daftar pengaduan, terbaru dulu; TERLAMBAT bila tenggatnya lewat tanpa tindak lanjut atau penutupan.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "Hanya yang masih terbuka.") var terbuka = false

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                let offset = s.info.zona.offsetMinutes
                let today = Console.now().localDate(offsetMinutes: offset)
                let all = try s.complaints(
                    partition: s.info.node.isHub ? nil : s.info.node.homePartition, openOnly: terbuka)
                if store.json {
                    return try Console.printJSON(all.map { PengaduanText.View($0, today: today, offset: offset) })
                }
                if all.isEmpty { return print("Tidak ada pengaduan.") }
                for c in all {
                    let standing = c.standing(on: today, offsetMinutes: offset)
                    print(
                        "\(c.record)  \(c.received.receivedOn)  \(PengaduanText.state(standing))  \(c.received.channel.rawValue)  "
                            + "\(c.received.layanan ?? "-")  \(c.received.text.prefix(60))")
                }
            }
        }
    }
}

enum PengaduanText {
    /// The record named on the command line: in full, or by its key for this node's own.
    static func record(_ id: String, store: NodeStore) -> String {
        id.contains("/") ? id : "ADU/\(store.info.node.registrationPrefix)/\(id)"
    }

    static func state(_ s: Complaint.Standing) -> String {
        if !s.open { return "DITUTUP" }
        if s.lateResponse { return "TERLAMBAT (belum ditanggapi)" }
        if s.lateClosing { return "TERLAMBAT (belum selesai)" }
        return "TERBUKA"
    }

    struct View: Encodable {
        var record, channel, text, receivedOn, respondBy, closeBy, officer, state: String
        var layanan, number, name, contact: String?
        var followUps: [String]
        var closing: String?
        var late: Bool

        init(_ c: Complaint, today: LocalDate, offset: Int) {
            let standing = c.standing(on: today, offsetMinutes: offset)
            record = c.record
            channel = c.received.channel.rawValue
            text = c.received.text
            receivedOn = c.received.receivedOn.description
            respondBy = c.received.respondBy.description
            closeBy = c.received.closeBy.description
            officer = c.officer
            state = standing.open ? "terbuka" : "ditutup"
            layanan = c.received.layanan
            number = c.received.number
            name = c.received.name
            contact = c.received.contact
            followUps = c.followUps.map(\.note)
            closing = c.closing?.note
            late = standing.late
        }
    }

    static func show(_ c: Complaint, store: NodeStore, json: Bool) throws(SimpulError) {
        let offset = store.info.zona.offsetMinutes
        let today = Console.now().localDate(offsetMinutes: offset)
        if json { return try Console.printJSON(View(c, today: today, offset: offset)) }
        print("PENGADUAN \(c.record)  \(state(c.standing(on: today, offsetMinutes: offset)))")
        print("Diterima       : \(c.received.receivedOn), \(c.received.channel.label), oleh \(c.officer)")
        if let l = c.received.layanan { print("Layanan        : \(l)") }
        if let n = c.received.number { print("Permohonan     : \(n)") }
        print("Pengadu        : \(c.received.name ?? "(tanpa nama)")\(c.received.contact.map { ", \($0)" } ?? "")")
        print("Isi            : \(c.received.text)")
        print("Tanggapi paling lambat   : \(c.received.respondBy)")
        print("Selesaikan paling lambat : \(c.received.closeBy)")
        for f in c.followUps {
            print("Tindak lanjut  : \(f.at.localText(offsetMinutes: offset)) \(f.officer): \(f.note)")
        }
        if let closing = c.closing {
            print("Ditutup        : \(closing.at.localText(offsetMinutes: offset)) \(closing.officer): \(closing.note)")
        }
    }
}
