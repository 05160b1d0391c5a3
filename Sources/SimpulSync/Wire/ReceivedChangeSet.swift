import Crypto
import Foundation
import SimpulDomain
import SimpulStore

/// A signed change set as it arrived: the exact bytes, the document decoded from them, and where in
/// those bytes each event's `context` and `data` sit.
///
/// Receivers never re-encode what they received: the hash is checked over the bytes of the
/// `changeSet` member as they came, the log stores the events' JSON as it came, and the change set
/// travels on as the same bytes. The bytes must be in canonical form (see `CanonicalReader`), so
/// every implementation that checks the form accepts and hashes exactly the same documents.
public struct ReceivedChangeSet: Sendable {
    public let signed: SignedChangeSet
    /// The signed document, byte for byte.
    public let body: [UInt8]
    /// Where the `changeSet` member's value sits in `body`: the bytes the hash is taken over.
    let hashed: Range<Int>
    /// Per event, in seq order, where its `at` (inside the quotes), `context` and `data` sit in `body`.
    let columns: [Columns]

    struct Columns {
        var at: Range<Int>
        var context: Range<Int>
        var data: Range<Int>
    }

    public var changeSet: ChangeSet { signed.changeSet }

    /// Reads a signed change set document; refuses one that is not in canonical form.
    ///
    /// One pass over the bytes checks the canonical form and takes every member where it sits: the
    /// header's and events' scalars directly, each event's `data` as nodes of a `CanonicalTape` that
    /// its `EventBody` is then built from. Nothing is parsed twice.
    public init(body: [UInt8]) throws(SyncError) {
        var parts = Parts()
        do {
            try CanonicalReader.read(body) { r throws(CanonicalReader.Malformed) in
                let end = try r.object(at: 0) { key, start throws(CanonicalReader.Malformed) in
                    if CanonicalReader.equals(key, "changeSet") {
                        let end = try Self.changeSet(r, at: start, into: &parts)
                        parts.hashed = start..<end
                        return end
                    }
                    if CanonicalReader.equals(key, "hash") {
                        let (text, end) = try Self.text(r, at: start)
                        parts.hash = text
                        return end
                    }
                    if CanonicalReader.equals(key, "signature") {
                        let (text, end) = try Self.text(r, at: start)
                        parts.signature = text
                        return end
                    }
                    throw r.fail(start, "anggota tidak dikenal di dokumen change set")
                }
                guard end == body.count else { throw r.fail(end, "ada isi setelah dokumen") }
            }
        } catch {
            throw SyncError(
                .malformed, "change set bukan JSON kanonik: \(error.reason) (byte \(error.offset))", cause: error)
        }
        signed = try Self.signed(parts, body: body)
        guard parts.columns.count == signed.changeSet.events.count, !parts.hashed.isEmpty else {
            throw SyncError(.malformed, "change set tidak lengkap")
        }
        // Times have one written form (UTC, milliseconds), so the log's text is the signed text.
        for (wire, column) in zip(signed.changeSet.events, parts.columns)
        where !body[column.at].elementsEqual(wire.at.description.utf8) {
            throw SyncError(.malformed, "waktu event \(wire.seq) tidak dalam bentuk kanonik (UTC dengan milidetik)")
        }
        self.body = body
        self.hashed = parts.hashed
        self.columns = parts.columns
        remote = Self.remote(signed, body: body, columns: parts.columns)
    }

    /// What the pass over the bytes found, before the values are built.
    private struct Parts {
        var hashed = 0..<0
        var hash: String?
        var signature: String?
        var format: UInt64?
        var node: String?
        var partition: String?
        var first: UInt64?
        var last: UInt64?
        var prev: String?
        var key: String?
        var columns: [Columns] = []
        var events: [EventParts] = []
        var tape = CanonicalTape()

        /// Where the change set member named `key` goes, if it is a number.
        static func number(_ key: UnsafeBufferPointer<UInt8>) -> WritableKeyPath<Parts, UInt64?>? {
            if CanonicalReader.equals(key, "first") { return \.first }
            if CanonicalReader.equals(key, "last") { return \.last }
            if CanonicalReader.equals(key, "format") { return \.format }
            return nil
        }

