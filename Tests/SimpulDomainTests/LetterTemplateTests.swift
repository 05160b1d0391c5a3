import Foundation
import SimpulDomain
import Testing

/// Letter templates as the kecamatan edits them, the nomor surat's form, and the workflow's rule on
/// where a letter is made.
@Suite(.timeLimit(.minutes(10))) struct LetterTemplateTests {
    static let repoConf = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("conf")

    @Test func aTemplateFillsItsPlaceholdersAndFields() throws {
        let t = try LetterTemplate.parse(
            """
            # komentar
            klasifikasi: 474.2
            judul: SURAT DISPENSASI NIKAH
            ---
            Yang bertanda tangan di bawah ini, {{camat}}, memberi dispensasi kepada:

            Nama\t{{ nama }}
            Alamat\t{{alamat}}
            Panjang\t{{isian.panjang_m}} m
            Nomor {{nomor_surat}}.
            """, source: "surat/X.txt")
        #expect(t.klasifikasi == "474.2" && t.title == "SURAT DISPENSASI NIKAH")
        let lines = t.fill(
            [
                "camat": "Camat Semarang Tengah", "nama": "Siti", "alamat": "",
                "nomor_surat": "474.2/0001/33.74.01/2026",
            ],
            isian: ["panjang_m": "12.5"])
        #expect(
            lines == [
                .text("Yang bertanda tangan di bawah ini, Camat Semarang Tengah, memberi dispensasi kepada:"), .blank,
                .field(label: "Nama", value: "Siti"), .field(label: "Alamat", value: "-"),
                .field(label: "Panjang", value: "12.5 m"), .text("Nomor 474.2/0001/33.74.01/2026."),
            ])
    }

    @Test(arguments: [
        ("klasifikasi: 503\njudul: X\n---\nHalo {{nama_lengkap}}", "{{nama_lengkap}} tidak dikenal"),
        ("klasifikasi: 503\njudul: X\n---\nHalo {{nama", "'{{' tanpa '}}'"),
        ("klasifikasi: 503\njudul: X\nHalo", "tidak ada baris '---'"),
        ("klasifikasi: lima\njudul: X\n---\nHalo", "bukan kode klasifikasi arsip"),
        ("judul: X\n---\nHalo", "tanpa 'klasifikasi: KODE'"),
        ("klasifikasi: 503\n---\nHalo", "tanpa 'judul: JUDUL SURAT'"),
        ("klasifikasi: 503\njudul: X\nwarna: merah\n---\nHalo", "kunci 'warna' tidak dikenal"),
        ("klasifikasi: 503\njudul: X\n---\n\n", "isi surat kosong"),
        ("klasifikasi: 503\njudul: X\n---\n{{isian.Panjang}}", "{{isian.Panjang}} tidak dikenal"),
    ])
    func aBrokenTemplateIsOneLineNamingTheFile(text: String, expected: String) {
        let error = #expect(throws: SimpulError.self) { try LetterTemplate.parse(text, source: "surat/SKTM.txt") }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        #expect(error?.message.hasPrefix("surat/SKTM.txt") == true)
        #expect(error?.message.contains("\n") == false)
    }

    @Test func everyShippedTemplateParses() throws {
        let catalog = try LayananCatalog.parse(
            json: try Data(contentsOf: Self.repoConf.appendingPathComponent("layanan.json")), source: "layanan.json")
        let own = catalog.services.filter { $0.scale == .kecamatan }
        #expect(!own.isEmpty)
        for service in own {
            let url = Self.repoConf.appendingPathComponent("surat/\(service.code).txt")
            let text = try String(contentsOf: url, encoding: .utf8)
            let t = try LetterTemplate.parse(text, source: url.lastPathComponent)
            #expect(LetterNumber.isKlasifikasi(t.klasifikasi))
            // Form inputs a template names are ones the service's fee asks for at registration.
            let inputs: [String] = if case .formula(_, let names, _) = service.fee { names } else { [] }
            for line in t.lines {
                for input in line.components(separatedBy: "{{isian.").dropFirst() {
                    let name = String(input.prefix { $0 != "}" })
                    #expect(inputs.contains(name), "\(service.code): isian.\(name)")
                }
            }
        }
    }

    @Test func aLetterNumberReadsBackAsWritten() throws {
        let n = LetterNumber(klasifikasi: "503", sequence: 7, node: NodeID("33.74.01")!, year: 2026)
        #expect(n.text == "503/0007/33.74.01/2026")
        #expect(try LetterNumber(parsing: n.text) == n)
        #expect(
            LetterNumber(klasifikasi: "470", sequence: 12_345, node: NodeID("33.74.01-2")!, year: 2027).text
                == "470/12345/33.74.01-2/2027")
        for bad in [
            "503/7/33.74.01/2026", "503/0007/33.74/2026", "5/0007/33.74.01/2026", "503/0000/33.74.01/2026",
            "503/0007/33.74.01/26", "503/0007/33.74.01",
        ] {
            #expect(throws: SimpulError.self, "\(bad)") { try LetterNumber(parsing: bad) }
        }
        #expect(
            LetterNumber.isKlasifikasi("500.16.7.1") && !LetterNumber.isKlasifikasi("50")
                && !LetterNumber.isKlasifikasi("503."))
    }
}
