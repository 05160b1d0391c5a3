import Foundation
import SimpulStore

/// What `simpul backup` and `simpul-hub backup` tell the officer after a backup.
public enum BackupText {
    public static func lines(_ backup: StoreBackup, dataDirectory: String) -> [String] {
        let megabytes = Double(backup.bytes) / 1_000_000
        let keyFile = (dataDirectory as NSString).appendingPathComponent("node.key")
        return [
            "Cadangan penyimpanan node \(backup.node) ditulis ke \(backup.path)",
            "(\(backup.events) event, \(String(format: "%.1f", megabytes)) MB, diperiksa utuh).",
            "Cadangan berisi data pribadi warga: simpan di tempat terkunci, bersama salinan \(keyFile).",
        ]
    }
}
