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
/// stream (FIN) travels the same way. About one second of the link's rate (16 KiB to 1 MiB) may wait to be
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
        /// Cuts every open connection each time this much wall time passes. The period starts when a plan with a
        /// different `cutEvery` is installed, so replacing other parts of the plan keeps the schedule.
        public var cutEvery: Duration?

        public init(
            up: Link = Link(), down: Link = Link(), fault: Fault? = nil, faults: [Int: Fault] = [:],
            cutEvery: Duration? = nil
        ) {
            self.up = up
            self.down = down
            self.fault = fault
            self.faults = faults
            self.cutEvery = cutEvery
        }

        /// The same link in both directions.
        public init(link: Link, fault: Fault? = nil, faults: [Int: Fault] = [:], cutEvery: Duration? = nil) {
            self.init(up: link, down: link, fault: fault, faults: faults, cutEvery: cutEvery)
        }
    }

    /// Where a connection stands.
    public enum State: Sendable, Equatable {
        case open
        /// Frozen by a `stall` fault, sockets open.
        case stalled
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
    /// The port on 127.0.0.1 every connection is forwarded to.
    public let upstreamPort: Int
    private let shared: Shared

    /// Starts listening on 127.0.0.1 at a port the system chooses and forwards to `upstreamPort`.
    public init(upstreamPort: Int, plan: Plan = Plan()) throws {
        Self.validate(plan)
        let (listener, port) = try Self.makeListener()
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            close(listener)
            throw Failure(description: "pipe() failed: errno \(errno)")
        }
        for fd in pipeFDs { setNonBlocking(fd) }
        self.port = port
        self.upstreamPort = upstreamPort
        let shared = Shared(plan: plan, wakeRead: pipeFDs[0], wakeWrite: pipeFDs[1])
        self.shared = shared
        let wakeRead = pipeFDs[0]
        // A thread of its own, not the blocking pool: the loop lives as long as the simulator and
        // would take one of the pool's few threads from the hub it stands in front of.
        let thread = Thread {
            Loop(shared: shared, listener: listener, wakeRead: wakeRead, upstreamPort: upstreamPort).run()
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
private final class Shared: @unchecked Sendable {
    let condition = NSCondition()
    let loopFinished = DispatchSemaphore(value: 0)
    var plan: LinkSimulator.Plan
    var nextScheduledCut: Double?
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
    }

    func locked<T>(_ body: (Shared) throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body(self)
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
private struct Control {
    var stopping: Bool
    var releases: Int
    /// The `cutAll()` requests made so far, when more than have been served.
    var cutAllRequests: Int?
    var scheduledCut: Bool
    var nextScheduledCut: Double?
}

/// The simulator's thread: accepts, forwards and times every connection. Only this thread touches the sockets.
private final class Loop {
    let shared: Shared
    let listener: Int32
    let wakeRead: Int32
    let upstreamPort: Int
    var connections: [Connection] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(shared: Shared, listener: Int32, wakeRead: Int32, upstreamPort: Int) {
        self.shared = shared
        self.listener = listener
        self.wakeRead = wakeRead
        self.upstreamPort = upstreamPort
    }

    func run() {
        while true {
            var now = monotonicSeconds()
            let control = takeControl(now: now)
            if control.stopping { break }
            if let requests = control.cutAllRequests {
                let count = cutEverything()
                shared.locked { state in
                    state.cutsServed = requests
                    state.lastCutAllCount = count
                    state.condition.broadcast()
                }
            }
            if control.scheduledCut { _ = cutEverything() }
            for connection in connections { connection.advance(now: now, releases: control.releases) }
            connections.removeAll { $0.phase == .closed }

            now = monotonicSeconds()
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            var owners: [(Connection, Connection.Side)] = []
            var deadline = control.nextScheduledCut ?? .infinity
            for connection in connections {
                for (side, events) in connection.interest(now: now) {
                    fds.append(pollfd(fd: connection.descriptor(side), events: events, revents: 0))
                    owners.append((connection, side))
                }
                deadline = min(deadline, connection.deadline(now: now))
            }
            // Rounded up, so that the loop never wakes before a deadline and spins; at most a minute, so that a
            // far deadline cannot overflow.
            let timeout: Int32 =
                deadline == .infinity ? -1 : Int32(min(max(0, (deadline - now) * 1000), 60_000).rounded(.up))
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            guard ready > 0 else { continue }

            now = monotonicSeconds()
            if fds[1].revents != 0 { drainWakeups() }
            for (index, (connection, side)) in owners.enumerated() where fds[index + 2].revents != 0 {
                connection.handle(side, revents: fds[index + 2].revents, now: now, buffer: &buffer)
            }
            if fds[0].revents != 0 { acceptAll(now: now) }
        }
        for connection in connections { connection.abort(.reset) }
        close(listener)
        shared.locked { state in
            state.loopStopped = true
            state.condition.broadcast()
        }
    }

    private func takeControl(now: Double) -> Control {
        shared.locked { state in
            var control = Control(
                stopping: state.stopping, releases: state.releases,
                cutAllRequests: state.cutsServed < state.cutRequests ? state.cutRequests : nil,
                scheduledCut: false, nextScheduledCut: state.nextScheduledCut)
            if let next = state.nextScheduledCut, let period = state.plan.cutEvery?.seconds, now >= next {
                control.scheduledCut = true
                // A loop that fell behind cuts once, not once per missed period.
                var following = next + period
                if following <= now { following = now + period }
                state.nextScheduledCut = following
                control.nextScheduledCut = following
            }
            return control
        }
    }

    private func cutEverything() -> Int {
        var count = 0
        for connection in connections where connection.phase.isForwarding {
            connection.abort(.cut)
            count += 1
        }
        return count
    }

    private func drainWakeups() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &bytes, bytes.count) > 0 {}
    }

    private func acceptAll(now: Double) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            setNonBlocking(client)
            setNoDelay(client)
            let (number, plan) = shared.locked { state in
                state.counters.connections += 1
                state.counters.open += 1
                let number = state.counters.connections
                state.counters.perConnection.append(LinkSimulator.ConnectionCounters(number: number))
                state.condition.broadcast()
                return (number, state.plan)
            }
            let upstream = makeSocket()
            var connected = false
            var failed = upstream < 0
            if !failed {
                setNonBlocking(upstream)
                setNoDelay(upstream)
                var address = loopback(port: upstreamPort)
                let result = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                connected = result == 0
                failed = result != 0 && errno != EINPROGRESS
            }
            let connection = Connection(
                number: number, client: client, upstream: upstream, connecting: !connected, plan: plan,
                shared: shared, now: now)
            connections.append(connection)
            if failed {
                connection.abort(.reset)
            } else {
                connection.start(now: now)
            }
        }
    }
}

