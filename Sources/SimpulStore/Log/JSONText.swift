import SimpulDomain

/// Canonical JSON (sorted keys, no white space, minimal escapes: what `Canonical.encode` and the
/// event log write) for the few small values the store writes on every change, written by hand
/// because a general encoder costs more than the SQLite insert around it.
public enum JSONText {
    static func versionVector(_ vv: VersionVector) -> String {
        var out = "{"
        // Byte order, as the encoder sorts keys; node ids are ASCII, where String order is byte order.
        let sorted =
            vv.entries.keys.allSatisfy({ key in key.utf8.allSatisfy { $0 < 0x80 } })
            ? vv.entries.sorted { $0.key < $1.key }
            : vv.entries.sorted { Array($0.key.utf8).lexicographicallyPrecedes($1.key.utf8) }
        for (i, (node, seq)) in sorted.enumerated() {
            if i > 0 { out += "," }
            string(node, into: &out)
            out += ":"
            out += String(seq)
        }
        return out + "}"
    }

    static func array(_ strings: [String]) -> String {
        var out = "["
        for (i, s) in strings.enumerated() {
            if i > 0 { out += "," }
            string(s, into: &out)
        }
        return out + "]"
    }

    public static func needsEscaping(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { b in
            for c in b where c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { return true }
            return false
        }
    }

    /// Appends `s` as a JSON string, escaping as Foundation's encoder does.
    public static func string(_ s: String, into out: inout String) {
        out += "\""
        guard needsEscaping(s) else {
            out += s
            return out += "\""
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{09}": out += "\\t"
            case "\u{0A}": out += "\\n"
            case "\u{0C}": out += "\\f"
            case "\u{0D}": out += "\\r"
            case _ where scalar.value < 0x20:
                let hex = Array("0123456789abcdef")
                out += "\\u00"
                out.append(hex[Int(scalar.value >> 4)])
                out.append(hex[Int(scalar.value & 0xf)])
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
