import NIOCore
import StrataCore

extension LiveConnection {
    var engine: StorageEngine { hub.engine }

    /// History (if the start asks for it), then catch-up from the history's sequence to the
    /// fan-out's position, then registration: every batch after the history's sequence
    /// reaches the client exactly once, in sequence order.
    func startRaw(_ request: SubscribeRequest, shape: SubscriptionShape) async throws {
        let id = request.id
        switch request.start {
        case .now:
            let registered = hub.registerNow({ cursor in
                Subscription(id: id, connection: self, shape: shape, policy: request.policy, cursor: cursor)
            }, attach: { subscription in
                attach(subscription, messages: [LiveMessage.subscribed(id: id, seq: subscription.cursor, fallbackTime: false),
                                                LiveMessage.live(id: id, seq: subscription.cursor)])
            })
            if registered == nil { throw CancellationError() }
        case .time(let t):
            try await replay(request, shape: shape, range: t...Int64.max, fallback: false)
        case .last(let n):
            let (series, sequence) = try await lastRows(shape, count: n)
            try await sendHistory(id, series: series, sequence: sequence, shape: shape, fallback: false)
            try await catchUp(request, shape: shape, from: sequence)
        case .sequence(let n, let fallbackTime):
            let applied = engine.appliedSequence
            guard n <= applied else {
                throw LiveProtocolError("\"start\": seq \(n) is ahead of the server's latest sequence \(applied)")
            }
            if try await engine.readChanges(after: n, limit: 1) == nil {
                guard let t = fallbackTime else {
                    throw LiveProtocolError("\"start\": seq \(n) is older than the retained WAL; "
                        + "resubscribe with {\"seq\":\(n),\"time\":<ns>} to replay history from a time instead")
                }
                return try await replay(request, shape: shape, range: t...Int64.max, fallback: true)
            }
            try await sendWaiting(LiveMessage.subscribed(id: id, seq: n, fallbackTime: false), for: id, position: n)
            try await sendWaiting(LiveMessage.live(id: id, seq: n), for: id) { $0.phase = .live }
            try await catchUp(request, shape: shape, from: n)
        }
    }

    private func replay(_ request: SubscribeRequest, shape: SubscriptionShape, range: ClosedRange<Int64>,
                        fallback: Bool) async throws {
        let (series, sequence) = try await engine.snapshotScan(database: shape.store, measurement: shape.measurement,
                                                         where: shape.predicate, fields: shape.scanFields, range: range)
        try await sendHistory(request.id, series: series, sequence: sequence, shape: shape, fallback: fallback)
        try await catchUp(request, shape: shape, from: sequence)
    }

    /// `subscribed`, the history in bounded chunks (all with the snapshot's sequence, which
    /// is not a resume point until `live`), then `live`.
    private func sendHistory(_ id: String, series: [SeriesRows], sequence: UInt64, shape: SubscriptionShape,
                             fallback: Bool) async throws {
        try await sendWaiting(LiveMessage.subscribed(id: id, seq: sequence, fallbackTime: fallback), for: id)
        var chunker = HistoryChunker(formatter: shape.formatter)
        for s in series {
            for chunk in chunker.add(s) {
                let message = LiveMessage.data(prefix: LiveMessage.dataPrefix(id: id, seq: sequence, extra: "\"history\":true,"),
                                               tail: chunk.tail)
                try await sendWaiting(message, for: id, points: chunk.points)
            }
        }
        if let chunk = chunker.finish() {
            let message = LiveMessage.data(prefix: LiveMessage.dataPrefix(id: id, seq: sequence, extra: "\"history\":true,"),
                                           tail: chunk.tail)
            try await sendWaiting(message, for: id, points: chunk.points)
        }
        try await sendWaiting(LiveMessage.live(id: id, seq: sequence), for: id, position: sequence) { $0.phase = .live }
    }

    /// Follows the change feed from `cursor` on this task until it reaches the fan-out's
    /// position, then registers (under the hub's lock, iff still there).
    private func catchUp(_ request: SubscribeRequest, shape: SubscriptionShape, from start: UInt64) async throws {
        let id = request.id
        var cursor = start
        while true {
            let subscription = Subscription(id: id, connection: self, shape: shape, policy: request.policy, cursor: cursor)
            switch hub.register(subscription, attach: { attach($0, messages: []) }) {
            case .registered: return
            case .gone: throw CancellationError()
            case .behind: break
            }
            try Task.checkCancellation()
            let reached = hub.dispatchedSequence
            guard let batches = try await engine.readChanges(after: cursor, limit: LiveHub.feedBatchLimit) else {
                throw LiveProtocolError("fell behind the retained WAL while catching up from seq \(cursor); "
                    + "resubscribe with {\"time\":…}")
            }
            guard let last = batches.last else {
                // No batch after the cursor up to what the fan-out has taken: only deletes
                // (which are not batches) lie between.
                cursor = max(cursor, reached)
                continue
            }
            for batch in batches {
                guard let encoded = shape.encode(batch) else { continue }
                let message = LiveMessage.data(prefix: LiveMessage.dataPrefix(id: id, seq: batch.sequence), tail: encoded.tail)
                try await sendWaiting(message, for: id, points: encoded.points, position: batch.sequence)
            }
            cursor = last.sequence
        }
    }

    /// Records the registration in the subscription's state (under the hub's lock, before
    /// the fan-out can deliver to it) and queues `messages` first; false if it is gone.
    func attach(_ subscription: Subscription, messages: [ByteBuffer]) -> Bool {
        let now = configuration.clock.now()
        let handoff = state.withLock { s -> Handoff?? in
            guard !s.closing, s.subscriptions[subscription.id] != nil else { return .none }
            s.subscriptions[subscription.id]!.registration = subscription
            s.subscriptions[subscription.id]!.phase = .live
            s.subscriptions[subscription.id]!.position = max(s.subscriptions[subscription.id]!.position, subscription.cursor)
            var handoff: Handoff?
            for message in messages {
                let h = s.enqueue(.text(message), at: now)
                if handoff == nil { handoff = h }
            }
            return .some(handoff)
        }
        guard let handoff else { return false }
        handoff?.resume()
        return true
    }

    /// The last `count` rows per series: scans a window ending now, widening it (doubling)
    /// until every matching series has `count` rows in it or the window holds all time, so
    /// a recent tail never costs a scan of all history.
    private func lastRows(_ shape: SubscriptionShape, count: Int) async throws -> ([SeriesRows], UInt64) {
        let expected = engine.seriesKeys(database: shape.store, measurement: shape.measurement,
                                         where: shape.predicate).count
        var span: Int64 = 60_000_000_000
        let now = configuration.clock.now()
        while true {
            let from = span >= Int64.max / 4 ? Int64.min : now &- span
            let (series, sequence) = try await engine.snapshotScan(
                database: shape.store, measurement: shape.measurement, where: shape.predicate,
                fields: shape.scanFields, range: from...Int64.max)
            let trimmed = series.map { $0.suffix(count, formatter: shape.formatter) }
            let enough = series.count >= expected && trimmed.allSatisfy { $0.count >= count }
            if enough || from == Int64.min { return (trimmed, sequence) }
            span = span > Int64.max / 8 ? Int64.max : span * 8
        }
    }
}
