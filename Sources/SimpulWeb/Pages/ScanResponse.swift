import Foundation
import Hummingbird
import SimpulConcurrency
import SimpulDomain
import SimpulStore

/// A scan's bytes as both front ends serve them at `/lampiran/SHA`: inline (or as a download), only
/// when a permohonan on this node names the hash, under a policy that runs nothing inside it.
public enum ScanResponse {
    public static func response(sha: String, download: Bool, store: NodeStore) async throws -> Response {
        guard Attachment.isSHA256(sha) else { return Response(status: .notFound) }
        let found = try await BlockingPool.shared.run { () throws(SimpulError) -> (Attachment, [UInt8])? in
            guard let attachment = try store.attachment(sha256: sha), let blob = try store.blob(sha), blob.complete
            else {
                return nil
            }
            return (attachment, try store.readBlob(sha, offset: 0, count: Int(blob.size)))
        }
        guard let (attachment, bytes) = found else { return Response(status: .notFound) }
        var headers = HTTPFields()
        headers[.contentType] = attachment.mediaType
        let fileName = safeFileName(attachment.name)
        headers[.contentDisposition] = "\(download ? "attachment" : "inline"); filename=\"\(fileName)\""
        headers[.cacheControl] = "private, max-age=3600"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] =
            "default-src 'none'; img-src 'self'; object-src 'self'; plugin-types application/pdf; sandbox"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// How a page shows an attachment: browsers draw JPEG, PNG, GIF and WebP and open a PDF inline;
    /// a TIFF (what many office scanners write) or a HEIC photo they cannot, so it is offered as a download.
    public enum Display: Sendable, Equatable {
        case image, pdf, download
    }

    public static func display(_ mediaType: String) -> Display {
        switch mediaType {
        case "image/jpeg", "image/png", "image/gif", "image/webp": .image
        case "application/pdf": .pdf
        default: .download
        }
    }

    /// `ktp pemohon.pdf` keeps its name; anything that could name a path or a control character goes.
    public static func safeFileName(_ raw: String) -> String {
        let base = raw.split(separator: "/").last.map(String.init) ?? raw
        let kept = base.unicodeScalars.filter { s in
            s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "." || s == "-" || s == "_" || s == " "
        }
        var name = String(String.UnicodeScalarView(kept)).trimmingCharacters(in: .whitespaces)
        while name.hasPrefix(".") { name.removeFirst() }
        return name.isEmpty ? "pindaian" : String(name.prefix(100))
    }
}
