import Foundation
import SimpulLinkSimulator
import Testing

#if canImport(Glibc)
import Glibc
#endif

private typealias Plan = LinkSimulator.Plan
private typealias Link = LinkSimulator.Link

/// The link simulator against tiny upstream servers and raw socket clients. Times are only ever checked as lower
/// bounds: a loaded machine makes everything slower, never faster.
@Suite(.timeLimit(.minutes(10))) struct LinkSimulatorTests {
    @Test func bytesPassThroughUnchangedInBothDirections() async throws {
        let upstream = try Upstream(.echo)
        let simulator = try LinkSimulator(upstreamPort: upstream.port)
        defer { stop(simulator, upstream) }
        let small = pattern(1, seed: 1)
        let large = pattern(300_000, seed: 2)
        for sent in [small, large] {
            let (received, end) = try await onThread { try Client(port: simulator.port).exchange(sent) }
            #expect(received == sent)
            #expect(end == .eof)
        }
        #expect(try await simulator.eventually { $0.open == 0 })
        let counters = simulator.counters
        #expect(counters.connections == 2)
        #expect(counters.bytesUp == 300_001)
        #expect(counters.bytesDown == 300_001)
        #expect(counters.perConnection.map(\.bytesUp) == [1, 300_000])
        #expect(counters.perConnection.map(\.bytesDown) == [1, 300_000])
        #expect(counters.perConnection.map(\.state) == [.closed, .closed])
        #expect(counters.cuts == 0 && counters.stalls == 0 && counters.truncations == 0)
    }

    @Test(arguments: [LinkSimulator.Direction.up, .down])
    func aBandwidthCapMakesATransferLastAtLeastBytesOverRate(direction: LinkSimulator.Direction) async throws {
        let rate = 100_000
        let sent = pattern(30_000, seed: 3)
        let upstream = try Upstream(.echo)
        let link = Link(bytesPerSecond: rate)
        let simulator = try LinkSimulator(
            upstreamPort: upstream.port, plan: direction == .up ? Plan(up: link) : Plan(down: link))
        defer { stop(simulator, upstream) }
        let (received, elapsed) = try await onThread {
            let start = ContinuousClock.now
            let (received, _) = try Client(port: simulator.port).exchange(sent)
            return (received, ContinuousClock.now - start)
        }
        #expect(received == sent)
        #expect(elapsed >= .seconds(Double(sent.count) / Double(rate)), "\(elapsed)")
    }

    @Test func twoConnectionsAtOnceShareTheLinksRate() async throws {
        let rate = 100_000
        let sent = pattern(20_000, seed: 4)
        let upstream = try Upstream(.echo)
        let simulator = try LinkSimulator(upstreamPort: upstream.port, plan: Plan(up: Link(bytesPerSecond: rate)))
        defer { stop(simulator, upstream) }
        let clients = try await onThread { (try Client(port: simulator.port), try Client(port: simulator.port)) }
        let start = ContinuousClock.now
        async let first = onThread { clients.0.exchange(sent).bytes }
        async let second = onThread { clients.1.exchange(sent).bytes }
        let (a, b) = try await (first, second)
        let elapsed = ContinuousClock.now - start
        #expect(a == sent)
        #expect(b == sent)
        // Both went up one link: together they took what their bytes take at its rate, not half.
        #expect(elapsed >= .seconds(Double(2 * sent.count) / Double(rate)), "\(elapsed)")
    }

    @Test func aRoundTripTakesAtLeastBothOneWayDelays() async throws {
        let upstream = try Upstream(.echo)
        let simulator = try LinkSimulator(
            upstreamPort: upstream.port, plan: Plan(link: Link(delay: .milliseconds(150))))
        defer { stop(simulator, upstream) }
        let (echoed, elapsed) = try await onThread {
            let client = try Client(port: simulator.port)
            let start = ContinuousClock.now
            client.send([42])
            let echoed = client.read(exactly: 1)
            return (echoed, ContinuousClock.now - start)
        }
        #expect(echoed == [42])
        #expect(elapsed >= .milliseconds(300), "\(elapsed)")
    }

    @Test func delayAndBandwidthAddUp() async throws {
        let upstream = try Upstream(.echo)
        let simulator = try LinkSimulator(
            upstreamPort: upstream.port,
            plan: Plan(link: Link(bytesPerSecond: 200_000, delay: .milliseconds(100))))
        defer { stop(simulator, upstream) }
        let sent = pattern(20_000, seed: 4)
        let (received, elapsed) = try await onThread {
            let start = ContinuousClock.now
            let (received, _) = try Client(port: simulator.port).exchange(sent)
            return (received, ContinuousClock.now - start)
        }
        #expect(received == sent)
        // Pipelined through the echo: one serialization (0.1 s) plus the delay both ways (0.2 s).
        #expect(elapsed >= .milliseconds(300), "\(elapsed)")
    }

    @Test func aCutAfterNBytesDeliversThemThenResets() async throws {
        let body = pattern(50_000, seed: 5)
        let upstream = try Upstream(.send(body, thenClose: false))
        let simulator = try LinkSimulator(
            upstreamPort: upstream.port, plan: Plan(fault: .cut(afterBytes: 10_000, in: .down)))
        defer { stop(simulator, upstream) }
        let (received, end) = try await onThread { try Client(port: simulator.port).readToEnd() }
        #expect(received.count <= 10_000)
        #expect(received == Array(body.prefix(received.count)))
        #expect(end == .reset)
        let counters = simulator.counters
        #expect(counters.cuts == 1)
        #expect(counters.bytesDown == 10_000)
        #expect(counters.perConnection.map(\.state) == [.cut])
    }

    @Test func aCutWithoutADirectionCountsBothDirections() async throws {
        let upstream = try Upstream(.echo)
        let simulator = try LinkSimulator(upstreamPort: upstream.port, plan: Plan(fault: .cut(afterBytes: 4_000)))
        defer { stop(simulator, upstream) }
        let sent = pattern(3_000, seed: 6)
        let (received, end) = try await onThread {
            let client = try Client(port: simulator.port)
            client.send(sent)
            return client.readToEnd()
        }
        #expect(end == .reset)
        #expect(received == Array(sent.prefix(received.count)))
        let counters = simulator.counters
        #expect(counters.bytesUp + counters.bytesDown == 4_000)
        #expect(received.count <= counters.bytesDown)
        #expect(counters.cuts == 1)
    }

    @Test func onlyTheNamedConnectionIsCut() async throws {
        let body = pattern(1_000, seed: 7)
        let upstream = try Upstream(.send(body, thenClose: true))
        let simulator = try LinkSimulator(upstreamPort: upstream.port, plan: Plan(faults: [2: .cut(afterBytes: 0)]))
        defer { stop(simulator, upstream) }
        var results: [([UInt8], Client.End)] = []
        for _ in 1...3 {
            results.append(try await onThread { try Client(port: simulator.port).readToEnd() })
        }
        #expect(results.map(\.0) == [body, [], body])
        #expect(results.map(\.1) == [.eof, .reset, .eof])
        #expect(try await simulator.eventually { $0.open == 0 })
        #expect(simulator.counters.perConnection.map(\.state) == [.closed, .cut, .closed])
        #expect(simulator.counters.cuts == 1)
    }

    @Test func faultsInTurnGoToTheConnectionsThatReachTheirTriggersInTheOrderTheyDo() async throws {
        let upstream = try Upstream(.echo)
        // Connection 2 has a fault of its own (one that never fires here), so it takes none in turn.
        let simulator = try LinkSimulator(
            upstreamPort: upstream.port,
            plan: Plan(
                faults: [2: .cutAfter(.seconds(3_600))],
                faultsInTurn: [.cut(afterBytes: 3_000, in: .down), .cut(afterBytes: 0)]))
        defer { stop(simulator, upstream) }
        let short = pattern(1_000, seed: 21)
        let long = pattern(5_000, seed: 22)
        var results: [([UInt8], Client.End)] = []
        for sent in [short, long, long, short, long] {
            results.append(try await onThread { try Client(port: simulator.port).exchange(sent) })
            #expect(try await simulator.eventually { $0.open == 0 })
        }
        // 1 ends below the trigger and leaves the cut; 2 has its own fault; 3 reaches 3,000 bytes and takes the
        // first cut; 4 takes the second at once; nothing is left for 5.
        #expect(results[0].0 == short && results[0].1 == .eof)
        #expect(results[1].0 == long && results[1].1 == .eof)
        // How the reset shows on a cut connection (an error on send or on receive) races the sending thread;
        // the simulator's own record below says which connections were cut.
        #expect(results[2].0.count <= 3_000 && results[2].0 == Array(long.prefix(results[2].0.count)))
        #expect(results[3].0.isEmpty)
        #expect(results[4].0 == long && results[4].1 == .eof)
        let counters = simulator.counters
        #expect(counters.perConnection.map(\.state) == [.closed, .closed, .cut, .cut, .closed])
        #expect(counters.perConnection[2].bytesDown == 3_000)
        #expect(counters.cuts == 2)
    }

    @Test func aCutAfterALifetimeResetsAnIdleConnection() async throws {
        let upstream = try Upstream(.send([], thenClose: false))
        let simulator = try LinkSimulator(
            upstreamPort: upstream.port, plan: Plan(fault: .cutAfter(.milliseconds(200))))
        defer { stop(simulator, upstream) }
        let (end, elapsed) = try await onThread {
            let start = ContinuousClock.now
            let (_, end) = try Client(port: simulator.port).readToEnd()
            return (end, ContinuousClock.now - start)
        }
        #expect(end == .reset)
        #expect(elapsed >= .milliseconds(200), "\(elapsed)")
        #expect(simulator.counters.cuts == 1)
    }

    @Test func aScheduleCutsWhateverIsOpenEachPeriod() async throws {
        let body = pattern(100, seed: 8)
        let upstream = try Upstream(.send(body, thenClose: false))
        let start = ContinuousClock.now
        let simulator = try LinkSimulator(
            upstreamPort: upstream.port, plan: Plan(cutEvery: .milliseconds(300)))
        defer { stop(simulator, upstream) }
        // The third connection opens after the first cut, so only a later period can cut it.
        let results = try await onThread {
            let clients = try [Client(port: simulator.port), Client(port: simulator.port)]
            return clients.map { $0.readToEnd() } + [try Client(port: simulator.port).readToEnd()]
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(600), "\(elapsed)")
        // Whether a connection got its bytes before a cut depends on when it opened.
        for (received, end) in results {
            #expect(received == Array(body.prefix(received.count)))
            #expect(end == .reset)
        }
        #expect(simulator.counters.cuts == 3)
        #expect(simulator.counters.perConnection.map(\.state) == [.cut, .cut, .cut])
    }

    @Test func cutAllResetsEveryOpenConnectionAtOnce() async throws {
        let upstream = try Upstream(.send([1, 2, 3], thenClose: false))
        let simulator = try LinkSimulator(upstreamPort: upstream.port)
        defer { stop(simulator, upstream) }
        let (cut, ends) = try await onThread {
            let clients = try [Client(port: simulator.port), Client(port: simulator.port)]
            for client in clients { _ = client.read(exactly: 3) }
            let cut = simulator.cutAll()
            return (cut, clients.map { $0.readToEnd().end })
        }
        // Exactly the two real clients were accepted: a third is waited for in vain.
        #expect(simulator.waitForConnections(2, timeout: .seconds(10)))
        #expect(!simulator.waitForConnections(3, timeout: .milliseconds(50)))
        #expect(cut == 2)
        #expect(ends == [.reset, .reset])
        #expect(simulator.counters.cuts == 2)
        #expect(simulator.cutAll() == 0)
        // The listener outlives the cut: a later client is served and is the only one a new cut finds.
        let (later, laterCut) = try await onThread {
            let client = try Client(port: simulator.port)
            return (client.read(exactly: 3), simulator.cutAll())
        }
        #expect(later == [1, 2, 3])
        #expect(laterCut == 1)
        #expect(simulator.waitForConnections(3, timeout: .seconds(10)))
        #expect(simulator.counters.cuts == 3)
    }

    @Test func aStallKeepsTheConnectionOpenWithoutDataUntilReleased() async throws {
        let body = pattern(20_000, seed: 9)
        let upstream = try Upstream(.send(body, thenClose: true))
        let simulator = try LinkSimulator(
            upstreamPort: upstream.port, plan: Plan(fault: .stall(afterBytes: 5_000, in: .down)))
        defer { stop(simulator, upstream) }
        let client = try await onThread { try Client(port: simulator.port) }
        #expect(try await simulator.eventually { $0.stalls == 1 })
        // Every byte before the stall is already written, so a short read timeout sees them all, then nothing.
        let (first, firstEnd) = try await onThread {
            client.setReceiveTimeout(.milliseconds(200))
            return client.readToEnd()
        }
        #expect(first == Array(body.prefix(5_000)))
        #expect(firstEnd == .timeout)
        var counters = simulator.counters
        #expect(counters.open == 1)
        #expect(counters.bytesDown == 5_000)
        #expect(counters.perConnection.map(\.state) == [.stalled])

        simulator.releaseStalls()
        let (rest, restEnd) = try await onThread {
            client.setReceiveTimeout(.seconds(10))
            return client.readToEnd()
        }
        #expect(first + rest == body)
        #expect(restEnd == .eof)
        counters = simulator.counters
        #expect(counters.stalls == 1)
        #expect(counters.bytesDown == 20_000)
    }

    @Test func aTimedStallHoldsTheStreamForItsDuration() async throws {
        let body = pattern(3_000, seed: 10)
        let upstream = try Upstream(.send(body, thenClose: true))
        let simulator = try LinkSimulator(
            upstreamPort: upstream.port, plan: Plan(fault: .stall(afterBytes: 1_000, for: .milliseconds(300))))
        defer { stop(simulator, upstream) }
        let (received, end, elapsed) = try await onThread {
            let start = ContinuousClock.now
            let (received, end) = try Client(port: simulator.port).readToEnd()
            return (received, end, ContinuousClock.now - start)
        }
        #expect(received == body)
        #expect(end == .eof)
        #expect(elapsed >= .milliseconds(300), "\(elapsed)")
        #expect(simulator.counters.stalls == 1)
    }

    @Test func aClientLeavingDuringAStallEndsTheConnection() async throws {
        let upstream = try Upstream(.send([], thenClose: false))
        let simulator = try LinkSimulator(upstreamPort: upstream.port, plan: Plan(fault: .stall(afterBytes: 0)))
        defer { stop(simulator, upstream) }
        let client = try await onThread { try Client(port: simulator.port) }
        #expect(try await simulator.eventually { $0.stalls == 1 })
        client.hangUp()
        #expect(try await simulator.eventually { $0.open == 0 })
        #expect(simulator.counters.perConnection.map(\.state) == [.closed])
        #expect(try await upstream.eventuallyEnded(1))
    }

    @Test func aSilentDropFreezesTheConnectionWithoutAResetUntilTheClientLeaves() async throws {
        let upstream = try Upstream(.echo)
        let simulator = try LinkSimulator(upstreamPort: upstream.port, plan: Plan(silenceEvery: .milliseconds(300)))
        defer { stop(simulator, upstream) }
        let client = try await onThread { try Client(port: simulator.port) }
        #expect(try await simulator.eventually { $0.silences == 1 })
        // After the drop nothing comes back and nothing ends the connection: the client sees only silence.
        let (echoed, end) = try await onThread {
            client.send([1, 2, 3])
            client.setReceiveTimeout(.milliseconds(200))
            return client.readToEnd()
        }
        #expect(echoed.isEmpty)
        #expect(end == .timeout)
        #expect(simulator.counters.open == 1)
        #expect(simulator.counters.cuts == 0)
        #expect(simulator.counters.perConnection.map(\.state) == [.silenced])
        client.hangUp()
        #expect(try await simulator.eventually { $0.open == 0 })
        #expect(simulator.counters.perConnection.map(\.state) == [.closed])
    }

    @Test func aSilenceFaultFreezesTheConnectionAfterNBytesWithoutAReset() async throws {
        let body = pattern(10_000, seed: 5)
        let upstream = try Upstream(.send(body, thenClose: false))
        let simulator = try LinkSimulator(
            upstreamPort: upstream.port, plan: Plan(fault: .silence(afterBytes: 3_000, in: .down)))
        defer { stop(simulator, upstream) }
        let client = try await onThread { try Client(port: simulator.port) }
        let (received, end) = try await onThread {
            client.send(Array("GET / HTTP/1.1\r\nHost: hub\r\n\r\n".utf8))
            _ = simulator.wait(timeout: .seconds(10)) { $0.silences == 1 }
            client.setReceiveTimeout(.milliseconds(200))
            return client.readToEnd()
        }
        // Exactly the bytes before the drop, then nothing: no end of stream, no reset.
        #expect(received == Array(body.prefix(3_000)))
        #expect(end == .timeout)
        #expect(simulator.counters.perConnection.map(\.state) == [.silenced])
        #expect(simulator.counters.cuts == 0)
        client.hangUp()
        #expect(try await simulator.eventually { $0.open == 0 })
    }

    @Test func aConnectionsSetupCostsItsRoundTripBeforeAnyByteCrosses() async throws {
        let upstream = try Upstream(.echo)
        let simulator = try LinkSimulator(
            upstreamPort: upstream.port, plan: Plan(connectionSetup: .milliseconds(400)))
        defer { stop(simulator, upstream) }
        let (echoed, elapsed) = try await onThread {
            let start = ContinuousClock.now
            let client = try Client(port: simulator.port)
            client.send([7, 8, 9])
            return (client.read(exactly: 3), ContinuousClock.now - start)
        }
        #expect(echoed == [7, 8, 9])
        #expect(elapsed >= .milliseconds(400), "\(elapsed)")
        #expect(simulator.counters.stalls == 0)
    }

    @Test func aTruncatedResponseEndsCleanlyAfterKBytesAndTheNextConnectionIsWhole() async throws {
        let body = pattern(10_000, seed: 11)
        let upstream = try Upstream(.send(body, thenClose: false))
        let simulator = try LinkSimulator(upstreamPort: upstream.port, plan: Plan(fault: .truncate(afterBytes: 4_321)))
        defer { stop(simulator, upstream) }
        let (truncated, end) = try await onThread {
            let client = try Client(port: simulator.port)
            client.send(Array("GET / HTTP/1.1\r\nHost: hub\r\n\r\n".utf8))
            return client.readToEnd()
        }
        #expect(truncated == Array(body.prefix(4_321)))
        #expect(end == .eof)
        #expect(simulator.counters.truncations == 1)
        #expect(simulator.counters.bytesDown == 4_321)
        #expect(simulator.counters.perConnection.map(\.state) == [.truncated])

        simulator.plan = Plan()
        let whole = try await onThread { try Client(port: simulator.port).read(exactly: body.count) }
        #expect(whole == body)
        #expect(simulator.counters.truncations == 1)
    }

    @Test func anUpstreamThatRefusesResetsTheClient() async throws {
        let closedPort = try ReservedPort()
        let simulator = try LinkSimulator(upstreamPort: closedPort.port)
        defer {
            simulator.stop()
            closedPort.release()
        }
        let (received, end) = try await onThread { try Client(port: simulator.port).readToEnd() }
        #expect(received.isEmpty)
        #expect(end == .reset)
        #expect(try await simulator.eventually { $0.open == 0 })
        #expect(simulator.counters.perConnection.map(\.state) == [.reset])
    }

    @Test func stopClosesTheListenerAndEveryConnection() async throws {
        let upstream = try Upstream(.send([7, 7], thenClose: false))
        defer { upstream.stop() }
        let simulator = try LinkSimulator(upstreamPort: upstream.port)
        let (before, end) = try await onThread {
            let client = try Client(port: simulator.port)
            let before = client.read(exactly: 2)
            simulator.stop()
            return (before, client.readToEnd().end)
        }
        #expect(before == [7, 7])
        #expect(end == .reset)
        #expect(try await upstream.eventuallyEnded(1))
        #expect(throws: Client.Failure.self) { try Client(port: simulator.port) }
        simulator.stop()
    }

    @Test func aSimulatorLeftToDeinitStopsAndManyCanComeAndGo() async throws {
        let upstream = try Upstream(.echo)
        defer { upstream.stop() }
        let client = try await onThread {
            let simulator = try LinkSimulator(upstreamPort: upstream.port)
            return try withExtendedLifetime(simulator) {
                let client = try Client(port: simulator.port)
                client.send([1])
                _ = client.read(exactly: 1)
                return client
            }
        }
        #expect(try await onThread { client.readToEnd().end } == .reset)
        try await onThread {
            for round in 0..<40 {
                let simulator = try LinkSimulator(upstreamPort: upstream.port)
                let (received, _) = try Client(port: simulator.port).exchange([UInt8(round)])
                guard received == [UInt8(round)] else { throw Client.Failure("round \(round) echoed \(received)") }
                simulator.stop()
            }
        }
        #expect(try await upstream.eventuallyEnded(41))
    }
}

