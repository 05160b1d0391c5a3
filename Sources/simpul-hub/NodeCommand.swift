import ArgumentParser
import Foundation
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulSync

struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Pendaftaran node kecamatan: daftar, lihat, cabut.",
        subcommands: [Enroll.self, List.self, Revoke.self])

    struct Enroll: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Daftarkan kunci publik node (kunci baru menggantikan yang lama; yang lama tetap untuk memeriksa data lama; kunci yang dicabut tetap dicabut)."
        )
        @OptionGroup var store: HubOptions
        @Option(help: "Kode node, mis. 33.74.01.") var node: String
        @Option(help: "Kunci publik yang dicetak 'simpul init'.") var publicKey: String

        func run() throws {
            try execute { () throws(SimpulError) in
                let key = try NodeEnrollment.enroll(node, publicKey: publicKey, storage: try store.storage())
                if store.json { return try Console.printJSON(key) }
                print("Node \(key.node) terdaftar, sidik jari \(NodeIdentity.readable(key.fingerprint)).")
                print("Cocokkan sidik jari ini dengan yang dibacakan petugas kecamatan.")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Semua node dan kuncinya, dengan keadaan tiap kunci (aktif, diganti, dicabut) dan tanggalnya, "
                + "dan laporan terakhir tiap node (versi agen, selisih jam, ukuran penyimpanan, event menunggu).")
        @OptionGroup var store: HubOptions

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.storage()
                let keys = try s.keys(node: nil).filter { $0.node != s.info.node.rawValue }
                if store.json { return try Console.printJSON(keys) }
                if keys.isEmpty { return print("Belum ada node terdaftar.") }
                for k in keys {
                    let state = keyState(k)
                    print("\(k.node)  \(NodeIdentity.readable(k.fingerprint))  terdaftar \(k.enrolledAt)  \(state)")
                }
                // Only nodes that reported get a line: the key lines above stay as scripts read them.
                let enrolled = Set(keys.map(\.node))
                for report in try s.nodeReports() where enrolled.contains(report.node) {
                    print(NodeReportText.line(report, zona: s.info.zona))
                }
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cabut node: permintaannya berikutnya ditolak.")
        @OptionGroup var store: HubOptions
        @Option(help: "Kode node.") var node: String

        func run() throws {
            try execute { () throws(SimpulError) in
                guard let id = NodeID(node) else { throw SimpulError(.usage, "node: '\(node)' bukan kode node") }
                try store.storage().revoke(node: id)
                if store.json {
                    struct View: Encodable { var node: String, revoked: Bool }
                    return try Console.printJSON(View(node: id.rawValue, revoked: true))
                }
                print("Node \(id) dicabut; sinkron berikutnya dari node ini ditolak.")
            }
        }
    }
}
