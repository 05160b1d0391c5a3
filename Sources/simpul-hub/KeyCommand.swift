import ArgumentParser
import Foundation
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulSync

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Kunci tanda tangan hub: lihat dan ganti.", subcommands: [List.self, Rotate.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Semua kunci hub ini, yang aktif dan yang sudah diganti, dengan tanggalnya.")
        @OptionGroup var store: HubOptions

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                let keys = try s.keys(node: s.info.node.rawValue)
                if store.json { return try Console.printJSON(keys) }
                for k in keys {
                    let state = keyState(k)
                    let endorsed = k.endorsement == nil ? "" : "  disahkan kunci sebelumnya"
                    print(
                        "\(k.node)  \(NodeIdentity.readable(k.fingerprint))  sejak \(k.enrolledAt)  \(state)\(endorsed)"
                    )
                }
            }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Ganti kunci hub: kunci baru disahkan kunci lama dan sampai ke setiap node pada sinkron berikutnya (hentikan 'simpul-hub serve' dulu)."
        )
        @OptionGroup var store: HubOptions

        func run() throws {
            try execute { () throws(SimpulError) in
                let s = try store.open()
                // The lock `simpul-hub serve` holds: a running server would go on signing with the old key.
                let lock: SyncLock
                do throws(SimpulError) {
                    lock = try SyncLock.acquire(directory: store.directory)
                } catch  where error.code == .busy {
                    throw SimpulError(
                        .busy, "simpul-hub serve sedang berjalan pada folder ini; hentikan dulu, lalu ganti kunci")
                }
                let rotation = try withExtendedLifetime(lock) { () throws(SimpulError) in
                    try HubKeyRotation.rotate(store: s, directory: store.directory, logger: HubEnvironment.logger)
                }
                if store.json { return try Console.printJSON(rotation.active) }
                print("Kunci hub diganti.")
                print("Kunci baru: \(NodeIdentity.readable(rotation.active.fingerprint)) (aktif).")
                print(
                    "Kunci lama: \(NodeIdentity.readable(rotation.retired.fingerprint)) (diganti; disimpan di \(rotation.retiredFile))."
                )
                print("Node kecamatan mengambil kunci baru pada sinkron berikutnya; jalankan lagi 'simpul-hub serve'.")
            }
        }
    }
}
