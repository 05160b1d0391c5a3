import CXlsxwriter
import Foundation
import SimpulDomain
import Synchronization

/// A workbook of one worksheet, written by libxlsxwriter. Amounts and dates are the spreadsheet's own
/// numbers and dates, not text, so that a column adds up, sorts and filters as the reader expects.
struct XLSXWorkbook: Sendable {
    enum Cell: Sendable, Equatable {
        /// Always a string: a leading `=` is not read as a formula here, unlike in a CSV.
        case text(String)
        case rupiah(Int64)
        case date(LocalDate)
        case empty
    }

    struct Column: Sendable {
        var title: String
        /// In characters of the default font, as the spreadsheet counts a column's width.
        var width: Double
    }

    /// The `[$-421]` locale tag (Indonesian) makes LibreOffice group thousands with dots whatever the
    /// reader's own locale; Excel groups by Windows' regional settings, dots on an Indonesian one.
    static let rupiahFormat = "[$-421]\"Rp \"#,##0"
    static let dateFormat = "dd-mm-yyyy"
    /// Excel's limits: a sheet name of 31 characters without `[]:*?/\`, and rows and columns per sheet.
    /// One workbook written at a time in the process.
    private static let writing = Mutex(())

    static let maxSheetName = 31
    static let maxRows = 1_048_576
    static let maxColumns = 16_384

    let sheet: String
    let columns: [Column]
    private(set) var rows: [[Cell]] = []

    init(sheet: String, columns: [Column]) {
        self.sheet = sheet
        self.columns = columns
    }

    mutating func append(_ row: [Cell]) {
        rows.append(row)
    }

    /// The workbook's bytes. libxlsxwriter writes only to a file, so it writes into a directory of its
    /// own (its scratch files too) that is removed before this returns, whatever happened.
    func data() throws(SimpulError) -> Data {
        try check()
        let files = FileManager.default
        let directory = files.temporaryDirectory.appendingPathComponent(
            "simpul-xlsx-\(UUID().uuidString)", isDirectory: true)
        do {
            try files.createDirectory(
                at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SimpulError(.io, "buku kerja XLSX: folder sementara tidak dapat dibuat", cause: error)
        }
        defer { try? files.removeItem(at: directory) }
        let file = directory.appendingPathComponent("buku.xlsx")
        // libxlsxwriter does not promise that two workbooks may be written at once from two threads
        // (three parallel tests once hung together), and exports are rare: one at a time.
        let error = Self.writing.withLock { _ in write(to: file.path, scratch: directory.path) }
        guard error == LXW_NO_ERROR else {
            throw SimpulError(
                .io, "buku kerja XLSX tidak dapat ditulis: \(String(cString: lxw_strerror(error)))")
        }
        do {
            return try Data(contentsOf: file)
        } catch {
            throw SimpulError(.io, "buku kerja XLSX tidak dapat dibaca kembali", cause: error)
        }
    }

    /// What libxlsxwriter would refuse, refused before any C call, in words.
    private func check() throws(SimpulError) {
        guard !sheet.isEmpty, sheet.count <= Self.maxSheetName, !sheet.contains(where: { "[]:*?/\\".contains($0) })
        else {
            throw SimpulError(.invalidData, "buku kerja XLSX: nama lembar '\(FreeText.shown(sheet))' tidak sah")
        }
        guard !columns.isEmpty, columns.count <= Self.maxColumns else {
            throw SimpulError(.invalidData, "buku kerja XLSX: \(columns.count) kolom, paling banyak \(Self.maxColumns)")
        }
        // The header takes a row.
        guard rows.count < Self.maxRows else {
            throw SimpulError(
                .invalidData,
                "buku kerja XLSX: \(rows.count) baris, paling banyak \(Self.maxRows - 1); persempit saringan")
        }
        if let long = rows.firstIndex(where: { $0.count > columns.count }) {
            throw SimpulError(.invalidData, "buku kerja XLSX: baris \(long + 1) lebih panjang dari kepalanya")
        }
    }

    /// The first error, or none; `workbook_close` runs on every path because it also frees the workbook.
    private func write(to path: String, scratch: String) -> lxw_error {
        scratch.withCString { scratch in
            // Zeroed first: later libxlsxwriter releases add fields to the options.
            var options = lxw_workbook_options()
            options.constant_memory = 0
            options.tmpdir = UnsafeMutablePointer(mutating: scratch)
            guard let workbook = workbook_new_opt(path, &options) else { return LXW_ERROR_MEMORY_MALLOC_FAILED }
            let filled = fill(workbook)
            let closed = workbook_close(workbook)
            return filled != LXW_NO_ERROR ? filled : closed
        }
    }

    private func fill(_ workbook: UnsafeMutablePointer<lxw_workbook>) -> lxw_error {
        guard let worksheet = workbook_add_worksheet(workbook, sheet),
            let bold = workbook_add_format(workbook), let rupiah = workbook_add_format(workbook),
            let date = workbook_add_format(workbook)
        else { return LXW_ERROR_MEMORY_MALLOC_FAILED }
        format_set_bold(bold)
        format_set_num_format(rupiah, Self.rupiahFormat)
        format_set_num_format(date, Self.dateFormat)
        let lastColumn = lxw_col_t(columns.count - 1)
        for (c, column) in columns.enumerated() {
            let index = lxw_col_t(c)
            var error = worksheet_set_column(worksheet, index, index, column.width, nil)
            if error == LXW_NO_ERROR { error = worksheet_write_string(worksheet, 0, index, column.title, bold) }
            guard error == LXW_NO_ERROR else { return error }
        }
        for (r, row) in rows.enumerated() {
            let rowIndex = lxw_row_t(r + 1)
            for (c, cell) in row.enumerated() {
                let error: lxw_error
                switch cell {
                case .text(let text): error = worksheet_write_string(worksheet, rowIndex, lxw_col_t(c), text, nil)
                case .rupiah(let amount):
                    error = worksheet_write_number(worksheet, rowIndex, lxw_col_t(c), Double(amount), rupiah)
                case .date(let day) where day.year >= 1900:
                    var moment = lxw_datetime(
                        year: Int32(day.year), month: Int32(day.month), day: Int32(day.day), hour: 0, min: 0, sec: 0)
                    error = worksheet_write_datetime(worksheet, rowIndex, lxw_col_t(c), &moment, date)
                case .date(let day):
                    // Excel has no day before 1900: the date as text, still readable.
                    error = worksheet_write_string(worksheet, rowIndex, lxw_col_t(c), day.description, nil)
                case .empty: error = LXW_NO_ERROR
                }
                guard error == LXW_NO_ERROR else { return error }
            }
        }
        worksheet_freeze_panes(worksheet, 1, 0)
        return worksheet_autofilter(worksheet, 0, 0, lxw_row_t(rows.count), lastColumn)
    }
}
