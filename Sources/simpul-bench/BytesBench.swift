import Foundation
import SimpulDomain
import SimpulStore
import SimpulSync

/// `bytes`: what the day costs on the wire as signed change sets, against the same events as plain
/// JSON lines, before and after zstd.
enum BytesBench {
    static let targetMetadataPerEvent = 40.0
    static let levels = [19, 3]

    struct Result {
        var wire = 0
        var baseline = 0
        var payload = 0
        /// Per level: every change set body compressed on its own, as `/v2/push` sends it.
        var wirePerChangeSet: [Int: Int] = [:]
        /// Per level: the bodies one after another in one stream, as a pull answer or a bundle holds them.
        var wireStream: [Int: Int] = [:]
        var baselineStream: [Int: Int] = [:]
        var payloadStream: [Int: Int] = [:]
        /// Per level: each change set's payloads compressed on their own, the same framing as the push.
        var payloadPerChangeSet: [Int: Int] = [:]
    }

    /// The encodable data of an event alone, as `EventBody.encodeData` writes it.
    private struct Payload: Encodable {
        var body: EventBody
        func encode(to encoder: any Encoder) throws { try body.encodeData(to: encoder) }
    }

    static func run(day: BusyDay, zstd: ZstdTool) throws -> Result {
        let newline: [UInt8] = [0x0A]
        let bodies = day.stored.map(\.body)
        let baseline = try day.events.map { try Canonical.encode($0) }
        let payloads = try day.changeSets.map { cs in try cs.events.map { try Canonical.encode(Payload(body: $0.body)) }
        }
        func lines(_ items: [[UInt8]]) -> [UInt8] { Array(items.joined(separator: newline)) }

        var r = Result()
        r.wire = bodies.reduce(0) { $0 + $1.count }
        r.baseline = lines(baseline).count
        r.payload = lines(payloads.flatMap { $0 }).count
        for level in levels {
            r.wirePerChangeSet[level] = try bodies.reduce(0) { $0 + (try zstd.compressedSize($1, level: level)) }
            r.wireStream[level] = try zstd.compressedSize(lines(bodies), level: level)
            r.baselineStream[level] = try zstd.compressedSize(lines(baseline), level: level)
            r.payloadStream[level] = try zstd.compressedSize(lines(payloads.flatMap { $0 }), level: level)
            r.payloadPerChangeSet[level] = try payloads.reduce(0) {
                $0 + (try zstd.compressedSize(lines($1), level: level))
            }
        }
        return r
    }

