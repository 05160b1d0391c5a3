/// The one shape of Simpul's errors: a stable code, a message people can act on, and the underlying
/// cause. Each module has its own code enum (`SimpulError`, `SyncError`, `BundleError`, ...); what
/// they share, and how they are shown, lives here.
///
/// Messages never contain secrets or personal data: they name fields and rules, and a NIK appears
/// only masked. Causes come from our own code or from libraries that keep to the same rule (SQLite
/// and GRDB errors name the statement but not its arguments; request bodies are never a cause).
public protocol SimpulFailure: Error, Sendable, CustomStringConvertible {
    associatedtype Code: RawRepresentable & Sendable where Code.RawValue == String

    var code: Code { get }
    var message: String { get }
    var cause: (any Error)? { get }

    /// What `description` starts with; the message unless a type shows more (such as its code).
    var headline: String { get }
}

extension SimpulFailure {
    public var headline: String { message }

    /// The headline, then each cause in turn (`pesan: sebab: sebab...`), on one line. A cause whose
    /// message the text already holds (a message passed on as it was) is not repeated, but what
    /// caused it still is.
    public var description: String {
        var text = headline
        var next = cause
        while let cause = next {
            if let failure = cause as? any SimpulFailure {
                if !text.contains(failure.message) { text += ": " + failure.headline }
                next = failure.cause
            } else {
                let shown = Self.oneLine(String(describing: cause))
                if !shown.isEmpty, !text.contains(shown) { text += ": " + shown }
                next = nil
            }
        }
        return text
    }

    /// Library errors may span lines (an SQL statement, a nested dump); a failure is one line.
    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
