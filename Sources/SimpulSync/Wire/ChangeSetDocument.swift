import SimpulDomain
import SimpulStore

#if canImport(Glibc)
import Glibc
#endif

/// Writes a signed change set document from its parts, byte for byte as the writer's canonical
/// encoder wrote it: `{"changeSet":{"events":[...],"first":..,"format":1,"key":..,"last":..,
/// "node":..,"partition":..,"prev":..},"hash":..,"signature":..}`.
///
/// The store keeps a change set's events in the log and its signature beside its hash; the
/// document itself is kept only when this does not give back exactly the bytes that were signed.
/// Writing it is wire knowledge, so it lives here and the store hands over the parts.
enum ChangeSetDocument {
    /// The parts of a change set besides its events.
    struct Header {
        var partition: String
        var node: String
        var first: UInt64
        var last: UInt64
        var prev: String?
        var key: String
        var hash: String
        var signature: String
    }

    /// One event's members as the log holds them.
    typealias Event = LoggedEvent

    static func header(_ cs: StoredChangeSet) -> Header {
        Header(
            partition: cs.partition, node: cs.node, first: cs.first, last: cs.last, prev: cs.prev, key: cs.key,
            hash: cs.hash, signature: cs.signature)
    }

    static func write(_ header: Header, events: [Event]) -> [UInt8] {
        var sink = Writer()
        sink.reserve(events.reduce(512) { $0 + $1.data.utf8.count + $1.context.utf8.count + 160 })
        emit(header, events: events, into: &sink)
        return sink.bytes
    }

    /// Whether `body` is exactly the document `write` would give, checked in place.
    static func matches(_ body: [UInt8], _ header: Header, events: [Event]) -> Bool {
        body.withUnsafeBufferPointer { b in
            var sink = Matcher(body: b)
            emit(header, events: events, into: &sink)
            return sink.ok && sink.at == b.count
        }
    }

    private static func emit<S: Sink>(_ h: Header, events: [Event], into out: inout S) {
        out.raw(#"{"changeSet":{"events":["#)
        for (i, e) in events.enumerated() {
            if i > 0 { out.raw(",") }
            out.raw(#"{"at":"#)
            out.string(e.at)
            out.raw(#","context":"#)
            out.raw(e.context)
            out.raw(#","data":"#)
            out.raw(e.data)
            out.raw(#","lamport":"#)
            out.number(e.lamport)
            out.raw(#","officer":"#)
            out.string(e.officer)
            out.raw(#","record":"#)
            out.string(e.record)
            out.raw(#","role":"#)
            out.string(e.role)
            out.raw(#","seq":"#)
            out.number(e.seq)
            out.raw(#","type":"#)
            out.string(e.type)
            out.raw("}")
            if !out.ok { return }
        }
        out.raw(#"],"first":"#)
        out.number(h.first)
        out.raw(#","format":1,"key":"#)
        out.string(h.key)
        out.raw(#","last":"#)
        out.number(h.last)
        out.raw(#","node":"#)
        out.string(h.node)
        out.raw(#","partition":"#)
        out.string(h.partition)
        if let prev = h.prev {
            out.raw(#","prev":"#)
            out.string(prev)
        }
        out.raw(#"},"hash":"#)
        out.string(h.hash)
        out.raw(#","signature":"#)
        out.string(h.signature)
        out.raw("}")
    }
}

private protocol Sink {
    var ok: Bool { get }
    mutating func raw(_ s: String)
    mutating func number(_ n: UInt64)
    mutating func string(_ s: String)
}

private struct Writer: Sink {
    var bytes: [UInt8] = []
    var ok: Bool { true }
    mutating func reserve(_ n: Int) { bytes.reserveCapacity(n) }
    mutating func raw(_ s: String) { bytes += s.utf8 }
    mutating func number(_ n: UInt64) { bytes += String(n).utf8 }
    mutating func string(_ s: String) {
        guard JSONText.needsEscaping(s) else {
            // Most strings need no escape: their bytes go in as they are, without a copy between.
            bytes.append(UInt8(ascii: "\""))
            bytes += s.utf8
            bytes.append(UInt8(ascii: "\""))
            return
        }
        var text = ""
        JSONText.string(s, into: &text)
        bytes += text.utf8
    }
}

/// Compares what would be written with the bytes already there, without writing anything.
private struct Matcher: Sink {
    let body: UnsafeBufferPointer<UInt8>
    var at = 0
    var ok = true

    init(body: UnsafeBufferPointer<UInt8>) { self.body = body }

    mutating func raw(_ s: String) {
        guard ok else { return }
        var s = s
        s.withUTF8 { u in
            guard at + u.count <= body.count, memcmp(body.baseAddress! + at, u.baseAddress!, u.count) == 0 else {
                ok = false
                return
            }
            at += u.count
        }
    }

    mutating func number(_ n: UInt64) {
        guard ok else { return }
        var digits = 1
        var v = n
        while v >= 10 {
            v /= 10
            digits += 1
        }
        guard at + digits <= body.count else { return ok = false }
        v = n
        var i = at + digits - 1
        while i >= at {
            guard body[i] == UInt8(48 + v % 10) else { return ok = false }
            v /= 10
            i -= 1
        }
        at += digits
    }

    mutating func string(_ s: String) {
        guard ok else { return }
        if JSONText.needsEscaping(s) {
            var text = ""
            JSONText.string(s, into: &text)
            return raw(text)
        }
        guard at < body.count, body[at] == UInt8(ascii: "\"") else { return ok = false }
        at += 1
        raw(s)
        guard ok, at < body.count, body[at] == UInt8(ascii: "\"") else { return ok = false }
        at += 1
    }
}
