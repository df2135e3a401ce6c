/// A subscription as the fan-out sees it once it is live: registered with the hub under
/// its shape. Immutable; the per-subscription counters live in its connection's state.
final class Subscription: Sendable {
    let id: String
    let connection: LiveConnection
    let shape: SubscriptionShape
    let policy: SlowConsumerPolicy
    /// The WAL sequence the subscription's messages already cover: the hub skips batches
    /// at or below it.
    let cursor: UInt64
    /// `{"type":"data","id":"…","seq":`, made once: a data message's start up to its seq.
    let dataPrefix: [UInt8]

    init(id: String, connection: LiveConnection, shape: SubscriptionShape, policy: SlowConsumerPolicy, cursor: UInt64) {
        self.id = id
        self.connection = connection
        self.shape = shape
        self.policy = policy
        self.cursor = cursor
        dataPrefix = LiveMessage.dataPrefixUpToSeq(id: id)
    }
}
