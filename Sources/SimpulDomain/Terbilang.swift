/// An amount in Indonesian words, as a kuitansi writes it beside the figures ("terbilang"), so that a
/// figure altered by hand no longer matches its words.
public enum Terbilang {
    private static let units = [
        "", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas",
    ]

    /// `150000` -> `seratus lima puluh ribu rupiah`; 0 -> `nol rupiah`.
    public static func rupiah(_ amount: Int64) -> String {
        let words = amount == 0 ? "nol" : (amount < 0 ? "minus " : "") + say(amount.magnitude)
        return words + " rupiah"
    }

    static func say(_ n: UInt64) -> String {
        switch n {
        case 0: return ""
        case 1...11: return units[Int(n)]
        case 12...19: return units[Int(n - 10)] + " belas"
        case 20...99: return join(units[Int(n / 10)] + " puluh", say(n % 10))
        case 100...199: return join("seratus", say(n - 100))
        case 200...999: return join(units[Int(n / 100)] + " ratus", say(n % 100))
        case 1000...1999: return join("seribu", say(n - 1000))
        default:
            let scales: [(UInt64, String)] = [
                (1_000_000_000_000_000, "kuadriliun"), (1_000_000_000_000, "triliun"), (1_000_000_000, "miliar"),
                (1_000_000, "juta"), (1000, "ribu"),
            ]
            for (scale, name) in scales where n >= scale {
                return join(say(n / scale) + " " + name, say(n % scale))
            }
            return say(n)
        }
    }

    private static func join(_ a: String, _ b: String) -> String { b.isEmpty ? a : a + " " + b }
}
