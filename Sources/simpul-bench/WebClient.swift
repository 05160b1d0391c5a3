import CCurl
import Foundation

/// One browser tab on loopback: a libcurl easy handle that keeps its connection alive between
/// requests and its cookies in memory (libcurl's cookie engine), as a browser keeps its session.
///
/// Used by one thread at a time, the bench's measuring thread.
final class WebClient {
    private let handle: UnsafeMutableRawPointer
    private let base: String
    private let box = Body()

    /// The received bytes; a class so that libcurl's C callback can reach it through a pointer.
    final class Body {
        var bytes: [UInt8] = []
    }

    struct Answer {
        var status: Int
        var body: [UInt8]
        var seconds: Double

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    init(port: Int) throws {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard let handle = curl_easy_init() else { throw BenchError("curl_easy_init failed") }
        self.handle = handle
        base = "http://127.0.0.1:\(port)"
        // An empty file name turns the cookie engine on without reading any file.
        simpul_curl_setopt_string(handle, CURLOPT_COOKIEFILE, "")
        simpul_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        simpul_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        simpul_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, user in
            guard let buffer, let user else { return 0 }
            let body = Unmanaged<Body>.fromOpaque(user).takeUnretainedValue()
            body.bytes.append(
                contentsOf: UnsafeRawBufferPointer(start: buffer, count: size * count).bindMemory(to: UInt8.self))
            return size * count
        }
        simpul_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(box).toOpaque())
    }

    deinit { curl_easy_cleanup(handle) }

    func get(_ path: String) throws -> Answer {
        simpul_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        return try perform(path)
    }

    /// A form POST, `application/x-www-form-urlencoded`; a redirect is returned, not followed.
    func post(_ path: String, form: String) throws -> Answer {
        simpul_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, form)
        return try perform(path)
    }

    /// Logs in as a browser does: the login page sets its cookie and the form's token, the form
    /// goes back with both and the answer sets the session cookie.
    func logIn(username: String, password: String) throws {
        let page = try get("/masuk")
        let marker = "name=\"csrf\" value=\""
        guard page.status == 200, let start = page.text.range(of: marker),
            let end = page.text[start.upperBound...].firstIndex(of: "\"")
        else { throw BenchError("the login page (\(page.status)) has no csrf field") }
        let csrf = String(page.text[start.upperBound..<end])
        let answer = try post(
            "/masuk", form: "csrf=\(csrf)&username=\(username)&password=\(password.formEncoded)")
        guard answer.status == 303 else {
            throw BenchError("login as \(username) answered \(answer.status), not 303")
        }
    }

    private func perform(_ path: String) throws -> Answer {
        simpul_curl_setopt_string(handle, CURLOPT_URL, base + path)
        box.bytes.removeAll(keepingCapacity: true)
        let start = DispatchTime.now().uptimeNanoseconds
        let code = curl_easy_perform(handle)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard code == CURLE_OK else {
            throw BenchError("GET \(path): \(String(cString: curl_easy_strerror(code)))")
        }
        var status = 0
        simpul_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return Answer(status: status, body: box.bytes, seconds: seconds)
    }
}

extension String {
    /// The text as a form value: everything but unreserved characters percent-encoded.
    var formEncoded: String {
        addingPercentEncoding(
            withAllowedCharacters: CharacterSet(
                charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? self
    }
}
