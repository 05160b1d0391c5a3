import CCurl
import Logging
import SimpulSync
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Sends sync requests over HTTPS with libcurl.
///
/// The peer's certificate is always verified. Only silence ends a transfer, never slowness: a link that
/// drops silently (a satellite modem losing lock: bytes stop, no reset comes) is given up on after
/// `silenceSeconds` without a byte moving while bytes are due (sending the request or receiving the
/// answer); while the request is sent and the answer not begun, the wait allowed also covers the
/// request's bytes at the link's measured rate (they may still sit in buffers on the way) and a round
/// trip, and doubles after each wait given up on, so a hub that thinks long is waited for in the end.
/// A connection must be up within `connectTimeoutSeconds` until one handshake has been measured, then
/// within `silenceSeconds` plus twice the measured handshake. The low-speed limit
/// (`lowSpeedLimitBytesPerSecond` for `lowSpeedTimeSeconds`) stays as a backstop. TLS sessions are
/// shared by every transport of the process, so a reconnect after a drop, a retry or the next run of
/// `simpul serve` resumes the session instead of a full handshake with the certificate chain.
public final class CurlTransport: SyncTransport {
    /// The link rate assumed until one is measured: 8 kbit/s, slower than any link Simpul runs over,
    /// so the first waits are long rather than short.
    public static let assumedBytesPerSecond = 1_000.0

    /// The most idle handles kept. Idle handles keep their connections open, so the next request to the
    /// hub skips the TCP and TLS handshakes.
    private static let maxIdleHandles = 4
    /// The largest response body taken by default (decoded); a larger one ends the transfer.
    public static let defaultMaxResponseBytes = 64 * 1024 * 1024

    private let baseURL: String
    private let caFile: String?
    private let connectTimeoutSeconds: Int
    private let lowSpeedLimitBytesPerSecond: Int
    private let lowSpeedTimeSeconds: Int
    private let userAgent: String
    private let compressRequests: Bool
    private let maxResponseBytes: Int
    /// The `Host` value sent with every request (`host[:port]` of the base URL, lowercased).
    public let host: String
    private let monitor: SyncMonitor?
    private let logger: Logger
    private let idleHandles = Mutex<[EasyHandle]>([])
    private let silenceSeconds: Double
    private let estimate = Mutex(LinkEstimate())
    private let sessions: TLSSessionCache?

    /// - Parameters:
    ///   - baseURL: Scheme, host and port of the hub, e.g. `https://hub.example:8443`; request paths are appended.
    ///   - caFile: PEM file of the certificates to trust instead of the system trust store.
    ///   - connectTimeoutSeconds: Longest wait for the TCP and TLS handshakes.
    ///   - lowSpeedLimitBytesPerSecond: Below this average speed for `lowSpeedTimeSeconds`, the transfer stalled.
    ///   - lowSpeedTimeSeconds: How long the speed may stay below the limit.
    ///   - silenceSeconds: How long no byte may move while bytes are due before the link counts as dropped.
    ///   - compressRequests: Send request bodies zstd-compressed (`BodyCoding`); the hub always reads them.
    ///   - monitor: Gets the bytes of each transfer as they move; when it is cancelled, the transfer in
    ///     flight is abandoned.
    ///   - sessions: The TLS sessions to resume from and add to. `nil`: every new connection makes a full
    ///     handshake, whatever other transports of the process did before.
    public init(
        baseURL: String,
        caFile: String? = nil,
        connectTimeoutSeconds: Int = 30,
        lowSpeedLimitBytesPerSecond: Int = 100,
        lowSpeedTimeSeconds: Int = 60,
        silenceSeconds: Double = 3,
        userAgent: String = "simpul/1",
        compressRequests: Bool = true,
        maxResponseBytes: Int = CurlTransport.defaultMaxResponseBytes,
        monitor: SyncMonitor? = nil,
        sessions: TLSSessionCache? = .process,
        logger: Logger
    ) {
        self.sessions = sessions
        self.maxResponseBytes = maxResponseBytes
        host = Self.authority(of: baseURL)
        _ = CurlGlobal.initResult
        self.baseURL = baseURL
        self.caFile = caFile
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.lowSpeedLimitBytesPerSecond = lowSpeedLimitBytesPerSecond
        self.lowSpeedTimeSeconds = lowSpeedTimeSeconds
        self.silenceSeconds = max(0.5, silenceSeconds)
        self.userAgent = userAgent
        self.compressRequests = compressRequests
        self.monitor = monitor
        self.logger = logger
    }

