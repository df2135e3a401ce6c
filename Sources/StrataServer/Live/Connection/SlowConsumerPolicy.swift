/// What a subscription does when its connection's outgoing queue is full.
enum SlowConsumerPolicy: String, Sendable, Equatable {
    /// Keep only the latest row per series until the queue drains, then send them with the
    /// count of points skipped.
    case conflate
    /// Close the connection with code 4000.
    case disconnect
}
