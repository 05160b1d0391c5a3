import Foundation
import GRDB
import SimpulDomain

/// A node's last contact with the hub, for sync health.
public struct Contact: Sendable, Equatable, Codable {
    public var node: String
    public var lastContact: Timestamp
    public var lastResult: String
}

extension NodeStore {
    public func recordContact(node: String, result: String) throws(SimpulError) {
        let at = now()
        try writeDB("mencatat kontak") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO contact (node, last_contact, last_result) VALUES (?, ?, ?)",
                arguments: [node, at.description, result])
        }
    }

    public func contacts() throws(SimpulError) -> [Contact] {
        try readDB("membaca kontak") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM contact ORDER BY node").map {
                Contact(
                    node: $0["node"], lastContact: try $0.timestamp("last_contact", in: "contact"),
                    lastResult: $0["last_result"])
            }
        }
    }

}
