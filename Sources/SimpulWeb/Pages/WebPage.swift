import Foundation
import Hummingbird
import SimpulDomain

/// Responses every page shares: HTML with the headers that keep a LAN page from being framed, cached
/// or fed outside scripts, redirects after a change, and one-time messages carried across a redirect.
public enum WebPage {
    /// No script, style or image from anywhere but this server: the offices have no internet, and a
    /// name typed at the loket must never run as a script.
    public static let contentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; object-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

    public static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        secure(&headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// 303 See Other: the browser fetches the next page with GET, so a reload never repeats a change.
    public static func redirect(_ location: String, flash: String? = nil, secureCookies: Bool) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        secure(&headers)
        var response = Response(status: .seeOther, headers: headers)
        if let flash {
            response.setCookie(
                Cookie(
                    name: SessionToken.flashCookieName, value: FormBody.encode(String(flash.prefix(600))), maxAge: 60,
                    path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// The one-time message a redirect carried, and the cookie that forgets it.
    public static func takeFlash(_ request: Request) -> String? {
        guard let value = request.cookies[SessionToken.flashCookieName]?.value, !value.isEmpty else { return nil }
        return FormBody.decode(Substring(value)).map { FreeText.shown($0) }
    }

    public static func forgetFlash(_ response: inout Response, secureCookies: Bool) {
        response.setCookie(
            Cookie(
                name: SessionToken.flashCookieName, value: "", maxAge: 0, path: "/", secure: secureCookies,
                httpOnly: true, sameSite: .strict))
    }

    public static func secure(_ headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.cacheControl] = "no-store"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        headers[.init("X-Frame-Options")!] = "DENY"
    }

    /// `12 Desember 2026 09.41 WITA`: a moment in the office's zone, as officers write it.
    public static func moment(_ t: Timestamp, zona: Zona) -> String {
        let text = t.localText(offsetMinutes: zona.offsetMinutes)
        let date = t.localDate(offsetMinutes: zona.offsetMinutes)
        return "\(date.shortIndonesian) \(text.suffix(5).replacingOccurrences(of: ":", with: ".")) \(zona.rawValue)"
    }

    /// `09.41`: the time of day in the office's zone, for what happens within one day (a queue).
    public static func clock(_ t: Timestamp, zona: Zona) -> String {
        String(t.localText(offsetMinutes: zona.offsetMinutes).suffix(5)).replacingOccurrences(of: ":", with: ".")
    }
}

extension LocalDate {
    /// `12 Des 2026`: a date in a table cell.
    public var shortIndonesian: String {
        let months = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
        return "\(day) \(months[month - 1]) \(year)"
    }
}
