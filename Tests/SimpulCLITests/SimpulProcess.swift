import Crypto
import Foundation
import GRDB
import SimpulDomain
import SimpulTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the test harness itself (binary missing, a set-up command refused), reported with
/// everything needed to reproduce it.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What one run of the binary did.
struct CLIResult: Sendable {
    var arguments: [String]
    /// The exit code, or 128 + the signal number when a signal ended the process.
    var status: Int32
    /// The signal that ended the process, if one did.
    var signal: Int32?
    var stdout: String
    var stderr: String

    var succeeded: Bool { status == 0 && signal == nil }

    /// The non-empty lines of stderr.
    var stderrLines: [Substring] { stderr.split(separator: "\n") }

    /// stdout as a JSON document.
    func json() throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(stdout.utf8))
        } catch {
            throw HarnessError("\(summary): stdout is not JSON (\(error))\nstdout: \(stdout)")
        }
    }

    var summary: String {
        "simpul \(arguments.joined(separator: " ")) -> exit \(status)"
            + (signal.map { " (signal \($0))" } ?? "") + (stderr.isEmpty ? "" : ", stderr: \(stderr)")
    }
}

/// Runs the real `simpul` binary as a subprocess.
enum Simpul {
    /// Every run sees this instant, so registration dates, due dates and working days left are fixed:
    /// Tuesday 17 March 2026, the day before the Nyepi and Idul Fitri holidays.
    static let fixedNow = "2026-03-17T09:00:00+07:00"

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let conf = repoRoot.appendingPathComponent("conf").path

    /// A hung command must fail its test, not the whole run.
    static let timeoutSeconds = 60

    static func binary() throws -> URL { try located.get() }

    private static let located: Result<URL, HarnessError> = {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["SIMPUL_BIN"], !explicit.isEmpty {
            guard fm.isExecutableFile(atPath: explicit) else {
                return .failure(HarnessError("SIMPUL_BIN=\(explicit) is not an executable file"))
            }
            return .success(URL(fileURLWithPath: explicit))
        }
        // SwiftPM puts the product next to the test bundle; which of these names that folder depends
        // on the platform (an executable on Linux, an .xctest bundle run by a helper on macOS).
        var folders = [
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        folders += Bundle.allBundles.filter { $0.bundleURL.pathExtension == "xctest" }
            .map { $0.bundleURL.deletingLastPathComponent() }
        var seen: Set<String> = []
        folders = folders.filter { seen.insert($0.standardizedFileURL.path).inserted }
        for folder in folders {
            let candidate = folder.appendingPathComponent("simpul")
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                fm.isExecutableFile(atPath: candidate.path)
            {
                return .success(candidate)
            }
        }
        return .failure(
            HarnessError(
                "the simpul binary was not found; build it (swift build) or set SIMPUL_BIN. Looked in: "
                    + folders.map(\.path).joined(separator: ", ")))
    }()

    /// The caller's environment without any SIMPUL_ setting that could point a run at another store,
    /// plus the fixed clock.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SIMPUL_") }
        env["SIMPUL_NOW"] = fixedNow
        env.merge(extra) { _, new in new }
        return env
    }

    /// Runs `simpul` with the arguments and waits for it; `input`, when given, is its whole stdin.
    static func run(
        _ arguments: [String], environment extra: [String: String] = [:], input: String? = nil
    ) throws -> CLIResult {
        try start(arguments, environment: extra, input: input).wait()
    }

    /// Starts `simpul` without waiting, for tests that interrupt it.
    static func start(
        _ arguments: [String], environment extra: [String: String] = [:], input: String? = nil
    ) throws -> RunningCLI {
        let binary = try binary()
        let child: Child
        do {
            child = try Child(
                binary.path, arguments, environment: environment(extra), stdin: input == nil ? .null : .pipe)
        } catch {
            throw HarnessError("cannot start \(binary.path): \(error)")
        }
        if let input, let stdin = child.stdin {
            // Small enough for the pipe's buffer; closing gives the child end-of-file.
            do {
                try stdin.write(contentsOf: Data(input.utf8))
                try stdin.close()
            } catch {
                child.signal(SIGKILL)
                throw HarnessError("cannot write stdin of simpul \(arguments.joined(separator: " ")): \(error)")
            }
        }
        return RunningCLI(child: child, arguments: arguments)
    }
}

/// A started `simpul` process.
struct RunningCLI {
    fileprivate let child: Child
    let arguments: [String]

    var pid: pid_t { child.pid }

    /// Sends SIGKILL unless the process has already ended.
    func kill() { child.signal(SIGKILL) }

