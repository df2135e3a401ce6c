import NIOCore

/// What a connection's lock guards.
struct ConnectionState: Sendable {
    var queue = OutboundQueue()
    /// The transport's writer, once attached; nil again after the socket ended.
    var sink: (any OutboundSink)?
    /// The writer was told of queued messages and has not yet found the queue empty.
    var drainScheduled = false
    /// History producers waiting for queue space.
    var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    /// A close is queued (or the socket ended): nothing more is queued.
    var closing = false
    /// The close was popped or the socket ended: `popOutbound` returns nil for good.
    var finished = false
    var subscriptions: [String: SubscriptionState] = [:]
    /// Subscription ids, oldest first.
    var order: [String] = []
    var lastActive: Int64
    var pointsSent = 0
    var conflated = 0
    /// Messages dropped at a close (queued but never sent).
    var dropped = 0

    init(now: Int64) {
        lastActive = now
    }

    /// Whether a message of `size` bytes would overflow the bounds. An empty queue takes
    /// any message, so a batch bigger than the byte bound is still delivered.
    func isFull(adding size: Int, _ configuration: LiveConfiguration) -> Bool {
        !queue.isEmpty && (queue.count >= configuration.maxQueuedMessages
            || queue.bytes + size > configuration.maxQueuedBytes)
    }

    /// Whether the oldest queued message has waited longer than `maxQueueDelay`: the
    /// writer is far behind (a client that reads too slowly, or a server out of CPU).
    func isLagging(now: Int64, _ configuration: LiveConfiguration) -> Bool {
        guard let oldest = queue.oldestQueuedAt else { return false }
        return now &- oldest > configuration.maxQueueDelay
    }

    /// Queues `item` (at `now`, the live clock's time); returns the writer's wake-up when
    /// it is not already draining, for the caller to resume outside the lock.
    mutating func enqueue(_ item: LiveOutbound, at now: Int64) -> Handoff? {
        queue.push(item, at: now)
        return scheduleDrain()
    }

    /// The writer's wake-up, unless it has one outstanding or none is attached.
    mutating func scheduleDrain() -> Handoff? {
        guard let sink, !drainScheduled, !queue.isEmpty else { return nil }
        drainScheduled = true
        return Handoff(sink: sink)
    }

    /// Stops queueing, drops what is queued and queues the close; returns what the caller
    /// must release outside the lock.
    mutating func close(code: UInt16, reason: String, at now: Int64) -> Released {
        var released = Released()
        guard !closing else { return released }
        closing = true
        dropped += queue.count
        queue.removeAll()
        released.handoff = enqueue(.close(code: code, reason: reason), at: now)
        released.merge(releaseSubscriptions())
        return released
    }

    /// Empties the subscriptions: their registrations and tasks, and the space waiters.
    mutating func releaseSubscriptions() -> Released {
        var released = Released()
        for (_, subscription) in subscriptions {
            if let registration = subscription.registration { released.registrations.append(registration) }
            if let task = subscription.task { released.tasks.append(task) }
        }
        subscriptions = [:]
        order = []
        released.spaceWaiters = spaceWaiters
        spaceWaiters = []
        return released
    }
}
