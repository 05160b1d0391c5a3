import Foundation
import SimpulDomain

#if canImport(Glibc)
import Glibc
#endif

/// The one sync of a node at a time: `simpul sync` from cron and `simpul serve` take the same lock
/// in the data folder, so two never overlap. The kernel drops the lock when its process ends, even
/// when it is killed, so a crash never leaves a node unable to sync.
public final class SyncLock: Sendable {
    public static let fileName = "sync.lock"

    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    /// Takes the lock, or fails at once with `.busy` naming the process that holds it.
    public static func acquire(directory: String) throws(SimpulError) -> SyncLock {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SimpulError(.storeUnavailable, "kunci sinkron \(path) tidak bisa dibuka (errno \(errno))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.holder(fd)
            close(fd)
            throw SimpulError(
                .busy,
                "sinkron lain sedang berjalan di node ini\(holder.map { " (proses \($0))" } ?? ""); coba lagi nanti")
        }
        // The holder's pid, for the message the next one gets.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return SyncLock(descriptor: fd)
    }

    private static func holder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text) != nil ? text : nil
    }

    deinit { close(descriptor) }
}
