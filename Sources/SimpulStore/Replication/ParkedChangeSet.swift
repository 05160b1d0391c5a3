import Foundation
import GRDB
import SimpulDomain

/// A change set kept until what it depends on arrives: verified when it came, and applied by the
/// sync policy once it can be.
public struct ParkedChangeSet: Sendable, Equatable {
    public var hash: String
    /// Why it waits (shown to the operator).
    public var reason: String
    /// The signed document, byte for byte.
    public var body: [UInt8]
}

extension NodeStore {
    /// Forgets a parked change set (applied meanwhile, or refused for good).
    public func unpark(hash: String) throws(SimpulError) {
        try writeDB("melepas parkir") { db in
            try db.execute(sql: "DELETE FROM parked WHERE hash = ?", arguments: [hash])
        }
    }

    /// Parked change sets' signed documents, oldest seq first.
    public func parkedBodies() throws(SimpulError) -> [ParkedChangeSet] {
        try readDB("membaca parkir") { db in
            try Row.fetchAll(db, sql: "SELECT hash, reason, body FROM parked ORDER BY partition, node, first_seq").map {
                ParkedChangeSet(hash: $0["hash"], reason: $0["reason"], body: [UInt8]($0["body"] as Data))
            }
        }
    }

}