    /// Waits for the process to end; both pipes are drained meanwhile so a large output cannot block it.
    func wait() throws -> CLIResult {
        let command = "simpul " + arguments.joined(separator: " ")
        guard let ended = child.wait(timeout: .seconds(Simpul.timeoutSeconds)) else {
            kill()
            // SIGKILL cannot be caught, but a process stuck in the kernel (a hung disk) may still not end.
            let reaped = child.wait(timeout: .seconds(10)) != nil
            throw HarnessError(
                "\(command) did not end within \(Simpul.timeoutSeconds) s and was killed"
                    + (reaped ? "" : ", and had not ended 10 s after SIGKILL"))
        }
        // The pipes close when the process ends, unless something it started still holds them.
        guard let out = child.stdout.readToEnd(within: .seconds(10)),
            let err = child.stderr.readToEnd(within: .seconds(10))
        else {
            throw HarnessError("\(command) ended but its output did not close within 10 s")
        }
        return CLIResult(
            arguments: arguments, status: ended.status, signal: ended.signal,
            stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }
}

// MARK: - A node's data folder

/// A node's data folder in a fresh temporary directory of its own, removed when the test ends.
final class TestNode: Sendable {
    /// The temporary directory: the data folder is `data` inside it, scratch files sit beside it.
    let root: URL
    let data: String

    static let nodeCode = "33.74.01"
    static let officeName = "Kecamatan Semarang Tengah"

