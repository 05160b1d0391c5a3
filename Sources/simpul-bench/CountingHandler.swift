import SimpulSync
import Synchronization

/// Counts the requests a hub answers (each is a round trip on the link).
final class CountingHandler: HubRequestHandler {
    let inner: HubService
    private let count = Atomic<Int>(0)

    init(_ inner: HubService) { self.inner = inner }

    func handle(_ request: HTTPRequestMessage) async -> HTTPResponseMessage {
        count.add(1, ordering: .relaxed)
        return await inner.handle(request)
    }

    var requests: Int { count.load(ordering: .relaxed) }
}
