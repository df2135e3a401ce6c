/// A connection's record of one of its subscriptions: what the registry shows and what the
/// fan-out updates.
struct SubscriptionState: Sendable {
    enum Phase: String, Sendable {
        case history, live
    }

    var request: SubscribeRequest
    var shape: SubscriptionShape
    var phase: Phase = .history
    /// The last sequence its messages reflect: where a resume with `seq` would continue.
    var position: UInt64 = 0
    var pointsSent = 0
    var conflated = 0
    /// Set once registered with the hub; the fan-out delivers only to this registration.
    var registration: Subscription?
    /// The history and catch-up task, cancelled by `unsubscribe` or a close.
    var task: Task<Void, Never>?
    /// Set while the connection lags under policy `conflate`.
    var conflation: ConflationBuffer?
    /// Set for `every` subscriptions.
    var windows: WindowTracker?
}