/// One accepted connection and its upstream socket.
private final class Connection {
    enum Side { case client, upstream }

    enum Phase: Equatable {
        case open
        case stalled(since: Double, until: Double?, releases: Int?)
        /// Truncated: the client has its FIN; its late bytes are read and dropped so that the close stays clean.
        case draining(until: Double)
        case closed

        var isForwarding: Bool {
            switch self {
            case .open, .stalled: true
            case .draining, .closed: false
            }
        }
    }

    /// How long a truncated connection waits for the client to close before closing anyway.
    static let drainSeconds = 2.0

    let number: Int
    let client: Int32
    let upstream: Int32
    var connecting: Bool
    let fault: LinkSimulator.Fault?
    let cutAt: Double?
    let shared: Shared
    let up: Flow
    let down: Flow
    var phase = Phase.open
    var stalledOnce = false
    var clientOpen = true
    var upstreamOpen: Bool

    init(
        number: Int, client: Int32, upstream: Int32, connecting: Bool, plan: LinkSimulator.Plan, shared: Shared,
        now: Double
    ) {
        self.number = number
        self.client = client
        self.upstream = upstream
        self.connecting = connecting
        self.shared = shared
        upstreamOpen = upstream >= 0
        let fault = plan.faults[number] ?? plan.fault
        self.fault = fault
        if case .cutAfter(let lifetime) = fault { cutAt = now + lifetime.seconds } else { cutAt = nil }
        up = Flow(.up, plan.up, from: client, to: upstream)
        down = Flow(.down, plan.down, from: upstream, to: client)
    }

    func descriptor(_ side: Side) -> Int32 { side == .client ? client : upstream }

    func flow(_ direction: LinkSimulator.Direction) -> Flow { direction == .up ? up : down }

    /// Applies faults that trigger at zero bytes.
    func start(now: Double) {
        checkFault(now: now)
    }

