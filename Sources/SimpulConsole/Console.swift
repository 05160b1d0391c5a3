import ArgumentParser
import Foundation
import SimpulDomain
import SimpulStore

/// What both command line tools share: one line on stderr for a failure, the documented exit codes,
/// JSON on stdout, and the clock.
public enum Console {
    /// The clock: the system's, or a fixed instant from `SIMPUL_NOW` (ISO 8601) so that demos and
    /// tests print reproducible dates.
    public static let now: @Sendable () -> Timestamp = {
        if let fixed = ProcessInfo.processInfo.environment["SIMPUL_NOW"], let t = Timestamp(iso: fixed) {
            return { t }
        }
        return { Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded())) }
    }()

    /// Runs a command body, turning a `SimpulError` into one line on stderr and its exit code.
    public static func execute(_ tool: String, _ body: () throws(SimpulError) -> Void) throws(ExitCode) {
        do {
            try body()
        } catch {
            // The description: the message, and what caused it (a full disk, a locked file).
            throw fail(tool, error.description, code: exitCode(error.code))
        }
    }

    /// Prints `tool: message` on stderr and returns the exit code to throw.
    public static func fail(_ tool: String, _ message: String, code: Int32) -> ExitCode {
        printError("\(tool): \(message)\n")
        return ExitCode(code)
    }

    public static func exitCode(_ code: SimpulError.Code) -> Int32 {
        switch code {
        case .usage: 64
        case .invalidData, .configuration: 65
        case .notFound: 66
        case .storeUnavailable: 73
        case .io: 74
        case .busy: 69
        }
    }

    /// Runs a command line tool: parse errors become one line on stderr (`simpul: ...`) with exit
    /// 64, help goes to stdout, and a command's own `ExitCode` passes through.
    public static func main<C: ParsableCommand>(_ type: C.Type, tool: String) async {
        do {
            var command = try type.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = type.exitCode(for: error)
            if code == .success {
                print(type.fullMessage(for: error))
                exit(0)
            }
            let message = type.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            printError("\(tool): \(message) (lihat '\(tool) --help')\n")
            exit(code.rawValue)
        }
        exit(0)
    }

    /// Prints a JSON document on stdout.
    public static func printJSON<T: Encodable>(_ value: T) throws(SimpulError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            print(String(decoding: try encoder.encode(value), as: UTF8.self))
        } catch {
            throw SimpulError(.io, "keluaran JSON gagal dibuat", cause: error)
        }
    }

    /// Shows a permohonan as text or JSON.
    public static func show(
        _ p: Permohonan, store: any PermohonanReader, json: Bool, title: String? = nil, warning: String? = nil
    ) throws(SimpulError) {
        let calendar = try store.calendar()
        let today = now().localDate(offsetMinutes: store.info.zona.offsetMinutes)
        if json {
            struct Shown: Encodable {
                var permohonan: PermohonanView
                var warnings: [String]
            }
            return try printJSON(
                Shown(
                    permohonan: PermohonanView(
                        p, today: today, calendar: calendar, blobs: try blobs(of: p, store: store),
                        isHub: store.info.node.isHub),
                    warnings: warning.map { [$0] } ?? []))
        }
        if let title {
            print(title)
            print("\(store.info.name) (\(store.info.node))")
        }
        for line in Render.lines(p, store: store, today: today, calendar: calendar) { print(line) }
        if let warning { print("Peringatan: \(warning)") }
    }

    /// Shows a document just attached: JSON `{attachment, permohonan}`, or a few lines of text.
    public static func attached(
        _ file: AttachedFile, to p: Permohonan, store: any PermohonanReader, json: Bool
    ) throws(SimpulError) {
        let blobs = try blobs(of: p, store: store)
        if json {
            struct Attached: Encodable {
                var attachment: PermohonanView.AttachmentView
                var permohonan: PermohonanView
            }
            let view = PermohonanView(
                p, today: now().localDate(offsetMinutes: store.info.zona.offsetMinutes), calendar: try store.calendar(),
                blobs: blobs, isHub: store.info.node.isHub)
            guard let shown = view.attachments.first(where: { $0.sha256 == file.attachment.sha256 }) else {
                throw SimpulError(
                    .io, "lampiran \(file.attachment.sha256.prefix(12)) tidak ada di permohonan \(p.number)")
            }
            return try printJSON(Attached(attachment: shown, permohonan: view))
        }
        print("Lampiran dicatat untuk permohonan \(p.number):")
        print("  \(Render.attachmentLabel(file.attachment))")
        print("Isi file dikirim ke hub pada sinkron berikutnya.")
    }

    /// Prints a letter just made: its nomor surat first, as the officer reads it out or writes it in
    /// the register.
    public static func madeLetter(
        _ made: MadeLetter, to p: Permohonan, store: any PermohonanReader, json: Bool
    )
        throws(SimpulError)
    {
        if json {
            struct Made: Encodable {
                var nomorSurat: String
                var attachment: PermohonanView.AttachmentView
                var permohonan: PermohonanView
            }
            let view = PermohonanView(
                p, today: now().localDate(offsetMinutes: store.info.zona.offsetMinutes), calendar: try store.calendar(),
                blobs: try blobs(of: p, store: store), isHub: store.info.node.isHub)
            guard let shown = view.attachments.first(where: { $0.sha256 == made.file.attachment.sha256 }) else {
                throw SimpulError(.io, "surat \(made.number) tidak ada di permohonan \(p.number)")
            }
            return try printJSON(Made(nomorSurat: made.number.text, attachment: shown, permohonan: view))
        }
        print("Surat nomor \(made.number) dibuat untuk permohonan \(p.number):")
        print("  \(Render.attachmentLabel(made.file.attachment))")
        print("Cetak untuk ditandatangani Camat; isi file dikirim ke hub pada sinkron berikutnya.")
    }

    /// What the store holds of each attachment's blob.
    public static func blobs(of p: Permohonan, store: any PermohonanReader) throws(SimpulError) -> [String: StoredBlob]
    {
        var out: [String: StoredBlob] = [:]
        for f in p.attachments { out[f.attachment.sha256] = try store.blob(f.attachment.sha256) }
        return out
    }

    /// Lists permohonan matching a filter: JSON `{count, permohonan}`, or one text line each.
    public static func list(
        _ filter: PermohonanFilter, store: any PermohonanReader, json: Bool, line: (Permohonan) -> String
    ) throws(SimpulError) {
        guard filter.limit > 0 else { throw SimpulError(.usage, "limit: harus lebih dari 0") }
        let items = try store.list(filter)
        if json {
            struct ListView: Encodable {
                var count: Int
                var permohonan: [PermohonanView]
            }
            let calendar = try store.calendar()
            let today = now().localDate(offsetMinutes: store.info.zona.offsetMinutes)
            return try printJSON(
                ListView(
                    count: items.count, permohonan: items.map { PermohonanView($0, today: today, calendar: calendar) }))
        }
        if items.isEmpty { return print("Tidak ada permohonan yang cocok.") }
        for p in items { print(line(p)) }
        print("\(items.count) permohonan.")
    }

    /// Prints a permohonan's full, attributed history.
    public static func history(_ number: String, store: any PermohonanReader, json: Bool) throws(SimpulError) {
        let id = try RegistrationNumber(parsing: number).text
        let events = try store.history(id)
        if json {
            struct LogView: Encodable {
                var number: String
                var events: [Event]
            }
            return try printJSON(LogView(number: id, events: events))
        }
        print("Riwayat permohonan \(id) (waktu \(store.info.zona.rawValue)):")
        for e in events { print("  " + Render.eventLine(e, offset: store.info.zona.offsetMinutes)) }
    }

    /// Parses a `--tahap` value.
    public static func tahap(_ text: String) throws(SimpulError) -> Tahap {
        guard let t = Tahap(rawValue: text) else {
            throw SimpulError(
                .usage, "tahap: '\(text)' tidak dikenal (\(Tahap.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return t
    }

    /// Parses a `--status` value.
    public static func status(_ text: String) throws(SimpulError) -> Status {
        guard let s = Status(rawValue: text) else {
            throw SimpulError(
                .usage, "status: '\(text)' tidak dikenal (\(Status.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return s
    }

    /// Parses a rupiah amount as officers type it: `25000`, or with dots between groups of three
    /// (`25.000`); a dot anywhere else is refused rather than guessed at.
    /// Reads a date typed as `2026-12-03`.
    public static func date(_ text: String, field: String) throws(SimpulError) -> LocalDate {
        guard text.utf8.count == 10, let date = LocalDate(iso: text) else {
            throw SimpulError(
                .usage, "\(field): '\(FreeText.shown(String(text.prefix(20))))' harus YYYY-MM-DD, mis. 2026-12-03")
        }
        return date
    }

    public static func rupiah(_ text: String, field: String) throws(SimpulError) -> Int64 {
        let plain = text.replacingOccurrences(of: ".", with: "")
        guard text.range(of: "\\A-?([0-9]+|[0-9]{1,3}(\\.[0-9]{3})+)\\z", options: .regularExpression) != nil,
            let amount = Int64(plain)
        else {
            throw SimpulError(.invalidData, "\(field): '\(text)' bukan jumlah rupiah (angka bulat, mis. 25000)")
        }
        return amount
    }
}
