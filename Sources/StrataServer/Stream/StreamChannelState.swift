import Synchronization

/// What one accepted TCP connection's handlers share: the refusal decided for its upgrade
/// request (written by `StreamRefusalWriter`), whether the server is shutting down
/// (read by `StreamCloseRewriter`) and its slot in the connection limits.
final class StreamChannelState: Sendable {
    private let refusalBox = Mutex<StreamRefusal?>(nil)
    private let shutdown = Atomic<Bool>(false)
    let slot: ConnectionSlot?

    init(slot: ConnectionSlot? = nil) {
        self.slot = slot
    }

    var refusal: StreamRefusal? {
        get { refusalBox.withLock { $0 } }
        set { refusalBox.withLock { $0 = newValue } }
    }

    var isShuttingDown: Bool { shutdown.load(ordering: .acquiring) }

    func beginShutdown() { shutdown.store(true, ordering: .releasing) }
}
