/// The survey of public satisfaction (Survei Kepuasan Masyarakat, SKM) of Permenpan-RB 14/2017: nine
/// elements (unsur), each answered on a scale of 1 to 4, and the index (Indeks Kepuasan Masyarakat,
/// IKM) computed from them.
public enum SKM {
    /// The nine elements, in the regulation's order, with the question and its four answers as the
    /// regulation's model questionnaire words them (1 the worst, 4 the best).
    public struct Element: Sendable, Equatable {
        /// `U1` ... `U9`.
        public var code: String
        public var label: String
        public var question: String
        public var answers: [String]
    }

    public static let elements: [Element] = [
        Element(
            code: "U1", label: "Persyaratan",
            question: "Bagaimana kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
            answers: ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]),
        Element(
            code: "U2", label: "Sistem, mekanisme dan prosedur",
            question: "Bagaimana kemudahan prosedur pelayanan di unit ini?",
            answers: ["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"]),
        Element(
            code: "U3", label: "Waktu penyelesaian",
            question: "Bagaimana kecepatan waktu dalam memberikan pelayanan?",
            answers: ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"]),
        Element(
            code: "U4", label: "Biaya/tarif",
            question: "Bagaimana kewajaran biaya/tarif dalam pelayanan?",
            answers: ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"]),
        Element(
            code: "U5", label: "Produk spesifikasi jenis pelayanan",
            question:
                "Bagaimana kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?",
            answers: ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]),
        Element(
            code: "U6", label: "Kompetensi pelaksana",
            question: "Bagaimana kompetensi/kemampuan petugas dalam pelayanan?",
            answers: ["Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"]),
        Element(
            code: "U7", label: "Perilaku pelaksana",
            question: "Bagaimana perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
            answers: ["Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"]),
        Element(
            code: "U8", label: "Penanganan pengaduan, saran dan masukan",
            question: "Bagaimana kualitas sarana dan prasarana pengaduan, saran dan masukan?",
            answers: ["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"]),
        Element(
            code: "U9", label: "Sarana dan prasarana",
            question: "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
            answers: ["Buruk", "Cukup", "Baik", "Sangat baik"]),
    ]

    /// The lowest and highest answer.
    public static let scale = 1...4

    /// How a response was taken: on the counter's tablet, or on a paper form entered later.
    public enum Channel: String, Sendable, Codable, CaseIterable {
        case tablet
        case kertas
    }

    /// The regulation's four grades (mutu pelayanan) with their performance labels.
    public enum Grade: String, Sendable, CaseIterable {
        case a = "A"
        case b = "B"
        case c = "C"
        case d = "D"

        public var label: String {
            switch self {
            case .a: "Sangat baik"
            case .b: "Baik"
            case .c: "Kurang baik"
            case .d: "Tidak baik"
            }
        }

        /// The lowest converted IKM of the grade, in hundredths: the regulation's conversion
        /// intervals are 25,00-64,99 (D), 65,00-76,60 (C), 76,61-88,30 (B), 88,31-100,00 (A).
        public var lowestHundredths: Int {
            switch self {
            case .a: 8831
            case .b: 7661
            case .c: 6500
            case .d: 2500
            }
        }

        /// The grade of an IKM given in hundredths as it is reported (rounded half up to two decimals).
        /// The grade follows the reported figure, so the grade printed always matches the number
        /// printed beside it; the regulation's unit-value intervals (1,00-2,5996, 2,60-3,064,
        /// 3,0644-3,532, 3,5324-4,00) are these bounds divided by 25 and leave gaps that the
        /// two-decimal converted intervals do not.
        public static func of(hundredths: Int) -> Grade {
            if hundredths >= Grade.a.lowestHundredths { return .a }
            if hundredths >= Grade.b.lowestHundredths { return .b }
            if hundredths >= Grade.c.lowestHundredths { return .c }
            return .d
        }
    }

    /// Rounds the positive fraction `numerator / denominator` to the nearest integer, halves up.
    static func rounded(_ numerator: Int, _ denominator: Int) -> Int {
        (2 * numerator + denominator) / (2 * denominator)
    }
}

/// One anonymous response, as recorded: the service it was about, the month, the nine answers and
/// how it was taken. It carries nothing that names the applicant, the permohonan or an officer.
public struct SurveyResponse: Sendable, Equatable, Codable {
    /// The service's catalog code.
    public var layanan: String
    /// `2026-11`: only the month, so the record does not say on which day the applicant came.
    public var month: String
    /// U1 to U9, each 1 to 4.
    public var answers: [Int]
    public var channel: SKM.Channel

    public init(layanan: String, month: String, answers: [Int], channel: SKM.Channel) {
        self.layanan = layanan
        self.month = month
        self.answers = answers
        self.channel = channel
    }

