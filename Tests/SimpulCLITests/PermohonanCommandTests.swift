import Foundation
import SimpulDomain
import Testing

@Suite("simpul permohonan", .timeLimit(.minutes(10)))
struct PermohonanCommandTests {
    struct ExpectedEvent {
        var type, officer, role: String
    }

    /// The whole counter flow of a delegated service with a fee and a field check.
    @Test func delegatedServiceFromLoketToHandover() throws {
        let node = try TestNode.fresh()
        let created = try node.createIzinJalan()
        let number = try #require(created["number"]?.string)
        #expect(number.wholeMatch(of: Catalog.numberPattern) != nil)
        // The first registration of node 33.74.01 in 2026, with its Damm check digit.
        #expect(number == RegistrationNumber(prefix: "01", year: 2026, sequence: 1).text)
        #expect(created["layanan"]?["code"]?.string == "IZIN-JALAN")
        #expect(created["layanan"]?["version"]?.int == 1)
        #expect(created["catalogVersion"]?.int == 1)
        #expect(created["status"]?.string == "diproses")
        #expect(created["tahap"]?.string == "verifikasi")
        #expect(created["pemohon"]?["nik"]?.string == Applicant.nik)
        #expect(created["pemohon"]?["nama"]?.string == Applicant.nama)
        #expect(created["syarat"]?.strings == Catalog.syarat["IZIN-JALAN"])
        #expect(created["isian"] == .object(["panjang_m": .string("12.5"), "lebar_m": .string("4")]))
        // 12.5 m x 4 m x Rp 500/m2.
        #expect(created["fee"]?.int == 25_000)
        #expect(created["paid"]?.int == 0)
        #expect(created["outstanding"]?.int == 25_000)
        // Accepted Tuesday 17 March; 18-24 March are Nyepi, Idul Fitri and cuti bersama, so the one
        // working day is Wednesday 25 March, one working day from today.
        #expect(created["acceptedOn"]?.string == "2026-03-17")
        #expect(created["dueOn"]?.string == "2026-03-25")
        #expect(created["workingDaysLeft"]?.int == 1)
        #expect(created["registeredAt"]?.string == "2026-03-17T02:00:00.000Z")
        #expect(created["receipts"]?.array == [])

        var expectedNext = Array(Catalog.stepsWithFieldCheck.dropFirst()) + ["penyerahan"]
        for step in Catalog.stepsWithFieldCheck {
            let p = try node.advance(number, step)
            #expect(p["status"]?.string == "diproses", "after \(step)")
            #expect(p["tahap"]?.string == expectedNext.removeFirst(), "after \(step)")
        }
        let ready = try node.show(number)
        #expect(ready["next"]?.strings?.first == "kasir pay (sisa retribusi Rp 25.000)")

        // The document is not handed over before the fee is paid.
        let early = try node.run(["permohonan", "advance", number, "--petugas", Officer.of("penyerahan")])
        expectRefused(
            early, exit: 65, mentioning: "retribusi belum lunas", "Rp 25.000", "langkah yang boleh: kasir pay")
        #expect(try node.show(number)["tahap"]?.string == "penyerahan")

        let paid = try node.pay(number, "25.000")
        #expect(paid["receipt"]?.string == "33.74.01/000001")
        #expect(paid["amount"]?.int == 25_000)
        #expect(paid["permohonan"]?["paid"]?.int == 25_000)
        #expect(paid["permohonan"]?["outstanding"]?.int == 0)
        #expect(paid["permohonan"]?["receipts"]?.strings == ["33.74.01/000001"])

        let done = try node.advance(number, "penyerahan")
        #expect(done["status"]?.string == "selesai")
        #expect(done["tahap"] == nil)
        #expect(done["workingDaysLeft"] == nil)
        #expect(done["next"]?.array == [])
        #expect(done["dueOn"]?.string == "2026-03-25")

        // Nothing can follow the handover.
        let after = try node.run(["permohonan", "advance", number, "--petugas", "Tono"])
        expectRefused(after, exit: 65, mentioning: "tidak ada langkah lagi (status Selesai)")

        let shown = try node.run(["permohonan", "show", number])
        expectSuccess(shown)
        #expect(shown.stdout.contains("Status            : Selesai\n"))
        #expect(shown.stdout.contains("Retribusi         : Rp 25.000 (lunas)\n"))
        #expect(shown.stdout.contains("Kuitansi          : 33.74.01/000001\n"))
    }