    /// The `host[:port]` part of a URL, lowercased.
    static func authority(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(authority.split(separator: "@").last ?? authority).lowercased()
    }

    /// Sends `request` and waits for the whole response.
    public func send(_ request: HTTPRequestMessage) throws(TransportError) -> HTTPResponseMessage {
        try sendCounted(request).0
    }

    /// Sends `request` and also returns the body bytes sent and received as on the wire (before decoding).
    public func sendCounted(
        _ request: HTTPRequestMessage
    ) throws(TransportError) -> (HTTPResponseMessage, sent: Int, received: Int) {
        let url = joinURL(baseURL, request.path)
        // The query may carry identifiers; logs and errors name the path only.
        let urlForLog = String(url.prefix { $0 != "?" })
        guard CurlGlobal.initResult == CURLE_OK else {
            throw TransportError(
                .other,
                "\(request.method) \(urlForLog) failed: libcurl could not initialise "
                    + "(curl error \(CurlGlobal.initResult.rawValue))"
            )
        }
        let handle = try checkOutHandle(method: request.method, urlForLog: urlForLog)
        defer { checkIn(handle) }

        var request = request
        if compressRequests, request.headers["content-encoding"] == nil {
            let encoded = BodyCoding.encodeRequest(request.body)
            if let encoding = encoded.encoding {
                request.body = encoded.body
                request.headers["content-encoding"] = encoding
            }
        }

        let state = TransferState()
        state.maxBody = maxResponseBytes
        let limits = estimate.withLock {
            $0.limits(
                silence: silenceSeconds, requestBytes: request.body.count,
                connectTimeout: Double(connectTimeoutSeconds))
        }
        state.silence = limits.silence
        state.answerWait = limits.answerWait
        let headerList = try buildHeaderList(request, urlForLog: urlForLog)
        defer { curl_slist_free_all(headerList) }

        let start = ContinuousClock.now
        let code = configureAndPerform(
            handle, request: request, url: url, headers: headerList, state: state, connectTimeout: limits.connect)
        let elapsed = ContinuousClock.now - start
        let sent = Int(handle.infoOffT(CURLINFO_SIZE_UPLOAD_T))
        let received = Int(handle.infoOffT(CURLINFO_SIZE_DOWNLOAD_T))

        guard code == CURLE_OK else {
            var error = transportError(code, handle: handle, method: request.method, urlForLog: urlForLog)
            if let silent = state.silentFor {
                // A silent link is given up on like a reset one; waiting for the answer is given longer next time.
                if state.silentWhileWaiting { estimate.withLock { $0.gaveUpWaiting() } }
                error = TransportError(
                    .stalled,
                    "\(request.method) \(urlForLog): link silent: no byte moved for \(Int(silent.rounded(.up))) s "
                        + "while bytes were due")
            } else if state.tooLarge {
                error = TransportError(
                    .other, "\(request.method) \(urlForLog): response larger than \(maxResponseBytes) bytes refused")
            }
            logger.debug(
                "HTTP exchange failed",
                metadata: [
                    "method": "\(request.method)", "url": "\(urlForLog)", "error.code": "\(error.code.rawValue)",
                    "curl.code": "\(code.rawValue)", "duration": "\(elapsed)",
                ]
            )
            throw error
        }

        let status = handle.infoLong(CURLINFO_RESPONSE_CODE)
        estimate.withLock {
            $0.learn(
                connect: handle.seconds(CURLINFO_CONNECT_TIME_T), handshake: handle.seconds(CURLINFO_APPCONNECT_TIME_T),
                pretransfer: handle.seconds(CURLINFO_PRETRANSFER_TIME_T),
                firstByte: handle.seconds(CURLINFO_STARTTRANSFER_TIME_T), total: handle.seconds(CURLINFO_TOTAL_TIME_T),
                sent: sent, received: received)
        }
        var headers = state.headers
        // libcurl has already decoded the body, so the encoding and length headers no longer describe it.
        if let encoding = headers["content-encoding"], encoding.lowercased() != "identity" {
            headers["content-encoding"] = nil
            headers["content-length"] = nil
        }
        logger.debug(
            "HTTP exchange",
            metadata: [
                "method": "\(request.method)", "url": "\(urlForLog)", "status": "\(status)",
                "bytes.sent": "\(sent)", "bytes.received": "\(received)", "duration": "\(elapsed)",
            ]
        )
        return (HTTPResponseMessage(status: status, headers: headers, body: state.body), sent, received)
    }

