import NIOCore

extension LiveConnection {
    /// Checks the request and starts its history-then-live task; refusals go back as an
    /// `error` message with the subscription's id.
    func subscribe(_ request: SubscribeRequest) {
        var shape: SubscriptionShape
        do {
            shape = try SubscriptionShape(request, principal: principal, defaultGrace: configuration.defaultGrace)
        } catch {
            return send(LiveMessage.error(error.message, id: request.id))
        }
        // A device-limited token may not learn which databases exist (docs/auth.md), and its
        // devices may not have written yet: it subscribes to any name and gets data once they
        // write there. Others are told a database is missing.
        guard principal.devices != nil || hub.engine.databaseExists(request.database) else {
            return send(LiveMessage.error("database not found: \(request.database)", id: request.id))
        }
        if let store = try? hub.engine.store(database: request.database, policy: nil), store != shape.store {
            // Shapes with equal keys share their encoded batches, so the store is part of it.
            shape.store = store
            shape.key += "\u{2}" + store
        }
        // `elsewhere`: what the token holds on its other connections (nil: not counted).
        let refusal = TokenSubscriptions.shared.admit(self) { elsewhere in state.withLock { s -> String? in
            if s.closing { return "connection is closing" }
            if s.subscriptions[request.id] != nil { return "subscription id \(request.id) is already in use" }
            if s.subscriptions.count >= configuration.maxSubscriptionsPerConnection {
                return "too many subscriptions on this connection (limit \(configuration.maxSubscriptionsPerConnection))"
            }
            if let elsewhere, elsewhere + s.subscriptions.count >= configuration.maxSubscriptionsPerToken {
                hub.metrics.refused(.tokenSubscriptions)
                return "too many subscriptions for this token (limit \(configuration.maxSubscriptionsPerToken) over all its connections)"
            }
            s.subscriptions[request.id] = SubscriptionState(request: request, shape: shape)
            s.order.append(request.id)
            return nil
        } }
        if let refusal { return send(LiveMessage.error(refusal, id: request.id)) }
        let task = Task { await self.start(request, shape: shape) }
        state.withLock { s in s.subscriptions[request.id]?.task = task }
    }

    func unsubscribe(_ id: String) {
        let removed = state.withLock { s -> SubscriptionState? in
            guard let removed = s.subscriptions.removeValue(forKey: id) else { return nil }
            s.order.removeAll { $0 == id }
            return removed
        }
        guard let removed else { return send(LiveMessage.error("no subscription \(id)", id: id)) }
        removed.task?.cancel()
        if let registration = removed.registration { hub.unregister(registration) }
        // A history task waiting for space re-checks and finds its subscription gone.
        let waiters = state.withLock { s in
            defer { s.spaceWaiters = [] }
            return s.spaceWaiters
        }
        for waiter in waiters { waiter.resume() }
        send(LiveMessage.unsubscribed(id: id))
    }

    /// The subscription's task: history, catch-up, registration. Ends early (silently)
    /// when the subscription is removed; errors end it with an `error` message.
    private func start(_ request: SubscribeRequest, shape: SubscriptionShape) async {
        do {
            if let window = shape.window {
                try await startWindowed(request, shape: shape, window: window)
            } else {
                try await startRaw(request, shape: shape)
            }
        } catch let error as LiveProtocolError {
            fail(request.id, error.message)
        } catch is CancellationError {
            return
        } catch {
            fail(request.id, "subscription failed: \(error)")
        }
    }

    /// Removes a subscription that could not start (or whose windows failed), telling the
    /// client why; a registration it already had is withdrawn from the fan-out.
    func fail(_ id: String, _ message: String) {
        let removed = state.withLock { s -> SubscriptionState? in
            guard let removed = s.subscriptions.removeValue(forKey: id) else { return nil }
            s.order.removeAll { $0 == id }
            return removed
        }
        guard let removed else { return }
        if let registration = removed.registration { hub.unregister(registration) }
        send(LiveMessage.error(message, id: id))
    }

    /// Queues a message of subscription `id`, waiting while the queue is full (history and
    /// catch-up only: this waits on this connection's own reader, never on the hub).
    /// Throws CancellationError once the subscription or the connection is gone.
    /// `whenQueued` runs under the lock as the message is queued.
    func sendWaiting(_ buffer: ByteBuffer, for id: String, points: Int = 0, position: UInt64? = nil,
                     whenQueued: (inout SubscriptionState) -> Void = { _ in }) async throws {
        let item = LiveOutbound.text(buffer)
        while true {
            enum Step { case queued(Handoff?), gone, full }
            let now = configuration.clock.now()
            let step = state.withLock { s -> Step in
                guard !s.closing, s.subscriptions[id] != nil else { return .gone }
                if s.isFull(adding: item.size, configuration) { return .full }
                s.subscriptions[id]!.pointsSent += points
                s.pointsSent += points
                if let position { s.subscriptions[id]!.position = position }
                whenQueued(&s.subscriptions[id]!)
                return .queued(s.enqueue(item, at: now))
            }
            switch step {
            case .queued(let handoff):
                handoff?.resume()
                if points > 0 { hub.metrics.pointsSent.increment(by: Int64(points)) }
                return
            case .gone:
                throw CancellationError()
            case .full:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let waiting = state.withLock { s -> Bool in
                        guard !s.closing, s.subscriptions[id] != nil,
                              s.isFull(adding: item.size, configuration) else { return false }
                        s.spaceWaiters.append(continuation)
                        return true
                    }
                    if !waiting { continuation.resume() }
                }
            }
        }
    }
}
