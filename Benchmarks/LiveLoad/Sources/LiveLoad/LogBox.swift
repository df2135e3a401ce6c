import Synchronization

/// The log a connection's handler fills in and `run()` returns (a class: the handler escapes).
final class LogBox: Sendable {
    private let mutex: Mutex<Subscriber.Log>

    init(_ log: Subscriber.Log) { mutex = Mutex(log) }

    func withLock<R>(_ body: (inout Subscriber.Log) -> R) -> R { mutex.withLock { body(&$0) } }
}
