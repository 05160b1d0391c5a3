import GRDB

extension Schema {
    /// Refusals in a row per node, for `simpul-hub alerts`.
    static let contactRefusalsMigration = "v10-contact-refusals"

    static func registerContactRefusals(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(contactRefusalsMigration) { db in
            // How many of a node's requests in a row the hub refused (a revoked laptop still trying, a
            // change set refused again on every sync); 0 again after the next request it accepts.
            try db.execute(sql: "ALTER TABLE contact ADD COLUMN refused_in_a_row INTEGER NOT NULL DEFAULT 0")
        }
    }
}
