import Foundation
import GRDB
import SimpulDomain

/// Where a kecamatan node syncs to.
public struct HubConfig: Sendable, Equatable, Codable {
    public var url: String
    public var caFile: String?
    public var node: String?
    public var name: String?
    public var publicKey: String?

    public init(url: String, caFile: String?, node: String? = nil, name: String? = nil, publicKey: String? = nil) {
        self.url = url
        self.caFile = caFile
        self.node = node
        self.name = name
        self.publicKey = publicKey
    }
}

extension NodeStore {
    public func setHub(_ hub: HubConfig) throws(SimpulError) {
        try writeDB("menyimpan hub") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO hub (id, url, ca_file, node, name, public_key) VALUES (1, ?, ?, ?, ?, ?)",
                arguments: [hub.url, hub.caFile, hub.node, hub.name, hub.publicKey])
        }
    }

    public func hubConfig() throws(SimpulError) -> HubConfig? {
        try readDB("membaca hub") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM hub WHERE id = 1").map {
                HubConfig(
                    url: $0["url"], caFile: $0["ca_file"], node: $0["node"], name: $0["name"],
                    publicKey: $0["public_key"])
            }
        }
    }

}