    /// What is wrong with a response, or nil: exactly nine answers of 1 to 4, a catalog-shaped code and
    /// a month `YYYY-MM`.
    public var problem: String? {
        guard answers.count == SKM.elements.count, answers.allSatisfy({ SKM.scale.contains($0) }) else {
            return "survei: harus 9 jawaban (U1-U9), masing-masing 1 sampai 4"
        }
        guard Layanan.isCode(layanan) else { return "survei: kode layanan '\(layanan.prefix(40))' tidak sah" }
        guard Self.month(month) != nil else { return "survei: bulan '\(month.prefix(20))' harus YYYY-MM" }
        return nil
    }

    /// Reads `2026-11`.
    public static func month(_ text: String) -> (year: Int, month: Int)? {
        let b = Array(text.utf8)
        guard b.count == 7, b[4] == UInt8(ascii: "-"),
            b.enumerated().allSatisfy({ $0.offset == 4 || ($0.element >= 48 && $0.element <= 57) }),
            let y = Int(text.prefix(4)), let m = Int(text.suffix(2)), (2000...2200).contains(y), (1...12).contains(m)
        else { return nil }
        return (y, m)
    }

    /// `2026-11`.
    public static func monthText(year: Int, month: Int) -> String { "\(year)-\(month < 10 ? "0" : "")\(month)" }
}

/// The index of a set of responses, computed as Permenpan-RB 14/2017 says: the average answer of each
/// element (nilai rata-rata per unsur), their weighted average with the same weight 1/9 for each of
/// the nine elements (the unit value, nilai indeks unit pelayanan, 1 to 4), and that value times 25
/// (the IKM on the scale of 25 to 100), graded A to D.
///
/// Everything is kept as whole sums of answers, and every figure is one fraction of them rounded
/// once, half up: the unit value is the sum of all answers over 9 x respondents, the IKM 25 times
/// that. The regulation's tables print the weight as 0,11 or 0,111; multiplying by the rounded weight
/// would lower every IKM a little (by 0,1% with 0,111), so the fraction 1/9 itself is used.
public struct IKM: Sendable, Equatable {
    public private(set) var respondents = 0
    /// The sum of the answers of each element, U1 to U9.
    public private(set) var elementSums = [Int](repeating: 0, count: SKM.elements.count)

    public init() {}

    public init(_ answers: [[Int]]) {
        for a in answers { add(a) }
    }

    /// Adds one respondent's nine answers (checked by `SurveyResponse.problem`).
    public mutating func add(_ answers: [Int]) {
        guard answers.count == elementSums.count else { return }
        respondents += 1
        for (i, a) in answers.enumerated() { elementSums[i] += a }
    }

    public mutating func add(_ other: IKM) {
        respondents += other.respondents
        for i in elementSums.indices { elementSums[i] += other.elementSums[i] }
    }

    /// All answers of all respondents together.
    public var total: Int { elementSums.reduce(0, +) }

    /// An element's average answer in hundredths (`3,25` is 325), nil without respondents.
    public func elementAverageHundredths(_ index: Int) -> Int? {
        guard respondents > 0 else { return nil }
        return SKM.rounded(100 * elementSums[index], respondents)
    }

    /// The unit value in ten-thousandths (`3,1667` is 31667): the weighted average of the element
    /// averages, sum(average) x 1/9 = total / (9 x respondents).
    public var unitValueTenThousandths: Int? {
        guard respondents > 0 else { return nil }
        return SKM.rounded(10_000 * total, elementSums.count * respondents)
    }

    /// The IKM on the scale of 25 to 100, in hundredths (`79,17` is 7917): unit value x 25, from the
    /// exact fraction (not from the rounded unit value).
    public var hundredths: Int? {
        guard respondents > 0 else { return nil }
        return SKM.rounded(2_500 * total, elementSums.count * respondents)
    }

    public var grade: SKM.Grade? { hundredths.map(SKM.Grade.of(hundredths:)) }

    /// A value in hundredths as an officer writes it: `79,17`.
    public static func decimal(hundredths: Int) -> String { decimal(hundredths, places: 2, separator: ",") }

    /// A value in ten-thousandths: `3,1667`.
    public static func decimal(tenThousandths: Int) -> String { decimal(tenThousandths, places: 4, separator: ",") }

    /// The same with a dot, for CSV and JSON.
    public static func plain(hundredths: Int) -> String { decimal(hundredths, places: 2, separator: ".") }

    private static func decimal(_ value: Int, places: Int, separator: String) -> String {
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let fraction = String(value % scale)
        return "\(value / scale)\(separator)\(String(repeating: "0", count: places - fraction.count))\(fraction)"
    }
}

extension Layanan {
    /// Whether a text has the shape of a catalog code (`IZIN-JALAN`: upper case letters and digits in
    /// dash-separated groups, at most 40 characters), as events that name a service carry it.
    public static func isCode(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard (1...40).contains(b.count), b.first != UInt8(ascii: "-"), b.last != UInt8(ascii: "-") else {
            return false
        }
        var previous: UInt8 = 0
        for c in b {
            let ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c == UInt8(ascii: "-") && previous != c)
            guard ok else { return false }
            previous = c
        }
        return true
    }
}
