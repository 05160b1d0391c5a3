import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process that could not be started, did not end, or whose output did not close in the time
/// a test allows it (a child that did not end has been sent SIGKILL).
public struct ChildError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A child process started with `posix_spawn`.
///
/// Foundation's `Process.run()` in the Swift 6.3 toolchain sometimes crashes on Linux (an over-read of
/// `dirent.d_name` while it looks for open descriptors, swift-corelibs-foundation PR 5472), which takes
/// the whole test run down; this type does without it. The child gets stdin from /dev/null unless a
/// pipe is asked for, every signal at its default disposition and unblocked, and no descriptor of ours
/// beyond 0, 1 and 2. Its stdout and stderr, when they are pipes, are read to their end on threads of
/// their own, so a full pipe never blocks it. A child still running when the last reference goes is
/// killed: nobody could wait for it or stop it any more.
public final class Child: @unchecked Sendable {
    public enum Input: Sendable {
        case null
        /// A pipe whose write end is `stdin`.
        case pipe
    }

    public enum Output: Sendable {
        /// A pipe read into `stdout` or `stderr`.
        case pipe
        case null
        /// The file, created or truncated.
        case file(String)
        /// For stderr only: the same pipe or file as stdout.
        case stdout
    }

    public enum Termination: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        /// The exit code, or 128 + the signal as a shell reports it.
        public var status: Int32 {
            switch self {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        }

        /// The signal that ended the process, if one did.
        public var signal: Int32? {
            if case .signaled(let signal) = self { return signal }
            return nil
        }

        public var description: String {
            switch self {
            case .exited(let code): "exit \(code)"
            case .signaled(let signal): "signal \(signal)"
            }
        }
    }

    public let pid: pid_t
    /// The executable's name and the arguments, for messages.
    public let commandLine: String
    /// What the child writes on stdout; empty and closed unless stdout is `.pipe`.
    public let stdout: ChildOutput
    /// What the child writes on stderr; empty and closed unless stderr is `.pipe`.
    public let stderr: ChildOutput
    /// The write end of the child's stdin when it is `.pipe`; closing it gives the child end-of-file.
    public let stdin: FileHandle?
    private let reaper: Reaper

