import Synchronization

/// An action run at most once, from whichever connection's shutdown hook fires first.
final class StreamShutdownOnce: Sendable {
    private let done = Atomic<Bool>(false)
    private let action: @Sendable () -> Void

    init(_ action: @escaping @Sendable () -> Void) {
        self.action = action
    }

    func run() {
        guard !done.exchange(true, ordering: .acquiringAndReleasing) else { return }
        action()
    }
}
