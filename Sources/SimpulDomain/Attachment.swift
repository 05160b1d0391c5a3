/// A document attached to a permohonan: the data of a `permohonan.attached` event. Either a scan
/// (lampiran) the loket attaches, or the document the PTSP issued on a forwarded file (dokumen terbit,
/// with its number), which the hub attaches and which travels back to the counter to be printed and
/// handed over, or the letter the kecamatan itself made at the operator step (with its nomor surat). The bytes are a content-addressed blob named by their SHA-256; the event carries only
/// the name, so it stays small and signs like any other event.
public struct Attachment: Sendable, Equatable, Codable {
    /// Lowercase hex SHA-256 of the file's bytes: the blob's name.
    public var sha256: String
    /// The file's length in bytes.
    public var size: Int64
    /// The file's base name as the officer chose it (`ktp-siti.pdf`).
    public var name: String
    /// Guessed from the name's extension (`application/pdf`, `image/jpeg`).
    public var mediaType: String
    /// The requirement (syarat) code this document satisfies, when the officer named one.
    public var syarat: String?
    /// The number of the document the PTSP issued (`503/0123/DPMPTSP/2026`): present exactly on the
    /// issued document the hub attaches, never on a scan from the loket.
    public var issuedNumber: String?
    /// The nomor surat of a letter the kecamatan made at the operator step (`503/0007/33.74.01/2026`):
    /// present exactly on such a letter (a PDF the node wrote itself), never on a scan or on the hub's
    /// document.
    public var letterNumber: String?

    public init(
        sha256: String, size: Int64, name: String, mediaType: String, syarat: String? = nil,
        issuedNumber: String? = nil, letterNumber: String? = nil
    ) {
        self.sha256 = sha256
        self.size = size
        self.name = name
        self.mediaType = mediaType
        self.syarat = syarat
        self.issuedNumber = issuedNumber
        self.letterNumber = letterNumber
    }

    /// Whether this is the document the PTSP issued rather than a scan from the loket.
    public var isIssued: Bool { issuedNumber != nil }

    /// Whether this is a letter the kecamatan made at the operator step.
    public var isLetter: Bool { letterNumber != nil }

    /// The largest file the loket may attach. Scans are a few MB; at 32 kbit/s, 20 MB is already
    /// more than an hour of upload, so a bigger file is a mistake (a video, a whole folder zipped).
    public static let maxBytes: Int64 = 20 * 1024 * 1024

    /// The media type for a file name, from its extension; unknown extensions are carried as bytes.
    public static func mediaType(forFileName name: String) -> String {
        let ext = name.split(separator: ".", omittingEmptySubsequences: false).last.map { $0.lowercased() } ?? ""
        guard name.contains(".") else { return "application/octet-stream" }
        switch ext {
        case "pdf": return "application/pdf"
        case "jpg", "jpeg": return "image/jpeg"
        case "png": return "image/png"
        case "tif", "tiff": return "image/tiff"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "heic": return "image/heic"
        default: return "application/octet-stream"
        }
    }

    /// Whether a text is a SHA-256 as blobs are named: 64 lowercase hex digits.
    public static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64
            && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Checks the data against the rules every replica relies on: a real blob name, a size within
    /// the limit, a clean name and a media type of the form `type/subtype`.
    public func validated() throws(SimpulError) -> Attachment {
        guard Self.isSHA256(sha256) else {
            throw .invalid("sha256: '\(sha256)' bukan SHA-256 heksadesimal huruf kecil")
        }
        guard size > 0 else { throw .invalid("file: kosong (0 byte); pindai ulang dokumennya") }
        guard size <= Self.maxBytes else {
            throw .invalid(
                "file: terlalu besar (\(Self.sizeText(size))); lampiran paling besar \(Self.sizeText(Self.maxBytes))")
        }
        guard let clean = try FreeText.clean(name, field: "nama file", maxLength: 200) else {
            throw .invalid("nama file: wajib diisi")
        }
        guard mediaType.range(of: "\\A[a-z]+/[a-z0-9.+-]+\\z", options: .regularExpression) != nil else {
            throw .invalid("mediaType: '\(mediaType)' bukan jenis media seperti application/pdf")
        }
        var out = self
        out.name = clean
        if let number = issuedNumber {
            guard let n = try FreeText.clean(number, field: "nomor dokumen", maxLength: 100) else {
                throw .invalid("nomor dokumen: wajib diisi untuk dokumen yang diterbitkan PTSP")
            }
            guard syarat == nil else {
                throw .invalid("syarat: dokumen terbit PTSP bukan pindaian persyaratan")
            }
            out.issuedNumber = n
        }
        if let number = letterNumber {
            guard issuedNumber == nil, syarat == nil else {
                throw .invalid("nomor surat: surat kecamatan bukan pindaian persyaratan dan bukan dokumen terbit PTSP")
            }
            guard mediaType == "application/pdf" else {
                throw .invalid("nomor surat: surat kecamatan berupa PDF, bukan \(mediaType)")
            }
            out.letterNumber = try LetterNumber(parsing: number).text
        }
        return out
    }

    /// A size as officers read it: `850 KB`, `2,4 MB` (decimal comma, binary units).
    public static func sizeText(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return "\((bytes + 512) / 1024) KB" }
        let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024)
        return tenths % 10 == 0 ? "\(tenths / 10) MB" : "\(tenths / 10),\(tenths % 10) MB"
    }
}

/// An attachment as folded into a permohonan: the document and the event that attached it.
///
/// The dot is kept beside the data because who attached a document is what decides who may upload
/// its bytes to the hub, and the audit trail shows it.
public struct AttachedFile: Sendable, Equatable, Codable {
    public var attachment: Attachment
    public var dot: Dot

    public init(attachment: Attachment, dot: Dot) {
        self.attachment = attachment
        self.dot = dot
    }
}
