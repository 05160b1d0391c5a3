import Foundation
import SimpulDomain
import Testing

/// Swift Testing has an `Attachment` of its own; here it is always the document.
typealias Attachment = SimpulDomain.Attachment

/// `permohonan.attached`: what may be attached, when, by whom, and how the fold keeps it.
@Suite(.timeLimit(.minutes(10))) struct AttachmentTests {
    static let layanan = Layanan(
        code: "SKTM", name: "Surat keterangan tidak mampu", kind: .nonPerizinan, scale: .kecamatan,
        requirements: [.init(code: "ktp", name: "KTP-el"), .init(code: "kk", name: "Kartu Keluarga")],
        durationWorkingDays: 0, fee: .fixed(amount: 0), fieldCheck: false, version: 1)
    static let kecamatan = "33.74.01"
    static let number = RegistrationNumber(prefix: "01", year: 2026, sequence: 7).text

    static func sha(_ n: Int) -> String { String(repeating: String(n % 10), count: 64) }

    static func scan(_ n: Int, name: String = "ktp.pdf", syarat: String? = "ktp") -> Attachment {
        Attachment(sha256: sha(n), size: 240_000, name: name, mediaType: "application/pdf", syarat: syarat)
    }

    /// Events of one permohonan written at the kecamatan, each having seen every one before it.
    struct Writer {
        var events: [Event] = []
        var seen = VersionVector()

        init(layanan: Layanan = AttachmentTests.layanan) throws {
            let r = try Workflow.register(
                number: AttachmentTests.number, layanan: layanan, catalogVersion: 1,
                pemohon: Pemohon(nik: try NIK(validating: "3374015203850002"), nama: "Siti Aminah"),
                syarat: layanan.requirements.map(\.code), isian: [:], acceptedOn: LocalDate(iso: "2026-03-17")!,
                calendar: WorkingDayCalendar(holidays: []))
            add(.registered(r), node: AttachmentTests.kecamatan)
        }

        mutating func add(_ body: EventBody, node: String, context: VersionVector? = nil) {
            let seq = UInt64(events.filter { $0.dot.node == node }.count + 1)
            let e = Event(
                dot: Dot(node: node, seq: seq), partition: AttachmentTests.kecamatan,
                lamport: UInt64(events.count + 1), context: context ?? seen, record: AttachmentTests.number,
                officer: "Sari", role: Peran.loket,
                at: Timestamp(milliseconds: 1_773_700_000_000 + Int64(events.count)),
                body: body)
            events.append(e)
            seen.include(e.dot)
        }

        var state: Permohonan { RecordFold.fold(events).state! }
    }

    @Test func attachmentsFoldInOrderEachDocumentOnce() throws {
        var w = try Writer()
        w.add(try Workflow.attach(Self.scan(1), on: w.state), node: Self.kecamatan)
        w.add(try Workflow.attach(Self.scan(2, name: "kk.jpg", syarat: "kk"), on: w.state), node: Self.kecamatan)
        // A sub-node attaching the same bytes without having seen the first: one document, no conflict.
        w.add(
            .attached(Self.scan(1, name: "ktp-lagi.pdf")), node: "33.74.01-1", context: VersionVector(["33.74.01": 1]))
        let (state, conflicts) = RecordFold.fold(w.events)
        let p = try #require(state)
        #expect(conflicts.isEmpty)
        #expect(p.attachments.map(\.attachment.name) == ["ktp.pdf", "kk.jpg"])
        #expect(p.attachments.map(\.dot) == [Dot(node: "33.74.01", seq: 2), Dot(node: "33.74.01", seq: 3)])
        #expect(p.status == .diproses && p.tahap == .verifikasi)
        // Any order of the same events folds to the same state.
        #expect(RecordFold.fold(w.events.reversed()).state == p)
        var replayed = Permohonan(registeredBy: w.events[0], try #require(registration(w.events[0])))
        for e in w.events.dropFirst() { replayed.apply(e) }
        #expect(replayed == p)
    }

    @Test func aClosedPermohonanTakesNoAttachment() throws {
        var w = try Writer()
        w.add(try Workflow.decide(.reject(reason: "berkas palsu"), on: w.state), node: Self.kecamatan)
        let error = try #require(throws: SimpulError.self) { try Workflow.attach(Self.scan(1), on: w.state) }
        #expect(error.code == .invalidData)
        #expect(error.message.contains("sudah ditutup"))
        #expect(Workflow.admissible(.attached(Self.scan(1)), on: w.state) != nil)
    }

    @Test func anAttachmentWrittenWithoutSeeingTheRejectionIsSetAsideAsAConflict() throws {
        var w = try Writer()
        let beforeRejection = w.seen
        w.add(try Workflow.decide(.reject(reason: "berkas palsu"), on: w.state), node: Self.kecamatan)
        w.add(.attached(Self.scan(3)), node: "33.74.01-1", context: beforeRejection)
        let (state, conflicts) = RecordFold.fold(w.events)
        #expect(state?.attachments.isEmpty == true)
        #expect(conflicts.count == 1)
        #expect(conflicts.first?.eventType == .attached)
        #expect(conflicts.first?.applied == false)
    }

    @Test func aForwardedFileStillTakesAttachments() throws {
        var p = try Writer().state
        p.status = .diteruskan
        p.tahap = nil
        #expect(Workflow.admissible(.attached(Self.scan(1)), on: p) == nil)
    }

    @Test func theDataIsCheckedBeforeItIsRecorded() throws {
        let p = try Writer().state
        func refusal(_ a: Attachment) throws -> String {
            try #require(throws: SimpulError.self) { try Workflow.attach(a, on: p) }.message
        }
        var a = Self.scan(1)
        a.sha256 = String(repeating: "A", count: 64)
        #expect(try refusal(a).contains("sha256"))
        a = Self.scan(1)
        a.size = Attachment.maxBytes + 1
        #expect(try refusal(a).contains("terlalu besar"))
        a.size = 0
        #expect(try refusal(a).contains("kosong"))
        a = Self.scan(1, syarat: "akta")
        #expect(try refusal(a).contains("bukan persyaratan layanan SKTM"))
        a = Self.scan(1, name: "ktp\n.pdf")
        #expect(try refusal(a).contains("nama file"))
        var w = try Writer()
        w.add(try Workflow.attach(Self.scan(1), on: w.state), node: Self.kecamatan)
        #expect(
            try #require(throws: SimpulError.self) { try Workflow.attach(Self.scan(1), on: w.state) }
                .message.contains("sudah dilampirkan"))
        // The name is trimmed as every officer's text is.
        guard case .attached(let clean) = try Workflow.attach(Self.scan(4, name: "  kk.pdf "), on: w.state) else {
            Issue.record("not an attachment")
            return
        }
        #expect(clean.name == "kk.pdf")
    }

    @Test func onlyTheKecamatanAttachesScansIntoItsOwnPartition() throws {
        let kec = try #require(NodeID("33.74.01"))
        let sub = try #require(NodeID("33.74.01-2"))
        let hub = try #require(NodeID("33.74"))
        #expect(EventAuthorization.refusal(body: .attached(Self.scan(1)), author: kec, partition: "33.74.01") == nil)
        #expect(EventAuthorization.refusal(body: .attached(Self.scan(1)), author: sub, partition: "33.74.01") == nil)
        // The hub attaches only the document the PTSP issued.
        #expect(EventAuthorization.refusal(body: .attached(Self.scan(1)), author: hub, partition: "33.74.01") != nil)
        #expect(EventAuthorization.refusal(body: .attached(Self.izin(1)), author: hub, partition: "33.74.01") == nil)
        #expect(EventAuthorization.refusal(type: .attached, author: kec, partition: "33.74.02") != nil)
        #expect(EventAuthorization.refusal(type: .attached, author: kec, partition: "33.74") != nil)
        #expect(EventType(rawValue: "permohonan.attached") == .attached)
    }

    @Test func mediaTypesComeFromTheExtension() {
        #expect(Attachment.mediaType(forFileName: "KTP.PDF") == "application/pdf")
        #expect(Attachment.mediaType(forFileName: "kk.jpeg") == "image/jpeg")
        #expect(Attachment.mediaType(forFileName: "denah.Jpg") == "image/jpeg")
        #expect(Attachment.mediaType(forFileName: "gambar.png") == "image/png")
        #expect(Attachment.mediaType(forFileName: "scan.tiff") == "image/tiff")
        #expect(Attachment.mediaType(forFileName: "catatan") == "application/octet-stream")
        #expect(Attachment.mediaType(forFileName: "arsip.zip") == "application/octet-stream")
    }

    @Test func sizesReadAsOfficersWriteThem() {
        #expect(Attachment.sizeText(900) == "900 B")
        #expect(Attachment.sizeText(240_000) == "234 KB")
        #expect(Attachment.sizeText(20 * 1024 * 1024) == "20 MB")
        #expect(Attachment.sizeText(2_500_000) == "2,4 MB")
    }

    @Test func theEventSurvivesJSONWithItsType() throws {
        let body = EventBody.attached(Self.scan(1))
        let data = try JSONEncoder().encode(body)
        #expect(String(decoding: data, as: UTF8.self).contains(#""type":"permohonan.attached""#))
        #expect(try JSONDecoder().decode(EventBody.self, from: data) == body)
        var noSyarat = Self.scan(2)
        noSyarat.syarat = nil
        let plain = try JSONEncoder().encode(EventBody.attached(noSyarat))
        #expect(!String(decoding: plain, as: UTF8.self).contains("syarat"))
    }

    // MARK: - The document the PTSP issued

    static let forwarded = Layanan(
        code: "PBG-KECIL", name: "Persetujuan bangunan gedung", kind: .perizinan, scale: .forwarded,
        forwardTo: "DPMPTSP Kota Semarang", requirements: [.init(code: "ktp", name: "KTP-el")],
        durationWorkingDays: 10, fee: .setByPTSP, fieldCheck: false, version: 1)

    static func izin(_ n: Int, number: String? = "503/0123/DPMPTSP/2026") -> Attachment {
        Attachment(
            sha256: sha(n), size: 180_000, name: "izin-pbg.pdf", mediaType: "application/pdf", issuedNumber: number)
    }

    @Test func theIssuedDocumentComesOnlyOnAForwardedFileThePTSPApproved() throws {
        var w = try Writer(layanan: Self.forwarded)
        // At the loket, before forwarding, and at the PTSP before its decision: no issued document yet.
        #expect(throws: SimpulError.self) { try Workflow.attach(Self.izin(1), on: w.state) }
        w.add(try Workflow.decide(.forward(note: nil), on: w.state), node: Self.kecamatan)
        let pending = try #require(throws: SimpulError.self) { try Workflow.attach(Self.izin(1), on: w.state) }
        #expect(pending.message.contains("disetujui PTSP"), "\(pending.message)")
        w.add(try Workflow.decide(.decide(code: "50", fee: 150_000, note: nil), on: w.state), node: "33.74")
        w.add(try Workflow.attach(Self.izin(1), on: w.state), node: "33.74")
        let p = w.state
        #expect(p.issuedDocument?.attachment.issuedNumber == "503/0123/DPMPTSP/2026")
        #expect(p.issuedDocument?.dot == Dot(node: "33.74", seq: 2))
        // The counter still takes the fee and hands over as before.
        #expect(p.status == .diproses && p.tahap == .penyerahan)
        // A corrected document replaces the first as the one to print; both stay in the record.
        var corrected = Self.izin(2, number: "503/0124/DPMPTSP/2026")
        corrected.name = "izin-pbg-perbaikan.pdf"
        w.add(try Workflow.attach(corrected, on: w.state), node: "33.74")
        #expect(w.state.issuedDocument?.attachment.issuedNumber == "503/0124/DPMPTSP/2026")
        #expect(w.state.attachments.count == 2)
    }

    @Test func aRejectedFileTakesNoIssuedDocument() throws {
        var w = try Writer(layanan: Self.forwarded)
        w.add(try Workflow.decide(.forward(note: nil), on: w.state), node: Self.kecamatan)
        w.add(try Workflow.decide(.decide(code: "90", fee: nil, note: "tata ruang"), on: w.state), node: "33.74")
        #expect(Workflow.admissible(.attached(Self.izin(1)), on: w.state) != nil)
        #expect(w.state.status == .ditolak)
    }

    @Test func anIssuedDocumentIsANumberedPDFForNoRequirement() throws {
        var w = try Writer(layanan: Self.forwarded)
        w.add(try Workflow.decide(.forward(note: nil), on: w.state), node: Self.kecamatan)
        w.add(try Workflow.decide(.decide(code: "50", fee: 0, note: nil), on: w.state), node: "33.74")
        var image = Self.izin(1)
        image.mediaType = "image/jpeg"
        #expect(throws: SimpulError.self) { try Workflow.attach(image, on: w.state) }
        var blank = Self.izin(1)
        blank.issuedNumber = "   "
        let error = try #require(throws: SimpulError.self) { try Workflow.attach(blank, on: w.state) }
        #expect(error.message.contains("nomor dokumen"))
        var forRequirement = Self.izin(1)
        forRequirement.syarat = "ktp"
        #expect(throws: SimpulError.self) { try Workflow.attach(forRequirement, on: w.state) }
        // The number travels in the event and survives JSON; a scan never carries the key.
        let data = try JSONEncoder().encode(EventBody.attached(Self.izin(1)))
        #expect(String(decoding: data, as: UTF8.self).contains(#""issuedNumber":"503\/0123\/DPMPTSP\/2026""#))
        #expect(try JSONDecoder().decode(EventBody.self, from: data) == .attached(Self.izin(1)))
    }

    private func registration(_ e: Event) -> Registration? {
        if case .registered(let r) = e.body { return r }
        return nil
    }
}
