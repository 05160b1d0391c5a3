import Foundation
import Hummingbird
import SimpulDomain

/// A file the page's script sends as the raw request body (a scan at the loket, the PTSP's issued
/// document at the hub), with its name in the query and the CSRF token in a header; the script shows the
/// one-line answer under its progress bar.
public enum ScanUpload {
    case received(number: String, name: String, bytes: ByteBuffer)
    case refused(Response)

    /// Checks the cheap things first and reads the body last, at most `Attachment.maxBytes` of it.
    /// - Parameters:
    ///   - csrf: The session's token.
    ///   - roleRefusal: Why the account may not upload, or nil when it may.
    ///   - number: The registration number in the path.
    public static func receive(
        _ request: Request, csrf: String, roleRefusal: String?, number: String?, defaultName: String
    ) async -> ScanUpload {
        guard let token = request.headers[.init("X-CSRF-Token")!], SessionToken.equal(token, csrf) else {
            return .refused(plain(.forbidden, "Token formulir tidak cocok; buka halamannya lagi."))
        }
        if let roleRefusal { return .refused(plain(.forbidden, roleRefusal)) }
        let parsed: String
        do throws(SimpulError) {
            parsed = try RegistrationNumber(parsing: number ?? "").text
        } catch { return .refused(plain(.notFound, error.message)) }
        let name = ScanResponse.safeFileName(request.uri.queryParameters.get("nama").map { String($0) } ?? defaultName)
        let bytes: ByteBuffer
        do {
            bytes = try await request.body.collect(upTo: Int(Attachment.maxBytes))
        } catch {
            return .refused(
                plain(.contentTooLarge, "Berkas lebih besar dari \(Attachment.sizeText(Attachment.maxBytes))."))
        }
        guard bytes.readableBytes > 0 else { return .refused(plain(.badRequest, "Berkas kosong (0 byte).")) }
        return .received(number: parsed, name: name, bytes: bytes)
    }

    /// Writes an uploaded file's bytes under its safe name into a folder of its own, runs `attach` with
    /// the path (the store reads a file in pieces, as from the CLI), and removes the folder after.
    public static func withUploadedFile<T>(
        _ bytes: ByteBuffer, name: String, _ attach: (String) throws(SimpulError) -> T
    ) throws(SimpulError) -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "simpul-unggah-\(SessionToken.make())")
        let path = folder.appendingPathComponent(ScanResponse.safeFileName(name))
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
            try Data(bytes.readableBytesView).write(to: path)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw SimpulError(.io, "berkas unggahan tidak bisa ditulis ke folder sementara", cause: error)
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        return try attach(path.path)
    }

    /// The one-line answer an upload's script shows under its progress bar.
    public static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