    /// The log names every officer, role and dot, in the order things happened.
    @Test func logListsEveryEventInOrder() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.createIzinJalan()["number"]?.string)
        try node.advance(number, through: Catalog.stepsWithFieldCheck)
        try node.pay(number, "25000")
        try node.advance(number, "penyerahan")

        let log = try node.json(["permohonan", "log", number])
        #expect(log["number"]?.string == number)
        let events = try #require(log["events"]?.array)
        let steps = Catalog.stepsWithFieldCheck
        let stepRoles = [
            "Petugas Verifikasi", "Petugas Teknis", "Operator", "Kepala Seksi Pelayanan", "Sekretaris Camat", "Camat",
        ]
        let expected =
            [ExpectedEvent(type: "permohonan.registered", officer: Officer.loket, role: "Petugas Loket")]
            + zip(steps, stepRoles).map {
                ExpectedEvent(type: "permohonan.step-completed", officer: Officer.of($0), role: $1)
            }
            + [
                ExpectedEvent(type: "pembayaran.received", officer: Officer.kasir, role: "Kasir"),
                ExpectedEvent(
                    type: "permohonan.step-completed", officer: Officer.of("penyerahan"), role: "Petugas Penyerahan"),
            ]
        try #require(events.count == expected.count)
        var lastLamport = 0
        for (i, (event, want)) in zip(events, expected).enumerated() {
            #expect(event["body"]?["type"]?.string == want.type, "event \(i + 1)")
            #expect(event["officer"]?.string == want.officer, "event \(i + 1)")
            #expect(event["role"]?.string == want.role, "event \(i + 1)")
            #expect(event["dot"]?["node"]?.string == "33.74.01", "event \(i + 1)")
            #expect(event["dot"]?["seq"]?.int == i + 1, "event \(i + 1)")
            #expect(event["partition"]?.string == "33.74.01", "event \(i + 1)")
            #expect(event["record"]?.string == number, "event \(i + 1)")
            #expect(event["at"]?.string == "2026-03-17T02:00:00.000Z", "event \(i + 1)")
            let lamport = event["lamport"]?.int ?? 0
            #expect(lamport > lastLamport, "event \(i + 1)")
            lastLamport = lamport
        }
        let completed = events.compactMap { $0["body"]?["data"]?["tahap"]?.string }
        #expect(completed == steps + ["penyerahan"])
        let registration = try #require(events.first?["body"]?["data"])
        #expect(registration["number"]?.string == number)
        #expect(registration["fee"]?.int == 25_000)
        #expect(registration["dueOn"]?.string == "2026-03-25")
        #expect(registration["catalogVersion"]?.int == 1)
        #expect(events[7]["body"]?["data"]?["receipt"]?.string == "33.74.01/000001")
        #expect(events[7]["body"]?["data"]?["amount"]?.int == 25_000)

        let text = try node.run(["permohonan", "log", number])
        expectSuccess(text)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Riwayat permohonan \(number) (waktu WIB):")
        #expect(lines.count == 1 + expected.count)
        #expect(lines.last?.contains("Tono (Petugas Penyerahan)  Dokumen diserahkan kepada pemohon") == true)
        #expect(lines.last?.hasSuffix("[33.74.01:9]") == true)
    }

    /// A same-day service with no fee and no field check goes from verification straight to the operator.
    @Test func serviceWithoutFieldCheckSkipsIt() throws {
        let node = try TestNode.fresh()
        let created = try node.create("SKTM")
        let number = try #require(created["number"]?.string)
        #expect(created["fee"]?.int == 0)
        #expect(created["outstanding"]?.int == 0)
        // Due the day it is accepted, a working day.
        #expect(created["dueOn"]?.string == "2026-03-17")
        #expect(created["workingDaysLeft"]?.int == 0)

        let verified = try node.advance(number, "verifikasi")
        #expect(verified["tahap"]?.string == "operator")
        let skip = try node.run(["permohonan", "advance", number, "--tahap", "cek-lapangan", "--petugas", "Joko"])
        expectRefused(skip, exit: 65, mentioning: "cek-lapangan", "menunggu tahap operator", "langkah yang boleh")

        try node.advance(number, through: Array(Catalog.stepsWithoutFieldCheck.dropFirst()))
        // Nothing to pay: the handover follows the Camat's signature directly.
        let done = try node.advance(number, "penyerahan")
        #expect(done["status"]?.string == "selesai")
        #expect(done["receipts"]?.array == [])

        let events = try #require(try node.json(["permohonan", "log", number])["events"]?.array)
        #expect(
            events.compactMap { $0["body"]?["data"]?["tahap"]?.string }
                == Catalog.stepsWithoutFieldCheck + ["penyerahan"])
        #expect(!events.contains { $0["role"]?.string == "Petugas Teknis" })
    }

    /// A service the camat has no authority for is forwarded, never processed at the kecamatan.
    @Test func nonDelegatedServiceIsForwarded() throws {
        let node = try TestNode.fresh()
        let created = try node.create("PBG-KECIL")
        let number = try #require(created["number"]?.string)
        #expect(created["tahap"]?.string == "penerusan")
        #expect(created["fee"] == nil)
        #expect(created["dueOn"] == nil)
        #expect(created["workingDaysLeft"] == nil)
        #expect(created["next"]?.strings == ["forward (teruskan ke PTSP)", "withdraw (ditarik pemohon)"])

        let advance = try node.run(["permohonan", "advance", number, "--petugas", "Rina"])
        expectRefused(advance, exit: 65, mentioning: "PBG-KECIL", "tidak didelegasikan", "forward")

        let doc = try node.json(
            ["permohonan", "forward", number, "--catatan", "Berkas lengkap dikirim", "--petugas", Officer.loket])
        let p = try #require(doc["permohonan"])
        #expect(p["status"]?.string == "diteruskan")
        #expect(p["statusLabel"]?.string == "Diteruskan ke PTSP")
        #expect(p["forwardedTo"]?.string == "PTSP")
        #expect(p["tahap"] == nil)

        let again = try node.run(["permohonan", "forward", number, "--petugas", Officer.loket])
        expectRefused(again, exit: 65, mentioning: "tidak bisa diteruskan")

        let events = try #require(try node.json(["permohonan", "log", number])["events"]?.array)
        #expect(events.count == 2)
        #expect(events.last?["body"]?["type"]?.string == "permohonan.forwarded")
        #expect(events.last?["body"]?["data"]?["to"]?.string == "PTSP")
        #expect(events.last?["body"]?["data"]?["note"]?.string == "Berkas lengkap dikirim")
        #expect(events.last?["role"]?.string == "Petugas Loket")
    }

    @Test func delegatedServiceIsNotForwarded() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        let r = try node.run(["permohonan", "forward", number, "--petugas", Officer.loket])
        expectRefused(r, exit: 65, mentioning: "tidak bisa diteruskan", "SKTM")
        #expect(try node.show(number)["tahap"]?.string == "verifikasi")
    }

    @Test func withdrawnPermohonanTakesNoMoreSteps() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.createIzinJalan()["number"]?.string)
        try node.advance(number, "verifikasi")
        let doc = try node.json(
            ["permohonan", "withdraw", number, "--alasan", "Acara dibatalkan", "--petugas", Officer.loket])
        #expect(doc["permohonan"]?["status"]?.string == "ditarik")
        #expect(doc["permohonan"]?["closingReason"]?.string == "Acara dibatalkan")
        #expect(doc["permohonan"]?["next"]?.array == [])

        let before = try node.snapshot()
        let attempts: [[String]] = [
            ["permohonan", "advance", number, "--petugas", "Joko"],
            ["permohonan", "advance", number, "--tahap", "cek-lapangan", "--petugas", "Joko"],
            ["permohonan", "withdraw", number, "--alasan", "Lagi", "--petugas", Officer.loket],
            ["permohonan", "reject", number, "--alasan", "Terlambat", "--petugas", "Joko"],
            ["permohonan", "forward", number, "--petugas", Officer.loket],
            ["kasir", "pay", number, "--jumlah", "25000", "--petugas", Officer.kasir],
        ]
        for args in attempts {
            expectRefused(try node.run(args), exit: 65, mentioning: number)
        }
        let last = try node.run(attempts[0])
        expectRefused(last, exit: 65, mentioning: "tidak ada langkah lagi (status Ditarik pemohon)")
        #expect(try node.snapshot() == before)
    }

    @Test(arguments: ["", "   "])
    func withdrawNeedsAReason(alasan: String) throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        let before = try node.snapshot()
        let r = try node.run(["permohonan", "withdraw", number, "--alasan", alasan, "--petugas", Officer.loket])
        expectRefused(r, exit: 65, mentioning: "alasan")
        #expect(try node.snapshot() == before)
    }

    @Test func paidPermohonanCannotBeWithdrawn() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.createIzinJalan()["number"]?.string)
        try node.advance(number, through: Catalog.stepsWithFieldCheck)
        try node.pay(number, "10000")
        let r = try node.run(["permohonan", "withdraw", number, "--alasan", "Batal", "--petugas", Officer.loket])
        expectRefused(r, exit: 65, mentioning: "tidak bisa ditarik", "sudah dibayar")
        #expect(try node.show(number)["status"]?.string == "diproses")
    }

    @Test func rejectedAtFieldCheckIsClosed() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.createIzinJalan()["number"]?.string)
        try node.advance(number, "verifikasi")
        let doc = try node.json(
            ["permohonan", "reject", number, "--alasan", "Ruas jalan adalah jalan provinsi", "--petugas", "Joko"])
        #expect(doc["permohonan"]?["status"]?.string == "ditolak")
        #expect(doc["permohonan"]?["closingReason"]?.string == "Ruas jalan adalah jalan provinsi")
        #expect(doc["permohonan"]?["tahap"] == nil)

        let events = try #require(try node.json(["permohonan", "log", number])["events"]?.array)
        let rejection = try #require(events.last)
        #expect(rejection["body"]?["type"]?.string == "permohonan.rejected")
        #expect(rejection["body"]?["data"]?["tahap"]?.string == "cek-lapangan")
        #expect(rejection["officer"]?.string == "Joko")
        #expect(rejection["role"]?.string == "Petugas Teknis")

        let r = try node.run(["permohonan", "advance", number, "--petugas", "Joko"])
        expectRefused(r, exit: 65, mentioning: "tidak ada langkah lagi (status Ditolak)")
    }

    @Test(arguments: ["", "  "])
    func rejectNeedsAReason(alasan: String) throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        let before = try node.snapshot()
        let r = try node.run(["permohonan", "reject", number, "--alasan", alasan, "--petugas", "Rina"])
        expectRefused(r, exit: 65, mentioning: "alasan")
        #expect(try node.snapshot() == before)
    }

    @Test func verifikasiReturnsAnIncompleteFileToTheLoket() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        let doc = try node.json([
            "permohonan", "return", number, "--catatan", "Surat pengantar RT belum ditandatangani", "--petugas", "Rina",
        ])
        #expect(doc["permohonan"]?["status"]?.string == "diproses")
        #expect(doc["permohonan"]?["tahap"]?.string == "kelengkapan")
        let events = try #require(try node.json(["permohonan", "log", number])["events"]?.array)
        let returned = try #require(events.last)
        #expect(returned["body"]?["type"]?.string == "permohonan.returned")
        #expect(returned["body"]?["data"]?["note"]?.string == "Surat pengantar RT belum ditandatangani")
        #expect(returned["role"]?.string == "Petugas Verifikasi")
        let log = try node.run(["permohonan", "log", number])
        #expect(log.stdout.contains("Berkas dikembalikan ke loket, belum lengkap: Surat pengantar RT"))

        // Verifikasi waits for the loket; the loket completes kelengkapan and the file is back.
        let before = try node.snapshot()
        expectRefused(
            try node.run(["permohonan", "advance", number, "--tahap", "verifikasi", "--petugas", "Rina"]), exit: 65,
            mentioning: "menunggu tahap kelengkapan")
        expectRefused(
            try node.run(["permohonan", "return", number, "--catatan", "lagi", "--petugas", "Rina"]), exit: 65,
            mentioning: "hanya saat menunggu tahap verifikasi")
        #expect(try node.snapshot() == before)
        let back = try node.json([
            "permohonan", "advance", number, "--tahap", "kelengkapan", "--catatan", "sudah ditandatangani",
            "--petugas", Officer.loket,
        ])
        #expect(back["permohonan"]?["tahap"]?.string == "verifikasi")
    }

    @Test func verifikasiSendsAFileToAFieldCheck() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        expectRefused(
            try node.run([
                "permohonan", "advance", number, "--tahap", "operator", "--cek-lapangan", "--petugas", "Rina",
            ]), exit: 64, mentioning: "--cek-lapangan")
        let doc = try node.json([
            "permohonan", "advance", number, "--cek-lapangan", "--catatan", "rumah perlu dilihat", "--petugas", "Rina",
        ])
        #expect(doc["permohonan"]?["tahap"]?.string == "cek-lapangan")
        let log = try node.run(["permohonan", "log", number])
        #expect(log.stdout.contains("Tahap Verifikasi berkas selesai, dikirim ke cek lapangan: rumah perlu dilihat"))
        expectRefused(
            try node.run(["permohonan", "advance", number, "--cek-lapangan", "--petugas", "Joko"]), exit: 65,
            mentioning: "hanya dari verifikasi ke cek lapangan")
    }

    @Test(arguments: ["", "  "])
    func returnNeedsANote(catatan: String) throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        let before = try node.snapshot()
        let r = try node.run(["permohonan", "return", number, "--catatan", catatan, "--petugas", "Rina"])
        expectRefused(r, exit: 65, mentioning: "catatan")
        #expect(try node.snapshot() == before)
    }

    /// The operator enters data and prints; the article gives that step no check to reject on.
    @Test func rejectIsNotAllowedAtTheOperatorStep() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        try node.advance(number, "verifikasi")
        let before = try node.snapshot()
        let r = try node.run(["permohonan", "reject", number, "--alasan", "Data salah", "--petugas", "Dewi"])
        expectRefused(r, exit: 65, mentioning: "tidak bisa ditolak", "langkah yang boleh")
        #expect(try node.snapshot() == before)
        #expect(try node.show(number)["tahap"]?.string == "operator")
    }

    @Test func listFiltersByStatusStepAndService() throws {
        let node = try TestNode.fresh()
        let jalan = try #require(try node.createIzinJalan()["number"]?.string)
        let sktm = try #require(try node.create("SKTM")["number"]?.string)
        let pbg = try #require(try node.create("PBG-KECIL")["number"]?.string)
        try node.json(["permohonan", "forward", pbg, "--petugas", Officer.loket])
        try node.advance(sktm, "verifikasi")

        func numbers(_ filter: [String]) throws -> [String] {
            let doc = try node.json(["permohonan", "list"] + filter)
            let items = doc["permohonan"]?.array ?? []
            #expect(doc["count"]?.int == items.count)
            return items.compactMap { $0["number"]?.string }
        }
        // Newest first.
        #expect(try numbers([]) == [pbg, sktm, jalan])
        #expect(try numbers(["--status", "diteruskan"]) == [pbg])
        #expect(try numbers(["--tahap", "operator"]) == [sktm])
        #expect(try numbers(["--layanan", "IZIN-JALAN"]) == [jalan])
        #expect(try numbers(["--limit", "1"]) == [pbg])

        expectRefused(try node.run(["permohonan", "list", "--status", "batal"]), exit: 64, mentioning: "status:")
        expectRefused(try node.run(["permohonan", "list", "--tahap", "loket"]), exit: 64, mentioning: "tahap:")
        expectRefused(try node.run(["permohonan", "list", "--limit", "0"]), exit: 64, mentioning: "limit:")
    }

    @Test func tandaTerimaText() throws {
        let node = try TestNode.fresh()
        let r = try node.run(TestNode.createArguments("IZIN-JALAN", isian: ["panjang_m=12.5", "lebar_m=4"]))
        expectSuccess(r)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "TANDA TERIMA PERMOHONAN")
        #expect(lines.contains("Kecamatan Semarang Tengah (33.74.01)"))
        #expect(lines.contains("Nomor pendaftaran : \(RegistrationNumber(prefix: "01", year: 2026, sequence: 1))"))
        #expect(lines.contains("Pemohon           : Budi Santoso, NIK 337401******0001"))
        #expect(lines.contains("Diterima          : Selasa, 17 Maret 2026 pukul 09:00 WIB"))
        #expect(lines.contains("Selesai paling lambat: Rabu, 25 Maret 2026 (1 hari kerja lagi)"))
        #expect(lines.contains("Retribusi         : Rp 25.000 (sisa Rp 25.000)"))
        // The full NIK never appears on a printed receipt.
        #expect(!r.stdout.contains(Applicant.nik))
    }

    /// The date of acceptance is the office's local date: 01:00 WIB on Wednesday 18 March is still
    /// 17 March in UTC, and the 18th is a cuti bersama, so a same-day service is due on the next
    /// working day, the 25th.
    @Test func acceptanceDateIsTheOfficesLocalDate() throws {
        let node = try TestNode.fresh()
        let r = try node.run(
            TestNode.createArguments("SKTM"), json: true, environment: ["SIMPUL_NOW": "2026-03-17T18:00:00Z"])
        expectSuccess(r)
        let p = try #require(try r.json()["permohonan"])
        #expect(p["acceptedOn"]?.string == "2026-03-18")
        #expect(p["dueOn"]?.string == "2026-03-25")
        #expect(p["workingDaysLeft"]?.int == 1)
        #expect(p["registeredAt"]?.string == "2026-03-17T18:00:00.000Z")
    }

    /// A NIK from a region missing from the Kemendagri list is accepted with a warning: codes change
    /// when regions split.
    @Test func unknownNIKRegionIsOnlyAWarning() throws {
        let node = try TestNode.fresh()
        let doc = try node.json(TestNode.createArguments("SKTM", nik: "3374991203850001"))
        #expect(doc["permohonan"]?["status"]?.string == "diproses")
        let warnings = try #require(doc["warnings"]?.strings)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("33.74.99") == true)
    }
}

