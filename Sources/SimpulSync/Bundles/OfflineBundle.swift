import Crypto
import Foundation
import SimpulDomain
import SimpulStore

/// The offline bundle container (`sync-schemas/bundle.md`): a cleartext manifest, a payload encrypted to
/// the recipient's key, and the sender's signature over both, for sync by USB stick, courier or email.
///
/// The recipient's X25519 key is derived from its enrolled Ed25519 key (`Curve25519Conversion`), so
/// nothing new is enrolled. Only the recipient can read a bundle; anyone with the sender's public key
/// (a relay too) can check that no byte changed.
public enum OfflineBundle {
    public static let magic: [UInt8] = Array("SIMPULBUNDLE".utf8)
    public static let formatVersion: UInt8 = 1
    /// Plaintext bytes per encrypted chunk; each chunk adds a 16-byte tag.
    public static let chunkSize = 65_536

    static let tagSize = 16
    static let signatureSize = 64
    /// Magic, version byte, manifest length (4 bytes) and the prefix check (4 bytes).
    static let prefixSize = 21
    static let maxManifestLength = 65_536
    /// A terabyte: far beyond any bundle, low enough that no offset arithmetic overflows.
    static let maxPayloadLength = 1 << 40
    static let signatureContext: [UInt8] = Array("simpul-bundle-v1\n".utf8)
    static let keyContext: [UInt8] = Array("simpul-bundle-v1 key".utf8)

    enum RecordType: UInt8 {
        case changeSet = 1
        case blob = 2
        case knowledge = 3
        case keys = 4
        /// Added to format 1 after the first four; `bundle.md` (Versions) says why it needs no new
        /// format and to whom one may be written.
        case blobsHeld = 5
    }

    struct Record {
        var type: UInt8
        /// The body in pieces, so a large blob is not copied to put its hash in front.
        var parts: [[UInt8]]
        var length: Int { parts.reduce(0) { $0 + $1.count } }
    }

    // MARK: - Sealing

    /// Encrypts `contents` to the recipient's enrolled Ed25519 key and signs the result as `sender`.
    /// Both nodes must belong to the same kabupaten, which becomes the bundle's network.
    public static func seal(
        _ contents: BundleContents, sender: NodeIdentity, recipient: NodeID, recipientKey: String,
        createdAt: Timestamp, expiresAt: Timestamp
    ) throws(BundleError) -> [UInt8] {
        let id = SymmetricKey(size: .bits128).withUnsafeBytes { [UInt8]($0) }
        return try seal(
            contents, sender: sender, recipient: recipient, recipientKey: recipientKey, createdAt: createdAt,
            expiresAt: expiresAt, ephemeral: Curve25519.KeyAgreement.PrivateKey(), id: id)
    }

    /// `seal` with the randomness given, so tests and the published example are reproducible.
    static func seal(
        _ contents: BundleContents, sender: NodeIdentity, recipient: NodeID, recipientKey: String,
        createdAt: Timestamp, expiresAt: Timestamp, ephemeral: Curve25519.KeyAgreement.PrivateKey, id: [UInt8]
    ) throws(BundleError) -> [UInt8] {
        var records: [Record] = []
        if !contents.keys.isEmpty {
            records.append(Record(type: RecordType.keys.rawValue, parts: [try encodeJSON(contents.keys)]))
        }
        if let knowledge = contents.knowledge {
            records.append(Record(type: RecordType.knowledge.rawValue, parts: [try encodeJSON(knowledge)]))
        }
        if !contents.blobsHeld.isEmpty {
            let names = Array(Set(contents.blobsHeld)).sorted()
            guard names.allSatisfy(Attachment.isSHA256) else {
                throw BundleError(.sealFailed, "daftar lampiran yang dipegang memuat nama yang bukan SHA-256")
            }
            records.append(Record(type: RecordType.blobsHeld.rawValue, parts: [try encodeJSON(names)]))
        }
        for cs in contents.changeSets { records.append(Record(type: RecordType.changeSet.rawValue, parts: [cs])) }
        for blob in contents.blobs {
            let hash = [UInt8](SHA256.hash(data: blob.bytes))
            guard hash.hex == blob.sha256 else {
                throw BundleError(.sealFailed, "lampiran \(blob.sha256) tidak cocok dengan hash-nya")
            }
            records.append(Record(type: RecordType.blob.rawValue, parts: [hash, blob.bytes]))
        }
        return try seal(
            records: records, sender: sender, recipient: recipient, recipientKey: recipientKey,
            createdAt: createdAt, expiresAt: expiresAt, ephemeral: ephemeral, id: id)
    }

