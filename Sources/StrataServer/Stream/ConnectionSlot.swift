import NIOCore
import Synchronization

/// One accepted TCP connection as the connection limits see it (docs/limits-connections.md):
/// whether it is waiting for a request head, answering one, upgraded to a WebSocket or being
/// closed, and since when. Shared by the connection's `ConnectionGuard` (bytes, timers),
/// the responder and upgrade hooks (request start and end) and the `ConnectionTable`
/// (eviction), which run on different threads: every transition is made under its lock.
final class ConnectionSlot: Sendable {
    enum Phase: Sendable, Equatable {
        /// No complete request head yet: since accept, or since the last response ended.
        case awaitingHead
        /// A request is being answered, or its upgrade decided.
        case busy
        /// A WebSocket: the stream's pings and stall watchdog govern it.
        case upgraded
        /// Being closed by the guard (refused, timed out, evicted, malformed head).
        case closing
    }

    struct State: Sendable {
        var phase = Phase.awaitingHead
        /// When the current wait for a head began.
        var since: ContinuousClock.Instant
        /// The first byte of the awaited head, if one came.
        var firstByte: ContinuousClock.Instant?
        /// No request has started yet (the header timeout counts from accept).
        var isFirstRequest = true
        var requestsInFlight = 0
        var head = HeadScan()
        /// Bumped whenever a header timer is armed and whenever a request starts or ends, so
        /// an older timer finds it stale.
        var generation = 0
    }

    /// Finds the end of a request head in the bytes as they arrive (the blank line after
    /// the headers), on the event loop: waiting for the responder to be called instead
    /// would count the time a busy server takes to get to the request against the client.
    struct HeadScan: Sendable {
        /// A byte other than CR or LF came (empty lines before a request line are ignored).
        var started = false
        var atLineStart = false
        var complete = false

        mutating func feed(_ buffer: ByteBuffer) {
            buffer.withUnsafeReadableBytes { bytes in
                for byte in bytes {
                    switch byte {
                    case UInt8(ascii: "\n"):
                        guard started else { continue }
                        if atLineStart {
                            complete = true
                            return
                        }
                        atLineStart = true
                    case UInt8(ascii: "\r"):
                        continue
                    default:
                        started = true
                        atLineStart = false
                    }
                }
            }
        }
    }

    let channel: any Channel
    let headerTimeout: Duration
    private let state: Mutex<State>
    /// The client closed its side of the connection (EOF) while a request ran.
    private let inputClosedWhileBusy = Atomic<Bool>(false)

    init(channel: any Channel, headerTimeout: Duration, now: ContinuousClock.Instant = .now) {
        self.channel = channel
        self.headerTimeout = headerTimeout
        state = Mutex(State(since: now))
        Self.registry.withLock { $0[ObjectIdentifier(channel)] = WeakSlot(slot: self) }
    }

    deinit {
        let id = ObjectIdentifier(channel)
        Self.registry.withLock { slots in
            if slots[id]?.slot == nil || slots[id]?.slot === self { slots[id] = nil }
        }
    }

    // MARK: The client's side closed

    /// Notes that the client closed its side (EOF) while a request of this connection ran.
    func inputClosedWhileRequestRuns() {
        inputClosedWhileBusy.store(true, ordering: .releasing)
    }

    /// Whether the client closed its side while a request ran: a query stops then, as Go's
    /// server cancels a request's context on EOF, while the answer is still written (a
    /// client that half-closes after sending, like `nc -N`, still gets it).
    var clientClosedInput: Bool { inputClosedWhileBusy.load(ordering: .acquiring) }

    private struct WeakSlot {
        weak var slot: ConnectionSlot?
    }

    /// Every live connection's slot by its channel, so a handler holding only the channel
    /// (the request context's) finds it.
    private static let registry = Mutex<[ObjectIdentifier: WeakSlot]>([:])

    /// The slot of `channel`, if the server's connection guard made one.
    static func of(_ channel: any Channel) -> ConnectionSlot? {
        registry.withLock { $0[ObjectIdentifier(channel)]?.slot }.flatMap { $0.channel === channel ? $0 : nil }
    }

    var phase: Phase { state.withLock { $0.phase } }

    /// A head was received (the responder was called, or an upgrade is being decided).
    func requestStarted() {
        state.withLock { s in
            s.requestsInFlight += 1
            s.isFirstRequest = false
            s.generation += 1
            if s.phase == .awaitingHead { s.phase = .busy }
        }
    }

    /// A response was written: with no other request in flight the connection waits for
    /// the next head (Hummingbird's idle timeout runs until its first byte).
    func requestEnded(now: ContinuousClock.Instant = .now) {
        state.withLock { s in
            s.requestsInFlight = max(0, s.requestsInFlight - 1)
            guard s.requestsInFlight == 0, s.phase == .busy else { return }
            s.phase = .awaitingHead
            s.since = now
            s.firstByte = nil
            s.head = HeadScan()
            s.generation += 1
        }
    }

    func upgraded() {
        state.withLock { s in
            if s.phase != .closing { s.phase = .upgraded }
        }
    }

    /// The header timer to arm at accept: its deadline and generation.
    func firstDeadline() -> (deadline: ContinuousClock.Instant, generation: Int) {
        state.withLock { s in
            s.generation += 1
            return (s.since + headerTimeout, s.generation)
        }
    }

    /// Bytes arrived. Returns a header timer to arm when they begin a later request's head
    /// (the first request's timer runs from accept).
    func bytesArrived(_ buffer: ByteBuffer, now: ContinuousClock.Instant = .now)
        -> (deadline: ContinuousClock.Instant, generation: Int)?
    {
        state.withLock { s in
            guard s.phase == .awaitingHead, !s.head.complete else { return nil }
            s.head.feed(buffer)
            guard s.firstByte == nil, s.head.started else { return nil }
            s.firstByte = now
            guard !s.isFirstRequest, !s.head.complete else { return nil }
            s.generation += 1
            return (now + headerTimeout, s.generation)
        }
    }

    /// A header timer fired: true (and the slot is now closing) when the head it waited for
    /// has still not come; `sentBytes` tells whether part of one did.
    func headerTimerFired(generation: Int) -> (expired: Bool, sentBytes: Bool) {
        state.withLock { s in
            guard s.phase == .awaitingHead, !s.head.complete, s.generation == generation else { return (false, false) }
            s.phase = .closing
            return (true, s.firstByte != nil)
        }
    }

    /// When it became evictable (waiting for a head that has not fully come), or nil.
    var evictableSince: ContinuousClock.Instant? {
        state.withLock { $0.phase == .awaitingHead && !$0.head.complete ? $0.since : nil }
    }

    /// Marks the slot closing if it still waits for a head; false if it has moved on.
    func beginEviction() -> Bool {
        state.withLock { s in
            guard s.phase == .awaitingHead, !s.head.complete else { return false }
            s.phase = .closing
            return true
        }
    }

    /// Whether part of a head was received: a closed connection is answered 408 only then.
    var sentPartialHead: Bool { state.withLock { $0.firstByte != nil } }

    /// Marks the slot closing; returns what it was doing.
    @discardableResult func beginClosing() -> Phase {
        state.withLock { s in
            defer { s.phase = .closing }
            return s.phase
        }
    }
}