        /// Where the change set member named `key` goes, if it is a string.
        static func string(_ key: UnsafeBufferPointer<UInt8>) -> WritableKeyPath<Parts, String?>? {
            if CanonicalReader.equals(key, "key") { return \.key }
            if CanonicalReader.equals(key, "node") { return \.node }
            if CanonicalReader.equals(key, "partition") { return \.partition }
            if CanonicalReader.equals(key, "prev") { return \.prev }
            return nil
        }
    }

    private struct EventParts {
        var seq: UInt64?
        var lamport: UInt64?
        var context: [String: UInt64] = [:]
        var record: String?
        var officer: String?
        var role: String?
        var at: String?
        var type: String?
        /// The node of `data` in the tape.
        var data: Int?

        /// Where the event member named `key` goes, if it is a string besides `at`.
        static func string(_ key: UnsafeBufferPointer<UInt8>) -> WritableKeyPath<EventParts, String?>? {
            if CanonicalReader.equals(key, "officer") { return \.officer }
            if CanonicalReader.equals(key, "record") { return \.record }
            if CanonicalReader.equals(key, "role") { return \.role }
            if CanonicalReader.equals(key, "type") { return \.type }
            return nil
        }
    }

    /// A string's text, its escapes undone.
    private static func text(
        _ r: CanonicalReader, at i: Int
    ) throws(CanonicalReader.Malformed) -> (String, Int) {
        let (end, escaped) = try r.stringEscapes(at: i)
        let inner = UnsafeBufferPointer(rebasing: r.bytes[(i + 1)..<(end - 1)])
        guard escaped else { return (String(decoding: inner, as: UTF8.self), end) }
        return (CanonicalReader.unescaped(inner), end)
    }

    private static func changeSet(
        _ r: CanonicalReader, at i: Int, into parts: inout Parts
    ) throws(CanonicalReader.Malformed) -> Int {
        try r.object(at: i) { key, start throws(CanonicalReader.Malformed) in
            if CanonicalReader.equals(key, "events") {
                return try r.array(at: start) { s throws(CanonicalReader.Malformed) in
                    try event(r, at: s, into: &parts)
                }
            }
            if let number = Parts.number(key) {
                let (value, end) = try r.unsigned(at: start)
                parts[keyPath: number] = value
                return end
            }
            if let string = Parts.string(key) {
                let (value, end) = try text(r, at: start)
                parts[keyPath: string] = value
                return end
            }
            throw r.fail(start, "anggota change set tidak dikenal")
        }
    }

    private static func event(
        _ r: CanonicalReader, at i: Int, into parts: inout Parts
    ) throws(CanonicalReader.Malformed) -> Int {
        var at: Range<Int>?
        var context: Range<Int>?
        var data: Range<Int>?
        var e = EventParts()
        let end = try r.object(at: i) { key, start throws(CanonicalReader.Malformed) in
            if CanonicalReader.equals(key, "context") {
                let end = try r.object(at: start) { node, s throws(CanonicalReader.Malformed) in
                    let (seq, end) = try r.unsigned(at: s)
                    e.context[String(decoding: node, as: UTF8.self)] = seq
                    return end
                }
                context = start..<end
                return end
            }
            if CanonicalReader.equals(key, "data") {
                guard try r.byte(start) == UInt8(ascii: "{") else { throw r.fail(start, "objek diharapkan") }
                e.data = parts.tape.nodes.count
                let end = try parts.tape.record(r, at: start)
                data = start..<end
                return end
            }
            if CanonicalReader.equals(key, "lamport") || CanonicalReader.equals(key, "seq") {
                let (value, end) = try r.unsigned(at: start)
                if key.count == 3 { e.seq = value } else { e.lamport = value }
                return end
            }
            if CanonicalReader.equals(key, "at") {
                let (value, end) = try text(r, at: start)
                e.at = value
                at = (start + 1)..<(end - 1)
                return end
            }
            if let string = EventParts.string(key) {
                let (value, end) = try text(r, at: start)
                e[keyPath: string] = value
                return end
            }
            throw r.fail(start, "anggota event tidak dikenal")
        }
        guard let at, let context, let data else { throw r.fail(i, "event tanpa at, context atau data") }
        parts.columns.append(Columns(at: at, context: context, data: data))
        parts.events.append(e)
        return end
    }

