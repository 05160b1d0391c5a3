/// A record one node keeps of its own facts, beside the permohonan: the kasir's cash book. Its events
/// are facts that follow no workflow, so every replica projects each of them as it is, with no fold
/// and no conflicts. The record names its kind, the writing node's registration prefix and a key:
/// `KAS/01/2026-12-03` is the cash book of node `01` (kecamatan 01) for 3 December 2026.
///
/// The prefix ties the record to one node as a registration number does: only the node with that
/// prefix writes it, into its own kecamatan's partition, so a stolen node cannot close another's till.
public struct LedgerRecord: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// The kasir's day: closings and deposits (`kas.closed`, `kas.deposited`).
        case kas = "KAS"
        /// A month's anonymous survey responses (`skm.recorded`): `SKM/01/2026-11`.
        case skm = "SKM"
        /// One complaint and what became of it (`pengaduan.*`): `ADU/01/26-00003`, numbered per node
        /// and year without gaps.
        case aduan = "ADU"
    }

    public var kind: Kind
    /// The writing node's registration prefix (`01`, or `011` for a sub-node).
    public var prefix: String
    public var key: String

    public var description: String { "\(kind.rawValue)/\(prefix)/\(key)" }

    public init(kind: Kind, prefix: String, key: String) {
        self.kind = kind
        self.prefix = prefix
        self.key = key
    }

    /// The cash book of one node's day.
    public static func kas(prefix: String, day: LocalDate) -> LedgerRecord {
        LedgerRecord(kind: .kas, prefix: prefix, key: day.description)
    }

    /// The survey responses one node took in a month.
    public static func skm(prefix: String, year: Int, month: Int) -> LedgerRecord {
        LedgerRecord(kind: .skm, prefix: prefix, key: SurveyResponse.monthText(year: year, month: month))
    }

    /// A node's n-th complaint of a year: `ADU/01/26-00003`.
    public static func aduan(prefix: String, year: Int, sequence: Int) -> LedgerRecord {
        let yy = String(year % 100)
        let seq = String(sequence)
        return LedgerRecord(
            kind: .aduan, prefix: prefix,
            key: "\(yy.count < 2 ? "0" : "")\(yy)-\(String(repeating: "0", count: max(0, 5 - seq.count)))\(seq)")
    }

    /// Reads a record name; nil unless it has exactly the form a node writes: a known kind, a prefix
    /// of 2 or 3 digits, a key of 1 to 32 letters, digits or dashes.
    public init?(parsing text: String) {
        let parts = text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 3, let kind = Kind(rawValue: String(decoding: parts[0], as: UTF8.self)),
            (2...3).contains(parts[1].count), parts[1].allSatisfy({ $0 >= 48 && $0 <= 57 }),
            (1...32).contains(parts[2].count),
            parts[2].allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || $0 == UInt8(ascii: "-") })
        else { return nil }
        self.init(
            kind: kind, prefix: String(decoding: parts[1], as: UTF8.self),
            key: String(decoding: parts[2], as: UTF8.self))
    }
}

/// The kasir's daily closing (tutup kas): the receipts of one day as the node's log holds them, so
/// the PTSP can set what was received against what was deposited. A later closing of the same day
/// (receipts taken after the first closing) replaces the earlier one.
public struct KasClosing: Sendable, Equatable, Codable {
    public var day: LocalDate
    /// How many receipts the node issued that day, and their total in rupiah.
    public var receipts: Int
    public var total: Int64
    /// The day's first and last receipt numbers; absent on a day with no receipts.
    public var firstReceipt: String?
    public var lastReceipt: String?

    public init(day: LocalDate, receipts: Int, total: Int64, firstReceipt: String?, lastReceipt: String?) {
        self.day = day
        self.receipts = receipts
        self.total = total
        self.firstReceipt = firstReceipt
        self.lastReceipt = lastReceipt
    }
}

/// Money the kasir handed to the kabupaten treasury (setoran ke kas daerah), with the bank's or the
/// treasurer's reference as proof.
public struct KasDeposit: Sendable, Equatable, Codable {
    public var day: LocalDate
    public var amount: Int64
    /// The reference on the proof of deposit (a bank transaction number, the treasurer's STS number).
    public var reference: String
    public var note: String?

    public init(day: LocalDate, amount: Int64, reference: String, note: String? = nil) {
        self.day = day
        self.amount = amount
        self.reference = reference
        self.note = note
    }

    /// The longest reference kept: bank and treasury references are a few dozen characters.
    public static let maxReferenceLength = 60
}

extension KasClosing {
    /// The largest amount a closing or deposit may carry: a kecamatan takes millions of rupiah a
    /// day, so anything near this is a typing slip or a forgery, and sums of many stay far from overflow.
    public static let maxAmount: Int64 = 1_000_000_000_000
    public static let maxReceipts = 1_000_000

    /// What is wrong with a closing's figures, or nil.
    public var problem: String? {
        guard (0...Self.maxReceipts).contains(receipts), (0...Self.maxAmount).contains(total) else {
            return "tutup kas: jumlah kuitansi atau total di luar batas"
        }
        guard (receipts == 0) == (firstReceipt == nil), (receipts == 0) == (lastReceipt == nil),
            (firstReceipt?.utf8.count ?? 0) <= 40, (lastReceipt?.utf8.count ?? 0) <= 40
        else { return "tutup kas: nomor kuitansi pertama/terakhir tidak sesuai jumlah kuitansi" }
        return nil
    }
}

extension KasDeposit {
    /// What is wrong with a deposit's figures, or nil.
    public var problem: String? {
        guard amount >= 1 else { return "setoran: jumlah harus lebih dari Rp 0" }
        guard amount <= KasClosing.maxAmount else {
            return "setoran: jumlah melebihi batas \(Rupiah.format(KasClosing.maxAmount))"
        }
        guard (1...Self.maxReferenceLength).contains(reference.count),
            (try? FreeText.clean(reference, field: "bukti")) == reference
        else {
            return "setoran: bukti harus 1 sampai \(Self.maxReferenceLength) karakter tanpa karakter kendali"
        }
        if let note, !(1...500).contains(note.count) || (try? FreeText.clean(note, field: "catatan")) != note {
            return "setoran: catatan harus 1 sampai 500 karakter tanpa karakter kendali"
        }
        return nil
    }
}