    private static func encodeJSON<T: Encodable>(_ value: T) throws(BundleError) -> [UInt8] {
        do { return try Canonical.encode(value) } catch {
            throw BundleError(.sealFailed, "isi bundle tidak bisa dikodekan", cause: error)
        }
    }

    /// Seals records as given, without looking at them: tests use it to write what a newer or a broken
    /// writer would.
    static func seal(
        records: [Record], sender: NodeIdentity, recipient: NodeID, recipientKey: String, createdAt: Timestamp,
        expiresAt: Timestamp, ephemeral: Curve25519.KeyAgreement.PrivateKey, id: [UInt8]
    ) throws(BundleError) -> [UInt8] {
        let network = sender.node.kabupaten
        guard recipient.kabupaten == network else {
            throw BundleError(
                .sealFailed, "penerima \(recipient) bukan anggota jaringan kabupaten \(network.code) pengirim")
        }
        guard expiresAt > createdAt else {
            throw BundleError(.sealFailed, "batas berlaku \(expiresAt) harus sesudah waktu pembuatan \(createdAt)")
        }
        guard id.count == 16 else { throw BundleError(.sealFailed, "id bundle harus 16 byte") }
        let recipientRaw: [UInt8]
        let recipientFingerprint: String
        do {
            (recipientRaw, recipientFingerprint) = try NodeIdentity.parsePublicKey(recipientKey)
        } catch {
            throw BundleError(.sealFailed, "kunci publik penerima \(recipient): \(error.message)", cause: error)
        }
        let recipientAgreementKey: Curve25519.KeyAgreement.PublicKey
        do {
            recipientAgreementKey = try Curve25519Conversion.keyAgreementKey(forSigningKey: recipientRaw)
        } catch {
            throw BundleError(
                .sealFailed, "kunci publik penerima \(recipient) bukan kunci Ed25519 yang sah: \(error)", cause: error)
        }

        var plaintextLength = 0
        for record in records {
            guard record.length <= Int(UInt32.max) else {
                throw BundleError(.sealFailed, "satu isi bundle lebih dari 4 GiB")
            }
            plaintextLength += 5 + record.length
        }
        let chunks = max(1, (plaintextLength + chunkSize - 1) / chunkSize)
        let payloadLength = plaintextLength + chunks * tagSize
        guard payloadLength <= maxPayloadLength else { throw BundleError(.sealFailed, "bundle terlalu besar") }

        let ephemeralPublic = [UInt8](ephemeral.publicKey.rawRepresentation)
        let manifest = BundleManifest(
            format: Int(formatVersion), id: id.hex, network: network.code,
            sender: .init(node: sender.node.rawValue, key: sender.fingerprint),
            recipient: .init(node: recipient.rawValue, key: recipientFingerprint), createdAt: createdAt,
            expiresAt: expiresAt, ephemeralKey: Data(ephemeralPublic).base64EncodedString(),
            payloadLength: payloadLength)
        let manifestBytes = try encodeJSON(manifest)
        guard manifestBytes.count <= maxManifestLength else {
            throw BundleError(.sealFailed, "kepala bundle terlalu panjang")
        }

        var out = prefix(manifestLength: manifestBytes.count, version: formatVersion)
        out += manifestBytes
        let headerDigest = [UInt8](SHA256.hash(data: out))
        out += headerDigest

        let shared: SharedSecret
        do {
            shared = try ephemeral.sharedSecretFromKeyAgreement(with: recipientAgreementKey)
        } catch {
            throw BundleError(.sealFailed, "kunci enkripsi tidak bisa dibuat", cause: error)
        }
        guard
            let key = payloadKey(
                shared: shared, ephemeral: ephemeralPublic,
                recipient: [UInt8](recipientAgreementKey.rawRepresentation), headerDigest: headerDigest)
        else { throw BundleError(.sealFailed, "kunci publik penerima \(recipient) menghasilkan rahasia nol") }

        var writer = ChunkWriter(stream: PayloadStream(key: key), plaintextLength: plaintextLength)
        out.reserveCapacity(out.count + payloadLength + signatureSize)
        for record in records {
            let length = UInt32(record.length)
            try writer.write([record.type] + bigEndian(length), into: &out)
            for part in record.parts { try writer.write(part, into: &out) }
        }
        try writer.finish(into: &out)

        do {
            out += try sender.sign(signatureContext + SHA256.hash(data: out))
        } catch {
            throw BundleError(.sealFailed, "bundle tidak bisa ditandatangani", cause: error)
        }
        return out
    }

