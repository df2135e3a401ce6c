extension LiveHub {
    /// Registers `subscription` iff its cursor has reached the fan-out's position (then no
    /// batch can fall between its catch-up and the fan-out). `attach` runs under the hub's
    /// lock, so the connection knows its registration before any batch is delivered to it;
    /// it returns false when the subscription is gone.
    func register(_ subscription: Subscription, attach: (Subscription) -> Bool) -> RegisterOutcome {
        let outcome = state.withLock { s -> RegisterOutcome in
            guard subscription.cursor >= s.dispatched else { return .behind }
            guard attach(subscription) else { return .gone }
            s.add(subscription)
            return .registered
        }
        if case .registered = outcome { metrics.subscriptions.increment() }
        return outcome
    }

    /// Registers a subscription starting at the fan-out's position, whatever it is; nil
    /// when `attach` finds it gone.
    func registerNow(_ make: (UInt64) -> Subscription, attach: (Subscription) -> Bool) -> Subscription? {
        let subscription = state.withLock { s -> Subscription? in
            let subscription = make(s.dispatched)
            guard attach(subscription) else { return nil }
            s.add(subscription)
            return subscription
        }
        if subscription != nil { metrics.subscriptions.increment() }
        return subscription
    }

    func unregister(_ subscription: Subscription) {
        let removed = state.withLock { s -> Bool in
            let key = subscription.shape.key
            guard var entry = s.shapes[key],
                  let i = entry.subscriptions.firstIndex(where: { $0 === subscription }) else { return false }
            entry.subscriptions.remove(at: i)
            if entry.subscriptions.isEmpty {
                s.shapes[key] = nil
                s.index.remove(entry.shape)
            } else {
                s.shapes[key] = entry
            }
            s.subscriptionCount -= 1
            return true
        }
        if removed { metrics.subscriptions.decrement() }
    }
}