    /// An empty directory with no store yet.
    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-cli-\(UUID().uuidString)")
        data = root.appendingPathComponent("data").path
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    private init(root: URL) {
        self.root = root
        data = root.appendingPathComponent("data").path
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    /// The store file, present once init succeeded.
    var storeFile: String { (data as NSString).appendingPathComponent("simpul.sqlite") }

    /// The files of the data folder with their contents; empty when the folder does not exist.
    func dataFiles() throws -> [String: Data] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: data) else { return [:] }
        var files: [String: Data] = [:]
        for name in try fm.contentsOfDirectory(atPath: data) {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: data).appendingPathComponent(name))
        }
        return files
    }

    /// Runs init into this node's data folder.
    func initStore(
        node: String = nodeCode, name: String = officeName, conf: String = Simpul.conf, json: Bool = false
    )
        throws -> CLIResult
    {
        try Simpul.run(
            ["init", "--data", data, "--node", node, "--name", name, "--conf", conf] + (json ? ["--json"] : []))
    }

    /// A node as `simpul init --node 33.74.01 --conf <repo>/conf` leaves it. init takes about half a
    /// second (it loads the whole Kemendagri list), so one real init is done per test run and its
    /// store file copied for every test.
    static func fresh() throws -> TestNode { try copy(of: freshTemplate.get()) }

    private static let freshTemplate: Result<TestNode, any Error> = Result(catching: {
        let node = TestNode(root: templatesRoot.appendingPathComponent("fresh"))
        try FileManager.default.createDirectory(at: node.root, withIntermediateDirectories: true)
        let r = try node.initStore()
        guard r.succeeded else { throw HarnessError(r.summary) }
        return node
    })

    /// A permanent template: a fresh node on which `build` ran, kept until the test run ends.
    static func template(_ name: String, build: (TestNode) throws -> Void) throws -> TestNode {
        let node = TestNode(root: templatesRoot.appendingPathComponent(name))
        try copyStore(from: freshTemplate.get(), to: node)
        try build(node)
        return node
    }

    /// A new node whose store is a byte copy of `template`'s.
    static func copy(of template: TestNode) throws -> TestNode {
        let node = try TestNode()
        try copyStore(from: template, to: node)
        return node
    }

    /// Copies the store files; the binary closed the store cleanly, so they hold everything committed.
    private static func copyStore(from source: TestNode, to target: TestNode) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: target.data, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: source.data) where !name.hasSuffix("-shm") {
            try fm.copyItem(
                atPath: (source.data as NSString).appendingPathComponent(name),
                toPath: (target.data as NSString).appendingPathComponent(name))
        }
    }

    /// Templates outlive every test, so they sit in one folder removed when the process exits.
    private static let templatesRoot: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "simpul-cli-templates-\(getpid())-\(UUID().uuidString)")
        atexit { try? FileManager.default.removeItem(at: TestNode.templatesRoot) }
        return root
    }()

    // MARK: Running commands against this node

    /// Runs a command against this node's store (`--data` is appended).
    func run(
        _ arguments: [String], json: Bool = false, environment: [String: String] = [:], input: String? = nil
    ) throws -> CLIResult {
        try Simpul.run(arguments + ["--data", data] + (json ? ["--json"] : []), environment: environment, input: input)
    }

    /// Runs a command that must succeed with `--json` and returns its document.
    @discardableResult
    func json(_ arguments: [String]) throws -> JSONValue {
        let r = try run(arguments, json: true)
        guard r.succeeded else { throw HarnessError(r.summary) }
        return try r.json()
    }

    /// The arguments of `permohonan create` for a service with all its requirements present.
    static func createArguments(
        _ layanan: String, isian: [String] = [], syarat: [String]? = nil, nik: String = Applicant.nik,
        nama: String = Applicant.nama, petugas: String = Officer.loket
    ) -> [String] {
        var args = ["permohonan", "create", "--layanan", layanan, "--nik", nik, "--nama", nama, "--petugas", petugas]
        for s in syarat ?? Catalog.syarat[layanan] ?? [] { args += ["--syarat", s] }
        for i in isian { args += ["--isian", i] }
        return args
    }

    /// Registers a permohonan and returns its state (the `permohonan` object of the tanda terima).
    @discardableResult
    func create(_ layanan: String, isian: [String] = [], nama: String = Applicant.nama) throws -> JSONValue {
        let doc = try json(Self.createArguments(layanan, isian: isian, nama: nama))
        guard let p = doc["permohonan"] else { throw HarnessError("tanda terima without permohonan: \(doc)") }
        return p
    }

    /// A registered IZIN-JALAN of 12.5 m x 4 m (Rp 25.000).
    @discardableResult
    func createIzinJalan(panjang: String = "12.5", lebar: String = "4") throws -> JSONValue {
        try create("IZIN-JALAN", isian: ["panjang_m=\(panjang)", "lebar_m=\(lebar)"])
    }

    /// Completes one step, named, by its officer; returns the new state.
    @discardableResult
    func advance(_ number: String, _ tahap: String) throws -> JSONValue {
        let doc = try json(["permohonan", "advance", number, "--tahap", tahap, "--petugas", Officer.of(tahap)])
        guard let p = doc["permohonan"] else { throw HarnessError("advance without permohonan: \(doc)") }
        return p
    }

    /// Completes the steps in order; returns the last state.
    @discardableResult
    func advance(_ number: String, through steps: [String]) throws -> JSONValue {
        var last = JSONValue.null
        for step in steps { last = try advance(number, step) }
        return last
    }

    /// Pays at the kasir and returns the `kasir pay --json` document.
    @discardableResult
    func pay(_ number: String, _ jumlah: String) throws -> JSONValue {
        try json(["kasir", "pay", number, "--jumlah", jumlah, "--petugas", Officer.kasir])
    }

    /// The state of one permohonan.
    func show(_ number: String) throws -> JSONValue {
        let doc = try json(["permohonan", "show", number])
        guard let p = doc["permohonan"] else { throw HarnessError("show without permohonan: \(doc)") }
        return p
    }

    /// What a bad command must leave untouched: every table of the store file (receipts, catalog,
    /// keys, sync state, change sets, parking, blobs, ...), every other file of the data folder, the
    /// list of permohonan as printed and the log size. The store is read before any command runs.
    func snapshot() throws -> StoreSnapshot {
        let tables = try StoreDigest.tables(of: storeFile)
        let files = try dataFiles().filter { !$0.key.hasPrefix("simpul.sqlite") }.mapValues {
            SHA256.hash(data: $0).map { String(format: "%02x", $0) }.joined()
        }
        let list = try run(["permohonan", "list"], json: true)
        guard list.succeeded else { throw HarnessError(list.summary) }
        let check = try json(["admin", "check"])
        return StoreSnapshot(
            tables: tables, files: files, list: list.stdout, events: check["events"]?.int ?? -1,
            healthy: check["integrity"]?.string == "ok" && check["foldMatches"]?.bool == true)
    }

    /// Writes a scratch file beside the data folder and returns its path.
    func writeFile(_ name: String, _ contents: String) throws -> String {
        let url = root.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url.path
    }
}

struct StoreSnapshot: Equatable, Sendable {
    /// SHA-256 of each table's rows (and of the schema, under "sqlite_master"), keyed by table name,
    /// so a difference names the table that changed.
    var tables: [String: String]
    /// SHA-256 of each file in the data folder besides the store file and its WAL.
    var files: [String: String]
    var list: String
    var events: Int
    var healthy: Bool
}

