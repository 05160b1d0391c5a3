import Testing

@Suite("simpul layanan", .timeLimit(.minutes(10)))
struct LayananCommandTests {
    @Test func listJSONIsTheCatalog() throws {
        let node = try TestNode.fresh()
        let doc = try node.json(["layanan", "list"])
        #expect(doc["version"]?.int == 1)
        let services = try #require(doc["services"]?.array)
        #expect(services.count == 14)
        let codes = services.compactMap { $0["code"]?.string }
        #expect(codes.first == "REK-KERAMAIAN")
        #expect(Set(codes).isSuperset(of: ["IZIN-JALAN", "SKTM", "PBG-KECIL", "NIB-UMK", "PENGANTAR-DUKCAPIL"]))

        let jalan = try #require(services.first { $0["code"]?.string == "IZIN-JALAN" })
        #expect(jalan["scale"]?.string == "kecamatan")
        #expect(jalan["fieldCheck"]?.bool == true)
        #expect(jalan["durationWorkingDays"]?.int == 1)
        #expect(jalan["fee"]?["type"]?.string == "formula")
        #expect(jalan["fee"]?["rate"]?.int == 500)
        #expect(jalan["fee"]?["inputs"]?.strings == ["panjang_m", "lebar_m"])

        let pbg = try #require(services.first { $0["code"]?.string == "PBG-KECIL" })
        #expect(pbg["scale"]?.string == "forwarded")
        #expect(pbg["forwardTo"]?.string == "PTSP")
        #expect(pbg["fee"]?["type"]?.string == "set-by-ptsp")
        #expect(pbg["durationWorkingDays"] == nil)
    }

    @Test func listTextIsThePriceBoard() throws {
        let node = try TestNode.fresh()
        let r = try node.run(["layanan", "list"])
        expectSuccess(r)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Katalog layanan versi 1")
        #expect(lines.count == 15)
        let jalan = try #require(lines.first { $0.contains("IZIN-JALAN") })
        #expect(jalan.contains("[Perizinan; kecamatan; 1 hari kerja; panjang_m x lebar_m x Rp 500/m2]"))
        let sktm = try #require(lines.first { $0.contains("SKTM") })
        #expect(sktm.contains("[Non perizinan; kecamatan; hari itu juga; Gratis (Rp 0)]"))
        let pbg = try #require(lines.first { $0.contains("PBG-KECIL") })
        #expect(pbg.contains("[Perizinan; diteruskan ke PTSP; ditetapkan penerima; Ditetapkan oleh PTSP]"))
    }

    @Test func showJSONIsOneService() throws {
        let node = try TestNode.fresh()
        let s = try node.json(["layanan", "show", "IZIN-JALAN"])
        #expect(s["code"]?.string == "IZIN-JALAN")
        #expect(s["name"]?.string == "Izin penggunaan/penutupan jalan kabupaten")
        #expect(s["kind"]?.string == "perizinan")
        #expect(s["version"]?.int == 1)
        #expect(s["requirements"]?.array?.compactMap { $0["code"]?.string } == Catalog.syarat["IZIN-JALAN"])
    }

    @Test func showTextListsRequirements() throws {
        let node = try TestNode.fresh()
        let r = try node.run(["layanan", "show", "SKTM"])
        expectSuccess(r)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "SKTM: Surat keterangan tidak mampu (versi 1, katalog 1)")
        #expect(lines.contains("  Diselesaikan : di kecamatan"))
        #expect(lines.contains("  Waktu        : hari itu juga"))
        #expect(lines.contains("  Retribusi    : Gratis (Rp 0)"))
        #expect(lines.contains("  Cek lapangan : tidak"))
        #expect(lines.contains("    - pengantar-rt-rw: Surat pengantar RT/RW"))
        #expect(lines.contains("    - kk: Kartu Keluarga"))
    }

    @Test(arguments: [false, true])
    func unknownCodeIsNotFound(json: Bool) throws {
        let node = try TestNode.fresh()
        let r = try node.run(["layanan", "show", "IZIN-TERBANG"], json: json)
        expectRefused(r, exit: 66, mentioning: "layanan:", "IZIN-TERBANG", "versi 1")
    }
}
