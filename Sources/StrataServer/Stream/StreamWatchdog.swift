import NIOCore
import Synchronization

/// Drops WebSocket connections whose socket has accepted nothing for `stallTimeout` while a
/// frame waits to go out (shorter, `closeTimeout`, once the server is shutting down or the
/// connection has queued its close).
///
/// Why it exists: frames for a client that never reads wait for good once the kernel and
/// NIO buffers are full, and the ping and close frames (`StreamSocket`) wait behind them.
/// Closing the channel drops them and ends the connection. One
/// watchdog scans every connection, rather than a timer task per connection, to keep an
/// idle connection small.
final class StreamWatchdog: Sendable {
    /// Since when the connection's frames have been waiting for a full socket (nanoseconds
    /// on `clock`), 0 when none is.
    final class Writes: Sendable {
        private let since = Atomic<Int64>(0)
        fileprivate let clock: StreamWatchdog

        fileprivate init(clock: StreamWatchdog) { self.clock = clock }

        /// The socket stopped taking bytes while frames wait (`StreamFrameWriter`); an
        /// earlier mark is kept, so the stall counts from when it began.
        func markBlocked() {
            _ = since.compareExchange(expected: 0, desired: clock.nanosecondsNow(), ordering: .relaxed)
        }

        /// The socket takes bytes again, or nothing waits.
        func markFlowing() {
            since.store(0, ordering: .relaxed)
        }

        fileprivate var pendingSince: Int64 { since.load(ordering: .relaxed) }
    }

    private struct Entry {
        var writes: Writes
        var channel: any Channel
        var state: StreamChannelState
        var closing: @Sendable () -> Bool
    }

    let settings: StreamSettings
    private let start = ContinuousClock.now
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    init(settings: StreamSettings) {
        self.settings = settings
    }

    /// `closing` says whether the connection's own side has queued a close frame.
    func register(channel: any Channel, state: StreamChannelState,
                  closing: @escaping @Sendable () -> Bool = { false }) -> Writes {
        let writes = Writes(clock: self)
        entries.withLock {
            $0[ObjectIdentifier(writes)] = Entry(writes: writes, channel: channel, state: state, closing: closing)
        }
        return writes
    }

    func unregister(_ writes: Writes) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(writes)) }
    }

    var count: Int { entries.withLock { $0.count } }

    /// Scans until cancelled. The period is a quarter of the shorter limit (at most 1 s), so
    /// a stall is acted on within 25% of its limit.
    func run() async {
        let shortest = min(settings.stallTimeout, settings.closeTimeout)
        let period = min(.seconds(1), shortest / 4)
        while !Task.isCancelled {
            do { try await Task.sleep(for: period) } catch { return }
            scan()
        }
    }

    /// Closes every stalled connection; returns how many.
    @discardableResult func scan() -> Int {
        let now = nanosecondsNow()
        let stalled = entries.withLock { entries -> [any Channel] in
            var out: [any Channel] = []
            for (key, entry) in entries {
                let since = entry.writes.pendingSince
                guard since != 0 else { continue }
                // A close frame queued behind a stalled write (a slow consumer's, say) gets
                // the close timeout: the client has had its chance to read.
                let closing = entry.state.isShuttingDown || entry.closing()
                let limit = closing ? settings.closeTimeout : settings.stallTimeout
                if Duration.nanoseconds(now - since) >= limit {
                    out.append(entry.channel)
                    entries.removeValue(forKey: key)
                }
            }
            return out
        }
        for channel in stalled { channel.close(mode: .all, promise: nil) }
        return stalled.count
    }

    /// Never 0 (0 means "no write pending").
    fileprivate func nanosecondsNow() -> Int64 {
        let elapsed = (ContinuousClock.now - start).components
        return elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000 + 1
    }
}