    static func report(_ r: Result, day: BusyDay, options: Options) -> String {
        let events = Double(day.events.count)
        func perEvent(_ bytes: Int) -> Double { Double(bytes) / events }
        func metadata(_ level: Int) -> Double { perEvent(r.wireStream[level]! - r.payloadStream[level]!) }
        func pushMetadata(_ level: Int) -> Double {
            perEvent(r.wirePerChangeSet[level]! - r.payloadPerChangeSet[level]!)
        }
        let met = levels.allSatisfy { metadata($0) <= targetMetadataPerEvent }
        let pushMet = levels.allSatisfy { pushMetadata($0) <= targetMetadataPerEvent }

        var json = JSONLine()
        json.add("scenario", "bytes")
        json.add("seed", Int(options.seed))
        json.add("permohonan", day.permohonan)
        json.add("events", day.events.count)
        json.add("change_sets", day.changeSets.count)
        json.add("wire_bytes", r.wire)
        json.add("baseline_bytes", r.baseline)
        json.add("payload_bytes", r.payload)
        for level in levels {
            json.add("wire_stream_zstd\(level)", r.wireStream[level]!)
            json.add("wire_per_change_set_zstd\(level)", r.wirePerChangeSet[level]!)
            json.add("baseline_zstd\(level)", r.baselineStream[level]!)
            json.add("payload_zstd\(level)", r.payloadStream[level]!)
            json.add("payload_per_change_set_zstd\(level)", r.payloadPerChangeSet[level]!)
        }
        for level in levels {
            json.add("metadata_per_event_zstd\(level)", metadata(level), decimals: 2)
            json.add("push_metadata_per_event_zstd\(level)", pushMetadata(level), decimals: 2)
        }
        json.add("target_metadata_per_event", Int(targetMetadataPerEvent))
        json.add("metadata_target_met", met)
        json.add("push_metadata_target_met", pushMet)

        let w = (label: 44, n: 12)
        func row(_ label: String, _ raw: Int?, _ z19: Int, _ z3: Int) -> String {
            "  \(column(label, w.label, right: false))\(column(raw.map(grouped) ?? "", w.n))"
                + "\(column(grouped(z19), w.n))\(column(grouped(z3), w.n))"
        }
        var lines = [json.text]
        lines.append(
            "bytes: \(day.permohonan) permohonan, \(grouped(day.events.count)) events in \(day.changeSets.count) "
                + "change sets, seed \(options.seed)")
        lines.append(
            "  \(column("bytes", w.label, right: false))\(column("raw", w.n))\(column("zstd -19", w.n))"
                + "\(column("zstd -3", w.n))")
        lines.append(row("change sets, one stream (pull, bundle)", r.wire, r.wireStream[19]!, r.wireStream[3]!))
        lines.append(
            row("change sets, each alone (push)", r.wire, r.wirePerChangeSet[19]!, r.wirePerChangeSet[3]!))
        lines.append(row("baseline: events as JSON lines", r.baseline, r.baselineStream[19]!, r.baselineStream[3]!))
        lines.append(row("payloads alone as JSON lines", r.payload, r.payloadStream[19]!, r.payloadStream[3]!))
        lines.append(
            row("payloads, per change set", nil, r.payloadPerChangeSet[19]!, r.payloadPerChangeSet[3]!))
        lines.append(
            "  \(column("bytes/event", w.label, right: false))\(column(fixed(perEvent(r.wire)), w.n))"
                + "\(column(fixed(perEvent(r.wireStream[19]!)), w.n))\(column(fixed(perEvent(r.wireStream[3]!)), w.n))")
        lines.append(
            "  \(column("sync metadata/event, stream", w.label, right: false))\(column("", w.n))"
                + "\(column(fixed(metadata(19)), w.n))\(column(fixed(metadata(3)), w.n))"
                + "  <= 40 \(met ? "met" : "MISSED")")
        lines.append(
            "  \(column("sync metadata/event, push framing", w.label, right: false))\(column("", w.n))"
                + "\(column(fixed(pushMetadata(19)), w.n))\(column(fixed(pushMetadata(3)), w.n))"
                + "  <= 40 \(pushMet ? "met" : "MISSED")")
        func share(_ wire: Int, _ baseline: Int) -> String { column(fixed(Double(wire) / Double(baseline), 2), w.n) }
        lines.append(
            "  \(column("change sets / baseline", w.label, right: false))\(share(r.wire, r.baseline))"
                + "\(share(r.wireStream[19]!, r.baselineStream[19]!))\(share(r.wireStream[3]!, r.baselineStream[3]!))")
        return lines.joined(separator: "\n")
    }
}

/// The `zstd` command line tool, fed a file on stdin and read on stdout.
struct ZstdTool {
    let path: String

    /// Finds `zstd` on the PATH.
    static func locate() throws(BenchError) -> ZstdTool {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for dir in dirs {
            let candidate = "\(dir)/zstd"
            if FileManager.default.isExecutableFile(atPath: candidate) { return ZstdTool(path: candidate) }
        }
        throw BenchError(
            "the bytes scenario needs the zstd command line tool, not found on PATH (apt-get install zstd)",
            exitCode: 69)
    }

    func compressedSize(_ input: [UInt8], level: Int) throws -> Int {
        // The input goes through a file: fed through a pipe, an input larger than the pipe's buffer
        // would need a second thread writing it while this one reads zstd's output.
        let inputFile = temporaryDirectory("zstd-input")
        guard FileManager.default.createFile(atPath: inputFile, contents: Data(input)),
            let stdin = FileHandle(forReadingAtPath: inputFile)
        else { throw BenchError("cannot write \(inputFile) for zstd") }
        defer {
            try? stdin.close()
            removeDirectory(inputFile)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-q", "-c", "-\(level)"]
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("zstd -\(level) exited with status \(process.terminationStatus)")
        }
        return output.count
    }
}
