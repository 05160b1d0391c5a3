import Foundation
import GRDB
import SimpulDomain

/// A node's last contact with the hub, for sync health.
public struct Contact: Sendable, Equatable, Codable {
    public var node: String
    public var lastContact: Timestamp
    public var lastResult: String
    /// How many of its requests in a row the hub refused, up to the last one.
    public var refusedInARow: Int

    public init(node: String, lastContact: Timestamp, lastResult: String, refusedInARow: Int = 0) {
        self.node = node
        self.lastContact = lastContact
        self.lastResult = lastResult
        self.refusedInARow = refusedInARow
    }
}

extension NodeStore {
    /// Notes a node's request: when, what came of it, and whether the hub refused it.
    public func recordContact(node: String, result: String, refused: Bool = false) throws(SimpulError) {
        let at = now()
        try writeDB("mencatat kontak") { db in
            try db.execute(
                sql: """
                    INSERT INTO contact (node, last_contact, last_result, refused_in_a_row) VALUES (?, ?, ?, ?)
                    ON CONFLICT (node) DO UPDATE SET last_contact = excluded.last_contact,
                        last_result = excluded.last_result,
                        refused_in_a_row = CASE WHEN ? THEN contact.refused_in_a_row + 1 ELSE 0 END
                    """,
                arguments: [node, at.description, result, refused ? 1 : 0, refused])
        }
    }

    public func contacts() throws(SimpulError) -> [Contact] {
        try readDB("membaca kontak") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM contact ORDER BY node").map {
                Contact(
                    node: $0["node"], lastContact: try $0.timestamp("last_contact", in: "contact"),
                    lastResult: $0["last_result"], refusedInARow: $0["refused_in_a_row"])
            }
        }
    }

}
