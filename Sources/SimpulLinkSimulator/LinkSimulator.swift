import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP proxy on 127.0.0.1 that stands between a client and an upstream server and behaves like a bad
/// satellite link: limited bandwidth, long delay, connections cut, stalled or truncated on purpose.
///
/// Each direction is modelled as a link of `bytesPerSecond` with a one-way `delay`: a byte read at time t waits
/// for the bytes before it, takes `1 / bytesPerSecond` to serialize, then arrives `delay` later. The end of a
/// stream (FIN) travels the same way. The link is one: connections open at once share its rate, a byte of one
/// waiting for the bytes of the others queued before it. About one second of the link's rate (16 KiB to 1 MiB) may wait to be
/// serialized before the simulator stops reading and lets the sender's socket buffers fill.
///
/// A connection takes its links and its fault from the plan when it is accepted; changing the plan affects the
/// connections accepted afterwards, except `cutEvery`, which cuts whatever is open. Byte counts are bytes written to
/// the far side's socket, so a fault "after N bytes" writes exactly N; a cut's RST discards whatever the kernel had
/// not yet sent, so the peer receives at most N.
///
/// One thread serves every connection with `poll`; `stop()` (or deinit) closes every socket and waits for it.
public final class LinkSimulator: Sendable {
    /// A direction of a connection.
    public enum Direction: Sendable, Hashable {
        /// Client to upstream: requests and uploads.
        case up
        /// Upstream to client: responses.
        case down
    }

    /// One direction of the link.
    public struct Link: Sendable, Equatable {
        /// Serialization rate; `nil` forwards as fast as the sockets allow.
        public var bytesPerSecond: Int?
        /// One-way propagation delay, added after serialization.
        public var delay: Duration

        public init(bytesPerSecond: Int? = nil, delay: Duration = .zero) {
            self.bytesPerSecond = bytesPerSecond
            self.delay = delay
        }
    }

    /// What goes wrong on a connection.
    public enum Fault: Sendable, Equatable {
        /// Resets both sides (RST) once `afterBytes` have been forwarded in one direction, or in both together when
        /// `in` is nil.
        case cut(afterBytes: Int, in: Direction? = nil)
        /// Resets both sides (RST) once the connection has been open this long.
        case cutAfter(Duration)
        /// Once `afterBytes` have been forwarded in direction `in`, freezes both directions with the sockets open,
        /// for `for`, or when nil until `releaseStalls()`; then the link resumes where it stopped. Nothing is read
        /// meanwhile. If the client closes or shuts down its sending side during the stall, the connection ends
        /// (noticed on Linux only; elsewhere at the end of the stall).
        case stall(afterBytes: Int, in: Direction = .down, for: Duration? = nil)
        /// Forwards only the first `afterBytes` from upstream to the client, then ends the response with a clean
        /// close (FIN) and closes the upstream side.
        case truncate(afterBytes: Int)
        /// Once `afterBytes` have been forwarded in direction `in`, drops the connection silently, as a satellite
        /// link does: both directions freeze with the sockets open, no reset is sent, and only the client can end
        /// the connection (by closing it).
        case silence(afterBytes: Int, in: Direction = .down)
    }

    /// How the simulator treats connections.
    public struct Plan: Sendable, Equatable {
        /// The client-to-upstream link.
        public var up: Link
        /// The upstream-to-client link.
        public var down: Link
        /// The fault of every new connection that `faults` does not name.
        public var fault: Fault?
        /// Faults of particular connections, by number in accept order (the first is 1).
        public var faults: [Int: Fault]
        /// Faults handed out in turn: the first goes to whichever connection reaches its trigger first, the second
        /// to the next, and so on. Only connections that `faults` and `fault` leave without one take part, each
        /// takes at most one, and a connection that ends before reaching the trigger leaves the fault to the next.
        /// A test that must see a drop at a point of the transfer sees it there, whatever connections the client
        /// opened and closed before for reasons of its own. `cutAfter` has no byte trigger and is not allowed.
        public var faultsInTurn: [Fault]
        /// Cuts every open connection each time this much wall time passes. The period starts when a plan with a
        /// different `cutEvery` is installed, so replacing other parts of the plan keeps the schedule.
        public var cutEvery: Duration?
        /// Drops every open connection silently each time this much wall time passes, as a satellite link does:
        /// both directions freeze with the sockets open, no reset is sent, and only the client can end the
        /// connection (by closing it). The period starts like `cutEvery`'s.
        public var silenceEvery: Duration?
        /// How long a new connection waits before anything crosses it: the TCP handshake's round trip, which a
        /// proxy on loopback would otherwise make free.
        public var connectionSetup: Duration