    /// The document's values from what the pass found: every member the schema requires present,
    /// each event's body built from its nodes.
    private static func signed(_ parts: Parts, body: [UInt8]) throws(SyncError) -> SignedChangeSet {
        func schema(_ what: String) -> SyncError { SyncError(.malformed, "change set tidak sesuai skema: \(what)") }
        guard let hash = parts.hash, let signature = parts.signature else {
            throw schema("hash atau signature tidak ada")
        }
        guard let format = parts.format, let node = parts.node, let partition = parts.partition,
            let first = parts.first, let last = parts.last, let key = parts.key
        else { throw schema("anggota changeSet tidak lengkap") }
        var events: [WireEvent] = []
        events.reserveCapacity(parts.events.count)
        for (n, e) in parts.events.enumerated() {
            guard let seq = e.seq, let lamport = e.lamport, let record = e.record, let officer = e.officer,
                let role = e.role, let atText = e.at, let typeName = e.type, let data = e.data
            else { throw schema("event ke-\(n + 1) tidak lengkap") }
            guard let at = Timestamp(iso: atText) else { throw schema("waktu event \(seq) tidak sah") }
            guard let type = EventType(rawValue: typeName) else {
                throw schema("jenis event '\(typeName.prefix(64))' tidak dikenal")
            }
            let eventBody: EventBody
            do {
                eventBody = try EventBody.decode(
                    type: type, from: TapeDecoder(bytes: body, tape: parts.tape.nodes, index: data))
            } catch {
                throw SyncError(.malformed, "change set tidak sesuai skema: data event \(seq)", cause: error)
            }
            events.append(
                WireEvent(
                    seq: seq, lamport: lamport, context: VersionVector(e.context), record: record, officer: officer,
                    role: role, at: at, body: eventBody))
        }
        return SignedChangeSet(
            changeSet: ChangeSet(
                format: Int(format), node: node, partition: partition, first: first, last: last, prev: parts.prev,
                key: key, events: events),
            hash: hash, signature: signature)
    }

    /// How far a received event's Lamport value may lead the receiver's clock: 2^32. A writer's
    /// clock moves by one per event it writes or sees, so no honest writer comes near it (four
    /// billion events ahead of everything the receiver holds), while a rogue one can raise the
    /// receiver's clock by at most this much per change set: the receiver's own next events then
    /// stay far below 2^53 - 1, the largest value the wire carries, instead of being pushed past it
    /// by one change set, which would make every later write of the receiver unreadable.
    public static let lamportLeadMargin: UInt64 = 1 << 32

