import NIOCore
import StrataQuery
import Synchronization

/// One WebSocket connection's side of the hub. The transport feeds it each text message,
/// writes out whatever `nextOutbound` yields, and calls `transportClosed` when the socket
/// ends (for any reason). `receive` and `nextOutbound` must run on different tasks: a
/// subscription's history waits for queue space, which only `nextOutbound` makes.
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
    public func receive(_ text: String) async {
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

    /// The next message to send; `.close` ends the connection; nil once closed.
    public func nextOutbound() async -> LiveOutbound? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<LiveOutbound?, Never>) in
                let (ready, wake) = state.withLock { s -> (LiveOutbound??, [CheckedContinuation<Void, Never>]) in
                    if let item = takeNext(&s) {
                        let wake = s.spaceWaiters
                        s.spaceWaiters = []
                        return (.some(item), wake)
                    }
                    // Checked under the lock: a cancellation that came before this point
                    // found no reader to resume.
                    if s.finished || Task.isCancelled { return (.some(nil), []) }
                    s.reader = continuation
                    return (nil, [])
                }
                for waiter in wake { waiter.resume() }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let reader = state.withLock { s -> CheckedContinuation<LiveOutbound?, Never>? in
                defer { s.reader = nil }
                return s.reader
            }
            reader?.resume(returning: nil)
        }
    }

    /// The socket ended: drops everything queued and every subscription.
    public func transportClosed() {
        let released = state.withLock { s -> Released in
            s.closing = true
            s.finished = true
            s.dropped += s.queue.count
            s.queue.removeAll()
            var released = s.releaseSubscriptions()
            if let reader = s.reader {
                s.reader = nil
                released.handoff = Handoff(reader: reader, item: nil)
            }
            return released
        }
        release(released)
        hub.remove(self)
    }

    /// Queues a close frame (admin kick, slow consumer, shutdown); later messages are dropped.
    func close(code: UInt16, reason: String) {
        release(state.withLock { $0.close(code: code, reason: reason) })
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
        let released = state.withLock { s -> Released in
            guard !s.closing else { return Released() }
            if s.queue.count >= 2 * configuration.maxQueuedMessages {
                return s.close(code: LiveCloseCode.slowConsumer, reason: "slow consumer: replies are not being read")
            }
            return Released(handoff: s.enqueue(.text(buffer)))
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
