import CQrencode
import SimpulDomain

/// A QR code (libqrencode, error correction level M) drawn as inline SVG: it prints sharp at any size
/// and needs no image file or request of its own.
public struct QRCode: Sendable, Equatable {
    /// Modules per side.
    public let size: Int
    /// Row-major, true for a dark module.
    public let modules: [Bool]

    /// - Throws: `SimpulError(.invalidData)` when the text does not fit a QR code.
    public init(_ text: String) throws(SimpulError) {
        guard text.utf8.count <= 1024, let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw SimpulError(.invalidData, "kode QR: teks terlalu panjang untuk dicetak")
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let data = UnsafeBufferPointer(start: code.pointee.data, count: width * width)
        size = width
        // Bit 0 of each byte is the module's colour; the other bits are libqrencode's bookkeeping.
        modules = data.map { $0 & 1 == 1 }
    }

    /// An `<svg>` of `millimetres` a side with the four-module quiet zone scanners need.
    public func svg(millimetres: Double, label: String) -> String {
        let quiet = 4
        let side = size + 2 * quiet
        var path = ""
        path.reserveCapacity(modules.count * 4)
        for row in 0..<size {
            var column = 0
            while column < size {
                guard modules[row * size + column] else {
                    column += 1
                    continue
                }
                // One run of dark modules on a row is one rectangle: a smaller path than one per module.
                var end = column
                while end < size && modules[row * size + end] { end += 1 }
                path += "M\(column + quiet) \(row + quiet)h\(end - column)v1h-\(end - column)z"
                column = end
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="\(HTML.escape(label))" \
            width="\(millimetres)mm" height="\(millimetres)mm" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }
}
