import Foundation
import SimpulDomain
import Testing

/// Every bad input is refused with its documented exit code and one line on stderr that names what
/// was wrong, and leaves the store exactly as it was.
@Suite("Bad input", .timeLimit(.minutes(10)))
struct BadInputTests {
    /// A bad command and what its refusal must look like. In `arguments`, `{A}` is an IZIN-JALAN
    /// waiting at the handover with Rp 25.000 unpaid, `{B}` an SKTM (no fee) waiting at the handover,
    /// `{UNKNOWN}` a well-formed number that is not in the store and `{TYPO}` `{A}` with a wrong
    /// check digit.
    struct BadInput: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        var exit: Int32
        var mentions: [String]

        var testDescription: String { name }
    }

    /// The store every case starts from, built once and copied for each case.
    struct Fixture: Sendable {
        var template: TestNode
        var a: String
        var b: String
        var snapshot: StoreSnapshot
    }

    static let fixture: Result<Fixture, any Error> = Result(catching: {
        var a = ""
        var b = ""
        let template = try TestNode.template("bad-input") { node in
            a = try node.createIzinJalan()["number"]?.string ?? ""
            try node.advance(a, through: Catalog.stepsWithFieldCheck)
            b = try node.create("SKTM")["number"]?.string ?? ""
            try node.advance(b, through: Catalog.stepsWithoutFieldCheck)
        }
        return Fixture(template: template, a: a, b: b, snapshot: try template.snapshot())
    })

    static func create(
        _ layanan: String, _ extra: [String] = [], syarat: [String]? = nil, nik: String = Applicant.nik,
        nama: String = Applicant.nama, petugas: String = Officer.loket
    ) -> [String] {
        TestNode.createArguments(layanan, syarat: syarat, nik: nik, nama: nama, petugas: petugas) + extra
    }

    /// The arguments with one option and its value left out.
    static func without(_ option: String, _ arguments: [String]) -> [String] {
        guard let i = arguments.firstIndex(of: option) else { return arguments }
        return Array(arguments[..<i] + arguments[(i + 2)...])
    }

    static let jalanIsian = ["--isian", "panjang_m=12.5", "--isian", "lebar_m=4"]

    static let cases: [BadInput] = [
        // NIK: structure only; each message says which digits are wrong.
        BadInput(
            name: "NIK too short", arguments: create("SKTM", nik: "337401120385"), exit: 65,
            mentions: ["NIK", "16 digit", "12"]),
        BadInput(
            name: "NIK too long", arguments: create("SKTM", nik: "33740112038500011"), exit: 65,
            mentions: ["NIK", "16 digit", "17"]),
        BadInput(
            name: "NIK month 13", arguments: create("SKTM", nik: "3374011213850001"), exit: 65,
            mentions: ["NIK", "bulan", "13"]),
        BadInput(
            name: "NIK day 32", arguments: create("SKTM", nik: "3374013203850001"), exit: 65,
            mentions: ["NIK", "tanggal lahir", "32"]),
        BadInput(
            name: "NIK 30 February", arguments: create("SKTM", nik: "3374013002850001"), exit: 65,
            mentions: ["NIK", "30-02-85"]),
        BadInput(
            name: "NIK serial 0000", arguments: create("SKTM", nik: "3374011203850000"), exit: 65,
            mentions: ["NIK", "0000"]),
        BadInput(
            name: "NIK with letters", arguments: create("SKTM", nik: "33740112038500AB"), exit: 65,
            mentions: ["NIK", "angka"]),

        // The application against its service.
        BadInput(
            name: "unknown layanan", arguments: create("IZIN-TERBANG"), exit: 66,
            mentions: ["layanan:", "IZIN-TERBANG"]),
        BadInput(
            name: "missing requirement",
            arguments: create(
                "IZIN-JALAN", jalanIsian, syarat: ["pengantar-desa", "ktp"]), exit: 65, mentions: ["syarat:", "denah"]),
        BadInput(
            name: "no requirement at all", arguments: create("SKTM", syarat: []), exit: 65,
            mentions: ["syarat:", "pengantar-rt-rw", "kk"]),
        BadInput(
            name: "unknown requirement code",
            arguments: create(
                "SKTM", syarat: Catalog.syarat["SKTM"]! + ["surat-sakti"]), exit: 65,
            mentions: ["syarat:", "surat-sakti"]),
        BadInput(
            name: "fee input missing", arguments: create("IZIN-JALAN", ["--isian", "panjang_m=12.5"]), exit: 65,
            mentions: ["isian", "lebar_m"]),
        BadInput(
            name: "fee input not a number",
            arguments: create(
                "IZIN-JALAN", ["--isian", "panjang_m=dua belas", "--isian", "lebar_m=4"]), exit: 65,
            mentions: ["isian", "panjang_m"]),
        BadInput(
            name: "fee input zero",
            arguments: create(
                "IZIN-JALAN", ["--isian", "panjang_m=12", "--isian", "lebar_m=0"]), exit: 65,
            mentions: ["isian", "lebar_m"]),
        BadInput(
            name: "isian without =", arguments: create("SKTM", ["--isian", "panjang_m"]), exit: 64,
            mentions: ["isian:", "panjang_m", "KUNCI=NILAI"]),
        BadInput(
            name: "isian without key", arguments: create("SKTM", ["--isian", "=12"]), exit: 64,
            mentions: ["isian:", "KUNCI=NILAI"]),
        BadInput(
            name: "isian given twice",
            arguments: create(
                "IZIN-JALAN", jalanIsian + ["--isian", "lebar_m=5"]), exit: 64, mentions: ["isian:", "lebar_m"]),
        BadInput(name: "blank nama", arguments: create("SKTM", nama: "   "), exit: 65, mentions: ["nama:"]),
        // A line break in a name would forge extra lines on the printed tanda terima.
        BadInput(
            name: "nama with a line break", arguments: create("SKTM", nama: "Budi\nRetribusi : lunas"), exit: 65,
            mentions: ["nama:"]),
        BadInput(
            name: "bad telepon", arguments: create("SKTM", ["--telepon", "0812-abc"]), exit: 65,
            mentions: ["telepon:", "0812-abc"]),
        BadInput(
            name: "blank petugas", arguments: create("SKTM", petugas: " "), exit: 65,
            mentions: ["petugas:"]),

        // Missing options are usage errors, reported like every other error.
        BadInput(
            name: "create without --petugas", arguments: without("--petugas", create("SKTM")), exit: 64,
            mentions: ["petugas"]),
        BadInput(
            name: "advance without --petugas", arguments: ["permohonan", "advance", "{A}"], exit: 64,
            mentions: ["petugas"]),
        BadInput(
            name: "pay without --petugas", arguments: ["kasir", "pay", "{A}", "--jumlah", "25000"], exit: 64,
            mentions: ["petugas"]),

        // Steps.
        BadInput(
            name: "wrong --tahap",
            arguments: [
                "permohonan", "advance", "{A}", "--tahap", "operator",
                "--petugas", "Dewi",
            ], exit: 65, mentions: ["tahap operator", "penyerahan", "langkah yang boleh"]),
        BadInput(
            name: "unknown --tahap",
            arguments: [
                "permohonan", "advance", "{A}", "--tahap", "pengesahan",
                "--petugas", "Suryo",
            ], exit: 64, mentions: ["tahap:", "pengesahan"]),
        BadInput(
            name: "handover while unpaid", arguments: ["permohonan", "advance", "{A}", "--petugas", "Tono"],
            exit: 65, mentions: ["retribusi belum lunas", "langkah yang boleh"]),
        BadInput(
            name: "reject at the handover",
            arguments: [
                "permohonan", "reject", "{A}", "--alasan", "Salah",
                "--petugas", "Tono",
            ], exit: 65, mentions: ["tidak bisa ditolak"]),

        // The kasir.
        BadInput(name: "negative jumlah", arguments: pay("{A}", "-5"), exit: 65, mentions: ["jumlah:", "-5"]),
        BadInput(name: "zero jumlah", arguments: pay("{A}", "0"), exit: 65, mentions: ["jumlah:", "0"]),
        BadInput(
            name: "non-numeric jumlah", arguments: pay("{A}", "dua puluh ribu"), exit: 65,
            mentions: ["jumlah:", "dua puluh ribu"]),
        BadInput(name: "empty jumlah", arguments: pay("{A}", ""), exit: 65, mentions: ["jumlah:"]),
        // A dot is a thousands separator; "2500.0" is not Rp 25.000.
        BadInput(
            name: "jumlah with a misplaced dot", arguments: pay("{A}", "2500.0"), exit: 65,
            mentions: ["jumlah:", "2500.0"]),
        BadInput(
            name: "overpayment", arguments: pay("{A}", "25001"), exit: 65,
            mentions: ["jumlah:", "Rp 25.001", "Rp 25.000"]),
        BadInput(
            name: "pay when no fee is due", arguments: pay("{B}", "1000"), exit: 65,
            mentions: ["tidak ada retribusi", "{B}"]),

        // Registration numbers.
        BadInput(
            name: "show unknown number", arguments: ["permohonan", "show", "{UNKNOWN}"], exit: 66,
            mentions: ["permohonan {UNKNOWN}", "tidak ada"]),
        BadInput(
            name: "advance unknown number", arguments: ["permohonan", "advance", "{UNKNOWN}", "--petugas", "Rina"],
            exit: 66, mentions: ["permohonan {UNKNOWN}"]),
        BadInput(
            name: "pay unknown number", arguments: pay("{UNKNOWN}", "1000"), exit: 66,
            mentions: ["permohonan {UNKNOWN}"]),
        BadInput(
            name: "log unknown number", arguments: ["permohonan", "log", "{UNKNOWN}"], exit: 66,
            mentions: ["permohonan {UNKNOWN}"]),
        BadInput(
            name: "show with a wrong check digit", arguments: ["permohonan", "show", "{TYPO}"], exit: 64,
            mentions: ["nomor pendaftaran", "{TYPO}", "digit periksa"]),
        BadInput(
            name: "pay with a wrong check digit", arguments: pay("{TYPO}", "25000"), exit: 64,
            mentions: ["nomor pendaftaran", "{TYPO}", "digit periksa"]),
        BadInput(
            name: "advance with a wrong check digit",
            arguments: [
                "permohonan", "advance", "{TYPO}",
                "--petugas", "Tono",
            ], exit: 64, mentions: ["nomor pendaftaran", "digit periksa"]),
        BadInput(
            name: "malformed number", arguments: ["permohonan", "show", "1-26-42"], exit: 64,
            mentions: ["nomor pendaftaran", "1-26-42"]),
    ]

    static func pay(_ number: String, _ jumlah: String) -> [String] {
        ["kasir", "pay", number, "--jumlah", jumlah, "--petugas", Officer.kasir]
    }

    /// Puts the fixture's numbers in place of the placeholders.
    static func fill(_ text: String, _ fixture: Fixture) -> String {
        let unknown = RegistrationNumber(prefix: "01", year: 2026, sequence: 999).text
        let lastDigit = fixture.a.last?.wholeNumberValue ?? 0
        let typo = String(fixture.a.dropLast()) + String((lastDigit + 1) % 10)
        return text.replacingOccurrences(of: "{A}", with: fixture.a).replacingOccurrences(of: "{B}", with: fixture.b)
            .replacingOccurrences(of: "{UNKNOWN}", with: unknown).replacingOccurrences(of: "{TYPO}", with: typo)
    }

    @Test(arguments: cases)
    func isRefusedAndChangesNothing(_ input: BadInput) throws {
        let fixture = try Self.fixture.get()
        let node = try TestNode.copy(of: fixture.template)
        let r = try node.run(input.arguments.map { Self.fill($0, fixture) })
        #expect(r.status == input.exit, "\(r.summary)")
        #expect(r.stdout.isEmpty, "stdout: \(r.stdout)")
        #expect(r.stderrLines.count == 1, "stderr must be one line: \(r.stderr)")
        #expect(r.stderr.hasPrefix("simpul: "), "stderr: \(r.stderr)")
        for word in input.mentions.map({ Self.fill($0, fixture) }) {
            #expect(r.stderr.contains(word), "stderr should mention '\(word)': \(r.stderr)")
        }
        #expect(try node.snapshot() == fixture.snapshot)
    }

    /// The snapshot sees what a command that is not refused writes: a payment shows in its table, so an
    /// unchanged snapshot after a refusal means something.
    @Test func theSnapshotSeesAPayment() throws {
        let fixture = try Self.fixture.get()
        let node = try TestNode.copy(of: fixture.template)
        #expect(fixture.snapshot.tables.keys.contains("pembayaran"))
        #expect(fixture.snapshot.tables.count > 10, "\(fixture.snapshot.tables.keys.sorted())")
        let paid = try node.run(["kasir", "pay", fixture.a, "--jumlah", "25000", "--petugas", Officer.kasir])
        #expect(paid.succeeded, "\(paid.summary)")
        let after = try node.snapshot()
        #expect(after.tables["pembayaran"] != fixture.snapshot.tables["pembayaran"])
        #expect(after.tables["event"] != fixture.snapshot.tables["event"])
        #expect(after.tables["catalog"] == fixture.snapshot.tables["catalog"])
    }

    /// The same refusals under `--json`: scripts get no half document on stdout.
    @Test(arguments: ["unknown layanan", "overpayment", "wrong --tahap", "show with a wrong check digit"])
    func isRefusedUnderJSONToo(name: String) throws {
        let fixture = try Self.fixture.get()
        let input = try #require(Self.cases.first { $0.name == name })
        let node = try TestNode.copy(of: fixture.template)
        let r = try node.run(input.arguments.map { Self.fill($0, fixture) }, json: true)
        #expect(r.status == input.exit, "\(r.summary)")
        #expect(r.stdout.isEmpty, "stdout: \(r.stdout)")
        #expect(r.stderrLines.count == 1 && r.stderr.hasPrefix("simpul: "), "stderr: \(r.stderr)")
    }
}
