import Logging
import NIOCore
import StrataCore
import StrataQuery
import Synchronization

/// The live subscription hub: connections, their subscriptions, and the one task that
/// follows the engine's change feed and fans each batch out (docs/websocket-protocol.md).
///
/// Ingest never waits on it (the feed keeps batches in memory and the WAL behind it), and
/// it never waits on a client: it only appends to bounded per-connection queues.
public final class LiveHub: Sendable {
    let engine: StorageEngine
    let configuration: LiveConfiguration
    let metrics: StrataMetrics
    let logger: Logger
    let state: Mutex<HubState>
    /// Wakes the window loop: a new `every` subscription or a late point.
    let windowBell = Doorbell()
    /// The last batch whose messages are all on their connections' queues. `dispatched`
    /// moves before the queuing, so that no registration slips between the two; this one
    /// after, without the lock (one store per batch on the fan-out's path).
    let delivered: Atomic<UInt64>

    public init(engine: StorageEngine, configuration: LiveConfiguration = LiveConfiguration(),
                metrics: StrataMetrics, logger: Logger) {
        self.engine = engine
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        state = Mutex(HubState(dispatched: engine.appliedSequence))
        delivered = Atomic(engine.appliedSequence)
    }

    /// Follows the engine's change feed and fans batches out, and closes the windows of
    /// `every` subscriptions, until the task is cancelled.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.followFeed() }
            group.addTask { await self.runWindows() }
            await group.waitForAll()
        }
    }

    /// A new WebSocket connection, after its handshake was accepted for `principal`.
    public func open(_ info: ConnectionInfo, principal: Principal) -> LiveConnection {
        let now = configuration.clock.now()
        let connection = state.withLock { s in
            let id = "c\(s.nextConnectionNumber)"
            s.nextConnectionNumber += 1
            let connection = LiveConnection(id: id, hub: self, info: info, principal: principal, connectedAt: now)
            s.connections[id] = connection
            s.order.append(id)
            return connection
        }
        metrics.connections.increment()
        return connection
    }

    /// The registry, oldest connection first.
    public func connections() -> [ConnectionSnapshot] {
        let open = state.withLock { s in s.order.compactMap { s.connections[$0] } }
        return open.map { $0.snapshot() }
    }

    public func connection(id: String) -> ConnectionSnapshot? {
        state.withLock { $0.connections[id] }?.snapshot()
    }

    /// Closes a connection with `reason` (sent in the close frame, code 4001); false if
    /// there is none.
    @discardableResult public func close(id: String, reason: String) -> Bool {
        guard let connection = state.withLock({ $0.connections[id] }) else { return false }
        connection.close(code: LiveCloseCode.closedByAdmin, reason: reason)
        return true
    }

    /// Closes the connections of a token that was revoked or expired (code 1008); returns
    /// how many.
    @discardableResult public func close(tokenID: String, reason: String = "token revoked or expired") -> Int {
        let matching = state.withLock { s in s.connections.values.filter { $0.principal.tokenID == tokenID } }
        for connection in matching { connection.close(code: LiveCloseCode.policyViolation, reason: reason) }
        return matching.count
    }

    /// Closes every connection (code 1001), for a server shutting down.
    public func closeAll(reason: String = "server shutting down") {
        let open = state.withLock { Array($0.connections.values) }
        for connection in open { connection.close(code: LiveCloseCode.goingAway, reason: reason) }
    }

    /// The sequence the fan-out has reached.
    var dispatchedSequence: UInt64 { state.withLock { $0.dispatched } }

    /// The sequence up to which every message is on its connection's queue: what a test
    /// waits for before it reads the queues.
    var deliveredSequence: UInt64 { delivered.load(ordering: .acquiring) }

    /// Forgets a connection whose socket ended.
    func remove(_ connection: LiveConnection) {
        let removed = state.withLock { s -> Bool in
            guard s.connections.removeValue(forKey: connection.id) != nil else { return false }
            s.order.removeAll { $0 == connection.id }
            return true
        }
        if removed { metrics.connections.decrement() }
    }
}
