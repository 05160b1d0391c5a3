import Foundation

/// The number of a letter (nomor surat) the kecamatan issues at the operator step:
/// `503/0007/33.74.01/2026` is the kode klasifikasi arsip, the node's 7th letter of that
/// classification in 2026, the node that made it and the year.
///
/// Like a receipt, the sequence is per node (so numbers made offline never collide), per year and per
/// classification (as the office's tata naskah dinas keeps its register), and it never repeats or
/// skips: the store takes the next one in the transaction that records the letter.
public struct LetterNumber: Sendable, Hashable, CustomStringConvertible {
    public var klasifikasi: String
    public var sequence: Int
    public var node: NodeID
    public var year: Int

    public init(klasifikasi: String, sequence: Int, node: NodeID, year: Int) {
        self.klasifikasi = klasifikasi
        self.sequence = sequence
        self.node = node
        self.year = year
    }

    /// Four digits, more only past 9999, so that a register sorts by number.
    public var text: String {
        let digits = String(sequence)
        let padded = digits.count >= 4 ? digits : String(repeating: "0", count: 4 - digits.count) + digits
        return "\(klasifikasi)/\(padded)/\(node.rawValue)/\(year)"
    }

    public var description: String { text }

    public init(parsing text: String) throws(SimpulError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, Self.isKlasifikasi(parts[0]),
            !parts[1].isEmpty, parts[1].count >= 4, parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let sequence = Int(parts[1]), sequence >= 1,
            let node = NodeID(parts[2]), !node.isHub,
            parts[3].count == 4, let year = Int(parts[3]), (2000...9999).contains(year)
        else {
            throw .invalid(
                "nomor surat: '\(text.prefix(60))' bukan KLASIFIKASI/NNNN/NODE/TAHUN (mis. 503/0007/33.74.01/2026)")
        }
        self.init(klasifikasi: parts[0], sequence: sequence, node: node, year: year)
    }

    /// A kode klasifikasi arsip: three digits, optionally refined by dotted groups (`503`, `474.2`,
    /// `500.16.7.1`), as the Permendagri on archive classification writes them.
    public static func isKlasifikasi(_ text: String) -> Bool {
        let groups = text.split(separator: ".", omittingEmptySubsequences: false)
        guard let first = groups.first, first.count == 3, groups.count <= 6 else { return false }
        return groups.allSatisfy { g in
            (1...3).contains(g.count) && g.utf8.allSatisfy { (0x30...0x39).contains($0) }
        }
    }
}

/// A service's letter template (`conf/surat/KODE.txt`): a plain text file the kecamatan edits, with a
/// header naming the kode klasifikasi and the title, then the letter's body with placeholders.
///
/// ```
/// klasifikasi: 503
/// judul: SURAT IZIN PENGGUNAAN JALAN
/// ---
/// Yang bertanda tangan di bawah ini, {{camat}}, memberikan izin kepada:
///
/// Nama<TAB>{{nama}}
/// ```
///
/// A line holding a tab is a field: the label before it, the value after it in a column of its own.
/// A blank line separates paragraphs. Every placeholder is checked when the template is read, so a
/// misspelt one is refused before anything is numbered.
public struct LetterTemplate: Sendable, Equatable {
    public var klasifikasi: String
    public var title: String
    /// The body as written, one entry per line.
    public var lines: [String]

    /// The placeholders a template may use, besides `isian.NAME` (a form input of the registration).
    public static let placeholders: [String: String] = [
        "nomor_surat": "nomor surat ini",
        "nomor_pendaftaran": "nomor pendaftaran permohonan",
        "nama": "nama pemohon",
        "nik": "NIK pemohon",
        "alamat": "alamat pemohon",
        "telepon": "telepon pemohon",
        "layanan": "nama layanan",
        "tanggal": "tanggal surat dibuat",
        "kecamatan": "nama kantor kecamatan",
        "kabupaten": "nama kabupaten/kota",
        "camat": "jabatan penanda tangan (Camat ...)",
    ]

    public init(klasifikasi: String, title: String, lines: [String]) {
        self.klasifikasi = klasifikasi
        self.title = title
        self.lines = lines
    }

