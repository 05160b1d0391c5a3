import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A failure of the load run itself (a program missing, the hub not starting, a count that does not
/// add up), with its one-line reason.
public struct HubLoadError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A program of the build (`simpul-hub`) run in a process of its own, started with posix_spawn rather
/// than Foundation's Process: only the parent that reaps a child with wait4 gets its resource usage
/// (the peak resident memory), and Foundation reaps its children itself.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    /// The read end of the child's stdout, when it was asked for.
    private let stdout: FileHandle?
    private var buffered = Data()
    private var ended: (status: Int32, maxRSSBytes: Int)?

    /// Starts `arguments[0]` with the rest as arguments; stdout into a pipe this side reads (or
    /// /dev/null), stderr into `stderrPath`.
    public init(_ arguments: [String], captureStdout: Bool, stderrPath: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var fds: [Int32] = [-1, -1]
        if captureStdout {
            guard pipe(&fds) == 0 else { throw HubLoadError("pipe failed (errno \(errno))") }
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            posix_spawn_file_actions_addclose(&actions, fds[0])
            posix_spawn_file_actions_addclose(&actions, fds[1])
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SIMPUL_") }.map {
            "\($0.key)=\($0.value)"
        }
        func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] { strings.map { strdup($0) } + [nil] }
        let argv = cStrings(arguments)
        let envp = cStrings(environment)
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        if captureStdout { close(fds[1]) }
        guard result == 0 else {
            if captureStdout { close(fds[0]) }
            throw HubLoadError("cannot start \(arguments[0]) (error \(result))")
        }
        self.pid = pid
        stdout = captureStdout ? FileHandle(fileDescriptor: fds[0], closeOnDealloc: true) : nil
    }

    /// Reads stdout until a line containing `marker` and returns what follows the marker on that line,
    /// or nil when stdout ends first (the program stopped).
    public func line(after marker: String) -> String? {
        guard let stdout else { return nil }
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                if let range = line.range(of: marker) {
                    return String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
                }
                continue
            }
            let chunk = stdout.availableData
            guard !chunk.isEmpty else { return nil }
            buffered.append(chunk)
        }
    }

    /// The peak resident memory so far (VmHWM of /proc/PID/status), while the process runs.
    public func peakResidentBytes() -> Int? { Self.status(pid: pid, field: "VmHWM:") }

    /// The resident memory now (VmRSS).
    public func residentBytes() -> Int? { Self.status(pid: pid, field: "VmRSS:") }

    private static func status(pid: pid_t, field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field) {
            let kb = line.dropFirst(field.count).split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) }
            return kb.map { $0 * 1024 }
        }
        return nil
    }

    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to end; its exit status (as wait4 gives it) and peak resident memory.
    public func wait() -> (status: Int32, maxRSSBytes: Int) {
        if let ended { return ended }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let result = (status, Int(usage.ru_maxrss) * 1024)
        ended = result
        return result
    }

    /// Runs a program to its end; throws with its stderr when it fails.
    public static func run(_ arguments: [String], scratch: String) throws {
        let errors = (scratch as NSString).appendingPathComponent("run-\(UUID().uuidString.prefix(8)).stderr")
        defer { try? FileManager.default.removeItem(atPath: errors) }
        let child = try ChildProcess(arguments, captureStdout: false, stderrPath: errors)
        let (status, _) = child.wait()
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let said = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            throw HubLoadError(
                "\((arguments[0] as NSString).lastPathComponent) \(arguments.dropFirst().first ?? "") failed "
                    + "(status \(status)): \(said.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
