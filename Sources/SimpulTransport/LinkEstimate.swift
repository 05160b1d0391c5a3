import Foundation

/// What a transport learned of the link from its completed exchanges, to size its deadlines from.
struct LinkEstimate {
    /// The quickest TCP connect seen: about one round trip.
    var roundTrip: Double?
    /// The last TCP and TLS handshake of a new connection.
    var handshake: Double?
    /// The link's rate, from the last exchange that moved enough bytes to tell.
    var bytesPerSecond: Double?
    /// Multiplies the wait for an answer; doubles each time such a wait is given up on, up to 8.
    var patience = 1.0

    struct Limits {
        var silence: Double
        var answerWait: Double
        var connect: Double
    }

    func limits(silence: Double, requestBytes: Int, connectTimeout: Double) -> Limits {
        let rate = bytesPerSecond ?? CurlTransport.assumedBytesPerSecond
        let rtt = roundTrip ?? 0
        // The request's bytes may sit in buffers between here and the hub (libcurl sees them as sent
        // once the kernel took them), so the answer can only begin after they crossed, a round trip
        // later; 1 KB more for the signed headers.
        let answerWait = (silence + Double(requestBytes + 1024) / rate + rtt) * patience
        let connect = handshake.map { min(connectTimeout, silence + 2 * $0) } ?? connectTimeout
        return Limits(silence: max(silence, 4 * rtt), answerWait: answerWait, connect: connect)
    }

    mutating func gaveUpWaiting() { patience = min(8, patience * 2) }

    /// Learns from a completed exchange: libcurl's timings (seconds from the start; the connect
    /// times are 0 on a reused connection) and the body bytes each way.
    mutating func learn(
        connect: Double, handshake: Double, pretransfer: Double, firstByte: Double, total: Double, sent: Int,
        received: Int
    ) {
        patience = 1
        if connect > 0 { roundTrip = min(roundTrip ?? connect, connect) }
        if handshake > 0 { self.handshake = handshake }
        // Underestimates are safe (a longer wait): the download's bytes arrive at the link's rate once
        // the first is here; the upload took at least its bytes at that rate before the round trip.
        var samples: [Double] = []
        if received >= 2048, total - firstByte > 0.05 { samples.append(Double(received) / (total - firstByte)) }
        let upload = firstByte - pretransfer - (roundTrip ?? 0)
        if sent >= 2048, upload > 0.05 { samples.append(Double(sent) / upload) }
        if let best = samples.max() { bytesPerSecond = best }
    }
}