        public init(
            up: Link = Link(), down: Link = Link(), fault: Fault? = nil, faults: [Int: Fault] = [:],
            faultsInTurn: [Fault] = [], cutEvery: Duration? = nil, silenceEvery: Duration? = nil,
            connectionSetup: Duration = .zero
        ) {
            self.up = up
            self.down = down
            self.fault = fault
            self.faults = faults
            self.faultsInTurn = faultsInTurn
            self.cutEvery = cutEvery
            self.silenceEvery = silenceEvery
            self.connectionSetup = connectionSetup
        }

        /// The same link in both directions.
        public init(
            link: Link, fault: Fault? = nil, faults: [Int: Fault] = [:], faultsInTurn: [Fault] = [],
            cutEvery: Duration? = nil, silenceEvery: Duration? = nil, connectionSetup: Duration = .zero
        ) {
            self.init(
                up: link, down: link, fault: fault, faults: faults, faultsInTurn: faultsInTurn, cutEvery: cutEvery,
                silenceEvery: silenceEvery, connectionSetup: connectionSetup)
        }
    }

    /// Where a connection stands.
    public enum State: Sendable, Equatable {
        case open
        /// Frozen by a `stall` fault, sockets open.
        case stalled
        /// Dropped silently by the `silenceEvery` schedule, sockets open, until the client closes.
        case silenced
        /// Both sides finished cleanly, or the client left during a stall.
        case closed
        /// A side reset or failed, the upstream refused, or the simulator stopped.
        case reset
        /// Cut on purpose by a fault, the `cutEvery` schedule or `cutAll()`.
        case cut
        /// Ended early by a `truncate` fault.
        case truncated
    }

    /// One connection's counters.
    public struct ConnectionCounters: Sendable, Equatable {
        /// Position in accept order, from 1.
        public let number: Int
        public var state: State = .open
        /// Bytes forwarded client to upstream.
        public var bytesUp = 0
        /// Bytes forwarded upstream to client.
        public var bytesDown = 0
    }

    /// What the simulator has done since it started.
    public struct Counters: Sendable, Equatable {
        /// Connections accepted.
        public var connections = 0
        /// Connections accepted and not yet ended (stalled ones included).
        public var open = 0
        /// Bytes forwarded client to upstream, all connections.
        public var bytesUp = 0
        /// Bytes forwarded upstream to client, all connections.
        public var bytesDown = 0
        /// Connections cut on purpose.
        public var cuts = 0
        /// Stalls begun.
        public var stalls = 0
        /// Connections dropped silently.
        public var silences = 0
        /// Responses truncated.
        public var truncations = 0
        /// Every connection in accept order: `perConnection[n - 1]` is connection n.
        public var perConnection: [ConnectionCounters] = []
    }

    /// Why the simulator could not start.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The port the simulator listens on, on 127.0.0.1.
    public let port: Int
    /// The port on 127.0.0.1 every connection is forwarded to (the first, with several).
    public var upstreamPort: Int { upstreamPorts[0] }
    /// The ports on 127.0.0.1 the connections are forwarded to in turn.
    public let upstreamPorts: [Int]
    private let shared: Shared

    /// Starts listening on 127.0.0.1 at a port the system chooses and forwards to `upstreamPort`.
    public convenience init(upstreamPort: Int, plan: Plan = Plan()) throws {
        try self.init(upstreamPorts: [upstreamPort], plan: plan)
    }

