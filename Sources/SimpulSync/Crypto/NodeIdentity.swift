import Crypto
import Foundation
import SimpulDomain

/// A node's Ed25519 key pair. The private key lives in its own file (`node.key`, mode 0600) next to
/// the store, never in the store and never in a log.
public struct NodeIdentity: Sendable {
    public static let fileName = "node.key"

    public let node: NodeID
    let privateKey: Curve25519.Signing.PrivateKey

    public init(node: NodeID, privateKey: Curve25519.Signing.PrivateKey) {
        self.node = node
        self.privateKey = privateKey
    }

    /// The public key as base64 of its 32 raw bytes: what an admin enrolls at the hub.
    public var publicKey: String { privateKey.publicKey.rawRepresentation.base64EncodedString() }

    /// A short, readable digest of the public key: the first 16 bytes of its SHA-256, in hex.
    public var fingerprint: String { Self.fingerprint(ofRaw: [UInt8](privateKey.publicKey.rawRepresentation)) }

    public static func fingerprint(ofRaw raw: [UInt8]) -> String { SHA256.hash(data: raw).prefix(16).hex }

    /// The fingerprint grouped in fours, for reading out over the phone.
    public static func readable(_ fingerprint: String) -> String {
        var out = ""
        for (i, c) in fingerprint.enumerated() {
            if i > 0 && i % 4 == 0 { out.append(" ") }
            out.append(c)
        }
        return out
    }

    /// Parses a base64 public key; returns the raw bytes and fingerprint.
    public static func parsePublicKey(_ text: String) throws(SyncError) -> (raw: [UInt8], fingerprint: String) {
        guard let data = Data(base64Encoded: text), data.count == 32,
            (try? Curve25519.Signing.PublicKey(rawRepresentation: data)) != nil
        else {
            throw SyncError(.malformed, "kunci publik harus base64 dari 32 byte kunci Ed25519")
        }
        return ([UInt8](data), fingerprint(ofRaw: [UInt8](data)))
    }

    public func sign(_ bytes: [UInt8]) throws -> [UInt8] { [UInt8](try privateKey.signature(for: bytes)) }

    public static func verify(signature: [UInt8], of bytes: [UInt8], publicKey: String) -> Bool {
        guard let data = Data(base64Encoded: publicKey),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: data)
        else { return false }
        return key.isValidSignature(signature, for: bytes)
    }

    /// Creates a new key file in `directory`; refuses to overwrite one.
    public static func create(
        node: NodeID, directory: String, fileName: String = fileName
    ) throws(SimpulError)
        -> NodeIdentity
    {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard !FileManager.default.fileExists(atPath: path) else {
            throw SimpulError(.storeUnavailable, "\(path) sudah ada; kunci node tidak ditimpa")
        }
        let key = Curve25519.Signing.PrivateKey()
        let text = key.rawRepresentation.base64EncodedString() + "\n"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SimpulError(.storeUnavailable, "folder \(directory) tidak bisa dibuat", cause: error)
        }
        try writeKeyFile(path, text)
        return NodeIdentity(node: node, privateKey: key)
    }

    /// Copies an existing key file (a node's backup) into `directory`, for a restore with the old key.
    public static func adopt(node: NodeID, keyFile: String, directory: String) throws(SimpulError) -> NodeIdentity {
        let source = (keyFile as NSString).deletingLastPathComponent
        let loaded = try load(
            node: node, directory: source.isEmpty ? "." : source, fileName: (keyFile as NSString).lastPathComponent)
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard !FileManager.default.fileExists(atPath: path) else {
            throw SimpulError(.storeUnavailable, "\(path) sudah ada; kunci node tidak ditimpa")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SimpulError(.storeUnavailable, "folder \(directory) tidak bisa dibuat", cause: error)
        }
        let text = loaded.privateKey.rawRepresentation.base64EncodedString() + "\n"
        try writeKeyFile(path, text)
        return loaded
    }

    /// Writes a new key file in one step: created with `O_EXCL` and mode 0600 by the same `open`, so no
    /// other process ever sees it with wider permissions and an existing file is never overwritten
    /// (not even one that appeared after the caller checked), then flushed to disk before use.
    static func writeKeyFile(_ path: String, _ text: String) throws(SimpulError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw SimpulError(.storeUnavailable, "kunci node \(path) tidak bisa dibuat: \(reason)")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            unlink(path)
            throw SimpulError(.storeUnavailable, "kunci node \(path) tidak bisa ditulis")
        }
    }

    /// Loads the key file from `directory`.
    public static func load(
        node: NodeID, directory: String, fileName: String = fileName
    ) throws(SimpulError)
        -> NodeIdentity
    {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimpulError(.storeUnavailable, "kunci node \(path) tidak ada atau tidak bisa dibaca")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let raw = Data(base64Encoded: text), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw SimpulError(.storeUnavailable, "kunci node \(path) rusak") }
        return NodeIdentity(node: node, privateKey: key)
    }
}
