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

    /// The kasir's queue lists the files that still owe a fee: a few hundred among years of closed
    /// ones. Without an index of its own the queue and its count read every row of those statuses.
    static let permohonanOwing = "v15-permohonan-owing"

    static func registerPermohonanOwing(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(permohonanOwing) { db in
            // Partial: SQLite uses it for a query whose WHERE holds the same `fee > paid` term, as the
            // work queue's does (`NodeStore.queueCondition`).
            try db.execute(sql: "CREATE INDEX permohonan_owing ON permohonan (status) WHERE fee > paid")
        }
    }

    /// The PTSP's stopped service clock (OSS 41/43), so a file waiting on its applicant is not late.
    static let serviceClock = "v18-service-clock"

    static func registerServiceClock(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(serviceClock) { db in
            // No event before this version stops a clock (41-44 were not codes yet), so NULL everywhere is
            // already what the fold gives: nothing to refold.
            try db.execute(sql: "ALTER TABLE permohonan ADD COLUMN clock_stopped_at TEXT")
        }
    }

    /// The document the PTSP issued, attached by the hub: its number beside the attachment row.
    static let issuedDocuments = "v19-issued-documents"

    static func registerIssuedDocuments(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(issuedDocuments) { db in
            // No hub wrote an attachment before this version, so NULL everywhere is what the fold gives.
            try db.execute(sql: "ALTER TABLE attachment ADD COLUMN issued_number TEXT")
        }
    }

    /// Letters the kecamatan makes at the operator step: their nomor surat beside the attachment row,
    /// and an index on the log to take the next number from.
    static let letters = "v22-letters"

    static func registerLetters(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(letters) { db in
            // No node wrote a letter before this version, so NULL everywhere is what the fold gives. The
            // next number is read from the log, not the fold: a letter the fold sets aside (a conflict)
            // still used its number, and the log is what a restored node gets back from the hub.
            try db.execute(
                sql: """
                    ALTER TABLE attachment ADD COLUMN letter_number TEXT;
                    CREATE INDEX event_letter ON event (node, json_extract(data, '$.letterNumber'))
                        WHERE type = 'permohonan.attached' AND json_extract(data, '$.letterNumber') IS NOT NULL;
                    """)
        }
    }
}