    /// Runs the timers and writes every byte that has arrived.
    func advance(now: Double, releases: Int) {
        switch phase {
        case .closed:
            return
        case .draining(let until):
            if now >= until { closeClient() }
            return
        case .stalled(let since, let until, let released):
            if let cutAt, now >= cutAt { return abort(.cut) }
            let over = until.map { now >= $0 } ?? (released != releases)
            guard over else { return }
            // The link was frozen: everything queued resumes with the time it had left.
            up.shift(by: now - since)
            down.shift(by: now - since)
            phase = .open
            shared.record(number) { _, connection in connection.state = .open }
        case .open:
            if let cutAt, now >= cutAt { return abort(.cut) }
        }
        if !connecting { pump(up, now: now) }
        if phase == .open { pump(down, now: now) }
        if phase == .open, up.finished, down.finished { finish(.closed, reset: false) }
    }

    /// The earliest time `advance` has something to do.
    func deadline(now: Double) -> Double {
        switch phase {
        case .closed: return .infinity
        case .draining(let until): return until
        case .stalled(_, let until, _): return min(until ?? .infinity, cutAt ?? .infinity)
        case .open:
            var deadline = cutAt ?? .infinity
            for flow in [up, down] {
                if !(flow === up && connecting) && !flow.destinationBlocked {
                    deadline = min(deadline, flow.nextDue())
                }
                deadline = min(deadline, flow.readableAgain(now: now))
            }
            return deadline
        }
    }

    /// The poll events this connection waits for, per socket.
    func interest(now: Double) -> [(Side, Int16)] {
        switch phase {
        case .closed:
            return []
        case .draining:
            return clientOpen ? [(.client, Int16(POLLIN))] : []
        case .stalled:
            // Only a client that leaves ends a stall early; its data stays unread, as on a dead link.
            #if os(Linux)
            return up.sourceEnded ? [] : [(.client, Int16(pollReadHangUp))]
            #else
            return []
            #endif
        case .open:
            var client: Int16 = 0
            var upstream: Int16 = 0
            if up.room(now: now) > 0 { client |= Int16(POLLIN) }
            if down.destinationBlocked { client |= Int16(POLLOUT) }
            if connecting {
                upstream = Int16(POLLOUT)
            } else {
                if down.room(now: now) > 0 { upstream |= Int16(POLLIN) }
                if up.destinationBlocked { upstream |= Int16(POLLOUT) }
            }
            var result: [(Side, Int16)] = []
            if client != 0 { result.append((.client, client)) }
            if upstream != 0 { result.append((.upstream, upstream)) }
            return result
        }
    }

    /// Reacts to poll events on one socket.
    func handle(_ side: Side, revents: Int16, now: Double, buffer: inout [UInt8]) {
        let readable = revents & Int16(POLLIN | POLLHUP | POLLERR) != 0
        let writable = revents & Int16(POLLOUT | POLLHUP | POLLERR) != 0
        switch phase {
        case .closed:
            return
        case .draining:
            while true {
                let count = recv(client, &buffer, buffer.count, 0)
                if count > 0 { continue }
                if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
                return closeClient()
            }
        case .stalled:
            // The client went away while the link was dark.
            return finish(.closed, reset: true)
        case .open:
            if side == .upstream && connecting {
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(upstream, SOL_SOCKET, SO_ERROR, &error, &length)
                if error != 0 { return abort(.reset) }
                connecting = false
                return
            }
            let reading = side == .client ? up : down
            let writing = side == .client ? down : up
            if writable && writing.destinationBlocked { writing.destinationBlocked = false }
            if readable { read(reading, now: now, buffer: &buffer) }
        }
    }

    /// Resets both sides (RST), if the connection is still forwarding.
    func abort(_ state: LinkSimulator.State) {
        switch phase {
        case .open, .stalled: finish(state, reset: true)
        case .draining: closeClient()
        case .closed: return
        }
    }

