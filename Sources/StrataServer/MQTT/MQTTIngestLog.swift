import Logging
import Synchronization

/// The ingest's warnings about messages, at most one a second of each kind: a device
/// publishing garbage at a thousand messages a second must not drown the log. The
/// counters of `MQTTMetrics` count every one.
final class MQTTIngestLog: Sendable {
    enum Kind: Int, CaseIterable, Sendable {
        case unmatched, invalid, refused, tooLarge, headFull
    }

    let logger: Logger
    private let last: Mutex<[Kind: (at: ContinuousClock.Instant, suppressed: Int)]>
    let interval: Duration

    init(logger: Logger, interval: Duration = .seconds(1)) {
        self.logger = logger
        self.interval = interval
        last = Mutex([:])
    }

    func problem(_ kind: Kind, topic: String, _ reason: String) {
        guard let suppressed = admit(kind) else { return }
        var metadata: Logger.Metadata = ["topic": .string(topic), "reason": .string(reason)]
        if suppressed > 0 { metadata["suppressed"] = .stringConvertible(suppressed) }
        logger.warning("mqtt message \(Self.verb(kind))", metadata: metadata)
    }

    func headFull() {
        guard admit(.headFull) != nil else { return }
        logger.warning("mqtt ingest waits: the head is full until a flush frees memory (cache-max-memory-size)")
    }

    /// The number of warnings of `kind` left out since the last one, or nil to leave this one out.
    private func admit(_ kind: Kind) -> Int? {
        let now = ContinuousClock.now
        return last.withLock { last in
            if let previous = last[kind], now - previous.at < interval {
                last[kind]?.suppressed += 1
                return nil
            }
            let suppressed = last[kind]?.suppressed ?? 0
            last[kind] = (now, 0)
            return suppressed
        }
    }

    private static func verb(_ kind: Kind) -> String {
        switch kind {
        case .unmatched: "unmatched"
        case .invalid: "invalid"
        case .refused: "refused by the engine"
        case .tooLarge: "too large"
        case .headFull: "delayed"
        }
    }
}