    /// Forwards the connections to `upstreamPorts` in turn, as a TCP round-robin load balancer in
    /// front of several servers would: the first to the first port, the second to the second, and so on.
    public init(upstreamPorts: [Int], plan: Plan = Plan()) throws {
        guard !upstreamPorts.isEmpty else { throw Failure(description: "no upstream port") }
        Self.validate(plan)
        let (listener, port) = try Self.makeListener()
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            close(listener)
            throw Failure(description: "pipe() failed: errno \(errno)")
        }
        for fd in pipeFDs { setNonBlocking(fd) }
        self.port = port
        self.upstreamPorts = upstreamPorts
        let shared = Shared(plan: plan, wakeRead: pipeFDs[0], wakeWrite: pipeFDs[1])
        self.shared = shared
        let wakeRead = pipeFDs[0]
        // A thread of its own, not the blocking pool: the loop lives as long as the simulator and
        // would take one of the pool's few threads from the hub it stands in front of.
        let thread = Thread {
            Loop(shared: shared, listener: listener, wakeRead: wakeRead, upstreamPorts: upstreamPorts).run()
            shared.loopFinished.signal()
        }
        thread.name = "LinkSimulator \(port)"
        thread.start()
    }

    deinit {
        stop()
    }

    /// The plan for new connections; setting it wakes the simulator at once.
    public var plan: Plan {
        get { shared.locked { $0.plan } }
        set { updatePlan { $0 = newValue } }
    }

    /// Changes the plan in one step, so a read-modify-write cannot race another change.
    public func updatePlan(_ change: (inout Plan) -> Void) {
        shared.locked { state in
            var plan = state.plan
            change(&plan)
            Self.validate(plan)
            if plan.cutEvery != state.plan.cutEvery {
                state.nextScheduledCut = plan.cutEvery.map { monotonicSeconds() + $0.seconds }
            }
            if plan.silenceEvery != state.plan.silenceEvery {
                state.nextScheduledSilence = plan.silenceEvery.map { monotonicSeconds() + $0.seconds }
            }
            if plan.faultsInTurn != state.plan.faultsInTurn { state.faultsTaken = 0 }
            state.plan = plan
            state.wake()
        }
    }

    /// A snapshot of the counters.
    public var counters: Counters {
        shared.locked { $0.counters }
    }

    /// Waits until `condition` holds for the counters, re-checking after every change; false after `timeout`.
    public func wait(timeout: Duration, until condition: (Counters) -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout.seconds)
        shared.condition.lock()
        defer { shared.condition.unlock() }
        while !condition(shared.counters) {
            if shared.loopStopped || !shared.condition.wait(until: deadline) {
                return condition(shared.counters)
            }
        }
        return true
    }

    /// Waits until `count` connections have been accepted in all; false after `timeout`.
    public func waitForConnections(_ count: Int, timeout: Duration = .seconds(10)) -> Bool {
        wait(timeout: timeout) { $0.connections >= count }
    }

    /// Cuts (RST) every open or stalled connection the simulator has accepted; returns how many were cut.
    @discardableResult
    public func cutAll() -> Int {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        guard !shared.stopping else { return 0 }
        shared.cutRequests += 1
        let ticket = shared.cutRequests
        shared.wake()
        while shared.cutsServed < ticket && !shared.loopStopped {
            shared.condition.wait()
        }
        return shared.cutsServed >= ticket ? shared.lastCutAllCount : 0
    }

    /// Ends every stall that has no duration; the links resume where they stopped.
    public func releaseStalls() {
        shared.locked { state in
            state.releases += 1
            state.wake()
        }
    }

    /// Closes the listener and every connection (RST), and waits until the simulator's thread has finished.
    /// Safe to call more than once and from several threads.
    public func stop() {
        shared.condition.lock()
        let first = !shared.stopping
        shared.stopping = true
        shared.wake()
        if !first {
            while !shared.closed { shared.condition.wait() }
        }
        shared.condition.unlock()
        guard first else { return }
        shared.loopFinished.wait()
        shared.locked { state in
            // Closed here, after the loop is gone, so that no writer can hit a reused descriptor number.
            close(state.wakeRead)
            close(state.wakeWrite)
            state.wakeWrite = -1
            state.closed = true
            state.condition.broadcast()
        }
    }

    private static func validate(_ plan: Plan) {
        for link in [plan.up, plan.down] {
            precondition((link.bytesPerSecond ?? 1) > 0, "LinkSimulator: bytesPerSecond must be positive")
            precondition(link.delay >= .zero, "LinkSimulator: delay must not be negative")
        }
        precondition((plan.cutEvery ?? .seconds(1)) > .zero, "LinkSimulator: cutEvery must be positive")
        precondition((plan.silenceEvery ?? .seconds(1)) > .zero, "LinkSimulator: silenceEvery must be positive")
        precondition(plan.connectionSetup >= .zero, "LinkSimulator: connectionSetup must not be negative")
        for fault in plan.faultsInTurn {
            if case .cutAfter = fault { preconditionFailure("LinkSimulator: cutAfter cannot be handed out in turn") }
        }
    }

    private static func makeListener() throws -> (Int32, Int) {
        let fd = makeSocket()
        guard fd >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let error = errno
            close(fd)
            throw Failure(description: "bind() or listen() on 127.0.0.1 failed: errno \(error)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        setNonBlocking(fd)
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// The state the public API and the loop share.
///
/// `@unchecked Sendable`, true because every variable is read and written with `condition` locked (the
/// `let`s are set in `init`). A condition variable rather than the standard library's `Mutex`: callers
/// (`wait(timeout:until:)`, `cutAll()`, `stop()`) block until the loop changes the state, with a
/// deadline, which a `Mutex` cannot express without polling.
final class Shared: @unchecked Sendable {
    let condition = NSCondition()
    let loopFinished = DispatchSemaphore(value: 0)
    var plan: LinkSimulator.Plan
    var nextScheduledCut: Double?
    var nextScheduledSilence: Double?
    /// How many of `plan.faultsInTurn` connections have taken.
    var faultsTaken = 0
    var counters = LinkSimulator.Counters()
    var stopping = false
    var loopStopped = false
    var closed = false
    var releases = 0
    var cutRequests = 0
    var cutsServed = 0
    var lastCutAllCount = 0
    let wakeRead: Int32
    var wakeWrite: Int32

    init(plan: LinkSimulator.Plan, wakeRead: Int32, wakeWrite: Int32) {
        self.plan = plan
        self.wakeRead = wakeRead
        self.wakeWrite = wakeWrite
        nextScheduledCut = plan.cutEvery.map { monotonicSeconds() + $0.seconds }
        nextScheduledSilence = plan.silenceEvery.map { monotonicSeconds() + $0.seconds }
    }

    func locked<T>(_ body: (Shared) throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body(self)
    }

    /// The fault next in turn; call with the lock held.
    var faultInTurn: LinkSimulator.Fault? {
        faultsTaken < plan.faultsInTurn.count ? plan.faultsInTurn[faultsTaken] : nil
    }

    /// Interrupts the loop's `poll`; call with the lock held.
    func wake() {
        guard wakeWrite >= 0 else { return }
        var byte: UInt8 = 1
        // A full pipe already holds a wake-up, so a failed write loses nothing.
        _ = write(wakeWrite, &byte, 1)
    }

    /// Updates the counters of connection `number` and wakes every waiter.
    func record(_ number: Int, _ change: (inout LinkSimulator.Counters, inout LinkSimulator.ConnectionCounters) -> Void)
    {
        locked { state in
            var connection = state.counters.perConnection[number - 1]
            change(&state.counters, &connection)
            state.counters.perConnection[number - 1] = connection
            state.condition.broadcast()
        }
    }
}

/// What the loop reads from `Shared` once per turn.
struct Control {
    var stopping: Bool
    var releases: Int
    /// The `cutAll()` requests made so far, when more than have been served.
    var cutAllRequests: Int?
    var scheduledCut: Bool
    var nextScheduledCut: Double?
    var scheduledSilence = false
    var nextScheduledSilence: Double?
}
