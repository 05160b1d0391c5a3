import Foundation
import SimpulDomain
import SimpulStore

extension SyncError {
    /// A refused bundle as a sync error; the code says which kind of bad file it is.
    public init(bundle error: BundleError) {
        let (code, label): (Code, String) =
            switch error.code {
            case .truncated: (.bundleTruncated, "terpotong")
            case .corrupted: (.bundleCorrupted, "rusak")
            case .foreign: (.bundleForeign, "asing")
            case .expired: (.bundleExpired, "kedaluwarsa")
            case .wronglyAddressed: (.bundleMisaddressed, "salah alamat")
            case .unsupportedVersion: (.unsupportedVersion, "versi tidak dikenal")
            case .revoked: (.revoked, "pengirim dicabut")
            case .sealFailed: (.malformed, "tidak bisa dibuat")
            }
        let tail = error.code == .sealFailed ? "" : "; \(BundleExchange.nothing)"
        // The container's own words may already name the reason ("bundle terpotong: ..."): said once.
        var detail = Substring(error.message)
        for said in ["bundle \(label): ", "kepala bundle \(label): "] where detail.hasPrefix(said) {
            detail = detail.dropFirst(said.count)
        }
        self.init(code, "bundle \(label): \(detail)\(tail)", cause: error)
    }

    /// The exit code the command line tools end with for this refusal (see the README).
    public var exitCode: Int32 {
        switch code {
        case .unauthenticated, .notEnrolled, .revoked, .clockSkew, .forbiddenRead: 77
        case .notFound: 66
        case .store: 74
        default: 65
        }
    }
}
