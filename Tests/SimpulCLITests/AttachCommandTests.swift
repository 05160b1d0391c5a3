import Crypto
import Foundation
import SimpulDomain
import Testing

/// Black-box: `simpul permohonan attach` on the built binary.
@Suite("simpul permohonan attach", .timeLimit(.minutes(10)))
struct AttachCommandTests {
    static func scan(_ node: TestNode, _ name: String, bytes count: Int) throws -> (path: String, sha256: String) {
        let content = Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) })
        let url = node.root.appendingPathComponent(name)
        try content.write(to: url)
        return (url.path, SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined())
    }

    @Test func aScanIsAttachedShownAndLogged() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        let (path, sha) = try Self.scan(node, "KTP Budi.jpg", bytes: 180_000)

        let r = try node.run(["permohonan", "attach", number, path, "--syarat", "ktp", "--petugas", Officer.loket])
        expectSuccess(r)
        #expect(r.stdout.contains("Lampiran dicatat untuk permohonan \(number):"))
        #expect(r.stdout.contains("KTP Budi.jpg (176 KB, sha256 \(sha.prefix(12)), syarat ktp)"))

        let (second, secondSHA) = try Self.scan(node, "kk.pdf", bytes: 2_000)
        let doc = try node.json(["permohonan", "attach", number, second, "--petugas", Officer.loket])
        #expect(doc["attachment"]?["sha256"]?.string == secondSHA)
        #expect(doc["attachment"]?["name"]?.string == "kk.pdf")
        #expect(doc["attachment"]?["mediaType"]?.string == "application/pdf")
        #expect(doc["attachment"]?["size"]?.int == 2_000)
        #expect(doc["attachment"]?["syarat"] == nil)
        #expect(doc["attachment"]?["complete"]?.bool == true)
        #expect(doc["attachment"]?["atHub"]?.bool == false)
        #expect(doc["permohonan"]?["attachments"]?.array?.count == 2)
        #expect(doc["permohonan"]?["attachments"]?[0]?["mediaType"]?.string == "image/jpeg")

        let shown = try node.run(["permohonan", "show", number])
        expectSuccess(shown)
        #expect(
            shown.stdout.contains(
                "Lampiran          : KTP Budi.jpg (176 KB, sha256 \(sha.prefix(12)), syarat ktp) - belum terkirim ke hub\n"
            ))
        #expect(
            shown.stdout.contains(
                "                    kk.pdf (2 KB, sha256 \(secondSHA.prefix(12))) - belum terkirim ke hub\n"))
        let log = try node.run(["permohonan", "log", number])
        #expect(log.stdout.contains("Sari (loket) (Petugas Loket)  Lampiran KTP Budi.jpg (176 KB"))
        let check = try node.json(["admin", "check"])
        #expect(check["integrity"]?.string == "ok")
        #expect(check["foldMatches"]?.bool == true)
    }

    @Test func aMissingFileIsExit66WithOneLine() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        let before = try node.snapshot()
        let missing = node.root.appendingPathComponent("tidak-ada.pdf").path
        let r = try node.run(["permohonan", "attach", number, missing, "--petugas", Officer.loket])
        expectRefused(r, exit: 66, mentioning: "file:", "tidak-ada.pdf", "tidak ada")
        #expect(try node.snapshot() == before)
    }

    @Test func aFileOverTheLimitIsExit65AndNothingIsStored() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        let before = try node.snapshot()
        let size = try node.dataFiles()["simpul.sqlite"]?.count ?? 0
        let big = node.root.appendingPathComponent("video.mp4")
        #expect(FileManager.default.createFile(atPath: big.path, contents: nil))
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: 21 * 1024 * 1024)
        try handle.close()
        let r = try node.run(["permohonan", "attach", number, big.path, "--petugas", Officer.loket])
        expectRefused(r, exit: 65, mentioning: "terlalu besar", "21 MB", "20 MB")
        #expect(try node.snapshot() == before)
        #expect((try node.dataFiles()["simpul.sqlite"]?.count ?? 0) <= size + 64 * 1024)
    }

    @Test func badInputIsRefusedWithTheRule() throws {
        let node = try TestNode.fresh()
        let number = try #require(try node.create("SKTM")["number"]?.string)
        let (path, _) = try Self.scan(node, "ktp.pdf", bytes: 1_000)
        let empty = node.root.appendingPathComponent("kosong.pdf")
        #expect(FileManager.default.createFile(atPath: empty.path, contents: Data()))
        let before = try node.snapshot()
        expectRefused(
            try node.run(["permohonan", "attach", number, path, "--syarat", "akta", "--petugas", Officer.loket]),
            exit: 65, mentioning: "syarat", "akta")
        expectRefused(
            try node.run(["permohonan", "attach", number, empty.path, "--petugas", Officer.loket]), exit: 65,
            mentioning: "kosong")
        let unknown = RegistrationNumber(prefix: "01", year: 2026, sequence: 99).text
        expectRefused(
            try node.run(["permohonan", "attach", unknown, path, "--petugas", Officer.loket]), exit: 66,
            mentioning: unknown)
        expectRefused(try node.run(["permohonan", "attach", number, path]), exit: 64, mentioning: "petugas")
        #expect(try node.snapshot() == before)
        // Attached once, the same bytes are refused the second time; a closed permohonan takes none.
        expectSuccess(try node.run(["permohonan", "attach", number, path, "--petugas", Officer.loket]))
        expectRefused(
            try node.run(["permohonan", "attach", number, path, "--petugas", Officer.loket]), exit: 65,
            mentioning: "sudah dilampirkan")
        expectSuccess(try node.run(["permohonan", "reject", number, "--alasan", "palsu", "--petugas", "Rina"]))
        let (other, _) = try Self.scan(node, "kk.pdf", bytes: 500)
        expectRefused(
            try node.run(["permohonan", "attach", number, other, "--petugas", Officer.loket]), exit: 65,
            mentioning: "sudah ditutup")
    }
}
