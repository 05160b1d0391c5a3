import Foundation
import Hummingbird
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulWeb

extension BackOfficeApp {
    // MARK: - Dashboard

    func dashboard(request: Request, context: BackOfficeContext) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        struct Row {
            var code, name, waiting, late, ageing, conflicts, fees, contact: String
            /// Stored and optional, not empty: a template shows an empty string's section too.
            var contactNote: String?
            var parked: String
            var codes: [String]
            var hasLate, hasAgeing, hasConflicts, stale: Bool
        }
        struct Dashboard {
            var rows: [Row]
            var empty: Bool
            var staleDays: Int
            var ageingDays: Int
            var month: String
            var totalWaiting, totalLate, totalAgeing, totalConflicts, totalParked: Int
            /// A template takes 0 as true: the sections test a Bool.
            var anyLate: Bool
            var totalFees: String
        }
        let store = self.store
        let today = self.today()
        let now = self.now()
        let zona = self.zona
        let staleDays = settings.staleDays
        let ageingDays = settings.ageingDays
        let view = try await blocking { () throws(SimpulError) -> Dashboard in
            let summaries = try store.kecamatanSummaries(
                today: today, offsetMinutes: zona.offsetMinutes, ageingDays: ageingDays)
            var byPartition = Dictionary(uniqueKeysWithValues: summaries.map { ($0.partition, $0) })
            // A kecamatan's nodes (the kecamatan itself and its sub-nodes) report under its partition.
            func partition(_ node: String) -> String? {
                guard let id = NodeID(node), !id.isHub else { return nil }
                return id.homePartition
            }
            var lastContact: [String: Timestamp] = [:]
            for c in try store.contacts() {
                guard let p = partition(c.node) else { continue }
                lastContact[p] = max(lastContact[p] ?? c.lastContact, c.lastContact)
            }
            var parked: [String: Int] = [:]
            for w in try store.parkedPerWriter() {
                guard let p = partition(w.node) else { continue }
                parked[p, default: 0] += w.changeSets
            }
            for key in try store.keys() {
                if let p = partition(key.node), byPartition[p] == nil {
                    byPartition[p] = KecamatanSummary(partition: p)
                }
            }
            for p in Array(lastContact.keys) + Array(parked.keys) where byPartition[p] == nil {
                byPartition[p] = KecamatanSummary(partition: p)
            }
            let names = try self.kecamatanNames(Array(byPartition.keys))
            let staleBefore = Timestamp(milliseconds: now.milliseconds - Int64(staleDays) * 86_400_000)
            let rows = byPartition.values.sorted { $0.partition < $1.partition }.map { s in
                let contact = lastContact[s.partition]
                let silentDays = contact.map { Int((now.milliseconds - $0.milliseconds) / 86_400_000) }
                return Row(
                    code: s.partition, name: names[s.partition].map { FreeText.shown($0) } ?? "(tanpa nama)",
                    waiting: String(s.waiting), late: String(s.late), ageing: String(s.ageing),
                    conflicts: String(s.openConflicts),
                    fees: "\(Rupiah.format(s.feesThisMonth)) (\(s.paymentsThisMonth) kuitansi)",
                    contact: contact.map { WebPage.moment($0, zona: zona) } ?? "belum pernah",
                    contactNote: contact == nil
                        ? "belum pernah sinkron"
                        : (contact! < staleBefore ? "DIAM \(silentDays ?? 0) hari" : nil),
                    parked: String(parked[s.partition] ?? 0),
                    codes: s.waitingByCode.sorted { $0.key < $1.key }.map {
                        "\($0.key == "belum" ? "tanpa kode" : PTSPStatus.label($0.key)): \($0.value)"
                    },
                    hasLate: s.late > 0, hasAgeing: s.ageing > 0, hasConflicts: s.openConflicts > 0,
                    stale: contact.map { $0 < staleBefore } ?? true)
            }
            let months = [
                "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
                "November", "Desember",
            ]
            return Dashboard(
                rows: rows, empty: rows.isEmpty, staleDays: staleDays, ageingDays: ageingDays,
                month: "\(months[today.month - 1]) \(today.year)",
                totalWaiting: summaries.reduce(0) { $0 + $1.waiting }, totalLate: summaries.reduce(0) { $0 + $1.late },
                totalAgeing: summaries.reduce(0) { $0 + $1.ageing },
                totalConflicts: summaries.reduce(0) { $0 + $1.openConflicts },
                totalParked: parked.values.reduce(0, +), anyLate: summaries.contains { $0.late > 0 },
                totalFees: Rupiah.format(summaries.reduce(0) { $0 + $1.feesThisMonth }))
        }
        let body = renderer.render("ringkasan", view)
        return await page("Ringkasan kecamatan", section: .dashboard, session: session, body: body, request: request)
    }

    // MARK: - Forwarded files

    /// The queue's filter as the query string gives it, with what could not be read.
    struct QueueFilter {
        var query: ForwardedQuery
        var page: Int
        var problems: [String]
        /// The query string's own values, to fill the form and the links again.
        var given: [String: String]

        /// The filter's parameters, then the order's: the paging and export links keep all of them, and
        /// the form has a field for each.
        static let names = ["kecamatan", "layanan", "kode", "status", "jatuh-tempo", "dari", "sampai", "urut", "arah"]

        init(_ request: Request, pageSize: Int) {
            let parameters = request.uri.queryParameters
            var given: [String: String] = [:]
            for name in Self.names + ["hal"] {
                if let v = parameters.get(name)?.trimmingCharacters(in: .whitespaces), !v.isEmpty {
                    given[name] = String(v.prefix(100))
                }
            }
            self.given = given
            var query = ForwardedQuery(limit: pageSize)
            var problems: [String] = []
            query.partition = given["kecamatan"]
            query.layanan = given["layanan"]
            if let code = given["kode"] {
                if code == "belum" || PTSPStatus.entry(code) != nil {
                    query.ptspCode = code
                } else {
                    problems.append("kode: '\(FreeText.shown(code))' bukan kode status OSS")
                }
            }
            switch given["status"] {
            case nil: query.status = .diteruskan
            case "semua": query.status = nil
            case let s?:
                if let status = Status(rawValue: s) {
                    query.status = status
                } else {
                    problems.append("status: '\(FreeText.shown(s))' tidak dikenal")
                }
            }
            if let d = given["jatuh-tempo"] {
                if let due = ForwardedQuery.Due(rawValue: d) {
                    query.due = due
                } else {
                    problems.append("jatuh tempo: '\(FreeText.shown(d))' tidak dikenal")
                }
            }
            for (name, keyPath) in [("dari", \ForwardedQuery.from), ("sampai", \ForwardedQuery.to)] {
                guard let d = given[name] else { continue }
                if let date = LocalDate(iso: d) {
                    query[keyPath: keyPath] = date
                } else {
                    problems.append("\(name): '\(FreeText.shown(d))' bukan tanggal")
                }
            }
            // An order the page does not offer is refused like any other bad filter value, naming the
            // ones it does, rather than silently showing another order than the link asked for.
            if let u = given["urut"] {
                if let sort = ForwardedQuery.Sort(rawValue: u) {
                    query.sort = sort
                } else {
                    problems.append(
                        "urut: '\(FreeText.shown(u))' tidak dikenal (pilih "
                            + ForwardedQuery.Sort.allCases.map(\.rawValue).joined(separator: ", ") + ")")
                }
            }
            switch given["arah"] {
            case nil, "naik": query.descending = false
            case "turun": query.descending = true
            case let a?: problems.append("arah: '\(FreeText.shown(a))' tidak dikenal (naik atau turun)")
            }
            page = max(0, min(Int(given["hal"] ?? "0") ?? 0, 100_000))
            query.offset = page * query.limit
            self.query = query
            self.problems = problems
        }

        /// The query string of this filter and order, on another page.
        func link(_ path: String, page: Int? = nil) -> String {
            var parts = Self.names.compactMap { name in given[name].map { "\(name)=\(FormBody.encode($0))" } }
            if let page { parts.append("hal=\(page)") }
            return parts.isEmpty ? path : path + "?" + parts.joined(separator: "&")
        }

        /// This filter ordered by `sort`, from its first page: the current column turns over, another
        /// one starts ascending.
        func link(_ path: String, sortedBy sort: ForwardedQuery.Sort) -> String {
            var other = self
            let descending = sort == query.sort ? !query.descending : false
            other.given["urut"] = sort.rawValue
            other.given["arah"] = descending ? "turun" : nil
            return other.link(path)
        }

        /// The sortable column headers of the queue's table, in the table's order.
        func headers() -> [SortHeader] {
            let columns: [(ForwardedQuery.Sort?, String)] = [
                (.nomor, "Nomor"), (.kecamatan, "Kecamatan"), (.layanan, "Layanan"), (nil, "Pemohon"),
                (.kode, "Kode OSS"), (.diterima, "Diterima"), (.jatuhTempo, "Jatuh tempo"),
            ]
            return columns.map { sort, label in
                guard let sort else { return SortHeader(label: label) }
                let current = problems.isEmpty && sort == query.sort
                return SortHeader(
                    label: label, href: link("/berkas", sortedBy: sort),
                    ariaSort: current ? (query.descending ? "descending" : "ascending") : nil,
                    arrow: current ? (query.descending ? "\u{25BC}" : "\u{25B2}") : nil,
                    hint: current
                        ? (query.descending ? "urutkan naik" : "urutkan turun")
                        : "urutkan menurut \(Self.sortLabel(sort))")
            }
        }

        /// How the page says what it is ordered by.
        static func sortLabel(_ sort: ForwardedQuery.Sort) -> String {
            switch sort {
            case .jatuhTempo: "jatuh tempo"
            case .diterima: "tanggal diterima"
            case .kecamatan: "kecamatan"
            case .layanan: "layanan"
            case .kode: "kode OSS"
            case .nomor: "nomor registrasi"
            }
        }

        /// The sentence above the table: the order the rows are in, in words.
        var orderText: String {
            switch (query.sort, query.descending) {
            case (.jatuhTempo, false): "yang paling dekat jatuh tempo di atas"
            case (.jatuhTempo, true): "yang paling jauh jatuh tempo di atas"
            case (.diterima, false): "yang paling lama diterima di atas"
            case (.diterima, true): "yang paling baru diterima di atas"
            case (let sort, let descending):
                "diurutkan menurut \(Self.sortLabel(sort)), urutan \(descending ? "turun" : "naik")"
            }
        }
    }

    /// A column header of the queue: a link that orders by it, `aria-sort` on the one in force.
    struct SortHeader {
        var label: String
        var href: String?
        var ariaSort: String?
        var arrow: String?
        var hint: String?
    }

    func queuePage(request: Request, context: BackOfficeContext) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let filter = QueueFilter(request, pageSize: settings.queuePageSize)
        struct Queue {
            var kecamatan, services, codes, statuses, dues: [Choice]
            var dari, sampai: String
            var headers: [SortHeader]
            var orderText: String
            /// The order in the filter form too: the headers are not shown on a narrow screen, where
            /// the table becomes cards.
            var sorts, directions: [Choice]
            var rows: [FileRow]
            var hasRows: Bool
            var total: Int
            var pageText: String
            var previous, next: String?
            var csv, xlsx: String
        }
        let store = self.store
        let today = self.today()
        let query = filter.query
        let given = filter.given
        let problems = filter.problems
        let (rows, total, catalog, partitions, names) = try await blocking {
            () throws(SimpulError) -> ([FileRow], Int, LayananCatalog, [String], [String: String]) in
            let calendar = try store.calendar()
            let found = problems.isEmpty ? try store.forwarded(query, today: today) : []
            let total = problems.isEmpty ? try store.forwardedCount(query, today: today) : 0
            let partitions = try store.forwardedPartitions()
            let names = try self.kecamatanNames(partitions + found.map(\.partition))
            return (
                found.map { FileRow($0, today: today, calendar: calendar, kecamatan: names[$0.partition]) }, total,
                try store.catalog(), partitions, names
            )
        }
        let pages = max(1, (total + query.limit - 1) / query.limit)
        let view = Queue(
            kecamatan: partitions.map {
                Choice(
                    value: $0, label: "\($0) \(names[$0].map { FreeText.shown($0) } ?? "")",
                    selected: $0 == given["kecamatan"])
            },
            services: catalog.services.map {
                Choice(value: $0.code, label: "\($0.code) - \($0.name)", selected: $0.code == given["layanan"])
            },
            codes: [Choice(value: "belum", label: "Belum ada kode", selected: given["kode"] == "belum")]
                + PTSPStatus.all.map {
                    Choice(value: $0.code, label: PTSPStatus.label($0.code), selected: $0.code == given["kode"])
                },
            statuses: [
                Choice(value: "semua", label: "Semua yang pernah diteruskan", selected: given["status"] == "semua"),
                Choice(
                    value: Status.selesai.rawValue, label: Status.selesai.label, selected: given["status"] == "selesai"),
                Choice(
                    value: Status.ditolak.rawValue, label: Status.ditolak.label, selected: given["status"] == "ditolak"),
            ],
            dues: [
                Choice(value: "terlambat", label: "Terlambat", selected: given["jatuh-tempo"] == "terlambat"),
                Choice(value: "hari-ini", label: "Jatuh tempo hari ini", selected: given["jatuh-tempo"] == "hari-ini"),
                Choice(value: "aman", label: "Belum jatuh tempo", selected: given["jatuh-tempo"] == "aman"),
                Choice(value: "tanpa", label: "Ditetapkan PTSP", selected: given["jatuh-tempo"] == "tanpa"),
            ],
            dari: given["dari"] ?? "", sampai: given["sampai"] ?? "", headers: filter.headers(),
            orderText: filter.orderText,
            sorts: ForwardedQuery.Sort.allCases.map {
                Choice(
                    value: $0.rawValue, label: QueueFilter.sortLabel($0).capitalizedFirst, selected: $0 == query.sort)
            },
            directions: [
                Choice(value: "naik", label: "Naik (A-Z, paling awal dulu)", selected: !query.descending),
                Choice(value: "turun", label: "Turun (Z-A, paling akhir dulu)", selected: query.descending),
            ], rows: rows, hasRows: !rows.isEmpty,
            total: total, pageText: "Halaman \(filter.page + 1) dari \(pages)",
            previous: filter.page > 0 ? filter.link("/berkas", page: filter.page - 1) : nil,
            next: filter.page + 1 < pages ? filter.link("/berkas", page: filter.page + 1) : nil,
            csv: filter.link("/berkas.csv"), xlsx: filter.link("/berkas.xlsx"))
        return await page(
            "Berkas diteruskan", section: .berkas, session: session, body: renderer.render("berkas", view),
            flash: problems.isEmpty ? nil : problems.joined(separator: "; "), flashIsError: !problems.isEmpty,
            status: problems.isEmpty ? .ok : .unprocessableContent, request: request)
    }

    /// One forwarded file as both exports write it.
    struct ExportRow: Sendable {
        var number, partition, kecamatan, layanan, pemohon, nik, status, ptspCode: String
        var accepted: LocalDate
        var due: LocalDate?
        var dueState: String
        var fee: Int64?
        var paid: Int64

        /// The columns of both exports, in order, with their width in the workbook.
        static let columns: [XLSXWorkbook.Column] = [
            .init(title: "nomor", width: 18), .init(title: "kecamatan", width: 11),
            .init(title: "nama_kecamatan", width: 24), .init(title: "layanan", width: 14),
            .init(title: "pemohon", width: 28), .init(title: "nik", width: 19), .init(title: "status", width: 22),
            .init(title: "kode_oss", width: 9), .init(title: "diterima", width: 12),
            .init(title: "jatuh_tempo", width: 12), .init(title: "keadaan", width: 24),
            .init(title: "retribusi", width: 16), .init(title: "dibayar", width: 16),
        ]

        var csvCells: [String] {
            [
                number, partition, kecamatan, layanan, pemohon, nik, status, ptspCode, accepted.description,
                due?.description ?? "", dueState, fee.map(String.init) ?? "", String(paid),
            ]
        }

        var workbookCells: [XLSXWorkbook.Cell] {
            [
                .text(number), .text(partition), .text(kecamatan), .text(layanan), .text(pemohon), .text(nik),
                .text(status), ptspCode.isEmpty ? .empty : .text(ptspCode), .date(accepted),
                due.map { .date($0) } ?? .empty, .text(dueState), fee.map { .rupiah($0) } ?? .empty, .rupiah(paid),
            ]
        }
    }

    /// Every file of the current filter, not only the page shown, for an export; or the answer to give
    /// instead (the login page, a refused filter).
    func exportRows(request: Request, context: BackOfficeContext) async throws -> Gate<(StaffSession, [ExportRow])> {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return .failure(r)
        }
        let filter = QueueFilter(request, pageSize: settings.queuePageSize)
        guard filter.problems.isEmpty else {
            return .failure(
                await message(
                    "Saringan tidak sah", filter.problems.joined(separator: "; "), session: session,
                    status: .unprocessableContent))
        }
        let store = self.store
        let today = self.today()
        var query = filter.query
        query.offset = 0
        query.limit = 1000
        let startQuery = query
        let rows = try await blocking { () throws(SimpulError) -> [ExportRow] in
            let calendar = try store.calendar()
            var query = startQuery
            var rows: [ExportRow] = []
            var names: [String: String] = [:]
            while true {
                let batch = try store.forwarded(query, today: today)
                for p in batch {
                    if names[p.partition] == nil { names[p.partition] = try store.wilayahName(p.partition) ?? "" }
                    rows.append(
                        ExportRow(
                            number: p.number, partition: p.partition, kecamatan: names[p.partition] ?? "",
                            layanan: p.layanan.code, pemohon: p.pemohon.nama, nik: p.pemohon.nik.masked,
                            status: Render.statusLabel(p), ptspCode: p.ptspCode ?? "", accepted: p.acceptedOn,
                            due: p.dueOn, dueState: DueState(p, today: today, calendar: calendar).text, fee: p.fee,
                            paid: p.paid))
                }
                guard batch.count == query.limit else { break }
                query.offset += query.limit
            }
            return rows
        }
        return .success((session, rows))
    }

    /// The current filter as CSV (UTF-8 with a byte order mark, so a spreadsheet reads the names right);
    /// fees as plain rupiah so that columns add up.
    func queueCSV(request: Request, context: BackOfficeContext) async throws -> Response {
        let session: StaffSession
        let rows: [ExportRow]
        switch try await exportRows(request: request, context: context) {
        case .success(let found): (session, rows) = found
        case .failure(let r): return r
        }
        var text = "\u{FEFF}" + ExportRow.columns.map(\.title).joined(separator: ",") + "\r\n"
        for row in rows { text += row.csvCells.map(CSV.cell).joined(separator: ",") + "\r\n" }
        logger.info(
            "forwarded files exported", metadata: ["username": "\(session.account.username)", "format": "csv"])
        return download(ByteBuffer(string: text), contentType: "text/csv; charset=utf-8", extension: "csv")
    }

    /// The current filter as an XLSX workbook: the CSV's columns, with fees and dates as the
    /// spreadsheet's own numbers and dates.
    func queueXLSX(request: Request, context: BackOfficeContext) async throws -> Response {
        let session: StaffSession
        let rows: [ExportRow]
        switch try await exportRows(request: request, context: context) {
        case .success(let found): (session, rows) = found
        case .failure(let r): return r
        }
        let bytes: Data
        do throws(SimpulError) {
            bytes = try await blocking { () throws(SimpulError) in
                var workbook = XLSXWorkbook(sheet: "Berkas diteruskan", columns: ExportRow.columns)
                for row in rows { workbook.append(row.workbookCells) }
                return try workbook.data()
            }
        } catch {
            logger.error(
                "forwarded files export failed",
                metadata: ["username": "\(session.account.username)", "format": "xlsx", "error": "\(error.message)"])
            return await message(
                "Unduhan gagal", "Berkas XLSX tidak dapat dibuat (\(error.message)). Coba lagi, atau unduh CSV.",
                session: session, status: .internalServerError)
        }
        logger.info(
            "forwarded files exported", metadata: ["username": "\(session.account.username)", "format": "xlsx"])
        return download(
            ByteBuffer(bytes: bytes), contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            extension: "xlsx")
    }

    /// An export as an attachment named after today in the hub's zone.
    func download(_ body: ByteBuffer, contentType: String, extension: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        let stamp = today().description
        headers[.contentDisposition] = "attachment; filename=\"berkas-diteruskan-\(stamp).\(`extension`)\""
        WebPage.secure(&headers)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}

extension String {
    /// The text with its first letter in capitals, for a label that starts an option.
    fileprivate var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// RFC 4180 cells; a cell that a spreadsheet would read as a formula is led by an apostrophe.