/// Digests of a store file's contents, table by table, independent of page layout and row order.
enum StoreDigest {
    static func tables(of path: String) throws -> [String: String] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            var digests: [String: String] = [:]
            let schema = try String.fetchAll(
                db, sql: "SELECT type || ' ' || name || ' ' || ifnull(sql, '') FROM sqlite_master ORDER BY 1")
            digests["sqlite_master"] = digest(schema)
            let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
            for name in names {
                let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [name])
                guard !columns.isEmpty else { continue }
                // quote() renders every value exactly, blobs as hex, so equal text means equal rows.
                let row = columns.map { "quote(\($0.quotedDatabaseIdentifier))" }.joined(separator: " || ',' || ")
                let rows = try String.fetchAll(db, sql: "SELECT \(row) FROM \(name.quotedDatabaseIdentifier)")
                digests[name] = digest(rows.sorted()) + " (\(rows.count) rows)"
            }
            return digests
        }
    }

    private static func digest(_ lines: [String]) -> String {
        var hash = SHA256()
        for line in lines { hash.update(data: Data((line + "\n").utf8)) }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

// MARK: - Reference values

enum Applicant {
    /// Registered in 33.74.01 (a known code, so no warning), born 12-03-1985, serial 0001.
    static let nik = "3374011203850001"
    static let nama = "Budi Santoso"
}

/// Who does what in the tests, so the log can be checked for the right name on each event.
enum Officer {
    static let loket = "Sari (loket)"
    static let kasir = "Wati (kasir)"
    static let byStep = [
        "verifikasi": "Rina", "cek-lapangan": "Joko", "operator": "Dewi", "validasi-kasi": "Hadi",
        "validasi-sekcam": "Lestari", "pengesahan-camat": "Suryo", "penyerahan": "Tono",
    ]
    static func of(_ tahap: String) -> String { byStep[tahap] ?? "Petugas \(tahap)" }
}

/// Facts of conf/layanan.json the tests rely on.
enum Catalog {
    static let syarat: [String: [String]] = [
        "IZIN-JALAN": ["pengantar-desa", "ktp", "denah"],
        "SKTM": ["pengantar-rt-rw", "pengantar-desa", "ktp", "kk"],
        "PBG-KECIL": ["ktp", "persetujuan-tetangga", "bukti-tanah", "sppt-pbb", "gambar", "pengantar-desa"],
        "REK-KERAMAIAN": ["pengantar-desa", "ktp"],
    ]

    /// The delegated steps of a service with a field check, in order, up to the handover.
    static let stepsWithFieldCheck = [
        "verifikasi", "cek-lapangan", "operator", "validasi-kasi", "validasi-sekcam", "pengesahan-camat",
    ]
    static let stepsWithoutFieldCheck = [
        "verifikasi", "operator", "validasi-kasi", "validasi-sekcam", "pengesahan-camat",
    ]

    static var numberPattern: Regex<Substring> { #/^01-26-\d{5}-\d$/# }
}

// MARK: - Assertions

/// A refused command: the documented exit code, nothing on stdout, and exactly one line on stderr
/// that starts with `simpul: ` and names what was wrong.
func expectRefused(
    _ r: CLIResult, exit code: Int32, mentioning words: String..., sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(r.status == code, "\(r.summary)", sourceLocation: sourceLocation)
    #expect(r.stdout.isEmpty, "stdout of a refused command: \(r.stdout)", sourceLocation: sourceLocation)
    let lines = r.stderrLines
    #expect(lines.count == 1, "stderr must be one line: \(r.stderr)", sourceLocation: sourceLocation)
    #expect(lines.first?.hasPrefix("simpul: ") == true, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
    for word in words {
        #expect(r.stderr.contains(word), "stderr should mention '\(word)': \(r.stderr)", sourceLocation: sourceLocation)
    }
}

/// A successful command with nothing on stderr.
func expectSuccess(_ r: CLIResult, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.succeeded, "\(r.summary)", sourceLocation: sourceLocation)
    #expect(r.stderr.isEmpty, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
}

// MARK: - Reading JSON documents

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        guard case .object(let o) = self else { return nil }
        return o[key]
    }

    subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }

    var string: String? {
        guard case .string(let s) = self else { return nil }
        return s
    }

    var int: Int? {
        guard case .number(let n) = self, n == n.rounded(), abs(n) < 9e15 else { return nil }
        return Int(n)
    }

    var bool: Bool? {
        guard case .bool(let b) = self else { return nil }
        return b
    }

    var array: [JSONValue]? {
        guard case .array(let a) = self else { return nil }
        return a
    }

    var object: [String: JSONValue]? {
        guard case .object(let o) = self else { return nil }
        return o
    }

    /// The strings of an array of strings.
    var strings: [String]? { array?.compactMap(\.string) }
}

/// A small seeded generator (SplitMix64), so the crash test kills at the same moments every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
