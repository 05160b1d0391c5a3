import SimpulDomain
import SimpulStore

/// Enrolling a kecamatan's key at the hub: the one rule behind `simpul-hub node enroll` and the back
/// office's node page.
public enum NodeEnrollment {
    /// Enrolls `publicKey` for `node`, a kecamatan of the hub's kabupaten. When `readBack` is given (the
    /// fingerprint the kecamatan officer read over the phone), it must match the key's, so a key pasted
    /// from the wrong message or changed on the way is caught before it is trusted.
    public static func enroll(
        _ node: String, publicKey: String, readBack: String? = nil, store: NodeStore
    ) throws(SimpulError) -> NodeKey {
        try enroll(node, publicKey: publicKey, readBack: readBack, storage: SQLiteHubStorage(store))
    }

    /// The same, on whichever storage the hub keeps.
    public static func enroll(
        _ node: String, publicKey: String, readBack: String? = nil, storage store: any HubStorage
    ) throws(SimpulError) -> NodeKey {
        guard let id = NodeID(node), !id.isHub else {
            throw SimpulError(
                .usage, "node: '\(FreeText.shown(String(node.prefix(40))))' bukan kode node kecamatan (mis. 33.74.01)")
        }
        guard id.kabupaten == store.info.node.kabupaten else {
            throw SimpulError(.invalidData, "node: \(id) bukan kecamatan di \(store.info.node.kabupaten)")
        }
        let parsed: (raw: [UInt8], fingerprint: String)
        do throws(SyncError) { parsed = try NodeIdentity.parsePublicKey(publicKey) } catch {
            throw SimpulError(.invalidData, "public-key: \(error.message)")
        }
        // The refusal does not name the key's own fingerprint: shown, it would be copied instead of compared.
        if let readBack {
            let typed = readBack.lowercased().filter { $0.isHexDigit }
            guard typed == parsed.fingerprint.lowercased() else {
                throw SimpulError(
                    .invalidData,
                    "sidik jari: yang dibacakan tidak cocok dengan kunci yang ditempel; minta petugas kecamatan membacakannya lagi dan periksa kuncinya"
                )
            }
        }
        return try store.enroll(node: id, publicKey: publicKey, fingerprint: parsed.fingerprint)
    }
}
