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
    public init(body: [UInt8]) throws(SyncError) {
        var hashed = 0..<0
        var columns: [Columns] = []
        do {
            try CanonicalReader.read(body) { r throws(CanonicalReader.Malformed) in
                let end = try r.object(at: 0) { key, start throws(CanonicalReader.Malformed) in
                    if CanonicalReader.equals(key, "changeSet") {
                        let end = try Self.changeSet(r, at: start, columns: &columns)
                        hashed = start..<end
                        return end
                    }
                    guard CanonicalReader.equals(key, "hash") || CanonicalReader.equals(key, "signature") else {
                        throw r.fail(start, "anggota tidak dikenal di dokumen change set")
                    }
                    return try r.string(at: start)
                }
                guard end == body.count else { throw r.fail(end, "ada isi setelah dokumen") }
            }
        } catch {
            throw SyncError(
                .malformed, "change set bukan JSON kanonik: \(error.reason) (byte \(error.offset))", cause: error)
        }
        do {
            signed = try Canonical.decode(SignedChangeSet.self, from: body)
        } catch {
            throw SyncError(.malformed, "change set tidak sesuai skema", cause: error)
        }
        guard columns.count == signed.changeSet.events.count, !hashed.isEmpty else {
            throw SyncError(.malformed, "change set tidak lengkap")
        }
        // Times have one written form (UTC, milliseconds), so the log's text is the signed text.
        for (wire, column) in zip(signed.changeSet.events, columns)
        where !body[column.at].elementsEqual(wire.at.description.utf8) {
            throw SyncError(.malformed, "waktu event \(wire.seq) tidak dalam bentuk kanonik (UTC dengan milidetik)")
        }
        self.body = body
        self.hashed = hashed
        self.columns = columns
        remote = Self.remote(signed, body: body, columns: columns)
    }

    private static func changeSet(
        _ r: CanonicalReader, at i: Int, columns: inout [Columns]
    ) throws(CanonicalReader.Malformed) -> Int {
        try r.object(at: i) { key, start throws(CanonicalReader.Malformed) in
            if CanonicalReader.equals(key, "events") {
                return try r.array(at: start) { s throws(CanonicalReader.Malformed) in
                    try event(r, at: s, columns: &columns)
                }
            }
            if CanonicalReader.equals(key, "first") || CanonicalReader.equals(key, "last")
                || CanonicalReader.equals(key, "format")
            {
                return try r.unsigned(at: start).end
            }
            if CanonicalReader.equals(key, "key") || CanonicalReader.equals(key, "node")
                || CanonicalReader.equals(key, "partition") || CanonicalReader.equals(key, "prev")
            {
                return try r.string(at: start)
            }
            throw r.fail(start, "anggota change set tidak dikenal")
        }
    }

    private static func event(
        _ r: CanonicalReader, at i: Int, columns: inout [Columns]
    ) throws(CanonicalReader.Malformed) -> Int {
        var at: Range<Int>?
        var context: Range<Int>?
        var data: Range<Int>?
        let end = try r.object(at: i) { key, start throws(CanonicalReader.Malformed) in
            if CanonicalReader.equals(key, "context") {
                let end = try r.object(at: start) { _, s throws(CanonicalReader.Malformed) in try r.unsigned(at: s).end
                }
                context = start..<end
                return end
            }
            if CanonicalReader.equals(key, "data") {
                let end = try r.object(at: start) { _, s throws(CanonicalReader.Malformed) in try r.value(at: s) }
                data = start..<end
                return end
            }
            if CanonicalReader.equals(key, "lamport") || CanonicalReader.equals(key, "seq") {
                return try r.unsigned(at: start).end
            }
            if CanonicalReader.equals(key, "at") {
                let end = try r.string(at: start)
                at = (start + 1)..<(end - 1)
                return end
            }
            if CanonicalReader.equals(key, "officer")
                || CanonicalReader.equals(key, "record") || CanonicalReader.equals(key, "role")
                || CanonicalReader.equals(key, "type")
            {
                return try r.string(at: start)
            }
            throw r.fail(start, "anggota event tidak dikenal")
        }
        guard let at, let context, let data else { throw r.fail(i, "event tanpa at, context atau data") }
        columns.append(Columns(at: at, context: context, data: data))
        return end
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
            if let refusal = checker.refusal(type: e.body.type, record: e.record) { throw SyncError(refusal) }
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
