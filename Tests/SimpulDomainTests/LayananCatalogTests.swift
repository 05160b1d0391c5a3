import Foundation
import SimpulDomain
import Testing

// Pieces of the SKTM test entry that the broken variants replace.
private let fixedFee = #"{"type": "fixed", "amount": 0}"#
private let twoRequirements = #"[{"code": "ktp", "name": "KTP-el"}, {"code": "kk", "name": "Kartu Keluarga"}]"#

@Suite("LayananCatalog", .timeLimit(.minutes(10)))
struct LayananCatalogTests {
    static let tableOrder = [
        "REK-KERAMAIAN", "IZIN-JALAN", "REK-PERTUNJUKAN", "REKLAME-INS", "PBG-KECIL", "NIB-UMK", "AHLI-WARIS",
        "DISPENSASI-NIKAH", "SKTM", "DOMISILI", "LEGALISASI", "REK-PAUD", "SKU", "PENGANTAR-DUKCAPIL",
    ]

    static let sktm = """
        {"code": "SKTM", "name": "Surat keterangan tidak mampu", "kind": "non-perizinan", "scale": "kecamatan",
         "requirements": [{"code": "ktp", "name": "KTP-el"}, {"code": "kk", "name": "Kartu Keluarga"}],
         "durationWorkingDays": 0, "fee": {"type": "fixed", "amount": 0}, "fieldCheck": false, "version": 1}
        """

    static let domisili = """
        {"code": "DOMISILI", "name": "Surat keterangan domisili", "kind": "non-perizinan", "scale": "kecamatan",
         "requirements": [{"code": "pengantar-desa", "name": "Surat pengantar desa"}],
         "durationWorkingDays": 1, "fee": {"type": "fixed", "amount": 0}, "fieldCheck": false, "version": 1}
        """

    static let pbg = """
        {"code": "PBG-KECIL", "name": "PBG rumah tinggal kecil", "kind": "perizinan", "scale": "forwarded",
         "forwardTo": "PTSP", "requirements": [{"code": "ktp", "name": "KTP-el"}],
         "durationWorkingDays": null, "fee": {"type": "set-by-ptsp"}, "fieldCheck": true, "version": 2}
        """

    private func catalog(_ entries: String...) -> Data {
        Data("{\"version\": 1, \"services\": [\(entries.joined(separator: ",\n"))]}".utf8)
    }

    /// The base entry with exactly one piece of text swapped, so a broken variant differs from a
    /// valid entry in that one place only.
    private func variant(
        of base: String, _ old: String, _ new: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        try #require(base.components(separatedBy: old).count == 2, "'\(old)' once", sourceLocation: sourceLocation)
        return base.replacingOccurrences(of: old, with: new)
    }

