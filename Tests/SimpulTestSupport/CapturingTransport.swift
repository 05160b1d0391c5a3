import Foundation
import SimpulSync
import Synchronization

/// Wraps a transport and writes every message body it carries into a folder, one file per body, named
/// `NNNN-<schema>.json` after the JSON Schema in `sync-schemas/v1` that describes it. Running
/// `sync-schemas/validate.py captured FOLDER` then checks real traffic against the published wire format.
///
/// Request bodies are written when there is one (`GET /v2/hub` has none); response bodies always, so an
/// empty error body shows up as a failure instead of going unseen. Every non-2xx response is a `problem`.
/// A blob's bytes (a chunk going up, a blob coming down) are not JSON and are not written. A method and
/// path outside the protocol is captured as `unknown`, which no schema accepts.
public final class CapturingTransport: SyncTransport {
    public let directory: URL
    private let inner: any SyncTransport
    private let state = Mutex(State())

    private struct State {
        var count = 0
        var files: [String] = []
    }

    public init(wrapping inner: any SyncTransport, directory: URL) {
        self.inner = inner
        self.directory = directory
    }

    public convenience init(wrapping inner: any SyncTransport, directory: String) {
        self.init(wrapping: inner, directory: URL(fileURLWithPath: directory))
    }

    /// The names of the files written so far, in the order they were numbered.
    public var files: [String] {
        state.withLock { $0.files.sorted() }
    }

    public var host: String { inner.host }

    public func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage {
        if !request.body.isEmpty, let schema = Self.requestSchema(method: request.method, path: request.path) {
            // Signed requests go compressed; the schema describes what they decompress to.
            let body =
                (try? BodyCoding.decodeRequest(
                    request.body, encoding: request.headers["content-encoding"], limit: 64 * 1024 * 1024))
                ?? request.body
            try capture(body, as: schema)
        }
        let response = try inner.send(request)
        if let schema = Self.responseSchema(method: request.method, path: request.path, status: response.status) {
            try capture(response.body, as: schema)
        }
        return response
    }

    /// The schema of a request body; nil for a blob's bytes.
    public static func requestSchema(method: String, path: String) -> String? {
        switch (method, blobRoute(route(path))) {
        case ("POST", "/v2/knowledge"): "knowledge-request"
        case ("POST", "/v2/push"): "push-request"
        case ("POST", "/v2/pull"): "pull-request"
        case ("POST", "/v2/blobs/*/chunks"): nil
        default: "unknown"
        }
    }

    /// The schema of a response body: a problem for every non-2xx status; nil for a blob's bytes.
    public static func responseSchema(method: String, path: String, status: Int) -> String? {
        guard (200..<300).contains(status) else { return "problem" }
        switch (method, blobRoute(route(path))) {
        case ("GET", "/v2/hub"): return "hub-info"
        case ("POST", "/v2/knowledge"): return "knowledge-response"
        case ("POST", "/v2/push"): return "push-response"
        case ("POST", "/v2/pull"): return "pull-response"
        case ("GET", "/v2/blobs/*/status"), ("POST", "/v2/blobs/*/chunks"): return "blob-status"
        case ("GET", "/v2/blobs/*"): return nil
        default: return "unknown"
        }
    }

    /// A blob path with its SHA-256 written as `*`.
    private static func blobRoute(_ path: Substring) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[1] == "v2", parts[2] == "blobs" else { return String(path) }
        return (["", "v2", "blobs", "*"] + parts.dropFirst(4).map(String.init)).joined(separator: "/")
    }

    /// The path without its query.
    private static func route(_ path: String) -> Substring {
        path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }

    private func capture(_ body: [UInt8], as schema: String) throws(TransportError) {
        let number = state.withLock { state in
            state.count += 1
            return state.count
        }
        let digits = String(number)
        let name = String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "-" + schema + ".json"
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(body).write(to: directory.appendingPathComponent(name), options: .atomic)
        } catch {
            throw TransportError(.other, "capture: \(name) could not be written to \(directory.path)", cause: error)
        }
        state.withLock { $0.files.append(name) }
    }
}
