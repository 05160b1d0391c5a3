import ArgumentParser
import SimpulConsole
import SimpulDomain
import SimpulStore

struct KasirCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kasir", abstract: "Kasir: terima retribusi dengan kuitansi bernomor, laporan penerimaan.",
        subcommands: [Pay.self, Laporan.self])

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
}