private func stop(_ simulator: LinkSimulator, _ upstream: Upstream) {
    simulator.stop()
    upstream.stop()
}

/// Bytes that differ from one position and one seed to the next, so that a reordering or a loss shows.
private func pattern(_ count: Int, seed: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8 &+ seed &* 101) }
}

/// Runs blocking socket work on a thread of its own, off the few cooperative threads other suites need.
private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

extension LinkSimulator {
    /// Waits, off the cooperative pool, until the counters satisfy `condition`; false after ten seconds.
    fileprivate func eventually(_ condition: @escaping @Sendable (Counters) -> Bool) async throws -> Bool {
        try await onThread { self.wait(timeout: .seconds(10), until: condition) }
    }
}

#if os(Linux)
private let sendFlags = Int32(MSG_NOSIGNAL)
private let streamType = Int32(SOCK_STREAM.rawValue)
#else
private let sendFlags: Int32 = 0
private let streamType = SOCK_STREAM
#endif

private func makeSocket() -> Int32 {
    socket(AF_INET, streamType, 0)
}

private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return address
}

private func bindLoopback(_ fd: Int32) -> Int? {
    var address = loopback(port: 0)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { return nil }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

@discardableResult
private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let count = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, sendFlags) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { return false }
        offset += count
    }
    return true
}

