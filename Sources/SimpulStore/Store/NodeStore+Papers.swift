import Crypto
import Foundation
import GRDB
import SimpulDomain

/// The code a printed tanda terima or kuitansi carries in its QR code and in print:
/// `SIMPUL:TT:01-26-00042-7:K3MZ-Q7XA`. The check binds the paper to the one event in the log that made
/// it, through what the paper does not show in full (the NIK, the event's dot and millisecond); any
/// node holding that event (the kecamatan, the hub, a node restored from it) recomputes it.
public struct PaperCode: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case tandaTerima = "TT"
        case kuitansi = "KW"

        public var label: String { self == .tandaTerima ? "tanda terima" : "kuitansi" }
    }

    public var kind: Kind
    /// The registration number or the receipt number.
    public var key: String
    /// Eight base32 characters, written `ABCD-EFGH`.
    public var check: String

    public var description: String { "SIMPUL:\(kind.rawValue):\(key):\(check.prefix(4))-\(check.dropFirst(4))" }

    public init(kind: Kind, key: String, check: String) {
        self.kind = kind
        self.key = key
        self.check = check
    }

    /// Reads a code as scanned or typed (any case, with or without the dash).
    /// - Throws: `SimpulError(.invalidData)` naming what is wrong.
    public init(parsing text: String) throws(SimpulError) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").map(String.init)
        guard parts.count == 4, parts[0].uppercased() == "SIMPUL", let kind = Kind(rawValue: parts[1].uppercased())
        else {
            throw SimpulError(
                .invalidData,
                "kode: '\(FreeText.shown(String(text.prefix(80))))' bukan kode kertas Simpul (SIMPUL:TT:... atau SIMPUL:KW:...)"
            )
        }
        let check = parts[3].uppercased().replacingOccurrences(of: "-", with: "")
        guard check.count == 8, check.allSatisfy({ Self.alphabet.contains($0) }), !parts[2].isEmpty,
            parts[2].count <= 40
        else {
            throw SimpulError(
                .invalidData, "kode: nilai periksa '\(FreeText.shown(String(parts[3].prefix(20))))' harus 8 huruf/angka"
            )
        }
        self.init(kind: kind, key: parts[2], check: check)
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    /// The first 40 bits of SHA-256 over the paper's facts, in base32.
    static func check(kind: Kind, key: String, event: Event, facts: String) -> String {
        let input = "\(kind.rawValue)|\(key)|\(event.dot.node):\(event.dot.seq)|\(event.at.milliseconds)|\(facts)"
        let digest = Array(SHA256.hash(data: Data(input.utf8)))
        var bits: UInt64 = 0
        for byte in digest.prefix(5) { bits = bits << 8 | UInt64(byte) }
        return String((0..<8).map { alphabet[Int((bits >> UInt64(35 - 5 * $0)) & 31)] })
    }
}

/// What a store says of a paper's code.
public enum PaperVerification: Sendable, Equatable {
    /// The paper matches the event that made it.
    case genuine(number: String, event: Event)
    /// The number is known here but the check differs: altered or forged.
    case mismatch(number: String)
    /// Nothing with that number is in this store (another kecamatan's paper not synced here).
    case unknown
}

extension NodeStore {
    /// The code of the tanda terima of permohonan `number`.
    public func tandaTerimaCode(_ number: String) throws(SimpulError) -> PaperCode {
        let event = try registrationEvent(number)
        return PaperCode(kind: .tandaTerima, key: number, check: Self.tandaTerimaCheck(number, event: event))
    }

    /// The code of kuitansi `receipt`, with the permohonan it was paid for and its payment event.
    public func kuitansiCode(_ receipt: String) throws(SimpulError) -> (code: PaperCode, number: String, event: Event) {
        guard let (number, event) = try paymentEvent(receipt) else {
            throw SimpulError(.notFound, "kuitansi \(FreeText.shown(String(receipt.prefix(40)))) tidak ada di node ini")
        }
        return (
            PaperCode(kind: .kuitansi, key: receipt, check: Self.kuitansiCheck(receipt, event: event, number: number)),
            number, event
        )
    }

    /// Checks a scanned or typed code against this store's log.
    public func verify(_ code: PaperCode) throws(SimpulError) -> PaperVerification {
        switch code.kind {
        case .tandaTerima:
            let event: Event
            do { event = try registrationEvent(code.key) } catch  where error.code == .notFound { return .unknown }
            return Self.tandaTerimaCheck(code.key, event: event) == code.check
                ? .genuine(number: code.key, event: event) : .mismatch(number: code.key)
        case .kuitansi:
            guard let (number, event) = try paymentEvent(code.key) else { return .unknown }
            return Self.kuitansiCheck(code.key, event: event, number: number) == code.check
                ? .genuine(number: number, event: event) : .mismatch(number: number)
        }
    }

    /// Counts one more printing of a paper and says how many came before (0: this is the original).
    public func recordPrint(_ kind: PaperCode.Kind, key: String) throws(SimpulError) -> Int {
        let at = now().description
        return try writeDB("mencatat cetakan") { db in
            let before =
                try Int.fetchOne(
                    db, sql: "SELECT printed FROM printed_paper WHERE kind = ? AND key = ?",
                    arguments: [kind.rawValue, key]) ?? 0
            try db.execute(
                sql: """
                    INSERT INTO printed_paper (kind, key, printed, first_at, last_at) VALUES (?, ?, 1, ?, ?)
                    ON CONFLICT (kind, key) DO UPDATE SET printed = printed + 1, last_at = excluded.last_at
                    """, arguments: [kind.rawValue, key, at, at])
            return before
        }
    }

    private func registrationEvent(_ number: String) throws(SimpulError) -> Event {
        guard let event = try history(number).first(where: { $0.body.type == .registered }) else {
            throw Projection.notFound(number)
        }
        return event
    }

    private func paymentEvent(_ receipt: String) throws(SimpulError) -> (String, Event)? {
        let number = try readDB("membaca pembayaran") { db in
            try String.fetchOne(db, sql: "SELECT number FROM pembayaran WHERE receipt = ?", arguments: [receipt])
        }
        guard let number else { return nil }
        let event = try history(number).first { e in
            if case .paymentReceived(let p) = e.body { return p.receipt == receipt }
            return false
        }
        return event.map { (number, $0) }
    }

    private static func tandaTerimaCheck(_ number: String, event: Event) -> String {
        guard case .registered(let r) = event.body else { return "" }
        return PaperCode.check(
            kind: .tandaTerima, key: number, event: event,
            facts: "\(r.pemohon.nik.digits)|\(r.layanan.code)|\(r.acceptedOn)|\(r.fee.map(String.init) ?? "-")")
    }

    private static func kuitansiCheck(_ receipt: String, event: Event, number: String) -> String {
        guard case .paymentReceived(let p) = event.body else { return "" }
        return PaperCode.check(kind: .kuitansi, key: receipt, event: event, facts: "\(number)|\(p.amount)")
    }
}