    private func read(_ flow: Flow, now: Double, buffer: inout [UInt8]) {
        let room = flow.room(now: now)
        guard room > 0 else { return }
        let count = recv(flow.source, &buffer, min(buffer.count, room), 0)
        if count > 0 {
            flow.enqueue(Array(buffer[..<count]), now: now)
        } else if count == 0 {
            flow.endOfInput(now: now)
        } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
            abort(.reset)
        }
    }

    /// Writes what has arrived at the far end of `flow`, within the fault's byte budget.
    private func pump(_ flow: Flow, now: Double) {
        guard !flow.destinationBlocked else { return }
        while phase == .open, let available = flow.arrived(now: now), available > 0 {
            let count = min(available, budget(flow.direction))
            guard count > 0 else { return checkFault(now: now) }
            let written = flow.writeHead(count)
            if written < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    flow.destinationBlocked = true
                    return
                }
                if errno == EINTR { continue }
                return abort(.reset)
            }
            let direction = flow.direction
            shared.record(number) { total, connection in
                if direction == .up {
                    total.bytesUp += written
                    connection.bytesUp += written
                } else {
                    total.bytesDown += written
                    connection.bytesDown += written
                }
            }
            checkFault(now: now)
        }
        if phase == .open { flow.deliverEndIfDue(now: now) }
    }

    /// How many more bytes `direction` may carry before the fault triggers.
    private func budget(_ direction: LinkSimulator.Direction) -> Int {
        switch fault {
        case .cut(let bytes, nil):
            return max(0, bytes - up.forwarded - down.forwarded)
        case .cut(let bytes, let faulted?) where faulted == direction:
            return max(0, bytes - flow(direction).forwarded)
        case .stall(let bytes, let faulted, _) where faulted == direction && !stalledOnce:
            return max(0, bytes - flow(direction).forwarded)
        case .truncate(let bytes) where direction == .down:
            return max(0, bytes - down.forwarded)
        default:
            return .max
        }
    }

    private func checkFault(now: Double) {
        guard phase == .open else { return }
        switch fault {
        case .cut(let bytes, let direction):
            let forwarded = direction.map { flow($0).forwarded } ?? (up.forwarded + down.forwarded)
            if forwarded >= bytes { abort(.cut) }
        case .stall(let bytes, let direction, let duration) where !stalledOnce:
            guard flow(direction).forwarded >= bytes else { return }
            stalledOnce = true
            let releases = duration == nil ? shared.locked { $0.releases } : nil
            phase = .stalled(since: now, until: duration.map { now + $0.seconds }, releases: releases)
            shared.record(number) { total, connection in
                total.stalls += 1
                connection.state = .stalled
            }
        case .truncate(let bytes):
            guard down.forwarded >= bytes else { return }
            shared.record(number) { total, connection in
                total.truncations += 1
                total.open -= 1
                connection.state = .truncated
            }
            shutdown(client, Int32(SHUT_WR))
            closeUpstream(reset: false)
            phase = .draining(until: now + Self.drainSeconds)
        default:
            return
        }
    }

    /// Ends the connection: closes both sockets, with RST when `reset`, and records `state`.
    private func finish(_ state: LinkSimulator.State, reset: Bool) {
        // Counted before the sockets close, so that a client that sees the end also sees it counted.
        shared.record(number) { total, connection in
            total.open -= 1
            if state == .cut { total.cuts += 1 }
            connection.state = state
        }
        if clientOpen {
            if reset { setLingerZero(client) }
            close(client)
            clientOpen = false
        }
        closeUpstream(reset: reset)
        phase = .closed
    }

    private func closeUpstream(reset: Bool) {
        guard upstreamOpen else { return }
        if reset { setLingerZero(upstream) }
        close(upstream)
        upstreamOpen = false
    }

    private func closeClient() {
        if clientOpen {
            close(client)
            clientOpen = false
        }
        phase = .closed
    }
}

/// One direction of a connection: bytes read from `source`, waiting to arrive at `destination`.
private final class Flow {
    struct Segment {
        var bytes: [UInt8]
        var written = 0
        /// When the link starts serializing the segment's first byte.
        var start: Double
    }

    static let memoryCap = 4 * 1024 * 1024

    let direction: LinkSimulator.Direction
    let source: Int32
    let destination: Int32
    let rate: Double?
    let delay: Double
    /// Bytes waiting for the serializer before reading stops: about a second of the link.
    let queueLimit: Int
    /// Bytes per wake-up, so that a slow link writes about every 10 ms instead of byte by byte.
    let slice: Int
    private var segments: [Segment] = []
    private var head = 0
    private var queuedBytes = 0
    private var linkFreeAt = 0.0
    private var endArrivesAt = 0.0
    private(set) var sourceEnded = false
    private var destinationShut = false
    var destinationBlocked = false
    private(set) var forwarded = 0

    init(_ direction: LinkSimulator.Direction, _ link: LinkSimulator.Link, from source: Int32, to destination: Int32) {
        self.direction = direction
        self.source = source
        self.destination = destination
        rate = link.bytesPerSecond.map(Double.init)
        delay = link.delay.seconds
        queueLimit = link.bytesPerSecond.map { min(1024 * 1024, max(16 * 1024, $0)) } ?? Self.memoryCap
        slice = link.bytesPerSecond.map { max(1, $0 / 100) } ?? Int.max
    }

