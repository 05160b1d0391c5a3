/// Text officers type (names, addresses, notes, reasons). It is printed on receipts and signed in
/// change sets, so line breaks and other control characters are refused: they could forge a line on
/// a tanda terima, and keeping them out keeps signed JSON canonical.
public enum FreeText {
    /// Trims the text; nil when empty. Refuses control characters and text over `maxLength`.
    public static func clean(_ text: String?, field: String, maxLength: Int = 500) throws(SimpulError) -> String? {
        guard let text else { return nil }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .invalid("\(field): tidak boleh berisi baris baru atau karakter kontrol")
        }
        let t = text.trimmingWhitespace
        guard t.count <= maxLength else { throw .invalid("\(field): paling banyak \(maxLength) karakter") }
        return t.isEmpty ? nil : t
    }
}
