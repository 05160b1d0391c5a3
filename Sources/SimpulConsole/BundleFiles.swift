import Foundation
import SimpulDomain

/// Bundle files as officers handle them: a missing file is named, a folder (a USB stick) gets a file
/// named after sender, recipient and date, and a file is replaced only once the new one is whole.
public enum BundleFiles {
    public static func read(_ path: String) throws(SimpulError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SimpulError(.notFound, "berkas \(path) tidak ada")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw SimpulError(.io, "berkas \(path) tidak bisa dibaca")
        }
        return [UInt8](data)
    }

    /// Writes `bytes` to `path`, or into it under `suggested` when it is a folder; returns the file written.
    public static func write(_ bytes: [UInt8], to path: String, suggested: String) throws(SimpulError) -> String {
        var isDirectory: ObjCBool = false
        let target =
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? (path as NSString).appendingPathComponent(suggested) : path
        do {
            // Atomic: a stick pulled out mid-write leaves no half bundle under the final name.
            try Data(bytes).write(to: URL(fileURLWithPath: target), options: .atomic)
        } catch {
            throw SimpulError(.io, "berkas \(target) tidak bisa ditulis", cause: error)
        }
        return target
    }

    /// Names, on stderr, the attachments an export left out because the store's copy no longer hashes
    /// to its name: the file was written without them, and only attaching the original again helps.
    public static func warnDamaged(_ names: [String], tool: String) {
        for sha in names {
            FileHandle.standardError.write(
                Data(
                    "\(tool): lampiran \(sha.prefix(12)) rusak di penyimpanan ini dan tidak ikut dalam bundle; lampirkan lagi file aslinya\n"
                        .utf8))
        }
    }

    /// Checks `--expires-days`.
    public static func checkDays(_ days: Int, max: Int) throws(SimpulError) -> Int {
        guard (1...max).contains(days) else {
            throw SimpulError(.usage, "expires-days: harus 1 sampai \(max) hari")
        }
        return days
    }
}
