import CCurl
import SimpulSync

#if canImport(Glibc)
import Glibc
#endif

/// One libcurl easy handle and its error buffer.
///
/// `@unchecked Sendable`, true because a handle is only ever in one of two places, and so used by
/// one thread at a time without a lock of its own: in `CurlTransport.idleHandles`, where the `Mutex`
/// guards it and nothing touches the C handle, or checked out by exactly one `sendCounted` call, which
/// alone configures, performs, reads and resets it until `checkIn` puts it back under the mutex (libcurl
/// allows an easy handle to move between threads as long as two never use it at once). The
/// pointers are `let`s; `deinit` runs once the last reference, in the pool or a call, is gone.
final class EasyHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// The session cache the handle was last attached to, kept alive until the handle is cleaned up.
    var sessions: TLSSessionCache?

    init?() {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    func infoLong(_ info: CURLINFO) -> Int {
        var value = 0
        return simpul_curl_getinfo_long(raw, info, &value) == CURLE_OK ? value : 0
    }

    func infoOffT(_ info: CURLINFO) -> Int64 {
        var value: curl_off_t = 0
        return simpul_curl_getinfo_off_t(raw, info, &value) == CURLE_OK ? Int64(value) : 0
    }

    /// A `*_TIME_T` value (microseconds) in seconds.
    func seconds(_ info: CURLINFO) -> Double { Double(infoOffT(info)) / 1_000_000 }
}

/// libcurl's one global init per process, which must run before any handle or share exists; a static let
/// runs it once.
enum CurlGlobal {
    static let initResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}

/// TLS sessions that transports resume on a new connection instead of a full handshake with the
/// certificate chain; libcurl matches a session to the host, port and TLS settings, and keeps the most
/// recent few.
///
/// Every transport of the agent uses `process`, so a reconnect after a drop, a retry or the next run
/// of `simpul serve` resumes. A cache of its own keeps a transport's sessions from being pushed out by
/// connections to other hubs (tests run many hubs in one process).
///
/// `@unchecked Sendable`, true because both pointers are set once in `init` and freed only in `deinit`,
/// after every easy handle that used the share is gone (each holds the cache), and libcurl itself
/// serialises every use of the share through the mutex's lock and unlock callbacks.
public final class TLSSessionCache: @unchecked Sendable {
    /// The cache of the whole process.
    public static let process = TLSSessionCache()

    let raw: UnsafeMutableRawPointer?
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        raw = CurlGlobal.initResult == CURLE_OK ? simpul_curl_session_share(mutex) : nil
    }

    deinit {
        if let raw { curl_share_cleanup(raw) }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
}