    // MARK: - Reading

    /// Reads the cleartext manifest without decrypting: what a relay, or an importer saying whom a bundle
    /// is for, needs. Refuses a file that is not a bundle, is cut inside its header, or whose header changed.
    public static func manifest(of bytes: [UInt8]) throws(BundleError) -> BundleManifest {
        try readHeader(bytes).manifest
    }

    /// Checks, without decrypting, that the bundle is whole and signed by its sender's key: what a relay
    /// can do before passing it on. `senderKey` looks a key up by node and fingerprint.
    @discardableResult
    public static func verifySignature(
        _ bytes: [UInt8], senderKey: (_ node: String, _ fingerprint: String) -> NodeKey?
    ) throws(BundleError) -> BundleManifest {
        let header = try readHeader(bytes)
        try checkLength(bytes, header)
        let key = try senderKeyOf(header.manifest, lookup: senderKey)
        try checkSignature(bytes, key: key)
        return header.manifest
    }

    /// Checks and decrypts a bundle addressed to `recipient`. In order, a bundle is refused when it is
    /// not a bundle (`foreign`), cut short (`truncated`), altered in its header (`corrupted`), of a newer
    /// format (`unsupportedVersion`), of another network (`foreign`), for another node or key
    /// (`wronglyAddressed`), from an unknown (`foreign`) or revoked (`revoked`) sender key, altered
    /// anywhere (`corrupted`), past its date (`expired`), or when its payload does not decrypt
    /// (`corrupted`). Nothing is returned unless every check passes.
    public static func open(
        _ bytes: [UInt8], recipient: NodeIdentity, senderKey: (_ node: String, _ fingerprint: String) -> NodeKey?,
        now: Timestamp
    ) throws(BundleError) -> (manifest: BundleManifest, contents: BundleContents) {
        let header = try readHeader(bytes)
        try checkLength(bytes, header)
        let manifest = header.manifest
        let network = recipient.node.kabupaten.code
        guard manifest.network == network else {
            throw BundleError(
                .foreign, "bundle \(manifest.id) milik jaringan kabupaten \(manifest.network), bukan \(network)")
        }
        guard manifest.recipient.node == recipient.node.rawValue else {
            throw BundleError(
                .wronglyAddressed,
                "bundle \(manifest.id) ditujukan ke node \(manifest.recipient.node), bukan ke node ini (\(recipient.node))"
            )
        }
        guard manifest.recipient.key == recipient.fingerprint else {
            throw BundleError(
                .wronglyAddressed,
                "bundle \(manifest.id) dienkripsi untuk kunci lain node \(recipient.node) (\(manifest.recipient.key)), "
                    + "bukan kunci node ini sekarang (\(recipient.fingerprint)); minta pengirim membuatnya ulang")
        }
        let key = try senderKeyOf(manifest, lookup: senderKey)
        try checkSignature(bytes, key: key)
        guard now <= manifest.expiresAt else {
            throw BundleError(
                .expired,
                "bundle \(manifest.id) dari \(manifest.sender.node) kedaluwarsa sejak \(manifest.expiresAt); "
                    + "minta pengirim membuat bundle baru")
        }
        let contents = try decrypt(bytes, header, with: recipient)
        return (manifest, contents)
    }

    /// Decrypts with `identity`'s key without the address, sender and signature checks: only for tests
    /// showing that a relay's key cannot read a bundle that is not addressed to it.
    static func decryptSkippingChecks(
        _ bytes: [UInt8], with identity: NodeIdentity
    ) throws(BundleError)
        -> BundleContents
    {
        let header = try readHeader(bytes)
        try checkLength(bytes, header)
        return try decrypt(bytes, header, with: identity)
    }

    struct Header {
        var manifest: BundleManifest
        var digest: [UInt8]
        /// Where the payload starts: after the prefix, the manifest and the header digest.
        var length: Int
    }

    static func prefix(manifestLength: Int, version: UInt8) -> [UInt8] {
        let fixed = magic + [version] + bigEndian(UInt32(manifestLength))
        return fixed + SHA256.hash(data: fixed).prefix(4)
    }