/// A blocking client socket connected to 127.0.0.1.
private final class Client: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// How a read ended.
    enum End: Equatable, Sendable {
        case eof
        case reset
        /// The receive timeout passed with the connection still open.
        case timeout
        case failed(errno: Int32)
    }

    let fd: Int32

    /// Connects; reads give up after `receiveTimeout`, so that a broken test fails instead of hanging.
    init(port: Int, receiveTimeout: Duration = .seconds(10)) throws {
        let fd = makeSocket()
        var address = loopback(port: port)
        guard fd >= 0 else { throw Failure("socket() failed: errno \(errno)") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = errno
            close(fd)
            throw Failure("connect() to port \(port) failed: errno \(error)")
        }
        self.fd = fd
        setReceiveTimeout(receiveTimeout)
    }

    deinit { close(fd) }

    func setReceiveTimeout(_ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval()
        value.tv_sec = .init(seconds)
        value.tv_usec = .init(attoseconds / 1_000_000_000_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ bytes: [UInt8]) {
        sendAll(fd, bytes)
    }

    /// Ends the connection (FIN) without giving up the descriptor, which deinit closes.
    func hangUp() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Reads until `count` bytes arrived or the stream ended.
    func read(exactly count: Int) -> [UInt8] {
        read(upTo: count).bytes
    }

    /// Reads until the end of the stream, a reset or the receive timeout.
    func readToEnd() -> (bytes: [UInt8], end: End) {
        read(upTo: .max)
    }

    /// Sends `bytes` from another thread, then its FIN, while reading everything that comes back.
    func exchange(_ bytes: [UInt8]) -> (bytes: [UInt8], end: End) {
        let sent = DispatchSemaphore(value: 0)
        let fd = fd
        Thread {
            sendAll(fd, bytes)
            shutdown(fd, Int32(SHUT_WR))
            sent.signal()
        }.start()
        let result = readToEnd()
        sent.wait()
        return result
    }

    private func read(upTo limit: Int) -> (bytes: [UInt8], end: End) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while received.count < limit {
            let count = recv(fd, &buffer, min(buffer.count, limit - received.count), 0)
            if count > 0 {
                received += buffer[..<count]
                continue
            }
            if count == 0 { return (received, .eof) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return (received, .timeout)
            case ECONNRESET: return (received, .reset)
            case let error: return (received, .failed(errno: error))
            }
        }
        return (received, .eof)
    }
}