    /// Starts `executable` (a path, or a name looked up in this process's PATH) with the arguments.
    /// A nil `environment` passes this process's own; a nil `directory` leaves the working directory.
    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        directory: String? = nil, stdin: Input = .null, stdout: Output = .pipe, stderr: Output = .pipe
    ) throws {
        commandLine = ([(executable as NSString).lastPathComponent] + arguments).joined(separator: " ")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The child's ends, closed here once it has its copies; ours, closed if it cannot be started.
        var childEnds: [Int32] = []
        var ourEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }

        func makePipe() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            // Close-on-exec: no other child, started meanwhile by a test running in parallel, inherits
            // this pipe and keeps it open after our child has ended.
            guard GNU.pipe2(&fds, O_CLOEXEC) == 0 else {
                for fd in ourEnds { close(fd) }
                throw ChildError("cannot start \(executable): pipe2 failed (\(String(cString: strerror(errno))))")
            }
            return (fds[0], fds[1])
        }
        func route(_ output: Output, to target: Int32) throws -> Int32? {
            switch output {
            case .pipe:
                let pipe = try makePipe()
                ourEnds.append(pipe.read)
                childEnds.append(pipe.write)
                posix_spawn_file_actions_adddup2(&actions, pipe.write, target)
                return pipe.read
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .stdout:
                precondition(target == 2, "only stderr can go where stdout goes")
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            }
            return nil
        }

        var stdinWriter: Int32?
        switch stdin {
        case .null:
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .pipe:
            let pipe = try makePipe()
            ourEnds.append(pipe.write)
            childEnds.append(pipe.read)
            posix_spawn_file_actions_adddup2(&actions, pipe.read, 0)
            stdinWriter = pipe.write
        }
        let stdoutReader = try route(stdout, to: 1)
        let stderrReader = try route(stderr, to: 2)
        if let directory { _ = GNU.addchdir(&actions, directory) }
        // What Foundation does by listing /proc/self/fd (where it crashes): descriptors opened without
        // close-on-exec by any code in this process stay out of the child.
        _ = GNU.addclosefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Signals this process ignores or blocks (SIGPIPE) would stay so across exec.
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map {
            $0.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer { for p in argv + (envp ?? []) { free(p) } }
        var pid: pid_t = 0
        let result = envp.withOptionalPointer { env in
            executable.contains("/")
                ? posix_spawn(&pid, executable, &actions, &attributes, argv, env ?? UnsafePointer(environ))
                : posix_spawnp(&pid, executable, &actions, &attributes, argv, env ?? UnsafePointer(environ))
        }
        guard result == 0 else {
            for fd in ourEnds { close(fd) }
            throw ChildError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        reaper = Reaper(pid)
        self.stdout = stdoutReader.map(ChildOutput.init(reading:)) ?? ChildOutput()
        self.stderr = stderrReader.map(ChildOutput.init(reading:)) ?? ChildOutput()
        self.stdin = stdinWriter.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
    }

    deinit { reaper.signal(SIGKILL) }

    /// Runs the command with stdout and stderr on pipes, reads both to their end and waits for it, all
    /// within `timeout`: a hung child is killed and reported instead of hanging the run. With
    /// `mergingStderr` stderr goes to the same pipe as stdout and comes back empty.
    public static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        directory: String? = nil, timeout: Duration = .seconds(120), mergingStderr: Bool = false
    ) throws -> (termination: Termination, stdout: Data, stderr: Data) {
        let child = try Child(
            executable, arguments, environment: environment, directory: directory,
            stderr: mergingStderr ? .stdout : .pipe)
        let termination = try child.waitOrKill(timeout: timeout)
        let (stdout, stderr) = try child.output(within: .seconds(10))
        return (termination, stdout, stderr)
    }

    /// How the child ended, or nil while it runs.
    public var termination: Termination? { reaper.termination }

    public var isRunning: Bool { termination == nil }

    /// Sends the signal unless the child has ended (and been reaped: its pid may be another's by then).
    public func signal(_ number: Int32) { reaper.signal(number) }

    /// How the child ended, waiting at most `timeout`; nil when it is still running then.
    public func wait(timeout: Duration) -> Termination? { reaper.wait(until: .now + timeout) }

    /// How the child ended, waiting at most `timeout`; a child still running then is killed and reported.
    public func waitOrKill(timeout: Duration) throws -> Termination {
        if let ended = wait(timeout: timeout) { return ended }
        signal(SIGKILL)
        // SIGKILL cannot be caught, but a process stuck in the kernel (a hung disk) may still not end.
        let reaped = wait(timeout: .seconds(10)) != nil
        throw ChildError(
            "\(commandLine) did not end within \(timeout) and was killed"
                + (reaped ? "" : ", and had not ended 10 s after SIGKILL"))
    }

    /// Everything written on stdout and stderr, once both are closed; they close when the child ends,
    /// unless something it started still holds them.
    public func output(within timeout: Duration) throws -> (stdout: Data, stderr: Data) {
        let deadline = ContinuousClock.now + timeout
        guard let out = stdout.readToEnd(until: deadline), let err = stderr.readToEnd(until: deadline) else {
            throw ChildError("\(commandLine) ended but its output did not close within \(timeout)")
        }
        return (out, err)
    }
}

/// Waits for one child on a thread of its own and reaps it.
private final class Reaper: @unchecked Sendable {
    private let pid: pid_t
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var ended: Child.Termination?

    init(_ pid: pid_t) {
        self.pid = pid
        Thread { [self] in reap() }.start()
    }

    private func reap() {
        // Waits for the end without reaping (WNOWAIT): until `ended` is set under the lock the pid is
        // still this child's, a zombie, so `signal` can never reach a process that reused the pid.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1, errno == EINTR {}
        condition.lock()
        defer { condition.unlock() }
        var status: Int32 = 0
        var reaped = waitpid(pid, &status, 0)
        while reaped == -1, errno == EINTR { reaped = waitpid(pid, &status, 0) }
        // -1 only if someone else reaped our child (a waitpid(-1) elsewhere): how it ended is lost.
        let signal = status & 0x7f
        ended = reaped != pid ? .exited(-1) : signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        condition.broadcast()
    }

    var termination: Child.Termination? {
        condition.lock()
        defer { condition.unlock() }
        return ended
    }

