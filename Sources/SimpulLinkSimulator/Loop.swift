import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The simulator's thread: accepts, forwards and times every connection. Only this thread touches the sockets.
final class Loop {
    let shared: Shared
    let listener: Int32
    let wakeRead: Int32
    /// Connection n goes to `upstreamPorts[(n - 1) % count]`: a round robin over several servers.
    let upstreamPorts: [Int]
    var connections: [Connection] = []
    /// The link in each direction, shared by the connections accepted under the same plan's links.
    var wires: (up: Wire, down: Wire)?
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(shared: Shared, listener: Int32, wakeRead: Int32, upstreamPorts: [Int]) {
        self.shared = shared
        self.listener = listener
        self.wakeRead = wakeRead
        self.upstreamPorts = upstreamPorts
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
            if control.scheduledSilence {
                for connection in connections { connection.silence(now: now) }
            }
            for connection in connections { connection.advance(now: now, releases: control.releases) }
            connections.removeAll { $0.phase == .closed }

            now = monotonicSeconds()
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            var owners: [(Connection, Connection.Side)] = []
            var deadline = min(control.nextScheduledCut ?? .infinity, control.nextScheduledSilence ?? .infinity)
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
                scheduledCut: false, nextScheduledCut: state.nextScheduledCut,
                nextScheduledSilence: state.nextScheduledSilence)
            if let next = state.nextScheduledCut, let period = state.plan.cutEvery?.seconds, now >= next {
                control.scheduledCut = true
                state.nextScheduledCut = Self.following(next, period: period, now: now)
                control.nextScheduledCut = state.nextScheduledCut
            }
            if let next = state.nextScheduledSilence, let period = state.plan.silenceEvery?.seconds, now >= next {
                control.scheduledSilence = true
                state.nextScheduledSilence = Self.following(next, period: period, now: now)
                control.nextScheduledSilence = state.nextScheduledSilence
            }
            return control
        }
    }

    /// The next time of a schedule: a loop that fell behind acts once, not once per missed period.
    private static func following(_ next: Double, period: Double, now: Double) -> Double {
        let following = next + period
        return following <= now ? now + period : following
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
                var address = loopback(port: upstreamPorts[(number - 1) % upstreamPorts.count])
                let result = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                connected = result == 0
                failed = result != 0 && errno != EINPROGRESS
            }
            if wires?.up.link != plan.up || wires?.down.link != plan.down {
                wires = (Wire(plan.up), Wire(plan.down))
            }
            let connection = Connection(
                number: number, client: client, upstream: upstream, connecting: !connected, plan: plan,
                shared: shared, wires: wires ?? (Wire(plan.up), Wire(plan.down)), now: now)
            connections.append(connection)
            if failed {
                connection.abort(.reset)
            } else {
                connection.start(now: now)
            }
        }
    }
}