    /// Checks everything a receiver must check before applying: form, hash, signature by a key of
    /// the writer in a state that covers this change set, that the writer may write these event
    /// types into this partition on these records, and that no Lamport value leads the receiver's
    /// clock by more than `lamportLeadMargin`. Chain and causal dependencies are checked by the
    /// store when applying.
    ///
    /// - Parameters:
    ///   - lookup: the enrolled (or learned) key with this fingerprint, if any.
    ///   - clock: the receiver's Lamport clock (`NodeStore.lamportClock()`).
    public func verify(key lookup: (String) throws(SimpulError) -> NodeKey?, clock: UInt64) throws(SyncError) {
        let cs = changeSet
        guard cs.format == ChangeSet.format else {
            throw SyncError(.unsupportedVersion, "format change set \(cs.format) tidak didukung (yang didukung: 1)")
        }
        guard let author = NodeID(cs.node), KodeWilayah(cs.partition) != nil else {
            throw SyncError(.malformed, "node '\(cs.node)' atau partisi '\(cs.partition)' bukan kode Kemendagri")
        }
        guard !cs.events.isEmpty, cs.first >= 1, cs.last >= cs.first, UInt64(cs.events.count) == cs.last - cs.first + 1,
            cs.events.enumerated().allSatisfy({ $0.element.seq == cs.first + UInt64($0.offset) })
        else {
            throw SyncError(
                .malformed, "change set \(cs.node) \(cs.first)-\(cs.last): seq event tidak rapat dari first sampai last"
            )
        }
        let (limit, overflow) = clock.addingReportingOverflow(Self.lamportLeadMargin)
        if let e = cs.events.first(where: { $0.lamport > (overflow ? UInt64.max : limit) }) {
            throw SyncError(
                .malformed,
                "event \(cs.node):\(e.seq): lamport \(e.lamport) melampaui jam penerima (\(clock)) lebih dari \(Self.lamportLeadMargin)"
            )
        }
        let digest = body.withUnsafeBytes { [UInt8](SHA256.hash(data: UnsafeRawBufferPointer(rebasing: $0[hashed]))) }
        guard digest.hex == signed.hash else {
            throw SyncError(.hashMismatch, "isi change set \(cs.node) \(cs.first)-\(cs.last) berubah: hash tidak cocok")
        }
        let key: NodeKey?
        do { key = try lookup(cs.key) } catch {
            throw SyncError(.store, "kunci tidak bisa dibaca", cause: error)
        }
        guard let key, key.node == cs.node else {
            throw SyncError(.unknownKey, "kunci \(cs.key) bukan kunci terdaftar milik node \(cs.node)")
        }
        switch key.state {
        case .revoked where !key.covers(partition: cs.partition, last: cs.last):
            throw SyncError(.revoked, "node \(cs.node) sudah dicabut; change set-nya tidak diterima")
        case .retired where !key.covers(partition: cs.partition, last: cs.last):
            let through = key.retiredThrough?[cs.partition] ?? 0
            throw SyncError(
                .revoked,
                "kunci \(cs.key) node \(cs.node) sudah diganti: hanya berlaku untuk change set sampai seq \(through), bukan \(cs.first)-\(cs.last)"
            )
        // A revoked key still verifies what the hub held when it was revoked: the office's history.
        case .active, .retired, .revoked:
            break
        }
        guard let signature = Data(base64Encoded: signed.signature),
            NodeIdentity.verify(signature: [UInt8](signature), of: digest, publicKey: key.publicKey)
        else {
            throw SyncError(.badSignature, "tanda tangan change set \(cs.node) \(cs.first)-\(cs.last) tidak sah")
        }
        var checker = EventAuthorization.Checker(author: author, partition: cs.partition)
        for e in cs.events {
            guard e.record.utf8.count <= 64, !e.officer.isEmpty else {
                throw SyncError(.malformed, "event \(cs.node):\(e.seq): record atau petugas tidak sah")
            }
            if let refusal = checker.refusal(body: e.body, record: e.record) { throw SyncError(refusal) }
        }
    }

    /// The change set as the store applies it: its bytes, and its events with their JSON columns as
    /// they arrived.
    public let remote: RemoteChangeSet

    private static func remote(
        _ signed: SignedChangeSet, body: [UInt8], columns: [Columns]
    ) -> RemoteChangeSet {
        let cs = signed.changeSet
        var events: [ReceivedEvent] = []
        events.reserveCapacity(cs.events.count)
        body.withUnsafeBufferPointer { b in
            for (wire, column) in zip(cs.events, columns) {
                events.append(
                    ReceivedEvent(
                        event: wire.event(node: cs.node, partition: cs.partition),
                        at: String(decoding: UnsafeBufferPointer(rebasing: b[column.at]), as: UTF8.self),
                        context: String(decoding: UnsafeBufferPointer(rebasing: b[column.context]), as: UTF8.self),
                        data: String(decoding: UnsafeBufferPointer(rebasing: b[column.data]), as: UTF8.self)))
            }
        }
        return RemoteChangeSet(
            stored: StoredChangeSet(
                partition: cs.partition, node: cs.node, first: cs.first, last: cs.last, hash: signed.hash,
                prev: cs.prev, key: cs.key, signature: signed.signature, body: body),
            events: events)
    }
}
