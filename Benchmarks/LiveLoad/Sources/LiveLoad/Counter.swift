import Synchronization

/// A shared count the coordinator reads (subscriptions acknowledged, connections failed).
final class Counter: Sendable {
    private let value = Mutex(0)

    func increment() { value.withLock { $0 += 1 } }

    var current: Int { value.withLock { $0 } }
}