    /// Checks run so that each bad file gets its own reason: a file that does not start with the magic
    /// is foreign; one that does but ends inside the fixed prefix is truncated; the prefix check catches
    /// a damaged version byte or manifest length before either is believed; only then does an unknown
    /// version say unsupported, and the header digest catches any change to the manifest, so a damaged
    /// date or address is never reported as expired or wrongly addressed.
    static func readHeader(_ bytes: [UInt8]) throws(BundleError) -> Header {
        let head = bytes.prefix(magic.count)
        guard head.elementsEqual(magic.prefix(head.count)) else {
            throw BundleError(.foreign, "bukan berkas bundle Simpul: tanda awal berkasnya lain")
        }
        guard bytes.count >= prefixSize else {
            throw truncated(bytes.count, atLeast: prefixSize, "kepala bundle")
        }
        let fixed = Array(bytes[0..<prefixSize])
        let version = fixed[magic.count]
        let manifestLength = Int(readBigEndian(fixed, at: magic.count + 1))
        guard prefix(manifestLength: manifestLength, version: version) == fixed else {
            throw BundleError(.corrupted, "kepala bundle rusak: berkas ini berubah sejak dibuat")
        }
        guard version == formatVersion else {
            throw BundleError(
                .unsupportedVersion,
                "format bundle versi \(version) tidak didukung (yang didukung: \(formatVersion)); perbarui Simpul")
        }
        guard (2...maxManifestLength).contains(manifestLength) else {
            throw BundleError(.corrupted, "kepala bundle tidak sah: panjangnya \(manifestLength) byte")
        }
        let headerLength = prefixSize + manifestLength + 32
        guard bytes.count >= headerLength else { throw truncated(bytes.count, atLeast: headerLength, "kepala bundle") }
        let manifestBytes = Array(bytes[prefixSize..<(prefixSize + manifestLength)])
        let digest = [UInt8](SHA256.hash(data: bytes[0..<(prefixSize + manifestLength)]))
        guard digest[...] == bytes[(prefixSize + manifestLength)..<headerLength] else {
            throw BundleError(.corrupted, "kepala bundle rusak: berkas ini berubah sejak dibuat")
        }
        let manifest: BundleManifest
        do {
            manifest = try Canonical.decode(BundleManifest.self, from: manifestBytes)
        } catch {
            throw BundleError(.corrupted, "kepala bundle tidak bisa dibaca", cause: error)
        }
        guard (try? Canonical.encode(manifest)) == manifestBytes else {
            throw BundleError(.corrupted, "kepala bundle bukan JSON kanonik atau memuat kolom yang tidak dikenal")
        }
        if let why = problem(with: manifest) {
            throw BundleError(.corrupted, "kepala bundle tidak sah: \(why)")
        }
        return Header(manifest: manifest, digest: digest, length: headerLength)
    }

    /// What is wrong with a manifest, if anything. The answer never repeats a text member: until it is
    /// checked here it may hold anything, terminal control characters included.
    private static func problem(with m: BundleManifest) -> String? {
        guard m.format == Int(formatVersion) else { return "format \(m.format) lain dari versi berkas" }
        guard m.id.utf8.count == 32, [UInt8](hex: m.id)?.hex == m.id else { return "id bukan 32 digit hex" }
        guard let network = KodeWilayah(m.network), network.level == .kabupaten else {
            return "jaringan bukan kode kabupaten"
        }
        for (role, party) in [("pengirim", m.sender), ("penerima", m.recipient)] {
            guard let node = NodeID(party.node), node.kabupaten == network else {
                return "node \(role) bukan anggota jaringan \(m.network)"
            }
            guard party.key.utf8.count == 32, [UInt8](hex: party.key)?.hex == party.key else {
                return "sidik kunci \(role) bukan 32 digit hex"
            }
        }
        guard m.createdAt < m.expiresAt else { return "batas berlaku sebelum waktu pembuatan" }
        guard let key = Data(base64Encoded: m.ephemeralKey), key.count == 32 else {
            return "kunci sementara bukan 32 byte"
        }
        let chunk = chunkSize + tagSize
        let last = m.payloadLength % chunk
        // Chunks are full but for the last, which is never empty unless it is the only one.
        guard m.payloadLength >= tagSize, m.payloadLength <= maxPayloadLength,
            last == 0 || last > tagSize || m.payloadLength == tagSize
        else { return "panjang isi \(m.payloadLength) byte" }
        return nil
    }

