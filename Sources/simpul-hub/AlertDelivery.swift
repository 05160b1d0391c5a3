import Foundation
import Logging
import SimpulDomain
import SimpulSync
import SimpulTransport

#if canImport(Glibc)
import Glibc
#endif

/// Sends `simpul-hub alerts`' report to where the kabupaten's IT officer reads it.
enum AlertDelivery {
    /// POSTs the report as one JSON document; any answer but 2xx is a failed delivery.
    static func post(_ report: AlertReport, to url: String, caFile: String?, logger: Logger) throws(SimpulError) {
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw SimpulError(.usage, "webhook: '\(url.prefix(200))' bukan URL http(s)")
        }
        let body: [UInt8]
        do { body = Array(try JSONEncoder().encode(report)) } catch {
            throw SimpulError(.io, "peringatan tidak bisa dikodekan", cause: error)
        }
        let transport = CurlTransport(
            baseURL: url, caFile: caFile, connectTimeoutSeconds: 10, compressRequests: false,
            maxResponseBytes: 64 * 1024, logger: logger)
        let request = HTTPRequestMessage(
            method: "POST", path: "", headers: ["content-type": "application/json"], body: body)
        let answer: HTTPResponseMessage
        do { answer = try transport.send(request) } catch {
            throw SimpulError(.io, "webhook tidak terjangkau: \(error.message)")
        }
        guard (200..<300).contains(answer.status) else {
            throw SimpulError(.io, "webhook menjawab HTTP \(answer.status); peringatan tidak terkirim")
        }
    }

    /// Hands the report to the machine's sendmail as one message.
    static func mail(_ report: AlertReport, to address: String, sendmail: String) throws(SimpulError) {
        guard address.contains("@"), !address.contains(where: { $0.isNewline || $0 == " " || $0 == "<" || $0 == ">" })
        else { throw SimpulError(.usage, "mail: '\(address.prefix(200))' bukan alamat surel") }
        var text = "To: \(address)\nSubject: [Simpul] \(report.alerts.count) peringatan hub \(report.hub)\n"
        text += "Content-Type: text/plain; charset=utf-8\n\n"
        text += "Hub \(report.hub) (\(report.name)), \(report.at):\n\n"
        for alert in report.alerts { text += "- \(alert.message)\n" }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-alert-\(getpid()).txt").path
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SimpulError(.io, "berkas surel sementara tidak bisa dibuat (errno \(errno))") }
        defer { unlink(file) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw SimpulError(.io, "berkas surel sementara tidak bisa ditulis") }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, file, O_RDONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(sendmail), strdup("-t"), strdup("-oi"), nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let started = posix_spawn(&pid, sendmail, &actions, nil, argv, environ)
        guard started == 0 else { throw SimpulError(.io, "\(sendmail) tidak bisa dijalankan (error \(started))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw SimpulError(.io, "menunggu \(sendmail) gagal (errno \(errno))") }
        }
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw SimpulError(.io, "\(sendmail) gagal (status \(status)); peringatan tidak terkirim lewat surel")
        }
    }
}
