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

/// The libcurl share that holds the process's TLS sessions, and the mutex libcurl locks it with.
///
/// `@unchecked Sendable`, true because both pointers are set once in `init` and never freed (the share
/// lives as long as the process), and libcurl itself serialises every use of the share through the
/// mutex's lock and unlock callbacks.
final class SessionShare: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer?

    init(initialised: Bool) {
        guard initialised else {
            raw = nil
            return
        }
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        raw = simpul_curl_session_share(mutex)
    }
}
