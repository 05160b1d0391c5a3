/// Text as a terminal shows it. Names, notes and reasons come from other nodes (through a sync or a
/// bundle) and are shown to officers: a control character in them (an ANSI escape that clears the
/// screen, moves the cursor or retitles the window; a carriage return that overwrites a line; a
/// direction override that reorders it) must be seen, not obeyed. Every display path (the console's
/// renderers and both command line tools) goes through `FreeText.shown`. Only the terminal for now;
/// HTML output will need its own escaping beside this.
extension FreeText {
    /// The text with every control character (C0, DEL, C1) and every bidirectional format character
    /// written visibly as `\u{1b}` (lowercase hex); line breaks are kept when `lines` is true (a whole
    /// block of output), escaped otherwise (one field, one line). Its output holds no character it
    /// escapes, so showing text twice shows it as once: the renderers and the tools' `print` may both.
    public static func shown(_ text: String, lines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, lines: lines) }) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars {
            if needsEscape(s, lines: lines) {
                out += "\\u{" + String(s.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    static func needsEscape(_ s: Unicode.Scalar, lines: Bool) -> Bool {
        if lines && s == "\n" { return false }
        if s.properties.generalCategory == .control { return true }
        // Bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069), and the marks.
        switch s.value {
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
