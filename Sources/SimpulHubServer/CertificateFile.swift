import Foundation
import SimpulDomain
import X509

/// The TLS certificate the hub serves, as `simpul-hub alerts` reads it.
public enum CertificateFile {
    /// When the first certificate of a PEM file (the hub's own, before its chain) stops being valid.
    public static func notAfter(path: String) throws(HubServerError) -> Timestamp {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw HubServerError(.tlsFiles, "sertifikat \(path) tidak bisa dibaca")
        }
        guard let end = text.range(of: "-----END CERTIFICATE-----") else {
            throw HubServerError(.tlsFiles, "sertifikat \(path) bukan PEM berisi CERTIFICATE")
        }
        do {
            let certificate = try Certificate(pemEncoded: String(text[..<end.upperBound]))
            return Timestamp(milliseconds: Int64(certificate.notValidAfter.timeIntervalSince1970 * 1000))
        } catch {
            throw HubServerError(.tlsFiles, "sertifikat \(path) tidak bisa dibaca sebagai X.509")
        }
    }
}
