import ArgumentParser
import SimpulConsole
import SimpulDomain
import SimpulStore

struct KasirCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kasir",
        abstract: "Kasir: terima retribusi dengan kuitansi bernomor, laporan penerimaan, tutup kas harian, setoran.",
        subcommands: [Pay.self, Laporan.self, Tutup.self, Setor.self, Kas.self])

    struct Pay: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Terima pembayaran retribusi dan terbitkan kuitansi.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pendaftaran.") var number: String
        @Option(parsing: .unconditional, help: "Jumlah dalam rupiah, mis. 25000 atau 25.000.") var jumlah: String
        @Option(help: "Username akun kasir (pada node tanpa akun: nama kasir).") var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let amount = try Console.rupiah(jumlah, field: "jumlah")
                let s = try store.open()
                let id = try RegistrationNumber(parsing: number).text
                let event = try s.perform(
                    .pay(amount: amount, receipt: ""), on: id, by: try resolveActor(s, petugas: petugas))
                guard case .paymentReceived(let payment) = event.body else {
                    throw SimpulError(.io, "pembayaran tidak tercatat")
                }
                let p = try s.permohonan(id)
                if store.json {
                    struct PayView: Encodable {
                        var receipt: String
                        var amount: Int64
                        var permohonan: PermohonanView
                    }
                    let today = Console.now().localDate(offsetMinutes: s.info.zona.offsetMinutes)
                    return try Console.printJSON(
                        PayView(
                            receipt: payment.receipt, amount: payment.amount,
                            permohonan: PermohonanView(p, today: today, calendar: try s.calendar())))
                }
                print("KUITANSI \(payment.receipt)")
                print("\(s.info.name) (\(s.info.node))")
                print("Diterima dari      : \(p.pemohon.nama)")
                print("Untuk              : retribusi \(p.layanan.name), permohonan \(p.number)")
                print("Jumlah             : \(Rupiah.format(payment.amount))")
                print(
                    "Kasir              : \(event.officer), \(event.at.localText(offsetMinutes: s.info.zona.offsetMinutes)) \(s.info.zona.rawValue)"
                )
                print("Sisa retribusi     : \(Rupiah.format(p.outstanding))")
            }
        }
    }

    struct Laporan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Semua penerimaan, urut nomor kuitansi, dengan jumlahnya.")
        @OptionGroup var store: StoreOptions

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                let payments = try s.payments()
                let total = payments.reduce(Int64(0)) { $0 + $1.amount }
                if store.json {
                    struct Row: Encodable {
                        var receipt, number, officer, at: String
                        var amount: Int64
                    }
                    struct Report: Encodable {
                        var count: Int
                        var total: Int64
                        var payments: [Row]
                    }
                    return try Console.printJSON(
                        Report(
                            count: payments.count, total: total,
                            payments: payments.map {
                                Row(
                                    receipt: $0.receipt, number: $0.number, officer: $0.officer, at: $0.at,
                                    amount: $0.amount)
                            }))
                }
                print("Laporan penerimaan retribusi \(s.info.name) (\(s.info.node))")
                for p in payments {
                    let at = Timestamp(iso: p.at)?.localText(offsetMinutes: s.info.zona.offsetMinutes) ?? p.at
                    print("  \(p.receipt)  \(p.number)  \(Rupiah.format(p.amount))  \(p.officer)  \(at)")
                }
                print("Jumlah: \(payments.count) kuitansi, \(Rupiah.format(total))")
            }
        }
    }

    struct Tutup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tutup kas harian: kuitansi hari itu dan jumlahnya dicatat sebagai event bertanda tangan.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Hari yang ditutup, YYYY-MM-DD (bawaan: hari ini).") var tanggal: String?
        @Option(help: "Username akun kasir (pada node tanpa akun: nama kasir).") var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let day = try tanggal.map { text throws(SimpulError) in try Console.date(text, field: "tanggal") }
                let s = try store.open()
                let entry = try s.closeKas(day: day, by: try resolveActor(s, petugas: petugas))
                if store.json { return try Console.printJSON(KasEntryView(entry)) }
                print("TUTUP KAS \(entry.day)  \(s.info.name) (\(s.info.node))")
                print("Kuitansi           : \(entry.receipts ?? 0)" + KasText.range(entry))
                print("Jumlah             : \(Rupiah.format(entry.amount))")
                print("Kasir              : \(entry.officer), \(KasText.time(entry, s))")
            }
        }
    }

    struct Setor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Catat setoran ke kas daerah, dengan nomor bukti dari bank atau bendahara.")
        @OptionGroup var store: StoreOptions
        @Option(parsing: .unconditional, help: "Jumlah disetor dalam rupiah, mis. 150000 atau 150.000.")
        var jumlah: String
        @Option(help: "Nomor bukti setor (referensi bank atau STS bendahara).") var bukti: String
        @Option(help: "Catatan (opsional).") var catatan: String?
        @Option(help: "Tanggal setor, YYYY-MM-DD (bawaan: hari ini).") var tanggal: String?
        @Option(help: "Username akun kasir (pada node tanpa akun: nama kasir).") var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let amount = try Console.rupiah(jumlah, field: "jumlah")
                let day = try tanggal.map { text throws(SimpulError) in try Console.date(text, field: "tanggal") }
                let s = try store.open()
                let entry = try s.depositKas(
                    amount: amount, reference: bukti, note: catatan, day: day, by: try resolveActor(s, petugas: petugas)
                )
                if store.json { return try Console.printJSON(KasEntryView(entry)) }
                print("SETORAN \(entry.day)  \(s.info.name) (\(s.info.node))")
                print("Jumlah             : \(Rupiah.format(entry.amount))")
                print("Bukti              : \(FreeText.shown(entry.reference ?? ""))")
                print("Kasir              : \(entry.officer), \(KasText.time(entry, s))")
            }
        }
    }

    struct Kas: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Buku kas sebulan: penerimaan per hari, tutup kas, setoran, dan sisa yang belum disetor.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Bulan, YYYY-MM (bawaan: bulan ini).") var bulan: String?

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                let today = Console.now().localDate(offsetMinutes: s.info.zona.offsetMinutes)
                let (year, month) =
                    try bulan.map { text throws(SimpulError) in try LaporanText.month(text) }
                    ?? (today.year, today.month)
                let book = try s.kasMonth(year: year, month: month, partition: s.info.node.homePartition)
                let totals = book.totals[s.info.node.homePartition] ?? .init()
                if store.json {
                    struct Day: Encodable {
                        var day: String
                        var node: String
                        var receipts: Int
                        var total: Int64
                        var closing: KasEntryView?
                        var closingMatches: Bool?
                    }
                    struct Book: Encodable {
                        var bulan: String
                        var received, deposited, outstanding: Int64
                        var days: [Day]
                        var deposits: [KasEntryView]
                    }
                    return try Console.printJSON(
                        Book(
                            bulan: LaporanText.monthText(year: year, month: month), received: totals.received,
                            deposited: totals.deposited, outstanding: totals.outstanding,
                            days: book.days.map {
                                Day(
                                    day: $0.day.description, node: $0.node, receipts: $0.receipts, total: $0.total,
                                    closing: $0.closing.map(KasEntryView.init), closingMatches: $0.closingMatches)
                            }, deposits: book.deposits.map(KasEntryView.init)))
                }
                print("Buku kas \(LaporanText.monthText(year: year, month: month))  \(s.info.name) (\(s.info.node))")
                for d in book.days {
                    let closing =
                        d.closing.map {
                            "ditutup \($0.receipts ?? 0) kuitansi \(Rupiah.format($0.amount))"
                                + (d.closingMatches == true ? ", cocok" : ", TIDAK COCOK")
                        } ?? "belum ditutup"
                    print("  \(d.day)  \(d.node)  \(d.receipts) kuitansi  \(Rupiah.format(d.total))  \(closing)")
                }
                for e in book.deposits {
                    print(
                        "  \(e.day)  setor \(Rupiah.format(e.amount))  bukti \(FreeText.shown(e.reference ?? ""))  \(e.officer)"
                    )
                }
                print(
                    "Diterima: \(Rupiah.format(totals.received))  Disetor: \(Rupiah.format(totals.deposited))  Belum disetor: \(Rupiah.format(totals.outstanding))"
                )
            }
        }
    }
}

/// A kas entry as `--json` prints it.
struct KasEntryView: Encodable {
    var kind: String
    var day: String
    var amount: Int64
    var receipts: Int?
    var firstReceipt, lastReceipt, reference, note: String?
    var officer: String
    var at: String
    var event: String

    init(_ e: KasEntry) {
        kind = e.kind.rawValue
        day = e.day.description
        amount = e.amount
        receipts = e.receipts
        firstReceipt = e.firstReceipt
        lastReceipt = e.lastReceipt
        reference = e.reference
        note = e.note
        officer = e.officer
        at = e.at.description
        event = "\(e.node):\(e.seq)"
    }
}

enum KasText {
    static func range(_ e: KasEntry) -> String {
        guard let first = e.firstReceipt, let last = e.lastReceipt else { return " (nihil)" }
        return " (\(first) s.d. \(last))"
    }

    static func time(_ e: KasEntry, _ s: NodeStore) -> String {
        "\(e.at.localText(offsetMinutes: s.info.zona.offsetMinutes)) \(s.info.zona.rawValue)"
    }
}
