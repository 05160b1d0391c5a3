import Foundation
import Logging
import SimpulConcurrency
import SimpulDomain
import SimpulStore
import SimpulSync

#if canImport(Glibc)
import Glibc
#endif

/// `restore`: a kecamatan whose disk died restores its whole partition (`simpul init --restore`, the
/// real binary, in a process of its own) from a hub holding `--events` events, over HTTPS on
/// loopback. Reported: the restoring process's peak memory (its maximum resident set) and duration.
enum RestoreBench {
    static let targetPeakBytes = 200 * 1024 * 1024

    struct Result {
        var events = 0
        var changeSets = 0
        var permohonan = 0
        var generateSeconds = 0.0
        var restoreSeconds = 0.0
        var peakBytes = 0
        var restoredEvents = 0
        var storeBytes = 0
    }

    /// Builds the hub's store: counter work for many permohonan, sealed as the kecamatan would have
    /// sealed it, applied at the hub through the same path as pushes. Nothing is held in memory but
    /// the permohonan of one round.
    static func hub(
        day: BusyDay, events target: Int, root: String, logger: Logger
    ) throws -> (HubService, NodeIdentity, String, Result) {
        var result = Result()
        let started = ContinuousClock.now
        let hubDir = (root as NSString).appendingPathComponent("hub")
        let store = try NodeStore.create(
            directory: hubDir, node: BusyDay.hub, name: "DPMPTSP Kota Semarang", zona: .wib, catalog: day.conf.catalog,
            calendar: day.conf.calendar, wilayah: day.conf.wilayah, now: day.clock.now, logger: logger)
        try store.learn(day.keys)
        let kecamatan = day.kecamatanIdentity
        // The node's key backup, as `simpul init --key` takes it.
        let keyDir = (root as NSString).appendingPathComponent("backup")
        try FileManager.default.createDirectory(atPath: keyDir, withIntermediateDirectories: true)
        let keyFile = (keyDir as NSString).appendingPathComponent(NodeIdentity.fileName)
        try FileManager.default.copyItem(
            atPath: (day.kecamatanDirectory as NSString).appendingPathComponent(NodeIdentity.fileName), toPath: keyFile)

        let catalog = day.conf.catalog
        // Delegated services whose fee needs no form input: completed at the counter, start to end.
        let services = catalog.services.filter { layanan in
            guard layanan.isDelegated, case .fixed = layanan.fee else { return false }
            return true
        }
        guard !services.isEmpty else { throw BenchError("the catalog has none of the delegated services") }
        let calendar = day.conf.calendar
        var seq: UInt64 = 0
        var lamport: UInt64 = 0
        var prev: String?
        var pending: [Event] = []
        var budgetBytes = 0
        var rng = SplitMix64(seed: 0x5245_5354)
        var sequenceInYear = 0
        var year = 2026

        func seal() throws {
            guard !pending.isEmpty else { return }
            let signed = try SignedChangeSet.seal(pending, node: kecamatan, partition: BusyDay.partition, prev: prev)
            let received = try ReceivedChangeSet(body: try signed.encoded())
            guard case .applied = try store.applyRemote(received.remote) else {
                throw BenchError("a generated change set was not applied at the hub")
            }
            prev = signed.hash
            result.changeSets += 1
            pending.removeAll(keepingCapacity: true)
            budgetBytes = 0
        }
        func add(_ record: String, context: VersionVector, at: Timestamp, role: String, body: EventBody) throws -> Event
        {
            seq += 1
            lamport += 1
            let e = Event(
                dot: Dot(node: kecamatan.node.rawValue, seq: seq), partition: BusyDay.partition, lamport: lamport,
                context: context, record: record, officer: "Petugas \(role)", role: role, at: at, body: body)
            let size = try Canonical.encode(WireEvent(e)).count + 1
            if budgetBytes + size > ChangeSetSealer.defaultBudget { try seal() }
            pending.append(e)
            budgetBytes += size
            result.events += 1
            return e
        }

        while result.events < target {
            sequenceInYear += 1
            if sequenceInYear > 99_000 {
                year += 1
                sequenceInYear = 1
            }
            let layanan = rng.pick(services)
            let accepted = LocalDate(year: year, month: 1 + (sequenceInYear / 9000) % 12, day: 5)!
            let at = Timestamp(milliseconds: Int64(accepted.daysSinceEpoch) * 86_400_000 + Int64(sequenceInYear))
            let number = RegistrationNumber(prefix: "01", year: year, sequence: sequenceInYear).text
            let registration = try Workflow.register(
                number: number, layanan: layanan, catalogVersion: catalog.version,
                pemohon: Pemohon(nik: Fixtures.nik, nama: "Pemohon \(result.permohonan)"),
                syarat: layanan.requirements.map { $0.code },
                isian: [:], acceptedOn: accepted, calendar: calendar)
            let first = try add(
                number, context: VersionVector(), at: at, role: Peran.loket, body: .registered(registration))
            var state = Permohonan(registeredBy: first, registration)
            while !state.status.isClosed {
                let command: Command
                if state.outstanding > 0 {
                    command = .pay(amount: state.outstanding, receipt: "33.74.01/\(String(seq + 1))")
                } else {
                    command = .advance(tahap: nil, note: nil)
                }
                let body = try Workflow.decide(command, on: state)
                let role: String
                switch body {
                case .stepCompleted(let s): role = s.tahap.role
                case .paymentReceived: role = Peran.kasir
                default: role = Peran.loket
                }
                let e = try add(number, context: state.seen, at: at, role: role, body: body)
                state.apply(e)
            }
            result.permohonan += 1
        }
        try seal()
        result.generateSeconds = seconds(since: started)
        // The restoring process signs its requests with the machine's clock: so does this hub.
        let service = try HubService(
            store: store, identity: day.hubIdentity, logger: logger,
            now: { Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)) })
        return (service, kecamatan, keyFile, result)
    }

    static func run(day: BusyDay, events: Int, root: String, conf: String, logger: Logger) async throws -> Result {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("simpul").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError(
                "no simpul binary next to simpul-bench: swift build -c release (all products)", exitCode: 69)
        }
        let (service, _, keyFile, built) = try hub(day: day, events: events, root: root, logger: logger)
        let served = try await ServedHub(
            handler: service, directory: (root as NSString).appendingPathComponent("certs"), logger: logger)
        let outcome: Swift.Result<Result, any Error>
        do {
            outcome = .success(
                try await restore(
                    from: served, built: built, binary: binary, keyFile: keyFile, day: day, root: root, conf: conf,
                    logger: logger))
        } catch {
            outcome = .failure(error)
        }
        await served.stop()
        return try outcome.get()
    }

    /// Runs `simpul init --restore` against the served hub and checks what it restored.
    private static func restore(
        from served: ServedHub, built: Result, binary: String, keyFile: String, day: BusyDay, root: String,
        conf: String, logger: Logger
    ) async throws -> Result {
        var result = built
        let data = (root as NSString).appendingPathComponent("restored")

        let arguments = [
            binary, "init", "--restore", "--node", BusyDay.kecamatan.rawValue, "--name", "Kecamatan Semarang Tengah",
            "--conf", conf, "--data", data, "--hub", "https://127.0.0.1:\(served.port)", "--hub-ca", served.certificate,
            "--key", keyFile, "--json",
        ]
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SIMPUL_") }.map {
            "\($0.key)=\($0.value)"
        }
        let errors = (root as NSString).appendingPathComponent("restore.stderr")
        let started = ContinuousClock.now
        // posix_spawn rather than Process: Foundation reaps its children itself, and only the one who
        // reaps the child with wait4 gets its resource usage (the peak resident memory).
        let pid = try spawn(arguments, environment: environment, stdout: "/dev/null", stderr: errors)
        let (status, usage) = try await BlockingPool.shared.run { () throws(BenchError) -> (Int32, rusage) in
            var status: Int32 = 0
            var usage = rusage()
            while wait4(pid, &status, 0, &usage) == -1 {
                guard errno == EINTR else { throw BenchError("wait4 failed (errno \(errno))") }
            }
            return (status, usage)
        }
        result.restoreSeconds = seconds(since: started)
        result.peakBytes = Int(usage.ru_maxrss) * 1024
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let said = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            throw BenchError("simpul init --restore failed (exit \((status >> 8) & 0xff)): \(said)")
        }
        let restored = try NodeStore.open(directory: data, now: day.clock.now, logger: logger)
        result.restoredEvents = try restored.eventCount()
        let attributes = try FileManager.default.attributesOfItem(
            atPath: (data as NSString).appendingPathComponent(NodeStore.fileName))
        result.storeBytes = (attributes[.size] as? Int) ?? 0
        guard result.restoredEvents == result.events else {
            throw BenchError("the restore holds \(result.restoredEvents) of \(result.events) events")
        }
        return result
    }

    private static func spawn(
        _ arguments: [String], environment: [String], stdout: String, stderr: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] { strings.map { strdup($0) } + [nil] }
        let argv = cStrings(arguments)
        let envp = cStrings(environment)
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard result == 0 else { throw BenchError("cannot start \(arguments[0]) (error \(result))") }
        return pid
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func report(_ r: Result, options: Options) -> String {
        var json = JSONLine()
        json.add("scenario", "restore")
        json.add("events", r.events)
        json.add("permohonan", r.permohonan)
        json.add("change_sets", r.changeSets)
        json.add("hub_build_s", r.generateSeconds, decimals: 1)
        json.add("restore_s", r.restoreSeconds, decimals: 1)
        json.add("restore_events_per_s", Double(r.events) / r.restoreSeconds, decimals: 0)
        json.add("peak_rss_bytes", r.peakBytes)
        json.add("peak_rss_mb", Double(r.peakBytes) / 1_048_576, decimals: 1)
        json.add("store_bytes", r.storeBytes)
        json.add("target_peak_mb", targetPeakBytes / 1_048_576)
        json.add("peak_target_met", r.peakBytes < targetPeakBytes)
        let met = r.peakBytes < targetPeakBytes ? "met" : "MISSED"
        return [
            json.text,
            "restore: simpul init --restore of \(grouped(r.events)) events (\(grouped(r.permohonan)) permohonan, "
                + "\(grouped(r.changeSets)) change sets) from a hub over HTTPS on loopback",
            "  duration \(fixed(r.restoreSeconds, 1)) s (\(grouped(Int(Double(r.events) / r.restoreSeconds))) events/s), "
                + "peak memory \(fixed(Double(r.peakBytes) / 1_048_576, 1)) MB (< 200 MB \(met)), "
                + "store \(fixed(Double(r.storeBytes) / 1_048_576, 1)) MB; building the hub took "
                + "\(fixed(r.generateSeconds, 1)) s",
        ].joined(separator: "\n")
    }
}

private enum Fixtures {
    static let nik = try! NIK(validating: "3374014505900001")
}
