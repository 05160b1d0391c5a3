import Foundation

/// The kabupaten's service catalog: which services a kecamatan takes at its counter and on what terms.
public struct LayananCatalog: Codable, Sendable, Equatable {
    /// Raised with each new Perbup/Perwali; applications keep the definition they were registered under.
    public var version: Int
    public var services: [Layanan]

    public init(version: Int, services: [Layanan]) {
        self.version = version
        self.services = services
    }

    public func service(code: String) -> Layanan? { services.first { $0.code == code } }

    /// Parses and validates a catalog file. Every problem names the file, the entry and the field.
    /// - Parameter source: the file name, used in error messages.
    public static func parse(json data: Data, source: String) throws(SimpulError) -> LayananCatalog {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw SimpulError(.configuration, "\(source): bukan JSON yang sah", cause: error)
        }
        let v = Validator(source: source, place: "")
        let top = try v.object(root, allowed: ["version", "services", "note"])
        let version = try v.int(top, "version", range: 1...1_000_000)
        guard case .array(let entries)? = top["services"], !entries.isEmpty else {
            throw v.fail("services", "harus array layanan yang tidak kosong")
        }
        var services: [Layanan] = []
        var codes: Set<String> = []
        for (i, entry) in entries.enumerated() {
            var ev = Validator(source: source, place: "layanan ke-\(i + 1)")
            if case .object(let o) = entry, case .string(let code)? = o["code"] {
                ev.place += " (\(code))"
            }
            let service = try ev.layanan(entry)
            guard codes.insert(service.code).inserted else {
                throw ev.fail("code", "kode '\(service.code)' sudah dipakai layanan lain")
            }
            services.append(service)
        }
        return LayananCatalog(version: version, services: services)
    }
}

private struct Validator {
    var source: String
    var place: String

    func fail(_ field: String, _ rule: String) -> SimpulError {
        let prefix = place.isEmpty ? "" : "\(place), "
        return SimpulError(.configuration, "\(source): \(prefix)kolom \(field): \(rule)")
    }

    func object(_ value: JSONValue, allowed: Set<String>, field: String = "") throws(SimpulError) -> [String: JSONValue]
    {
        guard case .object(let o) = value else {
            throw fail(field.isEmpty ? "(entri)" : field, "harus object, bukan \(value.typeName)")
        }
        if let unknown = o.keys.sorted().first(where: { !allowed.contains($0) }) {
            let prefix = field.isEmpty ? "" : field + "."
            throw fail(
                prefix + unknown, "kolom tidak dikenal (yang boleh: \(allowed.sorted().joined(separator: ", ")))")
        }
        return o
    }

    func string(
        _ o: [String: JSONValue], _ key: String, pattern: String? = nil, field: String? = nil
    )
        throws(SimpulError) -> String
    {
        let name = field ?? key
        guard let value = o[key] else { throw fail(name, "wajib ada") }
        guard case .string(let s) = value else { throw fail(name, "harus string, bukan \(value.typeName)") }
        guard !s.trimmingWhitespace.isEmpty else { throw fail(name, "tidak boleh kosong") }
        if let pattern, s.range(of: "\\A(?:\(pattern))\\z", options: .regularExpression) == nil {
            throw fail(name, "'\(s)' tidak sesuai pola \(pattern)")
        }
        return s
    }

