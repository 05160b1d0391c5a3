import Foundation
import GRDB
import SimpulDomain
import SimpulPaper

/// A letter just made: the attachment that carries it and its nomor surat.
public struct MadeLetter: Sendable, Equatable {
    public var file: AttachedFile
    public var number: LetterNumber

    public init(file: AttachedFile, number: LetterNumber) {
        self.file = file
        self.number = number
    }
}

extension ConfDirectory {
    /// The folder of letter templates inside a configuration folder: `surat/KODE.txt`.
    public static let letterFolder = "surat"

    /// Reads and checks the letter template of a service from `directory/surat/CODE.txt`.
    public static func letterTemplate(_ directory: String, service code: String) throws(SimpulError) -> LetterTemplate {
        let path = ((directory as NSString).appendingPathComponent(letterFolder) as NSString)
            .appendingPathComponent("\(code).txt")
        guard FileManager.default.fileExists(atPath: path) else {
            throw SimpulError(
                .notFound, "surat: layanan \(code) tidak punya templat surat (\(path) tidak ada)")
        }
        let data = try readFile(path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw SimpulError(.invalidData, "\(path): bukan teks UTF-8")
        }
        return try LetterTemplate.parse(text, source: path)
    }
}

extension NodeStore {
    /// Makes the letter of a permohonan at the operator step: takes the next nomor surat of the
    /// template's classification, writes the PDF and records it as an attachment, all in one write
    /// transaction. So a crash before the commit leaves neither the letter nor a used number, and two
    /// officers making letters at once get consecutive numbers.
    ///
    /// A second letter on the same file (a correction) gets a new number; the newest is the one printed
    /// (`Permohonan.letter`). An account must hold the operator's role.
    public func makeLetter(
        for number: String, template: LetterTemplate, by actor: Actor
    ) throws(SimpulError) -> MadeLetter {
        if case .typed(let name) = actor { _ = try Self.officerName(name) }
        let at = now()
        let node = info.node
        let today = at.localDate(offsetMinutes: info.zona.offsetMinutes)
        let kecamatan = try wilayahName(node.wilayah.code)
        let kabupaten = try wilayahName(node.kabupaten.code)
        let office = info.name
        let made = try writeDB("membuat surat") { db -> (Event, LetterNumber) in
            guard let state = try Projection.load(number, db: db) else { throw Projection.notFound(number) }
            let who = try self.attribution(
                actor, required: .operator, task: "pembuatan surat", typedRole: Tahap.operatorStep.role, db: db)
            // The workflow's own rule, checked before a number is taken, so a refusal uses none.
            let probe = Attachment(
                sha256: String(repeating: "0", count: 64), size: 1, name: "surat.pdf", mediaType: "application/pdf",
                letterNumber: LetterNumber(klasifikasi: template.klasifikasi, sequence: 1, node: node, year: today.year)
                    .text)
            if let why = Workflow.admissible(.attached(probe), on: state) { throw SimpulError(.invalidData, why) }
            let letterNumber = LetterNumber(
                klasifikasi: template.klasifikasi,
                sequence: try Self.lastLetterSequence(
                    klasifikasi: template.klasifikasi, node: node, year: today.year, db: db) + 1,
                node: node, year: today.year)
            let letter = Self.letter(
                state, template: template, number: letterNumber, date: today, office: office, kecamatan: kecamatan,
                kabupaten: kabupaten)
            let bytes = LetterPDF.render(letter)
            let sha = Self.sha256Hex(bytes)
            let name =
                "surat-\(template.klasifikasi)-\(String(letterNumber.text.split(separator: "/")[1]))-\(today.year).pdf"
            let body = try Workflow.attach(
                Attachment(
                    sha256: sha, size: Int64(bytes.count), name: name, mediaType: "application/pdf",
                    letterNumber: letterNumber.text), on: state)
            if let refusal = EventAuthorization.refusal(body: body, author: node, partition: state.partition) {
                throw SimpulError(.invalidData, refusal.message)
            }
            _ = try Self.insertComplete(sha: sha, size: Int64(bytes.count), at: at, db: db) { emit in
                var start = 0
                while start < bytes.count {
                    let end = min(start + Self.blobChunkBytes, bytes.count)
                    try emit(Array(bytes[start..<end]))
                    start = end
                }
            }
            let event = try self.append(
                record: number, partition: state.partition, context: state.seen, officer: who.officer,
                role: who.role, at: at, body: body, db: db)
            return (event, letterNumber)
        }
        guard case .attached(let attachment) = made.0.body else {
            throw SimpulError(.io, "event surat \(made.0.dot) tidak tercatat sebagai lampiran")
        }
        logger.info(
            "letter made", metadata: ["number": "\(number)", "nomorSurat": "\(made.1)", "bytes": "\(attachment.size)"])
        return MadeLetter(file: AttachedFile(attachment: attachment, dot: made.0.dot), number: made.1)
    }

    /// The highest sequence this node has used for `klasifikasi` in `year`, read from the log (the
    /// `event_letter` index): every letter event the node ever wrote counts, whether or not the fold
    /// kept it, so a number is never given twice.
    static func lastLetterSequence(klasifikasi: String, node: NodeID, year: Int, db: Database) throws -> Int {
        // LIKE's wildcards cannot occur in a classification (digits and dots) or a node id, so the
        // pattern matches exactly this classification, node and year.
        let numbers = try String.fetchAll(
            db,
            sql: """
                SELECT json_extract(data, '$.letterNumber') FROM event
                WHERE type = 'permohonan.attached' AND json_extract(data, '$.letterNumber') IS NOT NULL AND node = ?
                    AND json_extract(data, '$.letterNumber') LIKE ?
                """,
            arguments: [node.rawValue, "\(klasifikasi)/%/\(node.rawValue)/\(year)"])
        return numbers.compactMap { try? LetterNumber(parsing: $0) }
            .filter { $0.klasifikasi == klasifikasi && $0.node == node && $0.year == year }
            .map(\.sequence).max() ?? 0
    }

    /// The letter as printed: the template filled with the file's facts, under the node's letterhead.
    static func letter(
        _ p: Permohonan, template: LetterTemplate, number: LetterNumber, date: LocalDate, office: String,
        kecamatan: String?, kabupaten: String?
    ) -> Letter {
        let place = kecamatan ?? office
        let camat = "Camat \(place)"
        let values: [String: String] = [
            "nomor_surat": number.text,
            "nomor_pendaftaran": p.number,
            "nama": FreeText.shown(p.pemohon.nama),
            "nik": p.pemohon.nik.digits,
            "alamat": p.pemohon.alamat.map { FreeText.shown($0) } ?? "",
            "telepon": p.pemohon.telepon ?? "",
            "layanan": p.layanan.name,
            "tanggal": date.indonesianDate,
            "kecamatan": office,
            "kabupaten": kabupaten ?? "",
            "camat": camat,
        ]
        var head: [String] = []
        if let kabupaten { head.append("PEMERINTAH \(kabupaten.uppercased())") }
        head.append(office.uppercased())
        head.append("Pelayanan Administrasi Terpadu Kecamatan (PATEN)")
        return Letter(
            letterhead: head, title: template.title, number: number.text,
            body: template.fill(values, isian: p.isian), placeAndDate: "\(place), \(date.indonesianDate)",
            signerTitle: camat.uppercased())
    }
}
