// Fuzzes the canonical JSON reader every signed body goes through before any hash or signature check.
// A throw is the expected answer to bad bytes; a trap, an overflow or an ASan report is a finding.
import Foundation

@testable import SimpulSync

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = try? CanonicalReader.read(bytes) { r throws(CanonicalReader.Malformed) in try r.value(at: 0) }
    _ = try? CanonicalReader.read(bytes) { r throws(CanonicalReader.Malformed) in try r.unsigned(at: 0) }
    _ = try? CanonicalReader.read(bytes) { r throws(CanonicalReader.Malformed) in try r.plainString(at: 0) }
    // Members walked the way the decoders walk them: every key and value, to the end.
    _ = try? CanonicalReader.read(bytes) { r throws(CanonicalReader.Malformed) in
        try r.object(at: 0) { key, start throws(CanonicalReader.Malformed) in
            _ = CanonicalReader.equals(key, "changeSet")
            return try r.value(at: start)
        }
    }
    _ = try? CanonicalReader.read(bytes) { r throws(CanonicalReader.Malformed) in
        try r.array(at: 0) { start throws(CanonicalReader.Malformed) in try r.value(at: start) }
    }
    return 0
}
