import Foundation
import SimpulTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The posix_spawn child the black-box tests start every binary with.
@Suite(.timeLimit(.minutes(10))) struct ChildTests {
    @Test func exitCodesComeBackAsTheyWere() throws {
        #expect(try Child.run("/bin/sh", ["-c", "exit 0"]).termination == .exited(0))
        let failed = try Child.run("/bin/sh", ["-c", "exit 3"]).termination
        #expect(failed == .exited(3))
        #expect(failed.status == 3)
        #expect(failed.signal == nil)
        // A name without a slash is looked up in the PATH.
        #expect(try Child.run("sh", ["-c", "exit 42"]).termination == .exited(42))
    }

    @Test func aSignalEndsTheChildAndIsReportedAsSuch() throws {
        let child = try Child("/bin/sh", ["-c", "echo siap; exec sleep 30"])
        #expect(child.stdout.firstLine(within: .seconds(10)) == "siap")
        #expect(child.isRunning)
        // Still running: waiting a moment gives nothing.
        #expect(child.wait(timeout: .milliseconds(50)) == nil)
        child.signal(SIGTERM)
        let ended = try #require(child.wait(timeout: .seconds(10)))
        #expect(ended == .signaled(SIGTERM))
        #expect(ended.status == 128 + SIGTERM)
        #expect(ended.signal == SIGTERM)
        #expect(!child.isRunning)
        // Reaped: a signal now goes nowhere instead of to whoever has the pid.
        child.signal(SIGKILL)
        #expect(child.termination == .signaled(SIGTERM))
    }

    @Test func theChildGetsDefaultSignalHandlingEvenWhereWeIgnoreASignal() throws {
        // SIGUSR1, which nothing else in the test run uses: an ignored signal would stay ignored across exec.
        let previous = Glibc.signal(SIGUSR1, SIG_IGN)
        defer { Glibc.signal(SIGUSR1, previous) }
        let child = try Child("/bin/sh", ["-c", "echo siap; exec sleep 30"])
        #expect(child.stdout.firstLine(within: .seconds(10)) == "siap")
        child.signal(SIGUSR1)
        #expect(try child.waitOrKill(timeout: .seconds(10)) == .signaled(SIGUSR1))
    }

    @Test func aChildThatOutlivesItsTimeoutIsKilledAndReported() throws {
        let started = ContinuousClock.now
        #expect {
            try Child.run("/bin/sh", ["-c", "exec sleep 30"], timeout: .milliseconds(300))
        } throws: { error in
            "\(error)".contains("did not end within") && "\(error)".contains("was killed")
        }
        #expect(ContinuousClock.now - started < .seconds(10))

        let child = try Child("/bin/sh", ["-c", "exec sleep 30"])
        #expect(throws: ChildError.self) { try child.waitOrKill(timeout: .milliseconds(100)) }
        #expect(child.termination == .signaled(SIGKILL))
    }

    @Test func stdoutAndStderrAreCapturedApartOrTogether() throws {
        let apart = try Child.run("/bin/sh", ["-c", "printf 'satu\\ndua'; printf galat >&2"])
        #expect(String(decoding: apart.stdout, as: UTF8.self) == "satu\ndua")
        #expect(String(decoding: apart.stderr, as: UTF8.self) == "galat")

        let together = try Child.run(
            "/bin/sh", ["-c", "printf satu; printf galat >&2; printf dua"], mergingStderr: true)
        #expect(String(decoding: together.stdout, as: UTF8.self) == "satugalatdua")
        #expect(together.stderr.isEmpty)

        // Far more than a pipe holds: the readers drain it while the child writes.
        let big = try Child.run("/bin/sh", ["-c", "head -c 3000000 /dev/zero; head -c 2000000 /dev/zero >&2"])
        #expect(big.stdout.count == 3_000_000)
        #expect(big.stderr.count == 2_000_000)
    }

    @Test func outputCanGoToAFileOrNowhere() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let child = try Child(
            "/bin/sh", ["-c", "echo ke-berkas; echo dibuang >&2"], stdout: .file(file), stderr: .null)
        #expect(try child.waitOrKill(timeout: .seconds(10)) == .exited(0))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "ke-berkas\n")
        #expect(child.stdout.readToEnd(within: .zero) == Data())
        #expect(child.stderr.readToEnd(within: .zero) == Data())
    }

    @Test func linesArriveOneByOneWithinADeadline() throws {
        let child = try Child("/bin/sh", ["-c", "echo satu; echo; echo tiga; exec sleep 30"])
        defer { child.signal(SIGKILL) }
        var cursor = 0
        #expect(child.stdout.line(after: &cursor, within: .seconds(10)) == "satu")
        #expect(child.stdout.line(after: &cursor, within: .seconds(10)) { !$0.isEmpty } == "tiga")
        #expect(cursor == 3)
        // No fourth line while it sleeps: the deadline ends the wait.
        let started = ContinuousClock.now
        #expect(child.stdout.line(after: &cursor, within: .milliseconds(200)) == nil)
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        child.signal(SIGKILL)
        // Closed: what came is all there is, and no wait for more.
        #expect(child.stdout.readToEnd(within: .seconds(10)) == Data("satu\n\ntiga\n".utf8))
        #expect(child.stdout.lines == ["satu", "", "tiga"])
        #expect(child.stdout.line(after: &cursor, within: .seconds(30)) == nil)
    }

    @Test func theEnvironmentAndWorkingDirectoryAreTheOnesGiven() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Child.run(
            "/bin/sh", ["-c", "printf '%s|%s|%s' \"$SALAM\" \"${HOME-unset}\" \"$(pwd -P)\""],
            environment: ["SALAM": "halo dunia"], directory: dir.path)
        #expect(run.termination == .exited(0))
        let expected = "halo dunia|unset|" + dir.resolvingSymlinksInPath().path
        #expect(String(decoding: run.stdout, as: UTF8.self) == expected)

        // Without an environment the child has ours.
        let inherited = try Child.run("/bin/sh", ["-c", "printf %s \"$PATH\""])
        #expect(String(decoding: inherited.stdout, as: UTF8.self) == ProcessInfo.processInfo.environment["PATH"])
    }

    @Test func stdinIsEmptyUnlessAPipeIsAskedFor() throws {
        // cat would wait forever on an inherited terminal.
        let empty = try Child.run("/bin/cat", timeout: .seconds(10))
        #expect(empty.termination == .exited(0))
        #expect(empty.stdout.isEmpty)

        let child = try Child("/bin/cat", stdin: .pipe)
        let writer = try #require(child.stdin)
        writer.write(Data("masuk\n".utf8))
        try writer.close()
        #expect(try child.waitOrKill(timeout: .seconds(10)) == .exited(0))
        #expect(child.stdout.readToEnd(within: .seconds(10)) == Data("masuk\n".utf8))
    }

    @Test func theChildInheritsNoDescriptorOfOursButItsOwnThree() throws {
        // A descriptor opened without close-on-exec, as any library in this process might.
        let leaky = open("/dev/null", O_RDONLY)
        try #require(leaky >= 3)
        defer { close(leaky) }
        let run = try Child.run("/bin/sh", ["-c", "ls /proc/$$/fd"])
        let open = Set(String(decoding: run.stdout, as: UTF8.self).split(separator: "\n").map(String.init))
        #expect(!open.contains(String(leaky)), "the child sees descriptors \(open.sorted())")
        #expect(open.isSuperset(of: ["0", "1", "2"]))
    }

    @Test func aMissingExecutableIsAnErrorNotACrash() {
        #expect(throws: ChildError.self) { try Child("/nonexistent/simpul") }
    }
}
