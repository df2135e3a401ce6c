import Synchronization

/// The bounded queue between a connection's reader and its committer. The reader waits
/// when it is full, so a broker sending faster than the WAL syncs is slowed by TCP rather
/// than by memory; the committer takes everything queued at once, which is what lets one
/// fsync acknowledge many messages.
final class MQTTInbox: Sendable {
    private struct State {
        var items: [MQTTMessage] = []
        var bytes = 0
        var finished = false
        var taker: CheckedContinuation<Void, Never>?
        var putters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    let maxMessages: Int
    let maxBytes: Int

    /// 4,096 messages or 32 MiB of payload: far above a broker's in-flight window for
    /// QoS 1 (mosquitto's `max_inflight_messages` is 20, AWS IoT Core's 100), so only
    /// QoS 0 floods ever wait, and a few seconds of them at most at one fsync a batch.
    init(maxMessages: Int = 4_096, maxBytes: Int = 32 << 20) {
        self.maxMessages = maxMessages
        self.maxBytes = maxBytes
    }

    /// Queues `message`, first waiting while the inbox is full. Dropped once finished.
    func put(_ message: MQTTMessage) async {
        while true {
            let full: Bool = state.withLock { s in
                if s.finished { return false }
                guard s.items.isEmpty || (s.items.count < maxMessages && s.bytes < maxBytes) else { return true }
                s.items.append(message)
                // An oversized message's bytes were skipped, not kept.
                s.bytes += message.tooLarge ? 0 : message.payloadBytes
                let taker = s.taker
                s.taker = nil
                taker?.resume()
                return false
            }
            guard full else { return }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { s in
                    if s.finished || s.items.count < maxMessages && s.bytes < maxBytes { return true }
                    s.putters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Everything queued, waiting for at least one message; nil once finished and empty.
    func takeAll() async -> [MQTTMessage]? {
        while true {
            let taken: [MQTTMessage]?? = state.withLock { s in
                if !s.items.isEmpty {
                    let items = s.items
                    s.items = []
                    s.bytes = 0
                    let putters = s.putters
                    s.putters = []
                    for putter in putters { putter.resume() }
                    return .some(items)
                }
                return s.finished ? .some(nil) : nil
            }
            if let taken { return taken }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { s in
                    if !s.items.isEmpty || s.finished { return true }
                    s.taker = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    /// No more messages: the taker gets what is left, then nil; waiting putters return.
    func finish() {
        let (taker, putters) = state.withLock { s in
            s.finished = true
            defer { s.taker = nil; s.putters = [] }
            return (s.taker, s.putters)
        }
        taker?.resume()
        for putter in putters { putter.resume() }
    }
}
