import NIOCore
import NIOPosix

/// The one pool of threads for blocking work: SQLite through GRDB, libcurl, zstd of large bodies,
/// signature checks. Async code hands such work here instead of blocking the cooperative pool or
/// NIO's event loops, and no other layer starts threads or uses Dispatch's global queue for it.
///
/// Bounded: `threads` threads (the machine's cores, at least two), so a burst of requests queues
/// instead of starting a thread each. Work that waits for other work of the pool must never block
/// on work that has not started yet (with every thread busy it would never start): the signature
/// checks of `SyncClient.apply` show the way, the waiting thread doing unstarted work itself.
public final class BlockingPool: Sendable {
    /// The process's pool. Started on first use and never shut down.
    public static let shared = BlockingPool(threads: max(2, System.coreCount))

    /// How many threads the pool runs.
    public let threads: Int
    private let pool: NIOThreadPool

    /// A pool of its own, for a test that must hold every thread of a pool without holding up every
    /// other test's hub in the process, whose requests go through `shared`.
    public init(threads: Int) {
        self.threads = threads
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    /// Runs `body` on a pool thread and returns its result. The caller's task is suspended, not
    /// blocked, meanwhile; cancelling it does not stop `body`.
    public func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            submit {
                continuation.resume(returning: Result { () throws(E) -> T in try body() })
            }
        }
        return try result.get()
    }

    /// Runs `body` on a pool thread later; returns at once.
    public func submit(_ body: @escaping @Sendable () -> Void) {
        // The pool is never shut down, so every item runs: `.cancelled` cannot happen, and running
        // the body anyway keeps a continuation inside it from leaking if it ever did.
        pool.submit { _ in body() }
    }
}
