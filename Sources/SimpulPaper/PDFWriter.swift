import Foundation

/// The two standard fonts a letter uses. Every PDF reader has them built in (PDF 1.4's standard 14),
/// so nothing is embedded and the counter needs no font files and no browser to make a letter.
public enum PDFFont: Sendable {
    case regular
    case bold

    var resourceName: String { self == .regular ? "F1" : "F2" }
    var baseFont: String { self == .regular ? "Helvetica" : "Helvetica-Bold" }

    /// The width of `text` at `size` points, measured as it will be written (in WinAnsiEncoding).
    public func width(_ text: String, size: Double) -> Double {
        let table = self == .regular ? HelveticaWidths.regular : HelveticaWidths.bold
        var thousandths = 0
        for byte in WinAnsi.encode(text) {
            let w = Int(table[Int(byte)])
            thousandths += w > 0 ? w : (WinAnsi.extraWidth(byte, bold: self == .bold) ?? 0)
        }
        return Double(thousandths) * size / 1000
    }
}

/// Text as the standard fonts' WinAnsiEncoding writes it: one byte per character.
enum WinAnsi {
    /// The typographic characters outside Latin-1 that WinAnsi has, and their bytes.
    private static let extras: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x2026: 0x85, 0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95,
        0x2013: 0x96, 0x2014: 0x97,
    ]

    /// Adobe's widths of those glyphs (regular, bold).
    private static let extraWidths: [UInt8: (Int, Int)] = [
        0x80: (556, 556), 0x85: (1000, 1000), 0x91: (222, 278), 0x92: (222, 278), 0x93: (333, 500),
        0x94: (333, 500), 0x95: (350, 350), 0x96: (556, 556), 0x97: (1000, 1000),
    ]

    static func extraWidth(_ byte: UInt8, bold: Bool) -> Int? {
        extraWidths[byte].map { bold ? $0.1 : $0.0 }
    }

    /// A character the fonts cannot show becomes `?`, so what cannot be printed is visible on paper
    /// rather than silently dropped; a tab is a space.
    static func encode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x09: out.append(0x20)
            case 0x20...0x7E, 0xA0...0xFF: out.append(UInt8(v))
            default: out.append(extras[v] ?? 0x3F)
            }
        }
        return out
    }
}

/// A page's drawing, in PDF user space (points, origin at the bottom left).
public struct PDFPage: Sendable {
    var content: [UInt8] = []

    public init() {}

    /// Writes `text` with its baseline starting at (x, y).
    public mutating func text(_ text: String, x: Double, y: Double, font: PDFFont, size: Double) {
        append("BT /\(font.resourceName) \(Self.number(size)) Tf \(Self.number(x)) \(Self.number(y)) Td (")
        for byte in WinAnsi.encode(text) {
            switch byte {
            case 0x28, 0x29, 0x5C: content += [0x5C, byte]
            default: content.append(byte)
            }
        }
        append(") Tj ET\n")
    }

    /// A straight line `width` points thick.
    public mutating func line(from: (Double, Double), to: (Double, Double), width: Double) {
        append(
            "\(Self.number(width)) w \(Self.number(from.0)) \(Self.number(from.1)) m \(Self.number(to.0)) \(Self.number(to.1)) l S\n"
        )
    }

    private mutating func append(_ s: String) { content += Array(s.utf8) }

    /// A coordinate with at most two decimals and no exponent, as PDF numbers are written.
    static func number(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let fraction = magnitude % 100
        if fraction == 0 { return "\(sign)\(magnitude / 100)" }
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

/// A PDF 1.4 file of A4 pages drawn with the standard Helvetica fonts, written byte for byte: the
/// catalog, the page tree, the two fonts, an information dictionary, a page and a content stream per
/// page, and the cross-reference table with each object's exact offset.
public struct PDFDocument: Sendable {
    /// A4 in points (210 x 297 mm).
    public static let a4Width = 595.0
    public static let a4Height = 842.0

    public var title: String
    public var pages: [PDFPage]

    public init(title: String, pages: [PDFPage]) {
        self.title = title
        self.pages = pages
    }

    public func bytes() -> [UInt8] {
        var out: [UInt8] = Array("%PDF-1.4\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        var offsets: [Int] = []
        func object(_ body: [UInt8]) {
            offsets.append(out.count)
            out += Array("\(offsets.count) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8)
        }
        let firstPage = 6
        let kids = pages.indices.map { "\(firstPage + 2 * $0) 0 R" }.joined(separator: " ")
        object(Array("<< /Type /Catalog /Pages 2 0 R >>".utf8))
        object(
            Array(
                "<< /Type /Pages /Kids [\(kids)] /Count \(pages.count) /MediaBox [0 0 \(Int(Self.a4Width)) \(Int(Self.a4Height))] >>"
                    .utf8))
        for font in [PDFFont.regular, .bold] {
            object(
                Array("<< /Type /Font /Subtype /Type1 /BaseFont /\(font.baseFont) /Encoding /WinAnsiEncoding >>".utf8))
        }
        object(Array("<< /Title ".utf8) + Self.textString(title) + Array(" /Producer (Simpul) >>".utf8))
        for (i, page) in pages.enumerated() {
            object(
                Array(
                    "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents \(firstPage + 2 * i + 1) 0 R >>"
                        .utf8))
            object(
                Array("<< /Length \(page.content.count) >>\nstream\n".utf8) + page.content + Array("\nendstream".utf8))
        }
        let xref = out.count
        out += Array("xref\n0 \(offsets.count + 1)\n0000000000 65535 f \n".utf8)
        for offset in offsets {
            let digits = String(offset)
            out += Array((String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n").utf8)
        }
        out += Array(
            "trailer\n<< /Size \(offsets.count + 1) /Root 1 0 R /Info 5 0 R >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return out
    }

    /// A text string of the information dictionary: UTF-16BE with its byte order mark, so a title in
    /// any script reads right in a viewer's window, written in hex so no byte needs escaping.
    static func textString(_ text: String) -> [UInt8] {
        var hex = "<FEFF"
        for unit in text.utf16 {
            let digits = String(unit, radix: 16, uppercase: true)
            hex += String(repeating: "0", count: 4 - digits.count) + digits
        }
        return Array((hex + ">").utf8)
    }
}
