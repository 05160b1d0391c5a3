import Crypto
import Foundation
import SimpulDomain
import SimpulStore

/// One event inside a change set. Node and partition are the change set's; `seq` runs densely from
/// the change set's `first`.
public struct WireEvent: Sendable, Equatable, Codable {
    public var seq: UInt64
    public var lamport: UInt64
    public var context: VersionVector
    public var record: String
    public var officer: String
    public var role: String
    public var at: Timestamp
    public var body: EventBody

    private enum CodingKeys: String, CodingKey { case seq, lamport, context, record, officer, role, at, type, data }

    public init(
        seq: UInt64, lamport: UInt64, context: VersionVector, record: String, officer: String, role: String,
        at: Timestamp, body: EventBody
    ) {
        self.seq = seq
        self.lamport = lamport
        self.context = context
        self.record = record
        self.officer = officer
        self.role = role
        self.at = at
        self.body = body
    }

    public init(_ e: Event) {
        seq = e.dot.seq
        lamport = e.lamport
        context = e.context
        record = e.record
        officer = e.officer
        role = e.role
        at = e.at
        body = e.body
    }

    public func event(node: String, partition: String) -> Event {
        Event(
            dot: Dot(node: node, seq: seq), partition: partition, lamport: lamport, context: context, record: record,
            officer: officer, role: role, at: at, body: body)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seq = try c.decode(UInt64.self, forKey: .seq)
        lamport = try c.decode(UInt64.self, forKey: .lamport)
        context = try c.decode(VersionVector.self, forKey: .context)
        record = try c.decode(String.self, forKey: .record)
        officer = try c.decode(String.self, forKey: .officer)
        role = try c.decode(String.self, forKey: .role)
        at = try c.decode(Timestamp.self, forKey: .at)
        body = try EventBody.decode(
            typeName: try c.decode(String.self, forKey: .type), from: c.superDecoder(forKey: .data))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(lamport, forKey: .lamport)
        try c.encode(context, forKey: .context)
        try c.encode(record, forKey: .record)
        try c.encode(officer, forKey: .officer)
        try c.encode(role, forKey: .role)
        try c.encode(at, forKey: .at)
        try c.encode(body.type, forKey: .type)
        try body.encodeData(to: c.superEncoder(forKey: .data))
    }
}

/// A contiguous run of one node's events in one partition (seq `first...last`), chained to the
/// node's previous change set in that partition by its hash.
public struct ChangeSet: Sendable, Equatable, Codable {
    public static let format = 1

    public var format: Int
    public var node: String
    public var partition: String
    public var first: UInt64
    public var last: UInt64
    /// The hash of the writer's previous change set in this partition; absent for the first.
    public var prev: String?
    /// The fingerprint of the key that signed it.
    public var key: String
    public var events: [WireEvent]
}

/// A change set with its hash (SHA-256 of its canonical JSON, hex) and the writer's Ed25519 signature
/// over the 32 hash bytes (base64). This document is what travels, unchanged, everywhere.
public struct SignedChangeSet: Sendable, Equatable, Codable {
    public var changeSet: ChangeSet
    public var hash: String
    public var signature: String

    /// Seals events into a signed change set.
    public static func seal(
        _ events: [Event], node: NodeIdentity, partition: String, prev: String?
    ) throws -> SignedChangeSet {
        let body = ChangeSet(
            format: ChangeSet.format, node: node.node.rawValue, partition: partition, first: events.first!.dot.seq,
            last: events.last!.dot.seq, prev: prev, key: node.fingerprint, events: events.map(WireEvent.init))
        let digest = [UInt8](SHA256.hash(data: try Canonical.encode(body)))
        return SignedChangeSet(
            changeSet: body, hash: digest.hex, signature: Data(try node.sign(digest)).base64EncodedString())
    }

    /// The document's bytes as stored and sent.
    public func encoded() throws -> [UInt8] { try Canonical.encode(self) }

    public var stored: StoredChangeSet {
        get throws {
            StoredChangeSet(
                partition: changeSet.partition, node: changeSet.node, first: changeSet.first, last: changeSet.last,
                hash: hash, prev: changeSet.prev, key: changeSet.key, signature: signature, body: try encoded())
        }
    }

    /// The events with their node and partition filled in.
    public var events: [Event] {
        changeSet.events.map { $0.event(node: changeSet.node, partition: changeSet.partition) }
    }
}

/// Seals a node's own events that are not yet in a change set, within a byte budget each.
public enum ChangeSetSealer {
    /// The default budget of a change set's canonical JSON, before compression: about 10 to 20 KB on
    /// the wire after zstd, so a 32 kbit/s link moves one in a few seconds.
    public static let defaultBudget = 64 * 1024

    /// Seals every unsealed own event; returns how many change sets were made.
    @discardableResult
    public static func sealPending(
        store: some ReplicaStorage, identity: NodeIdentity, budget: Int = defaultBudget
    )
        throws -> Int
    {
        var made = 0
        for partition in try store.ownPartitions() {
            var last = try store.lastChangeSet(partition: partition, node: identity.node.rawValue)
            while true {
                let events = try store.ownEvents(partition: partition, after: last?.last ?? 0, limit: 2000)
                if events.isEmpty { break }
                var batch: [Event] = []
                var size = 200
                for e in events {
                    let eventSize = try Canonical.encode(WireEvent(e)).count + 1
                    if !batch.isEmpty && size + eventSize > budget {
                        last = try seal(batch, store: store, identity: identity, partition: partition, prev: last?.hash)
                        made += 1
                        batch = []
                        size = 200
                    }
                    batch.append(e)
                    size += eventSize
                }
                last = try seal(batch, store: store, identity: identity, partition: partition, prev: last?.hash)
                made += 1
            }
        }
        return made
    }

    private static func seal(
        _ events: [Event], store: some ReplicaStorage, identity: NodeIdentity, partition: String, prev: String?
    ) throws -> StoredChangeSet {
        let stored = try SignedChangeSet.seal(events, node: identity, partition: partition, prev: prev).stored
        try store.storeOwnChangeSet(stored)
        return stored
    }
}
