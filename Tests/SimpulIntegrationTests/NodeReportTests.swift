import Foundation
import SimpulDomain
import SimpulStore
import SimpulSync
import SimpulTestSupport
import SimpulTransport
import Testing

/// Each sync leaves the node's report of itself (agent version, clock offset, store size, events
/// waiting) at a real hub serving TLS on 127.0.0.1, sent by the real libcurl agent; a report out of
/// bounds is refused and stores nothing; an agent that sends none still syncs.
@Suite(.timeLimit(.minutes(10))) struct NodeReportTests {
    /// The sync a test builds on did not end in sync.
    struct SyncFailed: Error {
        var report: SyncReport
    }

    /// A world whose clock stands still, so that the hub's and the agent's readings are an exact
    /// distance apart.
    private static func world() throws -> SyncWorld { try SyncWorld(clock: TestClock(stepSeconds: 0)) }

    /// An agent whose own clock runs `ahead` seconds before the hub's.
    private static func agent(
        _ world: SyncWorld, _ replica: Replica, url: String, caFile: String, ahead: Int64 = 0,
        reportVersion: String? = SyncClient.agentVersion
    ) -> SyncClient {
        SyncClient(
            store: replica.store, identity: replica.identity,
            transport: CurlTransport(baseURL: url, caFile: caFile, logger: Fixture.logger), logger: Fixture.logger,
            now: { Timestamp(milliseconds: world.clock.now().milliseconds + ahead * 1000) },
            reportVersion: reportVersion)
    }

    @Test func aSyncLeavesTheNodesVersionClockOffsetStoreSizeAndBacklogAtTheHub() async throws {
        let world = try Self.world()
        let kec = try world.kecamatan("33.74.01")
        for _ in 0..<3 { try kec.register("SKTM") }
        let waiting = try SyncStatus.read(from: kec.store).pendingEvents
        #expect(waiting > 0)
        let (first, again, pushedAtOnce) = try await withHTTPSHub(world.service) { port, ca in
            let url = "https://127.0.0.1:\(port)"
            let first = Self.agent(world, kec, url: url, caFile: ca, ahead: 300).run()
            let firstReports = try world.hubStorage.nodeReports()
            // Nothing new: the run asks the hub what it holds, and reports nothing waiting.
            let again = Self.agent(world, kec, url: url, caFile: ca, ahead: -2).run()
            let againReports = try world.hubStorage.nodeReports()
            // Something new and the hub's knowledge remembered: the first push goes at once, without a
            // knowledge request, so the report rides on the pull.
            try kec.register("SKTM")
            let third = Self.agent(world, kec, url: url, caFile: ca, reportVersion: "simpul/1 (uji)").run()
            return (
                (first, firstReports), (again, againReports), (third, try world.hubStorage.nodeReports())
            )
        }
        #expect(first.0.outcome.result == .inSync, "\(first.0.outcome)")
        let report = try #require(first.1.first)
        #expect(first.1.count == 1)
        #expect(report.node == "33.74.01")
        #expect(report.version == SyncClient.agentVersion)
        // The agent's clock 5 minutes ahead of the hub's, which stands still here: no transit time.
        #expect(report.clockOffsetSeconds == 300)
        #expect(report.waitingEvents == Int64(waiting))
        #expect(report.reportedAt == world.clock.now())
        let size = try kec.store.storeBytes()
        #expect(report.storeBytes > 0 && report.storeBytes <= size, "\(report.storeBytes) of \(size)")

        #expect(again.0.outcome.result == .inSync, "\(again.0.outcome)")
        #expect(again.1.first?.clockOffsetSeconds == -2)
        #expect(again.1.first?.waitingEvents == 0)

        #expect(pushedAtOnce.0.outcome.result == .inSync, "\(pushedAtOnce.0.outcome)")
        #expect(pushedAtOnce.0.pushed == 1)
        #expect(pushedAtOnce.1.first?.version == "simpul/1 (uji)")
        #expect(pushedAtOnce.1.first?.clockOffsetSeconds == 0)
        #expect(pushedAtOnce.1.first?.waitingEvents == 0)
    }

    @Test func aReportOutOfBoundsIsRefusedAsMalformedAndChangesNothing() async throws {
        let world = try Self.world()
        let kec = try world.kecamatan("33.74.01")
        try kec.register("SKTM")
        let partitions = try kec.store.replicatedPartitions()
        let good = AgentReport(
            version: "simpul/1", clock: world.clock.now().description, storeBytes: 4096, waitingEvents: 0)
        var bad: [(String, AgentReport)] = []
        func variant(_ why: String, _ change: (inout AgentReport) -> Void) {
            var r = good
            change(&r)
            bad.append((why, r))
        }
        variant("markup in the version") { $0.version = "simpul/1 <script>" }
        variant("a line break in the version") { $0.version = "simpul/1\nX-Admin: ya" }
        variant("an empty version") { $0.version = "" }
        variant("a version too long") { $0.version = String(repeating: "a", count: AgentReport.maxVersion + 1) }
        variant("a clock that is no time") { $0.clock = "kemarin" }
        variant("a clock 126 years off") { $0.clock = "1900-01-01T00:00:00.000Z" }
        variant("a negative store size") { $0.storeBytes = -1 }
        variant("a store size over 16 TiB") { $0.storeBytes = AgentReport.maxStoreBytes + 1 }
        variant("negative events waiting") { $0.waitingEvents = -1 }
        variant("events waiting over 2^53 - 1") { $0.waitingEvents = AgentReport.maxWaitingEvents + 1 }

        let reports = bad
        let outcome = try await withHTTPSHub(world.service) { port, ca in
            let url = "https://127.0.0.1:\(port)"
            let synced = Self.agent(world, kec, url: url, caFile: ca, ahead: 7).run()
            guard synced.outcome.result == .inSync else { throw SyncFailed(report: synced) }
            let before = (try world.hubStorage.nodeReports(), try world.hubStorage.contacts())
            let transport = CurlTransport(baseURL: url, caFile: ca, logger: Fixture.logger)
            defer { transport.closeIdleConnections() }
            var answers: [(String, HTTPResponseMessage, String)] = []
            for (why, report) in reports {
                for path in ["/v2/knowledge", "/v2/pull"] {
                    let body =
                        path == "/v2/knowledge"
                        ? try Canonical.encode(KnowledgeRequest(partitions: partitions, report: report))
                        : try Canonical.encode(PullRequest(knowledge: [:], maxBytes: 65_536, report: report))
                    var request = HTTPRequestMessage(
                        method: "POST", path: path, headers: ["content-type": SyncProtocol.jsonContentType],
                        body: body)
                    try RequestSignature.sign(
                        &request, identity: kec.identity, at: world.clock.now(), host: transport.host)
                    answers.append((why, try transport.send(request), path))
                }
            }
            let after = (try world.hubStorage.nodeReports(), try world.hubStorage.contacts())
            return (answers, before, after)
        }
        let (answers, before, after) = outcome
        #expect(after.0 == before.0)
        #expect(after.1 == before.1)
        #expect(answers.count == bad.count * 2)
        for (why, answer, path) in answers {
            #expect(answer.status == 400, "\(why) on \(path)")
            #expect(answer.headers["content-type"] == SyncProtocol.problemContentType, "\(why) on \(path)")
            let problem = try Canonical.decode(Problem.self, from: answer.body)
            #expect(problem.code == "malformed", "\(why) on \(path)")
            #expect(problem.detail.contains("report."), "\(why) on \(path): \(problem.detail)")
        }
        // The report of the sync before is the one kept.
        #expect(try world.hubStorage.nodeReports().map(\.clockOffsetSeconds) == [7])
    }

    @Test func anAgentThatSendsNoReportStillSyncsAndLeavesNone() async throws {
        let world = try Self.world()
        let kec = try world.kecamatan("33.74.01")
        for _ in 0..<2 { try kec.register("SKTM") }
        let report = try await withHTTPSHub(world.service) { port, ca in
            Self.agent(world, kec, url: "https://127.0.0.1:\(port)", caFile: ca, ahead: 300, reportVersion: nil).run()
        }
        #expect(report.outcome.result == .inSync, "\(report.outcome)")
        #expect(try world.hubStorage.knowledge()["33.74.01"] == kec.store.knowledge()["33.74.01"])
        #expect(try world.hubStorage.nodeReports().isEmpty)
        #expect(try world.hubStorage.contacts().map(\.node) == ["33.74.01"])
    }
}
