import SimpulDomain

/// Lays a letter out on A4 pages: the letterhead and its rule, the title and the nomor surat, the body
/// wrapped to the margins, and the signature block, kept whole on the last page. A long body runs onto
/// more pages, each after the first headed with the nomor surat and every page numbered, so a loose
/// sheet is still known.
public enum LetterPDF {
    static let left = 71.0  // 2.5 cm: room for a binder
    static let right = PDFDocument.a4Width - 57
    static let top = PDFDocument.a4Height - 50
    static let bottom = 70.0
    static let bodySize = 11.0
    static let leading = 15.0
    /// Where a field's value starts: `Nama` ... `: Siti Aminah`.
    static let labelIndent = 20.0
    static let valueColumn = 170.0
    /// The signature block's column and the height it needs (place and date, title, room to sign, name).
    static let signatureX = 330.0
    static let signatureHeight = 4 * leading + 60

    public static func render(_ letter: Letter) -> [UInt8] {
        var pages: [PDFPage] = []
        var page = PDFPage()
        var y = top

        // Letterhead: the government, the office, then the service; a double rule beneath.
        for (i, line) in letter.letterhead.enumerated() {
            let size = i == 1 ? 15.0 : (i == 0 ? 13.0 : 10.0)
            let font: PDFFont = i < 2 ? .bold : .regular
            for part in wrap(line, width: right - left, font: font, size: size) {
                y -= size + 3
                page.text(part, x: centred(part, font: font, size: size), y: y, font: font, size: size)
            }
        }
        y -= 8
        page.line(from: (left, y), to: (right, y), width: 1.5)
        page.line(from: (left, y - 2.5), to: (right, y - 2.5), width: 0.5)
        y -= 30

        for part in wrap(letter.title, width: right - left, font: .bold, size: 12) {
            page.text(part, x: centred(part, font: .bold, size: 12), y: y, font: .bold, size: 12)
            let w = PDFFont.bold.width(part, size: 12)
            page.line(
                from: (centred(part, font: .bold, size: 12), y - 2),
                to: (centred(part, font: .bold, size: 12) + w, y - 2), width: 0.6)
            y -= leading
        }
        let numberLine = "Nomor: \(letter.number)"
        page.text(
            numberLine, x: centred(numberLine, font: .regular, size: bodySize), y: y, font: .regular, size: bodySize)
        y -= 2 * leading

        func newPage() {
            pages.append(page)
            page = PDFPage()
            y = top - 10
            let head = "Nomor surat \(letter.number) (lanjutan)"
            page.text(head, x: left, y: y, font: .regular, size: 9)
            y -= 2 * leading
        }
        func lineRoom() { if y < bottom + leading { newPage() } }

        for line in letter.body {
            switch line {
            case .blank:
                y -= leading * 0.6
            case .text(let text):
                for part in wrap(text, width: right - left, font: .regular, size: bodySize) {
                    lineRoom()
                    page.text(part, x: left, y: y, font: .regular, size: bodySize)
                    y -= leading
                }
            case .field(let label, let value):
                let labels = wrap(label, width: valueColumn - labelIndent - 12, font: .regular, size: bodySize)
                let values = wrap(value, width: right - left - valueColumn, font: .regular, size: bodySize)
                for i in 0..<max(labels.count, values.count) {
                    lineRoom()
                    if i < labels.count {
                        page.text(labels[i], x: left + labelIndent, y: y, font: .regular, size: bodySize)
                    }
                    if i == 0 { page.text(":", x: left + valueColumn - 8, y: y, font: .regular, size: bodySize) }
                    if i < values.count {
                        page.text(values[i], x: left + valueColumn, y: y, font: .regular, size: bodySize)
                    }
                    y -= leading
                }
            }
        }

        // The signature block stays whole: a signature alone on a page, or split from its date, is not
        // a signed letter.
        y -= leading
        if y - signatureHeight < bottom { newPage() }
        let blockWidth = right - signatureX
        for part in wrap(letter.placeAndDate, width: blockWidth, font: .regular, size: bodySize) {
            page.text(part, x: signatureX, y: y, font: .regular, size: bodySize)
            y -= leading
        }
        for part in wrap(letter.signerTitle, width: blockWidth, font: .bold, size: bodySize) {
            page.text(part, x: signatureX, y: y, font: .bold, size: bodySize)
            y -= leading
        }
        y -= 60
        page.text(
            "(..................................................)", x: signatureX, y: y, font: .regular, size: bodySize)
        pages.append(page)

        if pages.count > 1 {
            for i in pages.indices {
                let mark = "Halaman \(i + 1) dari \(pages.count)"
                pages[i].text(
                    mark, x: (PDFDocument.a4Width - PDFFont.regular.width(mark, size: 9)) / 2, y: 40, font: .regular,
                    size: 9)
            }
        }
        return PDFDocument(title: "\(letter.title) \(letter.number)", pages: pages).bytes()
    }

    static func centred(_ text: String, font: PDFFont, size: Double) -> Double {
        max(left, (PDFDocument.a4Width - font.width(text, size: size)) / 2)
    }

    /// Breaks `text` into lines no wider than `width`, at spaces; a word wider than a line on its own
    /// (a long number, a URL) is broken between characters, so nothing ever runs past the margin.
    public static func wrap(_ text: String, width: Double, font: PDFFont, size: Double) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if font.width(candidate, size: size) <= width {
                current = candidate
                continue
            }
            if !current.isEmpty { lines.append(current) }
            current = ""
            var piece = ""
            for ch in word {
                if !piece.isEmpty, font.width(piece + String(ch), size: size) > width {
                    lines.append(piece)
                    piece = ""
                }
                piece.append(ch)
            }
            current = piece
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