    private func refusal(_ json: Data, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let error = try #require(throws: SimpulError.self, sourceLocation: sourceLocation) {
            try LayananCatalog.parse(json: json, source: "contoh.json")
        }
        #expect(error.code == .configuration, sourceLocation: sourceLocation)
        return error.message
    }

    // MARK: the shipped catalog

    @Test func shippedCatalogHasTheFourteenServices() throws {
        let catalog = try LayananCatalog.parse(json: Conf.data("layanan.json"), source: "layanan.json")
        #expect(catalog.version == 1)
        #expect(catalog.services.count == 14)
        #expect(catalog.services.map(\.code) == Self.tableOrder)
        #expect(catalog.services.allSatisfy { $0.version == 1 })
        for s in catalog.services {
            #expect(!s.requirements.isEmpty, "\(s.code)")
            #expect((s.forwardTo != nil) == (s.scale == .forwarded), "\(s.code)")
            #expect((s.durationWorkingDays == nil) == (s.code == "PBG-KECIL"), "\(s.code)")
        }
        let delegated = catalog.services.filter(\.isDelegated).map(\.code)
        let forwarded = ["PBG-KECIL", "NIB-UMK", "REK-PAUD", "PENGANTAR-DUKCAPIL"]
        #expect(delegated == Self.tableOrder.filter { !forwarded.contains($0) })
        #expect(catalog.services.filter(\.fieldCheck).map(\.code) == ["IZIN-JALAN", "REKLAME-INS", "PBG-KECIL"])
        let perizinan = catalog.services.filter { $0.kind == .perizinan }.map(\.code)
        #expect(perizinan == ["IZIN-JALAN", "REKLAME-INS", "PBG-KECIL", "NIB-UMK"])
    }

    @Test func shippedCatalogTermsFollowTheTable() throws {
        let catalog = try LayananCatalog.parse(json: Conf.data("layanan.json"), source: "layanan.json")
        let jalan = try #require(catalog.service(code: "IZIN-JALAN"))
        #expect(jalan.fee == .formula(rate: 500, inputs: ["panjang_m", "lebar_m"], unit: "m2"))
        #expect(jalan.durationWorkingDays == 1)
        #expect(jalan.requirements.map(\.code) == ["pengantar-desa", "ktp", "denah"])
        let reklame = try #require(catalog.service(code: "REKLAME-INS"))
        #expect(reklame.fee == .formula(rate: 25_000, inputs: ["luas_m2", "hari"], unit: "m2/hari"))
        #expect(reklame.durationWorkingDays == 3)
        let pbg = try #require(catalog.service(code: "PBG-KECIL"))
        #expect(pbg.scale == .forwarded && pbg.forwardTo == "PTSP" && pbg.fee == .setByPTSP && pbg.fieldCheck)
        #expect(pbg.requirements.count == 6)
        let nib = try #require(catalog.service(code: "NIB-UMK"))
        #expect(nib.forwardTo == "OSS" && nib.durationWorkingDays == 0 && nib.fee == .fixed(amount: 0))
        let paud = try #require(catalog.service(code: "REK-PAUD"))
        #expect(paud.forwardTo == "Dinas Pendidikan" && paud.durationWorkingDays == 3)
        let dukcapil = try #require(catalog.service(code: "PENGANTAR-DUKCAPIL"))
        #expect(dukcapil.forwardTo == "Dukcapil" && dukcapil.durationWorkingDays == 0)
        for code in ["DISPENSASI-NIKAH", "SKTM", "LEGALISASI"] {
            #expect(catalog.service(code: code)?.durationWorkingDays == 0, "\(code) is a same-day service")
        }
        for code in ["REK-KERAMAIAN", "AHLI-WARIS", "DOMISILI", "SKU", "REK-PERTUNJUKAN"] {
            #expect(catalog.service(code: code)?.durationWorkingDays == 1, "\(code)")
            #expect(catalog.service(code: code)?.fee == .fixed(amount: 0), "\(code)")
        }
        let sktm = catalog.service(code: "SKTM")?.requirements.map(\.code)
        #expect(sktm == ["pengantar-rt-rw", "pengantar-desa", "ktp", "kk"])
        #expect(catalog.service(code: "IMB") == nil)
    }

    @Test func encodedCatalogParsesBackEqual() throws {
        let shipped = try LayananCatalog.parse(json: Conf.data("layanan.json"), source: "layanan.json")
        let encoded = try JSONEncoder().encode(shipped)
        #expect(try LayananCatalog.parse(json: encoded, source: "encoded.json") == shipped)
        #expect(try JSONDecoder().decode(LayananCatalog.self, from: encoded) == shipped)
    }

    // MARK: small catalogs

    @Test func baseEntriesAreValid() throws {
        let parsed = try LayananCatalog.parse(json: catalog(Self.sktm, Self.domisili, Self.pbg), source: "contoh.json")
        #expect(parsed.services.map(\.code) == ["SKTM", "DOMISILI", "PBG-KECIL"])
        let pbg = try #require(parsed.service(code: "PBG-KECIL"))
        #expect(pbg.durationWorkingDays == nil && pbg.fee == .setByPTSP && pbg.version == 2)
        #expect(!pbg.isDelegated)
        #expect(parsed.service(code: "SKTM")?.isDelegated == true)
    }

    @Test func notesAreAllowedAtTopAndPerService() throws {
        let entry = try variant(of: Self.sktm, "\"version\": 1}", "\"version\": 1, \"note\": \"Durasi (E)\"}")
        let json = Data("{\"version\": 3, \"note\": \"contoh\", \"services\": [\(entry)]}".utf8)
        #expect(try LayananCatalog.parse(json: json, source: "contoh.json").version == 3)
    }

    @Test func forwardedServiceMayOmitItsDuration() throws {
        let entry = try variant(of: Self.pbg, "\"durationWorkingDays\": null, ", "")
        let parsed = try LayananCatalog.parse(json: catalog(entry), source: "contoh.json")
        #expect(parsed.services.first?.durationWorkingDays == nil)
    }

    @Test(arguments: [
        (#""durationWorkingDays": 0"#, #""durationWorkingDays": "nol""#, ["kolom durationWorkingDays", "bulat"]),
        (#""durationWorkingDays": 0"#, #""durationWorkingDays": null"#, ["kolom durationWorkingDays", "wajib"]),
        (#""durationWorkingDays": 0, "#, "", ["kolom durationWorkingDays", "wajib"]),
        (#""durationWorkingDays": 0"#, #""durationWorkingDays": 1.5"#, ["kolom durationWorkingDays", "bulat"]),
        (#""durationWorkingDays": 0"#, #""durationWorkingDays": -1"#, ["kolom durationWorkingDays", "0...365"]),
        (#""durationWorkingDays": 0"#, #""durationWorkingDays": true"#, ["kolom durationWorkingDays"]),
        (#""type": "fixed""#, #""type": "gratis""#, ["kolom fee.type", "'gratis'"]),
        (fixedFee, #"{"amount": 0}"#, ["kolom fee.type", "wajib ada"]),
        (fixedFee, "0", ["kolom fee.type"]),
        (#""fee": {"type": "fixed", "amount": 0}, "#, "", ["kolom fee", "wajib ada"]),
        (#""amount": 0"#, #""amount": -1"#, ["kolom fee.amount"]),
        (#""amount": 0"#, #""amount": 0, "currency": "IDR""#, ["kolom fee.currency", "tidak dikenal"]),
        (fixedFee, #"{"type": "set-by-ptsp"}"#, ["kolom fee.type", "set-by-ptsp"]),
        (fixedFee, #"{"type": "formula", "rate": 0, "inputs": ["a"], "unit": "m"}"#, ["kolom fee.rate"]),
        (
            fixedFee, #"{"type": "formula", "rate": 5, "inputs": [], "unit": "m"}"#,
            ["kolom fee.inputs", "tidak kosong"]
        ),
        (fixedFee, #"{"type": "formula", "rate": 5, "inputs": ["Luas"], "unit": "m"}"#, ["kolom fee.inputs[0]"]),
        (fixedFee, #"{"type": "formula", "rate": 5, "inputs": ["a"]}"#, ["kolom fee.unit", "wajib ada"]),
        (#"{"code": "ktp""#, #"{"code": "KTP""#, ["kolom requirements[0].code", "'KTP'"]),
        (#"{"code": "ktp""#, #"{"code": "ktp el""#, ["kolom requirements[0].code"]),
        (#""code": "kk""#, #""code": "ktp""#, ["kolom requirements[1].code", "dobel"]),
        (#""name": "KTP-el""#, #""name": "KTP-el", "wajib": true"#, ["kolom requirements[0].wajib", "tidak dikenal"]),
        (#""name": "KTP-el""#, #""name": " ""#, ["kolom requirements[0].name", "tidak boleh kosong"]),
        (#"{"code": "ktp", "name": "KTP-el"}"#, #""ktp""#, ["kolom requirements[0]", "harus object"]),
        (twoRequirements, "[]", ["kolom requirements", "tidak kosong"]),
        (#""version": 1}"#, #""version": 1, "biaya": 0}"#, ["kolom biaya", "tidak dikenal"]),
        (#""scale": "kecamatan""#, #""scale": "kecamatan", "forwardTo": "PTSP""#, ["kolom forwardTo", "forwarded"]),
        (#""scale": "kecamatan""#, #""scale": "forwarded""#, ["kolom forwardTo", "wajib ada"]),
        (#""scale": "kecamatan""#, #""scale": "kabupaten""#, ["kolom scale", "'kabupaten'"]),
        (#""kind": "non-perizinan""#, #""kind": "non perizinan""#, ["kolom kind", "'non perizinan'"]),
        (#""name": "Surat keterangan tidak mampu", "#, "", ["kolom name", "wajib ada"]),
        (#""name": "Surat keterangan tidak mampu""#, #""name": """#, ["kolom name", "tidak boleh kosong"]),
        (#""fieldCheck": false"#, #""fieldCheck": "ya""#, ["kolom fieldCheck", "true atau false"]),
        (#""fieldCheck": false"#, #""fieldCheck": 0"#, ["kolom fieldCheck", "true atau false"]),
        (#""fieldCheck": false, "#, "", ["kolom fieldCheck", "wajib ada"]),
        (#""version": 1}"#, #""version": 0}"#, ["kolom version"]),
    ])
    func brokenEntryIsRefusedWithFileEntryAndField(old: String, new: String, fragments: [String]) throws {
        let message = try refusal(catalog(variant(of: Self.sktm, old, new)))
        #expect(message.hasPrefix("contoh.json: layanan ke-1 (SKTM), kolom "), "\(message)")
        for fragment in fragments {
            #expect(message.contains(fragment), "'\(fragment)' in \(message)")
        }
    }

    @Test func laterEntryIsNamedByPositionAndCode() throws {
        let broken = try variant(of: Self.domisili, "\"durationWorkingDays\": 1", "\"durationWorkingDays\": \"1\"")
        let message = try refusal(catalog(Self.sktm, broken))
        #expect(message.hasPrefix("contoh.json: layanan ke-2 (DOMISILI), kolom durationWorkingDays"), "\(message)")
    }

    @Test func duplicateCodeIsRefused() throws {
        let message = try refusal(catalog(Self.sktm, Self.domisili, Self.sktm))
        #expect(message.hasPrefix("contoh.json: layanan ke-3 (SKTM), kolom code"), "\(message)")
        #expect(message.contains("sudah dipakai"))
    }

    @Test(arguments: ["sktm", "SKTM-", "SK TM", "-SKTM", "SKTM--1"])
    func codeOutsidePatternIsRefused(code: String) throws {
        let message = try refusal(catalog(variant(of: Self.sktm, "\"code\": \"SKTM\"", "\"code\": \"\(code)\"")))
        #expect(message.hasPrefix("contoh.json: layanan ke-1 (\(code)), kolom code"), "\(message)")
        #expect(message.contains("pola"))
    }

    @Test(arguments: [
        (#""code": "SKTM""#, #""code": "SKTM\n""#, "kolom code"),
        (#"{"code": "ktp""#, #"{"code": "ktp\n""#, "kolom requirements[0].code"),
        (fixedFee, #"{"type": "formula", "rate": 5, "inputs": ["luas\n"], "unit": "m"}"#, "kolom fee.inputs[0]"),
    ])
    func trailingNewlineDoesNotSlipPastAPattern(old: String, new: String, field: String) throws {
        // Codes are matched against patterns anchored with ^ and $; a final line break is no part
        // of a code, and a code that carries one never matches what an officer types.
        let message = try refusal(catalog(variant(of: Self.sktm, old, new)))
        #expect(message.contains(field), "\(message)")
    }

    @Test func codeThatIsNotAStringNamesTheEntryByPosition() throws {
        let message = try refusal(catalog(variant(of: Self.sktm, "\"code\": \"SKTM\"", "\"code\": 5")))
        #expect(message.hasPrefix("contoh.json: layanan ke-1, kolom code"), "\(message)")
        #expect(message.contains("harus string"))
    }

    @Test func entryThatIsNotAnObjectIsRefused() throws {
        let message = try refusal(catalog(Self.sktm, "[1, 2]"))
        #expect(message.hasPrefix("contoh.json: layanan ke-2, kolom (entri)"), "\(message)")
        #expect(message.contains("harus object"))
    }

    @Test func setByPTSPIsAcceptedOnlyWhenForwarded() throws {
        #expect(try LayananCatalog.parse(json: catalog(Self.pbg), source: "contoh.json").services[0].fee == .setByPTSP)
        var kecamatan = try variant(of: Self.pbg, "\"scale\": \"forwarded\"", "\"scale\": \"kecamatan\"")
        kecamatan = try variant(of: kecamatan, "\"forwardTo\": \"PTSP\", ", "")
        // Give it a duration so that the duration rule, checked first, does not hide the fee rule.
        kecamatan = try variant(of: kecamatan, "\"durationWorkingDays\": null", "\"durationWorkingDays\": 5")
        let message = try refusal(catalog(kecamatan))
        #expect(message.hasPrefix("contoh.json: layanan ke-1 (PBG-KECIL), kolom fee.type"), "\(message)")
        #expect(message.contains("set-by-ptsp"))
    }

    @Test(arguments: [
        ("{\"version\": 1, \"services\": [", "bukan JSON yang sah"),
        ("", "bukan JSON yang sah"),
        ("[]", "kolom (entri)"),
        ("{\"version\": 1, \"services\": [], \"katalog\": 1}", "kolom katalog"),
        ("{\"services\": []}", "kolom version"),
        ("{\"version\": 1, \"services\": []}", "kolom services"),
        ("{\"version\": 1}", "kolom services"),
        ("{\"version\": 1, \"services\": {}}", "kolom services"),
    ])
    func brokenTopLevelIsRefused(json: String, fragment: String) throws {
        let message = try refusal(Data(json.utf8))
        #expect(message.hasPrefix("contoh.json: "), "\(message)")
        #expect(message.contains(fragment), "\(message)")
        #expect(!message.contains("layanan ke-"), "\(message)")
    }

    @Test func invalidJSONKeepsTheCause() throws {
        let error = try #require(throws: SimpulError.self) {
            try LayananCatalog.parse(json: Data("{\"version\": 1,".utf8), source: "contoh.json")
        }
        #expect(error.message == "contoh.json: bukan JSON yang sah")
        #expect(error.cause != nil)
    }

    @Test func kindLabels() {
        #expect(Layanan.Kind.perizinan.label == "Perizinan")
        #expect(Layanan.Kind.nonPerizinan.label == "Non perizinan")
        #expect(Layanan.Kind.nonPerizinan.rawValue == "non-perizinan")
    }
}
