/// Cells of the CSV files both front ends and the command line export.
public enum CSV {
    /// One cell: quoted when it holds a separator, and led by an apostrophe when a spreadsheet would
    /// take it for a formula.
    public static func cell(_ text: String) -> String {
        var t = text
        if let first = t.first, "=+-@\t\r".contains(first) { t = "'" + t }
        guard t.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return t }
        return "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
