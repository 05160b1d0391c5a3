import Testing

/// `simpul pengaduan`: the register of complaints from the command line.
@Suite("simpul pengaduan", .timeLimit(.minutes(10)))
struct PengaduanCommandTests {
    @Test func aComplaintIsReceivedFollowedUpAndClosedWithTheLawsDeadlines() throws {
        let node = try TestNode.fresh()
        let bad = try node.run(["pengaduan", "terima", "--saluran", "merpati", "--isi", "x", "--petugas", "Rina"])
        expectRefused(bad, exit: 64, mentioning: "saluran")
        let empty = try node.run(["pengaduan", "terima", "--saluran", "langsung", "--isi", " ", "--petugas", "Rina"])
        expectRefused(empty, exit: 65, mentioning: "isi")

        let c = try node.json([
            "pengaduan", "terima", "--saluran", "telepon", "--isi", "Antrian terlalu lama", "--layanan", "SKTM",
            "--nama", "Budi", "--kontak", "0812345678", "--petugas", "Rina",
        ])
        #expect(c["record"]?.string == "ADU/01/26-00001")
        // Received Tuesday 17 March 2026: 14 days is Tuesday 31 March; 60 days is Saturday 16 May, so
        // the next working day, Monday 18 May.
        #expect(c["respondBy"]?.string == "2026-03-31")
        #expect(c["closeBy"]?.string == "2026-05-18")
        #expect(c["state"]?.string == "terbuka")

        let followed = try node.run([
            "pengaduan", "tindak-lanjut", "26-00001", "--catatan", "Loket kedua dibuka", "--petugas", "Hadi",
        ])
        expectSuccess(followed)
        #expect(followed.stdout.contains("Tindak lanjut  :"))
        let closed = try node.json([
            "pengaduan", "tutup", "ADU/01/26-00001", "--catatan", "Pengadu puas", "--petugas", "Hadi",
        ])
        #expect(closed["state"]?.string == "ditutup")
        let twice = try node.run(["pengaduan", "tutup", "26-00001", "--catatan", "lagi", "--petugas", "Hadi"])
        expectRefused(twice, exit: 65, mentioning: "sudah ditutup")
        let unknown = try node.run(["pengaduan", "tutup", "26-00009", "--catatan", "x", "--petugas", "Hadi"])
        expectRefused(unknown, exit: 66, mentioning: "ADU/01/26-00009")

        let list = try node.run(["pengaduan", "list"])
        expectSuccess(list)
        #expect(list.stdout.contains("ADU/01/26-00001  2026-03-17  DITUTUP  telepon  SKTM  Antrian terlalu lama"))
        #expect(try node.run(["pengaduan", "list", "--terbuka"]).stdout.contains("Tidak ada pengaduan."))

        let laporan = try node.json(["laporan", "--bulan", "2026-03"])
        #expect(laporan["complaints"]?["received"]?.int == 1)
        #expect(laporan["complaints"]?["closed"]?.int == 1)
        #expect(laporan["complaints"]?["open"]?.int == 0)
        let csv = try node.run(["laporan", "--bulan", "2026-03", "--csv"])
        #expect(csv.stdout.contains("pengaduan_diterima,1\n"))
    }
}
