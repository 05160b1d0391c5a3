import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One accepted connection and its upstream socket.
final class Connection {
    enum Side { case client, upstream }

    enum Phase: Equatable {
        case open
        case stalled(since: Double, until: Double?, releases: Int?)
        /// Dropped silently: nothing moves again; only the client can end it, by closing.
        case silenced
        /// Truncated: the client has its FIN; its late bytes are read and dropped so that the close stays clean.
        case draining(until: Double)
        case closed

        var isForwarding: Bool {
            switch self {
            case .open, .stalled, .silenced: true
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
    /// The connection's own fault, or the one it took in turn.
    var fault: LinkSimulator.Fault?
    /// Whether the connection may still take a fault in turn: it has none of its own and took none.
    var waitsForTurn: Bool
    let cutAt: Double?
    /// Until then nothing crosses: the connection's setup round trip.
    let setupUntil: Double
    let shared: Shared
    let up: Flow
    let down: Flow
    var phase = Phase.open
    var stalledOnce = false
    var clientOpen = true
    var upstreamOpen: Bool

    init(
        number: Int, client: Int32, upstream: Int32, connecting: Bool, plan: LinkSimulator.Plan, shared: Shared,
        wires: (up: Wire, down: Wire), now: Double
    ) {
        self.number = number
        self.client = client
        self.upstream = upstream
        self.connecting = connecting
        self.shared = shared
        upstreamOpen = upstream >= 0
        let fault = plan.faults[number] ?? plan.fault
        self.fault = fault
        waitsForTurn = fault == nil
        if case .cutAfter(let lifetime) = fault { cutAt = now + lifetime.seconds } else { cutAt = nil }
        setupUntil = now + plan.connectionSetup.seconds
        up = Flow(.up, wires.up, from: client, to: upstream)
        down = Flow(.down, wires.down, from: upstream, to: client)
    }

    func descriptor(_ side: Side) -> Int32 { side == .client ? client : upstream }

    func flow(_ direction: LinkSimulator.Direction) -> Flow { direction == .up ? up : down }

    /// Applies faults that trigger at zero bytes, and holds the connection for its setup.
    func start(now: Double) {
        // The client's first bytes wait in its socket, as they would wait for the SYN-ACK.
        if setupUntil > now { phase = .stalled(since: now, until: setupUntil, releases: nil) }
        checkFault(now: now)
    }

    /// Drops the connection silently, if it is forwarding.
    func silence(now: Double) {
        guard phase.isForwarding, phase != .silenced else { return }
        phase = .silenced
        shared.record(number) { total, connection in
            total.silences += 1
            connection.state = .silenced
        }
    }

    /// Runs the timers and writes every byte that has arrived.
    func advance(now: Double, releases: Int) {
        switch phase {
        case .closed, .silenced:
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
        case .closed, .silenced: return .infinity
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
        case .stalled, .silenced:
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
        case .stalled, .silenced:
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
        case .open, .stalled, .silenced: finish(state, reset: true)
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

    /// How many more bytes `direction` may carry before the fault triggers: the connection's own, or else the
    /// fault next in turn, which no connection may carry past its trigger either.
    private func budget(_ direction: LinkSimulator.Direction) -> Int {
        let fault = waitsForTurn ? shared.locked { $0.faultInTurn } : self.fault
        return budget(direction, before: fault)
    }

    private func budget(_ direction: LinkSimulator.Direction, before fault: LinkSimulator.Fault?) -> Int {
        switch fault {
        case .cut(let bytes, nil):
            return max(0, bytes - up.forwarded - down.forwarded)
        case .cut(let bytes, let faulted?) where faulted == direction:
            return max(0, bytes - flow(direction).forwarded)
        case .stall(let bytes, let faulted, _) where faulted == direction && !stalledOnce:
            return max(0, bytes - flow(direction).forwarded)
        case .truncate(let bytes) where direction == .down:
            return max(0, bytes - down.forwarded)
        case .silence(let bytes, let faulted) where faulted == direction:
            return max(0, bytes - flow(direction).forwarded)
        default:
            return .max
        }
    }

    /// Whether `fault`'s trigger has been reached on this connection.
    private func reached(_ fault: LinkSimulator.Fault) -> Bool {
        [LinkSimulator.Direction.up, .down].contains { budget($0, before: fault) == 0 }
    }

    private func checkFault(now: Double) {
        guard phase == .open else { return }
        if waitsForTurn {
            shared.locked { state in
                guard let next = state.faultInTurn, reached(next) else { return }
                state.faultsTaken += 1
                fault = next
                waitsForTurn = false
            }
        }
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
        case .silence(let bytes, let direction):
            if flow(direction).forwarded >= bytes { silence(now: now) }
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
