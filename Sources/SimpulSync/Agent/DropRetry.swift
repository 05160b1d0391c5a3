/// What a sync run does when the connection of a request drops in the middle of the exchange (a reset,
/// a silence given up on, an answer cut short): the decision of `SyncClient`, without the I/O, so it is
/// tested without a network.
///
/// A drop means the link carried bytes a moment ago, and on a satellite link the next connection
/// usually works: the request goes again at once on a new connection, within the same run, instead of
/// ending the run and paying the hub info, a backoff and a new connection in the next one. Every
/// request is idempotent at the hub, and only the request whose answer was lost goes again, so nothing
/// acknowledged is sent twice. The budget is counted in drops, not in time: a transfer that moves is
/// never given up on here (only the transport's silence deadline ends one), and a run that gets
/// answers between drops keeps going. It ends when one request has dropped `maxAttempts` times in a
/// row, or when the run has had `maxDropsWithoutAnswer` drops with no answer at all in between (two
/// requests in flight count a drop each): then the link is down rather than dropping, and the next run
/// comes after the caller's backoff.
public struct DropRetry: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        /// Send the request again at once, on a new connection.
        case again
        /// End the run as a link failure, for this reason.
        case giveUp(String)
    }

    /// Tries of one request, the first included.
    public static let defaultMaxAttempts = 4
    /// Drops in a run with no answer in between.
    public static let defaultMaxDropsWithoutAnswer = 6

    public let maxAttempts: Int
    public let maxDropsWithoutAnswer: Int
    /// Drops since the run last got an answer.
    public private(set) var dropsWithoutAnswer = 0

    public init(
        maxAttempts: Int = DropRetry.defaultMaxAttempts,
        maxDropsWithoutAnswer: Int = DropRetry.defaultMaxDropsWithoutAnswer
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.maxDropsWithoutAnswer = max(1, maxDropsWithoutAnswer)
    }

    /// Whether an exchange of this run has completed: the link was up in this run.
    public private(set) var hadAnswer = false

    /// An exchange of the run completed: the link works, whatever dropped before.
    public mutating func answered() {
        dropsWithoutAnswer = 0
        hadAnswer = true
    }

    /// The `attempt`-th try of a request could not connect (or its handshake failed). Before any answer
    /// in the run, the link is down: the run ends at once, as it always did. After one, the link was up
    /// a moment ago and a silent drop freezes a connection that was opening as well as those open: it
    /// counts as a drop.
    public mutating func failedToConnect(attempt: Int) -> Decision {
        guard hadAnswer else { return .giveUp("hub tidak bisa dihubungi") }
        return dropped(attempt: attempt)
    }

    /// The `attempt`-th try of a request (from 1) dropped: whether it goes again.
    public mutating func dropped(attempt: Int) -> Decision {
        dropsWithoutAnswer += 1
        if attempt >= maxAttempts {
            return .giveUp("permintaan terputus \(attempt) kali berturut-turut")
        }
        if dropsWithoutAnswer >= maxDropsWithoutAnswer {
            return .giveUp("\(dropsWithoutAnswer) kali terputus tanpa satu jawaban pun")
        }
        return .again
    }
}
