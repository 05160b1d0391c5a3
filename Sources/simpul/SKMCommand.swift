import ArgumentParser
import SimpulConsole
import SimpulDomain
import SimpulStore

struct SKMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skm",
        abstract: "Survei kepuasan masyarakat (Permenpan-RB 14/2017): isi dari formulir kertas, hitung IKM.",
        subcommands: [Isi.self, IKMReport.self])

    struct Isi: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Catat satu survei dari formulir kertas untuk permohonan yang sudah diserahkan (satu survei per permohonan; tanpa nama, nomor atau petugas di datanya)."
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nomor pendaftaran permohonan yang sudah diserahkan.") var number: String
        @Option(help: "U1 Persyaratan, 1-4.") var u1: Int
        @Option(help: "U2 Sistem, mekanisme dan prosedur, 1-4.") var u2: Int
        @Option(help: "U3 Waktu penyelesaian, 1-4.") var u3: Int
        @Option(help: "U4 Biaya/tarif, 1-4.") var u4: Int
        @Option(help: "U5 Produk spesifikasi jenis pelayanan, 1-4.") var u5: Int
        @Option(help: "U6 Kompetensi pelaksana, 1-4.") var u6: Int
        @Option(help: "U7 Perilaku pelaksana, 1-4.") var u7: Int
        @Option(help: "U8 Penanganan pengaduan, saran dan masukan, 1-4.") var u8: Int
        @Option(help: "U9 Sarana dan prasarana, 1-4.") var u9: Int
        @Option(help: "Username akun petugas penyerahan (pada node tanpa akun: nama petugas; tidak dicatat).")
        var petugas: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let answers = [u1, u2, u3, u4, u5, u6, u7, u8, u9]
                if let bad = answers.firstIndex(where: { !SKM.scale.contains($0) }) {
                    throw SimpulError(.usage, "u\(bad + 1): jawaban harus 1 sampai 4, bukan \(answers[bad])")
                }
                let s = try store.open()
                let id = try RegistrationNumber(parsing: number).text
                try s.recordSurvey(
                    number: id, answers: answers, channel: .kertas, by: try resolveActor(s, petugas: petugas))
                if store.json {
                    struct Done: Encodable { var recorded = true }
                    return try Console.printJSON(Done())
                }
                print("Survei tercatat (kertas). Terima kasih.")
            }
        }
    }

    struct IKMReport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ikm",
            abstract: "IKM sebulan: nilai rata-rata per unsur, nilai indeks, IKM 25-100 dan mutunya.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Bulan, YYYY-MM (bawaan: bulan ini).") var bulan: String?

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                let today = Console.now().localDate(offsetMinutes: s.info.zona.offsetMinutes)
                let (year, month) =
                    try bulan.map { (text) throws(SimpulError) in try LaporanText.month(text) }
                    ?? (today.year, today.month)
                let report = try s.ikm(
                    year: year, month: month, partition: s.info.node.isHub ? nil : s.info.node.homePartition)
                if store.json {
                    struct Row: Encodable {
                        var layanan: String
                        var respondents: Int
                        var elementAverages: [String]
                        var unitValue: String?
                        var ikm: String?
                        var grade: String?
                        init(_ layanan: String, _ i: IKM) {
                            self.layanan = layanan
                            respondents = i.respondents
                            elementAverages = (0..<9).compactMap { i.elementAverageHundredths($0) }.map {
                                IKM.plain(hundredths: $0)
                            }
                            unitValue = i.unitValueTenThousandths.map {
                                IKM.decimal(tenThousandths: $0).replacingOccurrences(of: ",", with: ".")
                            }
                            ikm = i.hundredths.map(IKM.plain(hundredths:))
                            grade = i.grade?.rawValue
                        }
                    }
                    struct View: Encodable {
                        var bulan: String
                        var overall: Row
                        var layanan: [Row]
                    }
                    return try Console.printJSON(
                        View(
                            bulan: report.monthText, overall: Row("Jumlah", report.overall),
                            layanan: report.perLayanan.map { Row($0.layanan, $0.ikm) }))
                }
                print(SKMText.text(report, office: s.info.name))
            }
        }
    }
}

/// The IKM as the command line prints it.
enum SKMText {
    static func text(_ report: SimpulStore.IKMReport, office: String) -> String {
        var lines = ["IKM \(office), \(report.monthText)", ""]
        guard report.overall.respondents > 0 else {
            return (lines + ["Belum ada survei pada bulan ini."]).joined(separator: "\n")
        }
        for (i, element) in SKM.elements.enumerated() {
            let avg = report.overall.elementAverageHundredths(i).map(IKM.decimal(hundredths:)) ?? "-"
            lines.append("\(element.code) \(element.label): \(avg)")
        }
        let unit = report.overall.unitValueTenThousandths.map(IKM.decimal(tenThousandths:)) ?? "-"
        lines += [
            "",
            "Nilai indeks (rata-rata tertimbang, bobot 1/9): \(unit)",
            "IKM: \(LaporanText.ikm(report.overall))",
            "",
        ]
        for (code, ikm) in report.perLayanan { lines.append("\(code): \(LaporanText.ikm(ikm))") }
        return lines.joined(separator: "\n")
    }
}
