import Synchronization

/// What one accepted TCP connection's handlers share: the refusal decided for its upgrade
/// request (written by `StreamRefusalWriter`) and whether the server is shutting down
/// (read by `StreamCloseRewriter`).
final class StreamChannelState: Sendable {
    private let refusalBox = Mutex<StreamRefusal?>(nil)
    private let shutdown = Atomic<Bool>(false)

    var refusal: StreamRefusal? {
        get { refusalBox.withLock { $0 } }
        set { refusalBox.withLock { $0 = newValue } }
    }

    var isShuttingDown: Bool { shutdown.load(ordering: .acquiring) }

    func beginShutdown() { shutdown.store(true, ordering: .releasing) }
}
