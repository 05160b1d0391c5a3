import Foundation
import SimpulDomain
import SimpulSync
import SimpulTestSupport
import Testing

/// `simpul-hub node`: enrollment, key states, revocation, with the built binary.
@Suite(.timeLimit(.minutes(10))) struct NodeCommandTests {
    private struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    private static func hubBinary() throws -> String {
        try Simpul.binary().deletingLastPathComponent().appendingPathComponent("simpul-hub").path
    }

    private func hub(_ args: [String]) throws -> Run {
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SIMPUL_") }
        let (ended, out, err) = try Child.run(
            try Self.hubBinary(), args, environment: environment, timeout: .seconds(Simpul.timeoutSeconds))
        return Run(
            status: ended.status, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    @Test func theListShowsEveryKeysStateAndTheRulesHold() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simpul-node-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = dir + "/hub"
        #expect(
            try hub(["init", "--node", "33.74", "--name", "DPMPTSP", "--conf", Simpul.conf, "--data", data]).status == 0
        )
        func key(_ node: String) throws -> NodeIdentity {
            try NodeIdentity.create(node: NodeID(node)!, directory: dir + "/\(UUID().uuidString)")
        }
        let first = try key("33.74.01")
        let second = try key("33.74.01")
        let other = try key("33.74.02")
        for (node, k) in [("33.74.01", first), ("33.74.01", second), ("33.74.02", other)] {
            let r = try hub(["node", "enroll", "--data", data, "--node", node, "--public-key", k.publicKey])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try hub(["node", "revoke", "--data", data, "--node", "33.74.02"]).status == 0)
        // The revoked node enrolled again with its old key: refused; the same key for another node: refused.
        let unrevoke = try hub([
            "node", "enroll", "--data", data, "--node", "33.74.02", "--public-key", other.publicKey,
        ])
        #expect(unrevoke.status != 0)
        #expect(unrevoke.stderr.contains("dicabut"))
        let stolen = try hub(["node", "enroll", "--data", data, "--node", "33.74.03", "--public-key", first.publicKey])
        #expect(stolen.status != 0)
        #expect(stolen.stderr.contains("satu kunci hanya untuk satu node"))

        let list = try hub(["node", "list", "--data", data])
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n").map(String.init)
        func line(_ k: NodeIdentity) -> String? {
            lines.first { $0.contains(NodeIdentity.readable(k.fingerprint)) }
        }
        #expect(lines.count == 3, "\(list.stdout)")
        #expect(line(first)?.contains("diganti 20") == true, "\(list.stdout)")
        #expect(line(second)?.hasSuffix("aktif") == true, "\(list.stdout)")
        #expect(line(other)?.contains("DICABUT 20") == true, "\(list.stdout)")
        #expect(lines.allSatisfy { $0.contains("terdaftar 20") })
    }
}
