import Foundation

/// Runs `sync-schemas/validate.py` (Python with jsonschema and cryptography) on captured messages.
public enum WireValidator {
    public static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    public static let script = repoRoot.appendingPathComponent("sync-schemas/validate.py").path

    /// `python3 ARGUMENTS` from the PATH: the exit status and stdout and stderr together.
    public static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let (ended, output, _) = try Child.run(
            "/usr/bin/env", ["python3"] + arguments, timeout: .seconds(120), mergingStderr: true)
        return (ended.status, String(decoding: output, as: UTF8.self))
    }

    /// `validate.py captured FOLDER`.
    public static func validateCaptured(_ folder: String) throws -> (status: Int32, output: String) {
        try python([script, "captured", folder])
    }
}
