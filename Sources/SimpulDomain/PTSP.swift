/// The OSS status codes a forwarded file carries back from the PTSP (OSS integration guide,
/// Lampiran 10).
public enum PTSPStatus {
    public enum Kind: String, Sendable {
        case progress
        case approved
        case rejected
    }

    public struct Entry: Sendable {
        public var code: String
        public var label: String
        public var kind: Kind
    }

    public static let all: [Entry] = [
        Entry(code: "05", label: "Penapisan", kind: .progress),
        Entry(code: "10", label: "Dokumen lengkap", kind: .progress),
        Entry(code: "11", label: "Belum lengkap", kind: .progress),
        Entry(code: "20", label: "Validasi", kind: .progress),
        Entry(code: "40", label: "Inspeksi", kind: .progress),
        Entry(code: "45", label: "Persyaratan terverifikasi", kind: .progress),
        Entry(code: "50", label: "Disetujui", kind: .approved),
        Entry(code: "52", label: "Terbit sementara", kind: .approved),
        Entry(code: "57", label: "Fiktif-positif", kind: .approved),
        Entry(code: "90", label: "Ditolak", kind: .rejected),
        Entry(code: "93", label: "Penolakan persyaratan", kind: .rejected),
    ]

    public static func entry(_ code: String) -> Entry? { all.first { $0.code == code } }

    public static func label(_ code: String) -> String { entry(code).map { "\(code) \($0.label)" } ?? code }
}

/// Who may write what, where: the rule the hub checks on every change set and every store checks
/// before it records a local command.
public enum EventAuthorization {
    /// Event types the kecamatan counter writes.
    public static let kecamatanTypes: Set<String> = [
        "permohonan.registered", "permohonan.step-completed", "permohonan.forwarded", "permohonan.withdrawn",
        "permohonan.rejected", "pembayaran.received", "permohonan.attached",
    ]
    /// Event types only the PTSP hub writes.
    public static let hubTypes: Set<String> = [
        "permohonan.ptsp-progress", "permohonan.decided", "permohonan.settled", "katalog.published",
        "kalender.published",
    ]
    /// Event types of the global partition (the kabupaten's reference data).
    public static let globalTypes: Set<String> = ["katalog.published", "kalender.published"]

    /// Why `author` may not write an event of `type` into `partition`, or nil when it may.
    public static func refusal(type: String, author: NodeID, partition: String) -> String? {
        guard EventBody.allTypes.contains(type) else { return "jenis event '\(type)' tidak dikenal" }
        let isGlobal = partition == author.kabupaten.code
        if author.isHub {
            guard isGlobal || partition.hasPrefix(author.kabupaten.code + "."),
                KodeWilayah(partition)?.level == .kecamatan || isGlobal
            else {
                return "hub \(author) hanya menulis partisi kabupatennya, bukan \(partition)"
            }
            guard hubTypes.contains(type) else { return "event \(type) hanya ditulis oleh kecamatan, bukan hub" }
        } else {
            guard partition == author.homePartition else {
                return "node \(author) hanya menulis partisinya sendiri (\(author.homePartition)), bukan \(partition)"
            }
            guard kecamatanTypes.contains(type) else { return "event \(type) hanya ditulis oleh PTSP (hub)" }
        }
        if globalTypes.contains(type) != isGlobal {
            return isGlobal
                ? "partisi global \(partition) hanya berisi katalog dan kalender"
                : "event \(type) hanya di partisi global \(author.kabupaten)"
        }
        return nil
    }
}