    /// Both the data and the end of the stream have been delivered.
    var finished: Bool { sourceEnded && destinationShut }

    /// How many bytes may be read now.
    func room(now: Double) -> Int {
        guard !sourceEnded else { return 0 }
        let unserialized = rate.map { Int((max(0, linkFreeAt - now) * $0).rounded(.up)) } ?? 0
        return max(0, min(queueLimit - unserialized, Self.memoryCap - queuedBytes))
    }

    /// When reading may resume after the serializer's queue was full; infinity if it is not full.
    func readableAgain(now: Double) -> Double {
        guard let rate, !sourceEnded, queuedBytes < Self.memoryCap, room(now: now) == 0 else { return .infinity }
        // Wait for a slice's worth of room rather than a byte's, so that reads stay reasonably large.
        return linkFreeAt - Double(queueLimit - min(slice, queueLimit / 2)) / rate
    }

    func enqueue(_ bytes: [UInt8], now: Double) {
        let start = max(now, linkFreeAt)
        if let rate { linkFreeAt = start + Double(bytes.count) / rate } else { linkFreeAt = start }
        segments.append(Segment(bytes: bytes, start: start))
        queuedBytes += bytes.count
    }

    func endOfInput(now: Double) {
        sourceEnded = true
        endArrivesAt = max(now, linkFreeAt) + delay
    }

    /// Bytes of the first queued segment that have reached the far end and are not yet written; nil if none queued.
    func arrived(now: Double) -> Int? {
        guard head < segments.count else { return nil }
        let segment = segments[head]
        let elapsed = now - delay - segment.start
        let total: Int
        if let rate {
            // The epsilon keeps a wake-up computed for byte k from landing a rounding error short of it.
            total = elapsed < 0 ? 0 : min(segment.bytes.count, Int((elapsed * rate + 1e-6).rounded(.down)))
        } else {
            total = elapsed >= 0 ? segment.bytes.count : 0
        }
        return total - segment.written
    }

    /// When the next slice of bytes, or the end of the stream, reaches the far end.
    func nextDue() -> Double {
        guard head < segments.count else {
            return sourceEnded && !destinationShut ? endArrivesAt : .infinity
        }
        let segment = segments[head]
        guard let rate else { return segment.start + delay }
        let target = min(segment.bytes.count, segment.written + slice)
        return segment.start + delay + Double(target) / rate
    }

    /// Writes up to `count` bytes of the first segment; returns what `send` returned.
    func writeHead(_ count: Int) -> Int {
        let segment = segments[head]
        let written = segment.bytes.withUnsafeBytes { raw in
            send(destination, raw.baseAddress! + segment.written, count, sendFlags)
        }
        guard written > 0 else { return written }
        segments[head].written += written
        queuedBytes -= written
        forwarded += written
        if segments[head].written == segments[head].bytes.count {
            head += 1
            if head > 64 && head * 2 > segments.count {
                segments.removeFirst(head)
                head = 0
            }
        }
        return written
    }

    /// Passes the end of the stream on (FIN) once the data before it and its delay are through.
    func deliverEndIfDue(now: Double) {
        guard head == segments.count, sourceEnded, !destinationShut, now >= endArrivesAt else { return }
        shutdown(destination, Int32(SHUT_WR))
        destinationShut = true
    }

    /// Moves every pending time `seconds` later: the link was frozen that long.
    func shift(by seconds: Double) {
        for index in head..<segments.count { segments[index].start += seconds }
        linkFreeAt += seconds
        endArrivesAt += seconds
    }
}

#if os(Linux)
/// POLLRDHUP: the peer shut down its writing side. Glibc only declares it with _GNU_SOURCE.
private let pollReadHangUp: Int32 = 0x2000
private let sendFlags = Int32(MSG_NOSIGNAL)
#else
private let sendFlags: Int32 = 0
#endif

private func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

private func makeSocket() -> Int32 {
    #if os(Linux)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    if fd >= 0 {
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
    }
    #endif
    return fd
}

private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return address
}

private func setNonBlocking(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
}

/// Small writes are the point of a slow link; Nagle would hold them back for an ACK.
private func setNoDelay(_ fd: Int32) {
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
}

/// With a zero linger time, `close` sends RST: the peer sees a reset, not an end of stream.
private func setLingerZero(_ fd: Int32) {
    var option = linger(l_onoff: 1, l_linger: 0)
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