    func int(
        _ o: [String: JSONValue], _ key: String, range: ClosedRange<Int64>, field: String? = nil
    )
        throws(SimpulError) -> Int
    {
        let name = field ?? key
        guard let value = o[key] else { throw fail(name, "wajib ada") }
        guard case .number(let n) = value, n == n.rounded(), n >= Double(range.lowerBound),
            n <= Double(range.upperBound)
        else {
            throw fail(name, "harus bilangan bulat \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(n)
    }

    func bool(_ o: [String: JSONValue], _ key: String) throws(SimpulError) -> Bool {
        guard let value = o[key] else { throw fail(key, "wajib ada (true atau false)") }
        guard case .bool(let b) = value else { throw fail(key, "harus true atau false, bukan \(value.typeName)") }
        return b
    }

    func layanan(_ entry: JSONValue) throws(SimpulError) -> Layanan {
        let o = try object(
            entry,
            allowed: [
                "code", "name", "kind", "scale", "forwardTo", "requirements", "durationWorkingDays", "fee",
                "fieldCheck", "version", "note",
            ])
        let code = try string(o, "code", pattern: "[A-Z0-9]+(-[A-Z0-9]+)*")
        let name = try string(o, "name")
        let kindText = try string(o, "kind")
        guard let kind = Layanan.Kind(rawValue: kindText) else {
            throw fail("kind", "harus 'perizinan' atau 'non-perizinan', bukan '\(kindText)'")
        }
        let scaleText = try string(o, "scale")
        guard let scale = Layanan.Scale(rawValue: scaleText) else {
            throw fail(
                "scale", "harus 'kecamatan' (selesai di kecamatan) atau 'forwarded' (diteruskan), bukan '\(scaleText)'")
        }
        var forwardTo: String?
        if scale == .forwarded {
            forwardTo = try string(o, "forwardTo")
        } else if o["forwardTo"] != nil {
            throw fail("forwardTo", "hanya untuk layanan dengan scale 'forwarded'")
        }
        guard case .array(let reqs)? = o["requirements"], !reqs.isEmpty else {
            throw fail("requirements", "harus array persyaratan yang tidak kosong")
        }
        var requirements: [Layanan.Requirement] = []
        for (j, r) in reqs.enumerated() {
            let field = "requirements[\(j)]"
            let ro = try object(r, allowed: ["code", "name"], field: field)
            let rcode = try string(ro, "code", pattern: "[a-z0-9]+(-[a-z0-9]+)*", field: field + ".code")
            let rname = try string(ro, "name", field: field + ".name")
            guard !requirements.contains(where: { $0.code == rcode }) else {
                throw fail(field + ".code", "kode persyaratan '\(rcode)' dobel")
            }
            requirements.append(.init(code: rcode, name: rname))
        }
        var duration: Int?
        if o["durationWorkingDays"] == nil || o["durationWorkingDays"] == .null {
            guard scale == .forwarded else {
                throw fail("durationWorkingDays", "wajib untuk layanan yang selesai di kecamatan")
            }
        } else {
            duration = try int(o, "durationWorkingDays", range: 0...365)
        }
        guard let feeValue = o["fee"] else { throw fail("fee", "wajib ada") }
        let fee = try self.fee(feeValue, scale: scale)
        let fieldCheck = try bool(o, "fieldCheck")
        let version = try int(o, "version", range: 1...1_000_000)
        return Layanan(
            code: code, name: name, kind: kind, scale: scale, forwardTo: forwardTo, requirements: requirements,
            durationWorkingDays: duration, fee: fee, fieldCheck: fieldCheck, version: version)
    }

    func fee(_ value: JSONValue, scale: Layanan.Scale) throws(SimpulError) -> Fee {
        guard case .object(let peek) = value, case .string(let type)? = peek["type"] else {
            throw fail("fee.type", "wajib ada: 'fixed', 'formula' atau 'set-by-ptsp'")
        }
        switch type {
        case "fixed":
            let o = try object(value, allowed: ["type", "amount"], field: "fee")
            return .fixed(amount: Int64(try int(o, "amount", range: 0...1_000_000_000_000, field: "fee.amount")))
        case "formula":
            let o = try object(value, allowed: ["type", "rate", "inputs", "unit"], field: "fee")
            let rate = try int(o, "rate", range: 1...1_000_000_000, field: "fee.rate")
            guard case .array(let ins)? = o["inputs"], !ins.isEmpty else {
                throw fail("fee.inputs", "harus array nama isian yang tidak kosong")
            }
            var inputs: [String] = []
            for (k, i) in ins.enumerated() {
                guard case .string(let s) = i, s.range(of: "\\A[a-z][a-z0-9_]*\\z", options: .regularExpression) != nil
                else {
                    throw fail("fee.inputs[\(k)]", "harus nama isian huruf kecil, angka dan _")
                }
                inputs.append(s)
            }
            let unit = try string(o, "unit", field: "fee.unit")
            return .formula(rate: Int64(rate), inputs: inputs, unit: unit)
        case "set-by-ptsp":
            _ = try object(value, allowed: ["type"], field: "fee")
            guard scale == .forwarded else {
                throw fail("fee.type", "'set-by-ptsp' hanya untuk layanan yang diteruskan")
            }
            return .setByPTSP
        default:
            throw fail("fee.type", "harus 'fixed', 'formula' atau 'set-by-ptsp', bukan '\(type)'")
        }
    }
}
