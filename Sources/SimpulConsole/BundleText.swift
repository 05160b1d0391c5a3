import SimpulDomain
import SimpulSync

extension BundleImport {
    /// One line for the officer: what was new, what was already held.
    public var summary: String {
        var more = ""
        if blobs > 0 { more += " \(blobs) lampiran baru disimpan." }
        if blobsSkipped > 0 {
            more +=
                " \(blobsSkipped) lampiran belum disimpan karena event lampirannya belum ada di sini; ikut bundle berikutnya."
        }
        if blobsConfirmed > 0 { more += " \(blobsConfirmed) lampiran dikonfirmasi sudah lengkap di hub." }
        if changeSets == 0 {
            return more.isEmpty
                ? "Bundle \(bundle) dari \(sender) tidak membawa change set; tidak ada yang berubah."
                : "Bundle \(bundle) dari \(sender) tidak membawa change set." + more
        }
        if applied == 0 && parked == 0 {
            return more.isEmpty
                ? "Bundle \(bundle) dari \(sender): semua \(changeSets) change set sudah dimiliki; tidak ada yang berubah."
                : "Bundle \(bundle) dari \(sender): semua \(changeSets) change set sudah dimiliki." + more
        }
        return "Bundle \(bundle) dari \(sender) diterapkan: \(applied) change set baru (\(events) event), "
            + "\(duplicate) sudah dimiliki, \(parked) menunggu dependensi." + more
    }
}

extension BundleInspection {
    /// The inspection as an officer reads it, times in the office's zone.
    public func lines(zona: Zona) -> [String] {
        let m = manifest
        func local(_ t: Timestamp) -> String { "\(t.localText(offsetMinutes: zona.offsetMinutes)) \(zona.rawValue)" }
        let signed =
            switch signature {
            case .valid: "sah, tidak ada byte yang berubah sejak dibuat"
            case .unknownSender:
                "tidak bisa diperiksa di sini (kunci pengirim tidak dikenal node ini); penerima memeriksanya"
            case .revoked: "kunci pengirim DICABUT; penerima akan menolaknya"
            }
        return [
            "Bundle \(m.id) (format \(m.format), jaringan \(m.network))",
            "Pengirim       : \(m.sender.node) (kunci \(NodeIdentity.readable(m.sender.key)))",
            "Penerima       : \(m.recipient.node) (kunci \(NodeIdentity.readable(m.recipient.key)))",
            "Dibuat         : \(local(m.createdAt))",
            "Berlaku sampai : \(local(m.expiresAt))" + (expired ? " - SUDAH KEDALUWARSA" : ""),
            "Ukuran         : \(size) byte",
            "Tanda tangan   : \(signed)",
            "Untuk node ini : "
                + (forThisNode
                    ? "ya, bisa dibuka di sini"
                    : "tidak; node ini hanya bisa meneruskannya, isinya tidak bisa dibaca di sini"),
        ]
    }
}