    /// Reads a template; `source` names the file in every refusal.
    public static func parse(_ text: String, source: String) throws(SimpulError) -> LetterTemplate {
        var all = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false
        ).map(String.init)
        if all.last == "" { all.removeLast() }
        guard let separator = all.firstIndex(where: { $0.trimmingWhitespace == "---" }) else {
            throw .invalid("\(source): tidak ada baris '---' di antara kepala (klasifikasi, judul) dan isi surat")
        }
        var klasifikasi: String?
        var title: String?
        for (i, line) in all[..<separator].enumerated() {
            let trimmed = line.trimmingWhitespace
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let colon = trimmed.firstIndex(of: ":") else {
                throw .invalid("\(source) baris \(i + 1): kepala surat ditulis 'kunci: nilai'")
            }
            let key = trimmed[..<colon].trimmingWhitespace
            let value = trimmed[trimmed.index(after: colon)...].trimmingWhitespace
            switch key {
            case "klasifikasi":
                guard LetterNumber.isKlasifikasi(value) else {
                    throw .invalid(
                        "\(source) baris \(i + 1): klasifikasi '\(value.prefix(40))' bukan kode klasifikasi arsip (mis. 503 atau 474.2)"
                    )
                }
                klasifikasi = value
            case "judul":
                guard let clean = try FreeText.clean(value, field: "\(source) baris \(i + 1): judul", maxLength: 200)
                else { throw .invalid("\(source) baris \(i + 1): judul surat kosong") }
                title = clean
            default:
                throw .invalid(
                    "\(source) baris \(i + 1): kunci '\(key.prefix(40))' tidak dikenal (yang ada: klasifikasi, judul)")
            }
        }
        guard let klasifikasi else { throw .invalid("\(source): kepala surat tanpa 'klasifikasi: KODE'") }
        guard let title else { throw .invalid("\(source): kepala surat tanpa 'judul: JUDUL SURAT'") }
        let body = Array(all[(separator + 1)...])
        guard body.contains(where: { !$0.trimmingWhitespace.isEmpty }) else {
            throw .invalid("\(source): isi surat kosong")
        }
        for (offset, line) in body.enumerated() {
            let number = separator + offset + 2
            for name in try placeholderNames(in: line, source: source, line: number) {
                guard placeholders[name] != nil || isIsian(name) else {
                    throw .invalid(
                        "\(source) baris \(number): {{\(name.prefix(40))}} tidak dikenal (yang ada: \(placeholders.keys.sorted().joined(separator: ", ")), isian.NAMA)"
                    )
                }
            }
        }
        return LetterTemplate(klasifikasi: klasifikasi, title: title, lines: body)
    }

    private static func isIsian(_ name: String) -> Bool {
        guard name.hasPrefix("isian.") else { return false }
        let field = name.dropFirst("isian.".count)
        return !field.isEmpty && field.count <= 40
            && field.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// The names between `{{` and `}}` in a line, in order; an unclosed `{{` is refused.
    private static func placeholderNames(
        in line: String, source: String, line number: Int
    ) throws(SimpulError)
        -> [String]
    {
        var names: [String] = []
        var rest = line[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw .invalid("\(source) baris \(number): '{{' tanpa '}}'")
            }
            names.append(rest[open.upperBound..<close.lowerBound].trimmingWhitespace)
            rest = rest[close.upperBound...]
        }
        return names
    }

    /// The letter's body with every placeholder replaced. A value the file lacks (no address given, a
    /// form input the registration did not have) is written `-`, so the printed letter shows the gap
    /// rather than a sentence that silently skips it.
    public func fill(_ values: [String: String], isian: [String: String]) -> [LetterLine] {
        var out: [LetterLine] = []
        for line in lines {
            var text = ""
            var rest = line[...]
            while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
                text += rest[..<open.lowerBound]
                let name = rest[open.upperBound..<close.lowerBound].trimmingWhitespace
                let value =
                    name.hasPrefix("isian.") ? isian[String(name.dropFirst("isian.".count))] : values[name]
                text += value.map { $0.trimmingWhitespace.isEmpty ? "-" : $0 } ?? "-"
                rest = rest[close.upperBound...]
            }
            text += rest
            if text.trimmingWhitespace.isEmpty {
                out.append(.blank)
            } else if let tab = text.firstIndex(of: "\t") {
                let label = text[..<tab].trimmingWhitespace
                let value = text[text.index(after: tab)...].replacingOccurrences(of: "\t", with: " ").trimmingWhitespace
                out.append(.field(label: label, value: value))
            } else {
                out.append(.text(text.trimmingWhitespace))
            }
        }
        return out
    }
}

/// One line of a letter's body, as the paper lays it out.
public enum LetterLine: Sendable, Equatable {
    /// A paragraph, wrapped to the page's width.
    case text(String)
    /// `Nama : Siti Aminah`: the label in a column, the value beside it (wrapped in its own column).
    case field(label: String, value: String)
    /// Space between paragraphs.
    case blank
}

/// Everything a letter's paper shows, ready to lay out: what the template gave and what the node and
/// the file add.
public struct Letter: Sendable, Equatable {
    /// The letterhead, most prominent first (`PEMERINTAH KOTA SEMARANG`, `KECAMATAN SEMARANG TENGAH`).
    public var letterhead: [String]
    public var title: String
    public var number: String
    public var body: [LetterLine]
    /// Where and when it was made: `Semarang Tengah, 17 Maret 2026`.
    public var placeAndDate: String
    /// The signer's title (`CAMAT SEMARANG TENGAH`); the name is written by hand at pengesahan, which
    /// the log records with who signed and whether as Plt. or a.n.
    public var signerTitle: String

    public init(
        letterhead: [String], title: String, number: String, body: [LetterLine], placeAndDate: String,
        signerTitle: String
    ) {
        self.letterhead = letterhead
        self.title = title
        self.number = number
        self.body = body
        self.placeAndDate = placeAndDate
        self.signerTitle = signerTitle
    }
}
