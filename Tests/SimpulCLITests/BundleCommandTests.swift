import Foundation
import SimpulDomain
import SimpulTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Black-box: the sneakernet as officers run it, with the built `simpul` and `simpul-hub` binaries:
/// export at the counter, import and reply at the PTSP, import at the counter; bad files refused with
/// one line and their exit code; a relay over a real `simpul-hub serve` with TLS.
@Suite(.timeLimit(.minutes(10))) struct BundleCommandTests {
    // MARK: - Harness

    /// `simpul-hub` with the same fixed clock as `simpul` runs (unless told another one).
    private static func hub(_ args: [String], now: String = Simpul.fixedNow) throws -> CLIResult {
        let (ended, stdout, stderr) = try Child.run(
            try Simpul.binary().deletingLastPathComponent().appendingPathComponent("simpul-hub").path, args,
            environment: Simpul.environment(["SIMPUL_NOW": now]), timeout: .seconds(Simpul.timeoutSeconds))
        return CLIResult(
            arguments: args, status: ended.status, signal: ended.signal,
            stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A hub store in its own temporary folder, removed with it.
    private final class Hub: Sendable {
        let root: URL
        var data: String { root.appendingPathComponent("hub").path }
        let publicKey: String

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-bundle-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let made = try BundleCommandTests.hub([
                "init", "--node", "33.74", "--name", "DPMPTSP Kota Semarang", "--conf", Simpul.conf, "--data",
                root.appendingPathComponent("hub").path, "--json",
            ])
            guard made.succeeded, let key = try made.json()["publicKey"]?.string else {
                throw HarnessError(made.summary)
            }
            publicKey = key
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        func run(_ args: [String], now: String = Simpul.fixedNow) throws -> CLIResult {
            try BundleCommandTests.hub(args + ["--data", data], now: now)
        }

        func enroll(_ node: TestNode, as code: String = TestNode.nodeCode) throws {
            let key = try node.json(["status"])["publicKey"]?.string ?? ""
            let r = try run(["node", "enroll", "--node", code, "--public-key", key])
            guard r.succeeded else { throw HarnessError(r.summary) }
        }
    }

    /// A kecamatan set up with the hub's key and no link, as for an office that has never had one.
    private func offlineKecamatan(_ hub: Hub, node: String = TestNode.nodeCode) throws -> TestNode {
        let kec = try TestNode()
        let r = try Simpul.run([
            "init", "--data", kec.data, "--node", node, "--name", "Kantor \(node)", "--conf", Simpul.conf,
            "--hub-key", hub.publicKey,
        ])
        guard r.succeeded else { throw HarnessError(r.summary) }
        try hub.enroll(kec, as: node)
        return kec
    }

    /// The one bundle in a folder.
    private func onlyBundle(in folder: URL) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".simpulbundle")
        }
        guard names.count == 1 else { throw HarnessError("expected one bundle in \(folder.path): \(names)") }
        return folder.appendingPathComponent(names[0]).path
    }

    private func usbStick(_ node: TestNode, _ name: String = "usb") throws -> URL {
        let url = node.root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func forwardedPBG(_ kec: TestNode) throws -> String {
        let number = try #require(try kec.create("PBG-KECIL")["number"]?.string)
        try kec.json(["permohonan", "forward", number, "--petugas", Officer.loket])
        return number
    }

    // MARK: - Tests

    @Test func aRoundTripByUSBStickAsTheOfficersSeeIt() throws {
        let hub = try Hub()
        let kec = try offlineKecamatan(hub)
        let number = try forwardedPBG(kec)

        let usb = try usbStick(kec)
        let exported = try kec.run(["export", "--out", usb.path])
        expectSuccess(exported)
        let file = try onlyBundle(in: usb)
        #expect((file as NSString).lastPathComponent.hasPrefix("33.74.01-to-33.74-20260317-"))
        let lines = exported.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Bundle untuk hub 33.74 ditulis: \(file)")
        #expect(
            lines.contains("Isi: 1 change set (2 event) yang belum dimiliki hub; berlaku sampai 2026-04-16 09:00 WIB."))

        let inspected = try hub.run(["bundle", "inspect", file])
        expectSuccess(inspected)
        #expect(inspected.stdout.contains("Pengirim       : 33.74.01 "))
        #expect(inspected.stdout.contains("Tanda tangan   : sah"))
        #expect(inspected.stdout.contains("Untuk node ini : ya"))
        #expect(!inspected.stdout.contains(Applicant.nama))

        let imported = try hub.run(["import", file])
        expectSuccess(imported)
        #expect(imported.stdout.contains("diterapkan: 1 change set baru (2 event), 0 sudah dimiliki, 0 menunggu"))
        #expect(imported.stdout.contains("simpul-hub export --for 33.74.01 --out BERKAS"))
        let again = try hub.run(["import", file, "--json"])
        expectSuccess(again)
        #expect(try again.json()["applied"]?.int == 0)
        #expect(try again.json()["duplicate"]?.int == 1)

        let decided = try hub.run([
            "permohonan", "decide", number, "--kode", "50", "--retribusi", "150000", "--petugas", "Kabid",
        ])
        expectSuccess(decided)
        let back = try usbStick(kec, "balasan")
        let replied = try hub.run(["export", "--for", "33.74.01", "--out", back.path, "--json"])
        expectSuccess(replied)
        let replyFile = try #require(try replied.json()["file"]?.string)
        #expect(try replied.json()["recipient"]?.string == "33.74.01")
        #expect(try replied.json()["changeSets"]?.int == 1)

        let applied = try kec.run(["import", replyFile])
        expectSuccess(applied)
        #expect(applied.stdout.contains("dari 33.74 diterapkan: 1 change set baru (1 event)"))
        let p = try kec.show(number)
        #expect(p["tahap"]?.string == "penyerahan")
        #expect(p["fee"]?.int == 150_000)
        #expect(p["ptspCode"]?.string == "50")
        let twice = try kec.run(["import", replyFile])
        expectSuccess(twice)
        #expect(twice.stdout.contains("sudah dimiliki; tidak ada yang berubah"))
        // The reply acknowledged what the hub holds, so the next bundle carries only what is new.
        #expect(
            try kec.json(["export", "--out", kec.root.appendingPathComponent("next").path])["changeSets"]?.int == 0)
    }

    @Test func attachmentsGoByUSBStickWithWithBlobsAndAreNotCarriedAgainOnceTheHubConfirmsThem() throws {
        let hub = try Hub()
        let kec = try offlineKecamatan(hub)
        let number = try forwardedPBG(kec)
        let (scan, sha) = try AttachCommandTests.scan(kec, "gambar-rencana.pdf", bytes: 300_000)
        expectSuccess(
            try kec.run(["permohonan", "attach", number, scan, "--syarat", "gambar", "--petugas", Officer.loket]))

        // Without the flag the bundle carries the events only.
        let plain = try kec.json(["export", "--out", kec.root.appendingPathComponent("tanpa.simpulbundle").path])
        #expect(plain["blobs"]?.int == 0)
        let usb = try usbStick(kec)
        let exported = try kec.run(["export", "--out", usb.path, "--with-blobs"])
        expectSuccess(exported)
        #expect(exported.stdout.contains("Isi: 1 change set (3 event) yang belum dimiliki hub; berlaku sampai"))
        #expect(exported.stdout.contains("Lampiran: 1 berkas (293 KB) yang belum dikonfirmasi lengkap di hub."))
        let file = try onlyBundle(in: usb)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)).count > 300_000)
        // A relay sees the size, never the scan.
        let inspected = try hub.run(["bundle", "inspect", file])
        expectSuccess(inspected)
        #expect(!inspected.stdout.contains("gambar-rencana"))

        let imported = try hub.run(["import", file])
        expectSuccess(imported)
        #expect(imported.stdout.contains("diterapkan: 1 change set baru (3 event), 0 sudah dimiliki, 0 menunggu"))
        #expect(imported.stdout.contains("1 lampiran baru disimpan."))
        let shown = try hub.run(["permohonan", "show", number])
        #expect(shown.stdout.contains("sha256 \(sha.prefix(12)), syarat gambar) - lengkap di hub"), "\(shown.stdout)")
        let got = hub.root.appendingPathComponent("diterima.pdf").path
        expectSuccess(try hub.run(["blob", "get", String(sha.prefix(12)), "--out", got]))
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: got)) == Data(contentsOf: URL(fileURLWithPath: scan)))
        let again = try hub.run(["import", file, "--json"])
        expectSuccess(again)
        #expect(try again.json()["applied"]?.int == 0)
        #expect(try again.json()["blobs"]?.int == 0)

        let back = try usbStick(kec, "balasan")
        let replied = try hub.run(["export", "--for", "33.74.01", "--out", back.path, "--json"])
        expectSuccess(replied)
        #expect(try replied.json()["blobsConfirmed"]?.int == 1)
        let replyFile = try #require(try replied.json()["file"]?.string)
        let applied = try kec.run(["import", replyFile])
        expectSuccess(applied)
        #expect(applied.stdout.contains("1 lampiran dikonfirmasi sudah lengkap di hub."), "\(applied.stdout)")
        #expect(
            try kec.run(["permohonan", "show", number]).stdout.contains(
                "gambar-rencana.pdf (293 KB, sha256 \(sha.prefix(12)), syarat gambar) - sudah di hub"))
        let next = try kec.json([
            "export", "--out", kec.root.appendingPathComponent("berikut.simpulbundle").path, "--with-blobs",
        ])
        #expect(next["blobs"]?.int == 0)
        #expect(next["changeSets"]?.int == 0)
    }

    @Test func badFilesAreRefusedWithOneLineAndTheirExitCode() throws {
        let hub = try Hub()
        let kec = try offlineKecamatan(hub)
        _ = try forwardedPBG(kec)
        let good = kec.root.appendingPathComponent("ke-ptsp.simpulbundle").path
        expectSuccess(try kec.run(["export", "--out", good, "--expires-days", "3"]))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let cut = kec.root.appendingPathComponent("terpotong.simpulbundle")
        try bytes.prefix(bytes.count / 2).write(to: cut)
        var damaged = bytes
        damaged[bytes.count / 2] ^= 0x04
        let changed = kec.root.appendingPathComponent("rusak.simpulbundle")
        try damaged.write(to: changed)
        let photo = try kec.writeFile("foto.jpg", "\u{FF}\u{D8}\u{FF}\u{E0} bukan bundle")

        func hubRefuses(_ file: String, exit code: Int32, _ word: String, now: String = Simpul.fixedNow) throws {
            let r = try hub.run(["import", file], now: now)
            #expect(r.status == code, "\(r.summary)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderrLines.count == 1, "\(r.stderr)")
            #expect(r.stderr.hasPrefix("simpul-hub: "), "\(r.stderr)")
            #expect(r.stderr.contains(word), "\(r.stderr)")
        }
        try hubRefuses(cut.path, exit: 65, "bundle terpotong:")
        try hubRefuses(changed.path, exit: 65, "bundle rusak:")
        try hubRefuses(photo, exit: 65, "bundle asing:")
        try hubRefuses(good, exit: 65, "bundle kedaluwarsa:", now: "2026-03-21T09:00:00+07:00")
        try hubRefuses(kec.root.appendingPathComponent("tidak-ada").path, exit: 66, "tidak ada")
        // Nothing of them reached the hub; the good file still does.
        #expect(try hub.run(["permohonan", "list", "--json"]).json()["count"]?.int == 0)
        expectSuccess(try hub.run(["import", good]))
        #expect(try hub.run(["permohonan", "list", "--json"]).json()["count"]?.int == 1)

        // The counter's own export is for the hub, not for the counter.
        expectRefused(try kec.run(["import", good]), exit: 65, mentioning: "bundle salah alamat:", "33.74")
        expectRefused(
            try kec.run(["export", "--out", good, "--expires-days", "0"]), exit: 64, mentioning: "expires-days")
        // Set up for bundles only: a sync has nowhere to go, and a key that is no key is refused at init.
        expectRefused(try kec.run(["sync"]), exit: 64, mentioning: "belum punya alamat hub")
        let typo = try TestNode()
        expectRefused(
            try Simpul.run([
                "init", "--data", typo.data, "--node", "33.74.02", "--name", "Kec", "--conf", Simpul.conf,
                "--hub-key", "bukan-kunci",
            ]), exit: 64, mentioning: "hub-key")
        #expect(try typo.dataFiles().isEmpty)
        let unlinked = try TestNode.fresh()
        expectRefused(
            try unlinked.run(["export", "--out", unlinked.root.path]), exit: 65, mentioning: "kunci hub belum diketahui"
        )

        expectSuccess(try hub.run(["node", "revoke", "--node", "33.74.01"]))
        let revoked = try hub.run(["import", good])
        #expect(revoked.status == 77, "\(revoked.summary)")
        #expect(revoked.stderr.contains("dicabut"))
        let noReply = try hub.run(["export", "--for", "33.74.01", "--out", hub.root.path])
        #expect(noReply.status == 77, "\(noReply.summary)")
    }

    @Test func aRelayCarriesALaptopsBundleOverARealHubWithoutReadingIt() throws {
        let hub = try Hub()
        let certs = hub.root.appendingPathComponent("certs").path
        expectSuccess(try Self.hub(["dev-cert", "--out", certs, "--host", "localhost"]))
        let server = try Child(
            Simpul.binary().deletingLastPathComponent().appendingPathComponent("simpul-hub").path,
            [
                "serve", "--data", hub.data, "--listen", "127.0.0.1:0", "--tls-cert", certs + "/cert.pem", "--tls-key",
                certs + "/key.pem",
            ],
            // The real clock: request signatures are checked against the hub's clock.
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SIMPUL_") }, stderr: .null)
        defer { server.signal(SIGKILL) }
        let line = try #require(server.stdout.firstLine(within: .seconds(30)))
        let url = try #require(
            line.components(separatedBy: "mendengarkan di ").last?.trimmingCharacters(in: .whitespacesAndNewlines))

        // The kecamatan has the link; the field laptop has never had one.
        let realClock = ["SIMPUL_NOW": ""]
        let kec = try TestNode()
        expectSuccess(
            try Simpul.run(
                [
                    "init", "--data", kec.data, "--node", "33.74.01", "--name", "Kec", "--conf", Simpul.conf, "--hub",
                    url, "--hub-ca", certs + "/cert.pem",
                ], environment: realClock
            ))
        try hub.enroll(kec)
        expectSuccess(try kec.run(["sync"], environment: realClock))
        let laptop = try offlineKecamatan(hub, node: "33.74.01-1")
        let sktm = try #require(try laptop.create("SKTM")["number"]?.string)
        let carried = laptop.root.appendingPathComponent("laptop.simpulbundle").path
        expectSuccess(try laptop.run(["export", "--out", carried], environment: realClock))

        let seen = try kec.run(["bundle", "inspect", carried], environment: realClock)
        expectSuccess(seen)
        #expect(seen.stdout.contains("Pengirim       : 33.74.01-1 "))
        #expect(seen.stdout.contains("tidak bisa diperiksa di sini"))
        #expect(seen.stdout.contains("Untuk node ini : tidak"))
        expectRefused(try kec.run(["import", carried], environment: realClock), exit: 65, mentioning: "salah alamat")

        let pushed = try kec.run(["relay", "push", carried, "--json"], environment: realClock)
        expectSuccess(pushed)
        #expect(try pushed.json()["sender"]?.string == "33.74.01-1")
        #expect(try pushed.json()["applied"]?.int == 1)
        let atHub = try hub.run(["permohonan", "show", sktm, "--json"])
        expectSuccess(atHub)

        let reply = laptop.root.appendingPathComponent("balasan.simpulbundle").path
        let fetched = try kec.run(["relay", "fetch", "--for", "33.74.01-1", "--out", reply], environment: realClock)
        expectSuccess(fetched)
        #expect(fetched.stdout.contains("Hanya node 33.74.01-1 yang bisa membukanya"))
        expectRefused(try kec.run(["import", reply], environment: realClock), exit: 65, mentioning: "33.74.01-1")
        let opened = try laptop.run(["import", reply, "--json"], environment: realClock)
        expectSuccess(opened)
        #expect(try opened.json()["sender"]?.string == "33.74")

        // A relay only hands the hub what is addressed to the hub.
        expectRefused(
            try kec.run(["relay", "push", reply], environment: realClock), exit: 65, mentioning: "bundle salah alamat:")

        server.signal(SIGTERM)
        #expect(try server.waitOrKill(timeout: .seconds(30)) == .exited(0))
        let down = try kec.run(["relay", "push", carried], environment: realClock)
        #expect(down.status == 75, "\(down.summary)")
        #expect(down.stderrLines.count == 1)
    }
}
