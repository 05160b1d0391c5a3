import Foundation

/// A service (layanan) of the kabupaten's catalog, as published: what it needs, how long it takes,
/// what it costs and where it is completed.
public struct Layanan: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case perizinan
        case nonPerizinan = "non-perizinan"

        public var label: String { self == .perizinan ? "Perizinan" : "Non perizinan" }
    }

    /// Where the service is completed: delegated to the camat, or forwarded to the PTSP or another
    /// agency.
    public enum Scale: String, Codable, Sendable {
        case kecamatan
        case forwarded
    }

    /// A document the citizen must bring (persyaratan).
    public struct Requirement: Codable, Sendable, Equatable {
        public var code: String
        public var name: String
        public init(code: String, name: String) {
            self.code = code
            self.name = name
        }
    }

    public var code: String
    public var name: String
    public var kind: Kind
    public var scale: Scale
    /// The office a forwarded service goes to (`PTSP`, `Dinas Pendidikan`, `Dukcapil`, `OSS`).
    public var forwardTo: String?
    public var requirements: [Requirement]
    /// The service standard in working days; nil when the receiving office sets it.
    public var durationWorkingDays: Int?
    public var fee: Fee
    /// Whether a petugas teknis checks on site (cek lapangan) between verification and the operator.
    public var fieldCheck: Bool
    /// The version of this definition; an application keeps the version it was registered under.
    public var version: Int

    public init(
        code: String, name: String, kind: Kind, scale: Scale, forwardTo: String? = nil,
        requirements: [Requirement], durationWorkingDays: Int?, fee: Fee, fieldCheck: Bool, version: Int
    ) {
        self.code = code
        self.name = name
        self.kind = kind
        self.scale = scale
        self.forwardTo = forwardTo
        self.requirements = requirements
        self.durationWorkingDays = durationWorkingDays
        self.fee = fee
        self.fieldCheck = fieldCheck
        self.version = version
    }

    public var isDelegated: Bool { scale == .kecamatan }
}

/// A service fee (retribusi).
public enum Fee: Codable, Sendable, Equatable {
    /// A fixed amount in rupiah, often 0.
    case fixed(amount: Int64)
    /// `rate` rupiah per unit of the product of the named inputs, e.g. length x width x Rp 500/m2.
    case formula(rate: Int64, inputs: [String], unit: String)
    /// Set by the PTSP when it decides a forwarded file.
    case setByPTSP

    private enum CodingKeys: String, CodingKey { case type, amount, rate, inputs, unit }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .type) {
        case "fixed": self = .fixed(amount: try c.decode(Int64.self, forKey: .amount))
        case "formula":
            self = .formula(
                rate: try c.decode(Int64.self, forKey: .rate), inputs: try c.decode([String].self, forKey: .inputs),
                unit: try c.decode(String.self, forKey: .unit))
        case "set-by-ptsp": self = .setByPTSP
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown fee type \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .fixed(let amount):
            try c.encode("fixed", forKey: .type)
            try c.encode(amount, forKey: .amount)
        case .formula(let rate, let inputs, let unit):
            try c.encode("formula", forKey: .type)
            try c.encode(rate, forKey: .rate)
            try c.encode(inputs, forKey: .inputs)
            try c.encode(unit, forKey: .unit)
        case .setByPTSP:
            try c.encode("set-by-ptsp", forKey: .type)
        }
    }

    /// How the fee reads on the counter's price board.
    public var label: String {
        switch self {
        case .fixed(let amount): return amount == 0 ? "Gratis (Rp 0)" : Rupiah.format(amount)
        case .formula(let rate, let inputs, let unit):
            return "\(inputs.joined(separator: " x ")) x \(Rupiah.format(rate))/\(unit)"
        case .setByPTSP: return "Ditetapkan oleh PTSP"
        }
    }

    /// The amount due for the given form inputs (isian), rounded half up to whole rupiah, or nil
    /// when the PTSP sets it later.
    public func amount(isian: [String: String]) throws(SimpulError) -> Int64? {
        switch self {
        case .fixed(let amount): return amount
        case .setByPTSP: return nil
        case .formula(let rate, let inputs, _):
            // Inputs are decimals with at most 3 fractional digits. The product is computed exactly in
            // decimal and rounded once, half up, to whole rupiah: no binary floating point near money.
            var product = Decimal(rate)
            for name in inputs {
                guard let text = isian[name] else {
                    throw .invalid("isian \(name) wajib diisi untuk menghitung retribusi (--isian \(name)=NILAI)")
                }
                guard let value = Fixed3(parsing: text) else {
                    throw .invalid(
                        "isian \(name)='\(text)' harus angka desimal, paling banyak 3 angka di belakang titik")
                }
                guard value.units > 0 else { throw .invalid("isian \(name) harus lebih dari 0, tertulis \(text)") }
                product *= Decimal(value.units) / 1000
            }
            var rounded = Decimal()
            NSDecimalRound(&rounded, &product, 0, .plain)
            guard rounded <= Decimal(1_000_000_000_000) else {
                throw .invalid("isian: retribusi hasil rumus terlalu besar (\(rounded))")
            }
            return (rounded as NSDecimalNumber).int64Value
        }
    }
}

/// A non-negative decimal with three fractional digits, held as thousandths.
struct Fixed3 {
    var units: Int64

    init(units: Int64) { self.units = units }

    init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 12,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) })
        else { return nil }
        let frac = parts.count == 2 ? String(parts[1]) : ""
        guard frac.count <= 3, parts.count == 1 || !frac.isEmpty else { return nil }
        units = Int64(parts[0])! * 1000 + Int64(frac + String(repeating: "0", count: 3 - frac.count))!
    }
}

/// Rupiah amounts as officers write them: `Rp 1.250.000`.
public enum Rupiah {
    public static func format(_ amount: Int64) -> String {
        let digits = String(amount.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(".") }
            out.append(c)
        }
        return (amount < 0 ? "-Rp " : "Rp ") + out
    }
}
