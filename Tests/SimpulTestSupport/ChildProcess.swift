import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process that did not end, or whose output did not close, in the time a test allows it.
/// It has been sent SIGKILL.
public struct ChildProcessTimeout: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Process {
    /// Starts the configured process with stdout and stderr on pipes, reads both to their end and waits
    /// for it, all within `timeout`: a hung child is killed and reported instead of hanging the run.
    /// With `mergingStderr` stderr goes to the same pipe as stdout and comes back empty.
    public func runCapturingOutput(
        timeout: Duration = .seconds(120), mergingStderr: Bool = false
    ) throws -> (stdout: Data, stderr: Data) {
        let out = Pipe()
        let err = mergingStderr ? out : Pipe()
        standardOutput = out
        standardError = err
        let exited = DispatchSemaphore(value: 0)
        terminationHandler = { _ in exited.signal() }
        try run()
        let stdout = PipeReader(out.fileHandleForReading)
        let stderr = mergingStderr ? nil : PipeReader(err.fileHandleForReading)
        let deadline = DispatchTime.now() + .nanoseconds(Int(timeout.nanoseconds))
        guard exited.wait(timeout: deadline) == .success else {
            killAndReap()
            throw ChildProcessTimeout("\(commandLine) did not end within \(timeout) and was killed")
        }
        guard let o = stdout.wait(seconds: 10), let e = stderr.map({ $0.wait(seconds: 10) }) ?? Data() else {
            throw ChildProcessTimeout("\(commandLine) ended but its output did not close within 10 s")
        }
        return (o, e)
    }

    /// Waits at most `timeout` for a started process to end; a process still running then is killed
    /// and reported. Replaces any termination handler.
    public func waitForExit(timeout: Duration = .seconds(60)) throws {
        let exited = DispatchSemaphore(value: 0)
        terminationHandler = { _ in exited.signal() }
        // The handler is read when the process ends: one that ended before it was set is no longer running.
        guard isRunning else { return }
        let deadline = DispatchTime.now() + .nanoseconds(Int(timeout.nanoseconds))
        guard exited.wait(timeout: deadline) == .success || !isRunning else {
            killAndReap()
            throw ChildProcessTimeout("\(commandLine) did not end within \(timeout) and was killed")
        }
    }

    private func killAndReap() {
        if isRunning { kill(processIdentifier, SIGKILL) }
    }

    private var commandLine: String {
        ([executableURL?.lastPathComponent ?? "?"] + (arguments ?? [])).joined(separator: " ")
    }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}

/// Reads a pipe to its end on a thread of its own, so a full pipe can never block the child.
private final class PipeReader: @unchecked Sendable {
    // Written once by the reader before `done` is signalled, read only after waiting on it.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    func wait(seconds: Int) -> Data? {
        guard done.wait(timeout: .now() + .seconds(seconds)) == .success else { return nil }
        return data
    }
}

extension FileHandle {
    /// The first line a child writes on this pipe (what it has written, if it closes the pipe first),
    /// or nil when no line comes within `timeout`. The read goes on on its own thread until the pipe
    /// closes, which killing the child does.
    public func firstLine(within timeout: Duration) -> String? {
        final class Box: @unchecked Sendable { var line = "" }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread { [self] in
            var line = ""
            while !line.contains("\n") {
                let chunk = availableData
                if chunk.isEmpty { break }
                line += String(decoding: chunk, as: UTF8.self)
            }
            box.line = line
            done.signal()
        }.start()
        guard done.wait(timeout: .now() + .nanoseconds(Int(timeout.nanoseconds))) == .success else { return nil }
        return box.line
    }
}
