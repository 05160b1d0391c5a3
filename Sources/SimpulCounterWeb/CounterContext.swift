import Hummingbird
import SimpulDomain
import SimpulStore
import SimpulWeb

/// A request's context at the counter: who is logged in, once the session cookie has been checked.
public struct CounterContext: SessionContext {
    public typealias Role = OfficerRole

    public var coreContext: CoreRequestContextStorage
    public var session: WebSession?

    public init(source: Source) {
        coreContext = .init(source: source)
        session = nil
    }

    /// A form is at most 64 KiB; only the upload route reads more, and it collects its own body.
    public var maxUploadSize: Int { 64 * 1024 }
}
