import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One direction of the link, shared by every connection across it: a byte waits for the bytes
/// queued before it on any connection, as on one modem, so two connections share the bandwidth.
final class Wire {
    let link: LinkSimulator.Link
    /// When the serializer has sent everything queued so far.
    var freeAt = 0.0

    init(_ link: LinkSimulator.Link) { self.link = link }
}

/// One direction of a connection: bytes read from `source`, waiting to arrive at `destination`.
final class Flow {
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
    private let wire: Wire

    init(_ direction: LinkSimulator.Direction, _ wire: Wire, from source: Int32, to destination: Int32) {
        let link = wire.link
        self.wire = wire
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
        let start = max(now, linkFreeAt, wire.freeAt)
        if let rate { linkFreeAt = start + Double(bytes.count) / rate } else { linkFreeAt = start }
        wire.freeAt = linkFreeAt
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
