import Foundation
import Testing

/// A hung test must fail on its own rather than hold the whole run: every suite declares a time limit.
/// Limits are ten minutes: in the parallel run on two cores a trivial test can wait over a minute for a
/// free cooperative thread, and the limit is there to end a hang, not to time anything.
@Suite(.timeLimit(.minutes(10)))
struct TimeLimitTests {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    @Test func everySuiteHasATimeLimit() throws {
        let files = try #require(FileManager.default.enumerator(atPath: Self.testsFolder.path))
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        var suites = 0
        for file in files {
            let text = try String(contentsOf: Self.testsFolder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix("@Suite")
            {
                suites += 1
                #expect(line.contains(".timeLimit("), "\(file): \(line)")
            }
        }
        #expect(suites > 40, "found only \(suites) suites under \(Self.testsFolder.path)")
    }
}