/// A port on 127.0.0.1 that is bound but not listening, so that connecting to it is refused.
private final class ReservedPort: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        fd = makeSocket()
        guard fd >= 0, let port = bindLoopback(fd) else { throw Client.Failure("could not reserve a port") }
        self.port = port
    }

    func release() { close(fd) }
}

/// A tiny upstream server on 127.0.0.1, one thread per connection.
private final class Upstream: @unchecked Sendable {
    // @unchecked: the variables are guarded by `condition`.
    enum Behaviour: Sendable {
        /// Sends back what it receives; closes after the client's FIN.
        case echo
        /// Sends `bytes`, then closes, or with `thenClose` false reads until the client goes away.
        case send([UInt8], thenClose: Bool)
    }

    let port: Int
    private let listener: Int32
    private let behaviour: Behaviour
    private let threads = DispatchGroup()
    private let condition = NSCondition()
    private var clients: Set<Int32> = []
    private var ended = 0
    private var stopped = false

    init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        listener = makeSocket()
        guard listener >= 0, let port = bindLoopback(listener), listen(listener, 64) == 0 else {
            throw Client.Failure("the upstream could not listen: errno \(errno)")
        }
        self.port = port
        threads.enter()
        Thread { [self] in
            acceptLoop()
            threads.leave()
        }.start()
    }

    /// Waits until `count` connections have ended on the upstream side.
    func eventuallyEnded(_ count: Int) async throws -> Bool {
        try await onThread {
            let deadline = Date(timeIntervalSinceNow: 10)
            self.condition.lock()
            defer { self.condition.unlock() }
            while self.ended < count {
                if !self.condition.wait(until: deadline) { return self.ended >= count }
            }
            return true
        }
    }

    func stop() {
        condition.lock()
        stopped = true
        for client in clients { shutdown(client, Int32(SHUT_RDWR)) }
        condition.unlock()
        // Wakes the blocked accept.
        shutdown(listener, Int32(SHUT_RDWR))
        threads.wait()
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            condition.lock()
            if stopped {
                condition.unlock()
                close(client)
                return
            }
            clients.insert(client)
            condition.unlock()
            threads.enter()
            Thread { [self] in
                serve(client)
                condition.lock()
                clients.remove(client)
                close(client)
                ended += 1
                condition.broadcast()
                condition.unlock()
                threads.leave()
            }.start()
        }
    }

    private func serve(_ client: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        switch behaviour {
        case .echo:
            while true {
                let count = recv(client, &buffer, buffer.count, 0)
                if count < 0 && errno == EINTR { continue }
                guard count > 0, sendAll(client, Array(buffer[..<count])) else { return }
            }
        case .send(let bytes, let thenClose):
            guard sendAll(client, bytes), !thenClose else { return }
            while true {
                let count = recv(client, &buffer, buffer.count, 0)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
            }
        }
    }
}
