import GRDB

extension Schema {
    /// The counter finds a permohonan by the applicant's NIK and lists work by due date. The new column
    /// is filled when the materialized tables are refolded from the log (`NodeStore.open`).
    static let permohonanNIK = "v12-permohonan-nik"

    /// Migrations after which the materialized tables are refolded from the log.
    static let refolding = [columnarState, permohonanNIK]

    static func registerPermohonanNIK(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(permohonanNIK) { db in
            try db.execute(
                sql: """
                    ALTER TABLE permohonan ADD COLUMN nik TEXT NOT NULL DEFAULT '';
                    CREATE INDEX permohonan_nik ON permohonan (nik);
                    CREATE INDEX permohonan_due ON permohonan (tahap, due_on);
                    CREATE INDEX permohonan_registered ON permohonan (registered_at);
                    """)
        }
    }
}
