import Crypto
import Foundation
import X509

/// A self-signed certificate for running a hub without a certificate authority (development, pilots).
///
/// The certificate is its own CA, so agents trust it by pinning `cert.pem` as their CA file.
public enum DevCertificate {
    /// Writes `cert.pem` and `key.pem` (mode 0600) into `directory` for a P-256 certificate naming `host`.
    ///
    /// The certificate is valid for `host`, `localhost`, 127.0.0.1 and ::1.
    /// - Parameter validDays: 825 days is the longest TLS server certificate lifetime Apple platforms accept.
    /// - Throws: `HubServerError` with code `.fileExists` if either file exists, `.io` if writing fails.
    public static func write(to directory: String, host: String, validDays: Int = 825) throws -> TLSFiles {
        let files = TLSFiles(
            certificatePath: (directory as NSString).appendingPathComponent("cert.pem"),
            privateKeyPath: (directory as NSString).appendingPathComponent("key.pem")
        )
        // Checked before writing anything so that a refusal never leaves one new file beside an old one.
        for path in [files.certificatePath, files.privateKeyPath] where FileManager.default.fileExists(atPath: path) {
            throw HubServerError(.fileExists, "berkas \(path) sudah ada; tidak ditimpa")
        }

        let (certificatePEM, keyPEM): (String, String)
        do {
            (certificatePEM, keyPEM) = try makeCertificate(host: host, validDays: validDays)
        } catch {
            throw HubServerError(.io, "sertifikat pengembangan untuk \(host) tidak bisa dibuat", cause: error)
        }
        try writeNewFile(files.privateKeyPath, contents: keyPEM, mode: 0o600)
        try writeNewFile(files.certificatePath, contents: certificatePEM, mode: 0o644)
        return files
    }

    /// The SHA-256 of a PEM certificate's DER bytes, as browsers show it (`AB:CD:...`), so an officer can
    /// compare what the browser says with what was made here.
    public static func fingerprint(pem: String) throws -> String {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let der = Data(base64Encoded: body) else {
            throw HubServerError(.tlsFiles, "sertifikat bukan PEM")
        }
        return SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    private static func makeCertificate(host: String, validDays: Int) throws -> (certificate: String, key: String) {
        let privateKey = P256.Signing.PrivateKey()
        let certificateKey = Certificate.PrivateKey(privateKey)
        let publicKey = certificateKey.publicKey
        let name = try DistinguishedName { CommonName(host) }
        let now = Date()

        let ipv4Loopback: [UInt8] = [127, 0, 0, 1]
        let ipv6Loopback = [UInt8](repeating: 0, count: 15) + [1]
        var alternativeNames: [GeneralName] = []
        // An address goes in as an IP entry: TLS clients never match an address against a DNS entry.
        if let address = ipAddressBytes(host) {
            if address != ipv4Loopback && address != ipv6Loopback {
                alternativeNames.append(.ipAddress(.init(contentBytes: ArraySlice(address))))
            }
        } else if host.lowercased() != "localhost" {
            alternativeNames.append(.dnsName(host))
        }
        alternativeNames.append(.dnsName("localhost"))
        alternativeNames.append(.ipAddress(.init(contentBytes: ArraySlice(ipv4Loopback))))
        alternativeNames.append(.ipAddress(.init(contentBytes: ArraySlice(ipv6Loopback))))

        let subjectKeyIdentifier = SubjectKeyIdentifier(hash: publicKey)
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            // Backdated an hour so a client whose clock runs a little behind still accepts it.
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(Double(validDays) * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternativeNames)
                subjectKeyIdentifier
                AuthorityKeyIdentifier(keyIdentifier: subjectKeyIdentifier.keyIdentifier)
            },
            issuerPrivateKey: certificateKey
        )
        return (try certificate.serializeAsPEM().pemString + "\n", privateKey.pemRepresentation + "\n")
    }

    /// The network-order bytes of `host` if it is an IPv4 or IPv6 address literal.
    private static func ipAddressBytes(_ host: String) -> [UInt8]? {
        var ipv4 = in_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 {
            return withUnsafeBytes(of: &ipv4) { Array($0) }
        }
        var ipv6 = in6_addr()
        if inet_pton(AF_INET6, host, &ipv6) == 1 {
            return withUnsafeBytes(of: &ipv6) { Array($0) }
        }
        return nil
    }

    /// Creates `path` with `mode`, failing if it exists: O_EXCL closes the gap between the check and the write.
    private static func writeNewFile(_ path: String, contents: String, mode: mode_t) throws(HubServerError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            let error = errno
            if error == EEXIST {
                throw HubServerError(.fileExists, "berkas \(path) sudah ada; tidak ditimpa")
            }
            throw HubServerError(.io, "\(path) tidak bisa dibuat: \(String(cString: strerror(error)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        // The umask may have cleared bits of `mode`; set it exactly.
        fchmod(descriptor, mode)
        do {
            try handle.write(contentsOf: Data(contents.utf8))
            try handle.close()
        } catch {
            throw HubServerError(.io, "\(path) tidak bisa ditulis", cause: error)
        }
    }
}