    func signal(_ number: Int32) {
        condition.lock()
        defer { condition.unlock() }
        if ended == nil { kill(pid, number) }
    }

    func wait(until deadline: ContinuousClock.Instant) -> Child.Termination? {
        condition.lock()
        defer { condition.unlock() }
        while ended == nil, let date = deadline.date { _ = condition.wait(until: date) }
        return ended
    }
}

/// One output of a child, read to its end on a thread of its own (a pooled thread could wait behind
/// other blocked readers while the child it should drain is stuck on a full pipe).
public final class ChildOutput: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var bytes = Data()
    private var closed = false

    /// An output that is not a pipe: empty, and closed from the start.
    init() { closed = true }

    init(reading fd: Int32) {
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                condition.lock()
                if count > 0 { bytes.append(contentsOf: buffer[..<count]) } else { closed = true }
                condition.broadcast()
                condition.unlock()
                if count <= 0 { break }
            }
            close(fd)
        }.start()
    }

    /// Whether the write end is closed and everything has been read.
    public var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// What has been read so far.
    public var data: Data {
        condition.lock()
        defer { condition.unlock() }
        return bytes
    }

    public var text: String { String(decoding: data, as: UTF8.self) }

    /// The lines read so far, without their newlines; once closed, the last one even without a newline.
    public var lines: [String] {
        condition.lock()
        defer { condition.unlock() }
        return completeLines()
    }

    /// Everything, once closed; nil when still open after `timeout`.
    public func readToEnd(within timeout: Duration) -> Data? { readToEnd(until: .now + timeout) }

    func readToEnd(until deadline: ContinuousClock.Instant) -> Data? {
        condition.lock()
        defer { condition.unlock() }
        while !closed, let date = deadline.date { _ = condition.wait(until: date) }
        return closed ? bytes : nil
    }

    /// The first line (what was written, if the output closes without a newline), or nil when none
    /// comes within `timeout`.
    public func firstLine(within timeout: Duration) -> String? {
        var cursor = 0
        return line(after: &cursor, within: timeout)
    }

    /// The next line from `cursor` (a count of lines already looked at) that satisfies `match`, waiting
    /// at most `timeout` for it; nil when none comes before then or before the output closes. `cursor`
    /// moves past every line looked at.
    public func line(
        after cursor: inout Int, within timeout: Duration, where match: (String) -> Bool = { _ in true }
    ) -> String? {
        let deadline = ContinuousClock.now + timeout
        condition.lock()
        defer { condition.unlock() }
        while true {
            let current = completeLines()
            while cursor < current.count {
                let line = current[cursor]
                cursor += 1
                if match(line) { return line }
            }
            guard !closed, let date = deadline.date else { return nil }
            _ = condition.wait(until: date)
        }
    }

    // Called with the lock held.
    private func completeLines() -> [String] {
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        let partial = lines.removeLast()
        if closed, !partial.isEmpty { lines.append(partial) }
        return lines
    }
}

/// glibc functions the Glibc module leaves out (it is imported without _GNU_SOURCE), found at run time.
private enum GNU {
    static let pipe2 = function("pipe2", as: (@convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32).self)
    /// posix_spawn_file_actions_addchdir_np, glibc 2.29.
    static let addchdir = function(
        "posix_spawn_file_actions_addchdir_np",
        as: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32)
            .self)
    /// posix_spawn_file_actions_addclosefrom_np, glibc 2.34.
    static let addclosefrom = function(
        "posix_spawn_file_actions_addclosefrom_np",
        as: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)

    private static func function<F>(_ name: String, as type: F.Type) -> F {
        guard let symbol = dlsym(nil, name) else { fatalError("\(name) is missing from this C library") }
        return unsafeBitCast(symbol, to: type)
    }
}

extension ContinuousClock.Instant {
    /// This instant on the wall clock, for `NSCondition.wait(until:)`; nil once it has passed.
    fileprivate var date: Date? {
        let left = self - .now
        guard left > .zero else { return nil }
        return Date(timeIntervalSinceNow: Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
    }
}

extension Optional where Wrapped == [UnsafeMutablePointer<CChar>?] {
    /// The array's storage as a C array of strings, or nil.
    fileprivate func withOptionalPointer<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> R) -> R {
        switch self {
        case .some(let array): array.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: body(nil)
        }
    }
}
