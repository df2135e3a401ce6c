import NIOCore
import StrataQuery
import Synchronization

/// One WebSocket connection's side of the hub. The transport attaches its writer, feeds
/// the connection each text message, writes out whatever `popOutbound` yields when the
/// writer is told to, and calls `transportClosed` when the socket ends (for any reason).
/// The writer must not wait for `receive`: a subscription's history waits for queue
/// space, which only `popOutbound` makes.
public final class LiveConnection: Sendable {
    public let id: String
    let hub: LiveHub
    let info: ConnectionInfo
    let principal: Principal
    /// Computes this connection's `every` windows, as `/query` would for its token: the
    /// executor checks and narrows each statement to the same principal.
    let executor: QueryExecutor
    let connectedAt: Int64
    let state: Mutex<ConnectionState>

    init(id: String, hub: LiveHub, info: ConnectionInfo, principal: Principal, connectedAt: Int64) {
        self.id = id
        self.hub = hub
        self.info = info
        self.principal = principal
        executor = QueryExecutor(engine: hub.engine, principal: principal.query, observer: hub.configuration.statementObserver)
        self.connectedAt = connectedAt
        state = Mutex(ConnectionState(now: connectedAt))
    }

    var configuration: LiveConfiguration { hub.configuration }

    /// One client message (a JSON object, docs/websocket-protocol.md). Replies and data go
    /// to the outbound queue.
    public func receive(_ text: String) {
        let now = configuration.clock.now()
        state.withLock { $0.lastActive = now }
        let message: ClientMessage
        do {
            message = try ClientMessage.parse(text)
        } catch {
            return send(LiveMessage.error(error.message, id: error.id))
        }
        switch message {
        case .ping: send(LiveMessage.pong)
        case .unsubscribe(let id): unsubscribe(id)
        case .subscribe(let request): subscribe(request)
        }
    }

    /// Connects the transport's writer (once, before the first `receive`); it is told when
    /// messages are queued (see `OutboundSink` for the call order).
    func attach(_ sink: any OutboundSink) {
        let wake = state.withLock { s -> Handoff? in
            guard !s.finished else { return nil }
            s.sink = sink
            return s.scheduleDrain()
        }
        wake?.resume()
    }

    /// The oldest queued message, or nil when none is (the sink is then told of the next
    /// one). A popped `.close` is the last message; nil for good after it.
    func popOutbound() -> LiveOutbound? {
        let (item, wake) = state.withLock { s -> (LiveOutbound?, [CheckedContinuation<Void, Never>]) in
            guard !s.finished, let item = takeNext(&s) else {
                s.drainScheduled = false
                return (nil, [])
            }
            defer { s.spaceWaiters = [] }
            return (item, s.spaceWaiters)
        }
        for waiter in wake { waiter.resume() }
        return item
    }

    /// The close was popped or the socket ended.
    var isFinished: Bool { state.withLock { $0.finished } }

    /// The socket ended: drops everything queued and every subscription.
    public func transportClosed() {
        let released = state.withLock { s -> Released in
            s.closing = true
            s.finished = true
            s.dropped += s.queue.count
            s.queue.removeAll()
            // Breaks the cycle connection → writer → connection.
            s.sink = nil
            return s.releaseSubscriptions()
        }
        release(released)
        hub.remove(self)
    }

    /// Queues a close frame (admin kick, slow consumer, shutdown); later messages are dropped.
    func close(code: UInt16, reason: String) {
        let now = configuration.clock.now()
        release(state.withLock { $0.close(code: code, reason: reason, at: now) })
    }

    /// Pops the next message; a popped close finishes the connection, and an emptied queue
    /// lets lagging subscriptions send what they conflated.
    private func takeNext(_ s: inout ConnectionState) -> LiveOutbound? {
        guard let item = s.queue.pop() else { return nil }
        if case .close = item { s.finished = true }
        if s.queue.isEmpty && !s.closing { flushConflated(&s) }
        return item
    }

    /// Queues a reply regardless of the bounds (one per client request); a client that
    /// sends requests without reading replies is a slow consumer once the queue holds twice
    /// its bound.
    func send(_ buffer: ByteBuffer) {
        let now = configuration.clock.now()
        let released = state.withLock { s -> Released in
            guard !s.closing else { return Released() }
            if s.queue.count >= 2 * configuration.maxQueuedMessages {
                return s.close(code: LiveCloseCode.slowConsumer, reason: "slow consumer: replies are not being read", at: now)
            }
            return Released(handoff: s.enqueue(.text(buffer), at: now))
        }
        release(released)
    }

    /// Resumes and unregisters what a state change released, outside the lock.
    func release(_ released: Released) {
        released.handoff?.resume()
        for task in released.tasks { task.cancel() }
        for waiter in released.spaceWaiters { waiter.resume() }
        for registration in released.registrations { hub.unregister(registration) }
    }
}