    public func finish() { closeIdleConnections() }

    /// Closes the connections kept open for the next request, e.g. at the end of a sync session.
    public func closeIdleConnections() {
        var handles = idleHandles.withLock { idle in
            defer { idle = [] }
            return idle
        }
        // Released here, outside the lock: cleaning up a handle closes its connections and sends the TLS
        // close_notify that the server otherwise waits for when it shuts down.
        handles.removeAll()
    }

    // MARK: - Handles

    private func checkOutHandle(method: String, urlForLog: String) throws(TransportError) -> EasyHandle {
        if let idle = idleHandles.withLock({ $0.popLast() }) {
            return idle
        }
        guard let handle = EasyHandle() else {
            throw TransportError(.other, "\(method) \(urlForLog) failed: libcurl could not create a handle")
        }
        return handle
    }

    private func checkIn(_ handle: EasyHandle) {
        // Reset drops every option (and so every pointer into this call's memory) but keeps open connections.
        curl_easy_reset(handle.raw)
        idleHandles.withLock { idle in
            if idle.count < Self.maxIdleHandles {
                idle.append(handle)
            }
        }
    }

    // MARK: - Request

    private func buildHeaderList(
        _ request: HTTPRequestMessage,
        urlForLog: String
    ) throws(TransportError) -> UnsafeMutablePointer<curl_slist>? {
        var lines: [String] = []
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            if name.isEmpty || name.contains(where: { $0 == ":" || $0.isNewline || $0 == "\0" || $0 == " " })
                || value.contains(where: { $0.isNewline || $0 == "\0" })
            {
                throw TransportError(
                    .other,
                    "\(request.method) \(urlForLog) refused: the header \"\(name.prefix(40))\" "
                        + "has a malformed name or value"
                )
            }
            // libcurl computes the length of the body it sends; a caller's value could contradict it.
            if name == "content-length" { continue }
            // "name:" would tell libcurl to drop the header; "name;" sends it with an empty value.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        // Without this, libcurl waits up to a second for "100 Continue" before sending a large body.
        if request.headers["expect"] == nil {
            lines.append("Expect:")
        }
        // Without this, libcurl labels every body as a URL-encoded form.
        if request.headers["content-type"] == nil {
            lines.append("Content-Type:")
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = simpul_curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw TransportError(.other, "\(request.method) \(urlForLog) failed: out of memory for headers")
            }
            list = appended
        }
        return list
    }

    private func configureAndPerform(
        _ handle: EasyHandle,
        request: HTTPRequestMessage,
        url: String,
        headers: UnsafeMutablePointer<curl_slist>?,
        state: TransferState,
        connectTimeout: Double
    ) -> CURLcode {
        let raw = handle.raw
        var code = CURLE_OK
        // Remembers the first option libcurl rejected, so the transfer is not attempted half-configured.
        func set(_ result: CURLcode) {
            if code == CURLE_OK { code = result }
        }

        handle.errorBuffer[0] = 0
        set(simpul_curl_setopt_pointer(raw, CURLOPT_ERRORBUFFER, handle.errorBuffer))
        set(simpul_curl_setopt_string(raw, CURLOPT_URL, url))
        set(simpul_curl_setopt_string(raw, CURLOPT_PROTOCOLS_STR, "https,http"))
        set(simpul_curl_setopt_long(raw, CURLOPT_NOSIGNAL, 1))
        set(simpul_curl_setopt_string(raw, CURLOPT_USERAGENT, userAgent))
        set(simpul_curl_setopt_slist(raw, CURLOPT_HTTPHEADER, headers))
        // An empty string asks for every encoding this libcurl can decode, and decodes the response.
        set(simpul_curl_setopt_string(raw, CURLOPT_ACCEPT_ENCODING, ""))

        set(simpul_curl_setopt_long(raw, CURLOPT_SSL_VERIFYPEER, 1))
        set(simpul_curl_setopt_long(raw, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile {
            set(simpul_curl_setopt_string(raw, CURLOPT_CAINFO, caFile))
            // The built-in CA directory would otherwise still be trusted alongside the hub's own CA.
            set(simpul_curl_setopt_pointer(raw, CURLOPT_CAPATH, nil))
        }

        if let share = sessions?.raw {
            set(simpul_curl_setopt_share(raw, share))
            handle.sessions = sessions
        } else {
            set(simpul_curl_setopt_long(raw, CURLOPT_SSL_SESSIONID_CACHE, 0))
        }
        set(simpul_curl_setopt_long(raw, CURLOPT_CONNECTTIMEOUT_MS, Int((connectTimeout * 1000).rounded(.up))))
        set(simpul_curl_setopt_long(raw, CURLOPT_LOW_SPEED_LIMIT, lowSpeedLimitBytesPerSecond))
        set(simpul_curl_setopt_long(raw, CURLOPT_LOW_SPEED_TIME, lowSpeedTimeSeconds))
        // While the answer is awaited nothing is due from the agent: keepalive probes find a dead peer
        // that the deadline below would also find, but on a real link they also notice it in the kernel.
        set(simpul_curl_setopt_long(raw, CURLOPT_TCP_KEEPALIVE, 1))
        set(simpul_curl_setopt_long(raw, CURLOPT_TCP_KEEPIDLE, max(1, Int(state.silence.rounded(.up)))))
        set(simpul_curl_setopt_long(raw, CURLOPT_TCP_KEEPINTVL, 1))

        let userdata = Unmanaged.passUnretained(state).toOpaque()
        state.monitor = monitor
        state.lastMove = .now
        set(simpul_curl_setopt_pointer(raw, CURLOPT_PREREQDATA, userdata))
        set(
            simpul_curl_setopt_prereq_callback(raw) { userdata, _, _, _, _ in
                guard let userdata else { return 0 }
                let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
                // From here on the connection is up (new or reused): the silence deadline applies.
                state.connected = true
                state.lastMove = .now
                return 0
            })
        // libcurl calls this about once a second even when nothing moves, so it also keeps the deadline.
        set(simpul_curl_setopt_long(raw, CURLOPT_NOPROGRESS, 0))
        set(simpul_curl_setopt_pointer(raw, CURLOPT_XFERINFODATA, userdata))
        set(
            simpul_curl_setopt_xferinfo_callback(raw) { userdata, _, dlnow, ultotal, ulnow in
                guard let userdata else { return 0 }
                let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
                if let monitor = state.monitor {
                    monitor.transfer(sent: Int(ulnow), received: Int(dlnow))
                    if monitor.isCancelled { return 1 }
                }
                return state.progress(up: Int64(ulnow), upTotal: Int64(ultotal), down: Int64(dlnow)) ? 0 : 1
            })
        set(simpul_curl_setopt_pointer(raw, CURLOPT_WRITEDATA, userdata))
        set(
            simpul_curl_setopt_data_callback(raw, CURLOPT_WRITEFUNCTION) { buffer, size, count, userdata in
                let length = size * count
                guard let userdata else { return 0 }
                let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
                // A hub (or whatever answers in its place) cannot make the agent hold more than this.
                guard state.body.count + length <= state.maxBody else {
                    state.tooLarge = true
                    return 0
                }
                state.lastMove = .now
                state.body.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
                return length
            }
        )
        set(simpul_curl_setopt_pointer(raw, CURLOPT_HEADERDATA, userdata))
        set(
            simpul_curl_setopt_data_callback(raw, CURLOPT_HEADERFUNCTION) { buffer, size, count, userdata in
                let length = size * count
                guard let userdata else { return 0 }
                let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
                state.addHeaderLine(UnsafeRawBufferPointer(start: buffer, count: length))
                state.answerBegun = true
                state.lastMove = .now
                return length
            }
        )

        switch request.method.uppercased() {
        case "GET":
            set(simpul_curl_setopt_long(raw, CURLOPT_HTTPGET, 1))
        case "HEAD":
            set(simpul_curl_setopt_long(raw, CURLOPT_NOBODY, 1))
        default:
            set(simpul_curl_setopt_long(raw, CURLOPT_POST, 1))
            if request.method.uppercased() != "POST" {
                set(simpul_curl_setopt_string(raw, CURLOPT_CUSTOMREQUEST, request.method.uppercased()))
            }
            set(simpul_curl_setopt_off_t(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
        }
        guard code == CURLE_OK else { return code }

        let sendsBody = !["GET", "HEAD"].contains(request.method.uppercased())
        return request.body.withUnsafeBytes { bytes -> CURLcode in
            if sendsBody {
                // POSTFIELDS points at the caller's bytes without a copy; they outlive the perform call.
                // A NULL pointer would make libcurl read the body from stdin, so an empty body gets a copy of "".
                let result =
                    if let base = bytes.baseAddress {
                        simpul_curl_setopt_pointer(raw, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                    } else {
                        simpul_curl_setopt_string(raw, CURLOPT_COPYPOSTFIELDS, "")
                    }
                guard result == CURLE_OK else { return result }
            }
            return curl_easy_perform(raw)
        }
    }

    // MARK: - Errors

    private func transportError(
        _ code: CURLcode,
        handle: EasyHandle,
        method: String,
        urlForLog: String
    ) -> TransportError {
        let detail: String = {
            let buffered = String(cString: handle.errorBuffer).trimmingTrailingNewlines()
            return buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
        }()
        let kind: TransportError.Code
        let summary: String
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            (kind, summary) = (.connect, "could not connect")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            (kind, summary) = (.tls, "TLS failed")
        case CURLE_OPERATION_TIMEDOUT where handle.infoOffT(CURLINFO_CONNECT_TIME_T) == 0:
            // The timeout hit before TCP connected, so the connect timeout fired, not the low-speed limit.
            (kind, summary) = (.connect, "could not connect in time")
        case CURLE_OPERATION_TIMEDOUT:
            (kind, summary) = (.stalled, "transfer stalled")
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING:
            (kind, summary) = (.stalled, "connection dropped")
        case CURLE_BAD_CONTENT_ENCODING:
            // A compressed answer that does not decode was, on these links, one cut short by a clean close.
            (kind, summary) = (.stalled, "answer cut short")
        case CURLE_ABORTED_BY_CALLBACK:
            (kind, summary) = (.cancelled, "transfer abandoned on request")
        default:
            (kind, summary) = (.other, "transfer failed")
        }
        return TransportError(kind, "\(method) \(urlForLog): \(summary): \(detail) (curl error \(code.rawValue))")
    }
}

/// Joins the base URL and a path without doubling or dropping the slash between them.
private func joinURL(_ base: String, _ path: String) -> String {
    switch (base.hasSuffix("/"), path.hasPrefix("/")) {
    case (true, true): base + path.dropFirst()
    case (false, false) where !path.isEmpty: base + "/" + path
    default: base + path
    }
}