extension PermohonanCommandTests {
    /// A letter that cannot be made takes no number and changes nothing: a missing or broken
    /// template, a file not at the operator step.
    @Test func aLetterThatCannotBeMadeChangesNothing() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        let conf = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-surat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: conf.appendingPathComponent("surat"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: conf) }

        let before = try node.snapshot()
        let early = try node.run(["permohonan", "surat", number, "--conf", Simpul.conf, "--petugas", "Budi"])
        expectRefused(early, exit: 65, mentioning: "surat dibuat pada tahap Entri data", "di tahap Verifikasi berkas")
        try node.advance(number, through: ["verifikasi"])
        let atOperator = try node.snapshot()

        let missing = try node.run(["permohonan", "surat", number, "--conf", conf.path, "--petugas", "Budi"])
        #expect(missing.status != 0)
        expectRefused(missing, exit: missing.status, mentioning: "SKTM.txt")
        try "klasifikasi: 400\njudul: SKTM\n---\nNama {{nama_lengkap}}\n".write(
            to: conf.appendingPathComponent("surat/SKTM.txt"), atomically: true, encoding: .utf8)
        let unknown = try node.run(["permohonan", "surat", number, "--conf", conf.path, "--petugas", "Budi"])
        #expect(unknown.status != 0)
        expectRefused(unknown, exit: unknown.status, mentioning: "nama_lengkap")
        #expect(try node.snapshot() == atOperator)
        #expect(before != atOperator)

        // With the shipped template the first letter takes number 1: the refusals used none.
        let made = try node.json(["permohonan", "surat", number, "--conf", Simpul.conf, "--petugas", "Budi"])
        #expect(made["nomorSurat"]?.string == "400/0001/33.74.01/2026")
    }
}
