import Foundation
import GRDB
import SimpulDomain

extension NodeStore {
    /// At the hub: remembers that `relay` handed over a bundle of `node`, so that it may fetch the
    /// hub's reply for that node.
    public func registerRelay(_ relay: String, for node: String) throws(SimpulError) {
        let at = now()
        try writeDB("mencatat relay") { db in
            try db.execute(
                sql: "INSERT INTO relay (relay, node, since) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [relay, node, at.description])
        }
    }

    /// At the hub: whether `relay` has handed over a bundle of `node`.
    public func isRelay(_ relay: String, for node: String) throws(SimpulError) -> Bool {
        try readDB("membaca relay") { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM relay WHERE relay = ? AND node = ?)", arguments: [relay, node])
                ?? false
        }
    }
}