    /// The file must end exactly where the manifest says: shorter is truncated, longer is not what was
    /// signed.
    static func checkLength(_ bytes: [UInt8], _ header: Header) throws(BundleError) {
        let expected = header.length + header.manifest.payloadLength + signatureSize
        guard bytes.count >= expected else { throw truncated(bytes.count, atLeast: expected, "bundle") }
        guard bytes.count == expected else {
            throw BundleError(
                .corrupted,
                "ada \(bytes.count - expected) byte tambahan di akhir bundle: berkas ini berubah sejak dibuat")
        }
    }

    private static func truncated(_ count: Int, atLeast expected: Int, _ what: String) -> BundleError {
        if count == 0 {
            return BundleError(.truncated, "berkas kosong: salinannya tidak lengkap; salin ulang dari sumbernya")
        }
        return BundleError(
            .truncated,
            "\(what) terpotong: berkas hanya \(count) byte, seharusnya \(expected) byte atau lebih; "
                + "salin ulang dari sumbernya")
    }

    private static func senderKeyOf(
        _ manifest: BundleManifest, lookup: (String, String) -> NodeKey?
    ) throws(BundleError) -> NodeKey {
        let sender = manifest.sender
        guard let key = lookup(sender.node, sender.key), key.node == sender.node, key.fingerprint == sender.key,
            let raw = Data(base64Encoded: key.publicKey), NodeIdentity.fingerprint(ofRaw: [UInt8](raw)) == sender.key
        else {
            throw BundleError(
                .foreign,
                "bundle \(manifest.id) ditandatangani kunci \(sender.key) yang tidak dikenal sebagai kunci node "
                    + "\(sender.node)")
        }
        if let at = key.revokedAt {
            throw BundleError(
                .revoked, "node pengirim \(sender.node) dicabut pada \(at); bundle \(manifest.id) tidak diterima")
        }
        return key
    }

    private static func checkSignature(_ bytes: [UInt8], key: NodeKey) throws(BundleError) {
        let signed = bytes.count - signatureSize
        let digest = SHA256.hash(data: bytes[0..<signed])
        guard
            NodeIdentity.verify(
                signature: Array(bytes[signed...]), of: signatureContext + digest, publicKey: key.publicKey)
        else {
            throw BundleError(
                .corrupted, "tanda tangan pengirim \(key.node) tidak cocok: berkas ini rusak atau diubah sejak dibuat")
        }
    }

    private static func decrypt(
        _ bytes: [UInt8], _ header: Header, with identity: NodeIdentity
    ) throws(BundleError)
        -> BundleContents
    {
        let manifest = header.manifest
        let ephemeralRaw = [UInt8](Data(base64Encoded: manifest.ephemeralKey)!)
        let own = Curve25519Conversion.keyAgreementKey(for: identity.privateKey)
        let key: SymmetricKey?
        do {
            let ephemeral = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: ephemeralRaw)
            key = payloadKey(
                shared: try own.sharedSecretFromKeyAgreement(with: ephemeral), ephemeral: ephemeralRaw,
                recipient: [UInt8](own.publicKey.rawRepresentation), headerDigest: header.digest)
        } catch {
            throw BundleError(.corrupted, "kunci sementara bundle \(manifest.id) tidak sah", cause: error)
        }
        guard let key else { throw BundleError(.corrupted, "kunci sementara bundle \(manifest.id) tidak sah") }
        var stream = PayloadStream(key: key)
        var reader = RecordReader()
        let end = header.length + manifest.payloadLength
        var at = header.length
        var index = 0
        while at < end {
            let next = min(at + chunkSize + tagSize, end)
            do {
                try reader.feed(try stream.open(bytes[at..<next], final: next == end))
            } catch let error as BundleError {
                throw error
            } catch {
                throw BundleError(
                    .corrupted,
                    "isi bundle \(manifest.id) rusak: potongan ke-\(index + 1) tidak lolos pemeriksaan, "
                        + "atau bundle tidak dienkripsi untuk kunci node ini",
                    cause: error)
            }
            at = next
            index += 1
        }
        return try reader.finish()
    }

    /// HKDF-SHA256 from the X25519 secret; the header digest in `info` ties the key to every manifest
    /// byte, so a changed sender, recipient or date makes the payload undecryptable. Nil for the all-zero
    /// secret a small-order key would give.
    static func payloadKey(
        shared: SharedSecret, ephemeral: [UInt8], recipient: [UInt8], headerDigest: [UInt8]
    )
        -> SymmetricKey?
    {
        guard !shared.withUnsafeBytes({ $0.allSatisfy { $0 == 0 } }) else { return nil }
        return shared.hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: ephemeral + recipient, sharedInfo: keyContext + headerDigest, outputByteCount: 32)
    }
}
