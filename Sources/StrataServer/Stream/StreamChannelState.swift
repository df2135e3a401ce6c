import Synchronization

/// What one accepted TCP connection's handlers share: the refusal decided for its upgrade
/// request (written by `StreamRefusalWriter`) or what an accepted one opens, whether the
/// server is shutting down, and its slot in the connection limits.
final class StreamChannelState: Sendable {
    private let refusalBox = Mutex<StreamRefusal?>(nil)
    private let shutdown = Atomic<Bool>(false)
    private let attempted = Atomic<Bool>(false)
    /// What the accepted upgrade opens, from `shouldUpgrade` to the pipeline's setup.
    let accepted = Mutex<StreamUpgrade.Accepted?>(nil)
    let slot: ConnectionSlot?

    init(slot: ConnectionSlot? = nil) {
        self.slot = slot
    }

    var refusal: StreamRefusal? {
        get { refusalBox.withLock { $0 } }
        set { refusalBox.withLock { $0 = newValue } }
    }

    /// The first request asked for an upgrade (a refusal then answers it).
    var upgradeAttempted: Bool {
        get { attempted.load(ordering: .acquiring) }
        set { attempted.store(newValue, ordering: .releasing) }
    }

    var isShuttingDown: Bool { shutdown.load(ordering: .acquiring) }

    func beginShutdown() { shutdown.store(true, ordering: .releasing) }
}
