import Synchronization

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

/// Subscriptions per token over all its connections, for
/// `LiveConfiguration.maxSubscriptionsPerToken` (docs/limits-connections.md).
///
/// The counts are read from the connections themselves (one that ended holds none), so
/// nothing has to be given back when a subscription or a connection ends; the lock makes
/// each admission see every earlier one, so concurrent subscribes on several connections
/// cannot overshoot. The transport forgets a connection when its socket ends; members are
/// weak besides, so one that is gone without that drops out at the next admission. Keyed by hub as well, so servers in one process stay apart.
final class TokenSubscriptions: Sendable {
    static let shared = TokenSubscriptions()

    private struct Key: Hashable {
        var hub: ObjectIdentifier
        var token: String
    }

    private struct Member {
        weak var connection: LiveConnection?
    }

    private let members = Mutex<[Key: [ObjectIdentifier: Member]]>([:])

    /// Runs `body` with the subscriptions `connection`'s token holds on its other
    /// connections, while no other admission for the token runs; nil when the connection
    /// has no token (an open server) or there is no limit.
    func admit<T>(_ connection: LiveConnection, _ body: (Int?) -> T) -> T {
        guard let token = connection.principal.tokenID, connection.configuration.maxSubscriptionsPerToken > 0 else {
            return body(nil)
        }
        let key = Key(hub: ObjectIdentifier(connection.hub), token: token)
        return members.withLock { all in
            var group = all[key] ?? [:]
            var elsewhere = 0
            for (id, member) in group {
                guard let other = member.connection else {
                    group[id] = nil
                    continue
                }
                if other !== connection { elsewhere += other.state.withLock { $0.subscriptions.count } }
            }
            group[ObjectIdentifier(connection)] = Member(connection: connection)
            all[key] = group
            return body(elsewhere)
        }
    }

    /// Drops a connection that ended (the transport calls this), and its token's entry
    /// with its last connection.
    func forget(_ connection: LiveConnection) {
        guard let token = connection.principal.tokenID else { return }
        let key = Key(hub: ObjectIdentifier(connection.hub), token: token)
        members.withLock { all in
            guard var group = all[key] else { return }
            group[ObjectIdentifier(connection)] = nil
            all[key] = group.isEmpty ? nil : group
        }
    }
}
