import Logging
import NIOCore
import Synchronization

/// Every open TCP connection of one server, for `maxConnections`
/// (docs/limits-connections.md, "Maximum connections").
///
/// Why not HummingbirdCore's `MaximumAvailableConnections`: it stops accepting when full, so
/// new connections wait in the listen backlog, then in SYN retries, and a health check
/// (`/ping`) is locked out for as long as 1,000 slow sockets hold their slots. Here every
/// connection is accepted; when full, the oldest connection that is only waiting for a
/// request head (idle keep-alive, or a head still trickling in) is closed to make room, and
/// only when none is left (every slot answering a request or carrying a WebSocket) is the
/// new one answered 503 and closed. The count stays below the file-descriptor limit, so
/// accept never meets EMFILE and the listener keeps draining.
final class ConnectionTable: Sendable {
    enum Admission {
        case admitted(evicting: ConnectionSlot?)
        case refused
    }

    /// 0: no limit.
    let maxConnections: Int
    let metrics: StrataMetrics
    let logger: Logger
    /// Told of every close.
    let trimmer: MemoryTrimmer?
    private let state = Mutex(State())

    private struct State {
        var slots: [ObjectIdentifier: ConnectionSlot] = [:]
        var lastWarning: ContinuousClock.Instant?
    }

    /// At most one warning a minute that the table is full.
    static let warningInterval = Duration.seconds(60)

    init(maxConnections: Int, metrics: StrataMetrics, logger: Logger, trimmer: MemoryTrimmer? = nil) {
        self.maxConnections = maxConnections
        self.metrics = metrics
        self.logger = logger
        self.trimmer = trimmer
    }

    var count: Int { state.withLock { $0.slots.count } }

    /// Counts `slot` in (every accepted connection is counted until it closes, a refused
    /// one too while its 503 goes out) and decides whether it may stay. Eviction scans the
    /// table, which costs a few microseconds per thousand connections, only when full.
    func admit(_ slot: ConnectionSlot, now: ContinuousClock.Instant = .now) -> Admission {
        let (admission, warn, open) = state.withLock { s -> (Admission, Bool, Int) in
            defer { s.slots[ObjectIdentifier(slot)] = slot }
            guard maxConnections > 0, s.slots.count >= maxConnections else { return (.admitted(evicting: nil), false, 0) }
            var warn = false
            if s.lastWarning.map({ now - $0 >= Self.warningInterval }) ?? true {
                s.lastWarning = now
                warn = true
            }
            // A candidate may start a request between the scan and its eviction: then the
            // next oldest is tried, a few times at most.
            var skipped = Set<ObjectIdentifier>()
            for _ in 0..<4 {
                var victim: ConnectionSlot?
                var oldest: ContinuousClock.Instant?
                for (key, candidate) in s.slots where !skipped.contains(key) {
                    guard let since = candidate.evictableSince else { continue }
                    if oldest.map({ since < $0 }) ?? true {
                        victim = candidate
                        oldest = since
                    }
                }
                guard let victim else { break }
                if victim.beginEviction() { return (.admitted(evicting: victim), warn, s.slots.count) }
                skipped.insert(ObjectIdentifier(victim))
            }
            return (.refused, warn, s.slots.count)
        }
        metrics.openConnections.increment()
        if warn {
            let action: Logger.Message = if case .refused = admission {
                "connection limit reached: every connection is busy, new ones are answered 503"
            } else {
                "connection limit reached: closing idle connections to admit new ones"
            }
            logger.warning(action, metadata: ["open": "\(open)", "limit": "\(maxConnections)"])
        }
        return admission
    }

    /// The connection closed.
    func remove(_ slot: ConnectionSlot) {
        let removed = state.withLock { $0.slots.removeValue(forKey: ObjectIdentifier(slot)) != nil }
        guard removed else { return }
        metrics.openConnections.decrement()
        trimmer?.connectionClosed()
    }
}
