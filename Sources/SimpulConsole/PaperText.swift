import SimpulDomain
import SimpulStore

/// `simpul verify` and `simpul-hub verify`: a printed paper's code checked against the store's log.
public enum PaperText {
    struct View: Encodable {
        var result: String
        var kind: String
        var key: String
        var number: String?
        var recordedAt: Timestamp?
        var officer: String?
    }

    /// Prints what the store says of `text`; a paper that does not match, or that this store does not
    /// hold, ends with the documented exit code (65 altered, 66 unknown here) after saying so.
    public static func verify(_ text: String, store: NodeStore, json: Bool) throws(SimpulError) {
        let code = try PaperCode(parsing: text)
        let verification = try store.verify(code)
        let offset = store.info.zona.offsetMinutes
        switch verification {
        case .genuine(let number, let event):
            if json {
                return try Console.printJSON(
                    View(
                        result: "asli", kind: code.kind.label, key: code.key, number: number, recordedAt: event.at,
                        officer: event.officer))
            }
            let p = try store.permohonan(number)
            print("ASLI: \(code.kind.label) \(code.key) sesuai catatan \(store.info.name).")
            print(
                FreeText.shown(
                    "Permohonan \(number), \(p.layanan.code), \(p.pemohon.nama), NIK \(p.pemohon.nik.masked), status \(Render.statusLabel(p))"
                ))
            if case .paymentReceived(let payment) = event.body {
                print(
                    "Kuitansi \(payment.receipt): \(Rupiah.format(payment.amount)) (\(Terbilang.rupiah(payment.amount)))"
                )
            }
            print(
                FreeText.shown(
                    "Dicatat \(event.at.localText(offsetMinutes: offset)) \(store.info.zona.rawValue) oleh \(event.officer)"
                ))
        case .mismatch(let number):
            if json {
                try Console.printJSON(View(result: "tidak-cocok", kind: code.kind.label, key: code.key, number: number))
            }
            throw SimpulError(
                .invalidData,
                "TIDAK COCOK: \(code.kind.label) \(code.key) ada, tetapi kode periksanya lain; kertas ini diubah atau dipalsukan"
            )
        case .unknown:
            if json { try Console.printJSON(View(result: "tidak-ada", kind: code.kind.label, key: code.key)) }
            throw SimpulError(
                .notFound,
                "\(code.kind.label) \(FreeText.shown(code.key)) tidak tercatat di \(store.info.name) (mungkin dari kecamatan lain yang belum tersinkron)"
            )
        }
    }
}
