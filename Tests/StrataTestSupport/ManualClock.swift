import StrataCore
import Synchronization

/// A wall clock that moves only when a test moves it: `EngineOptions.clock` for retention,
/// flush-age and WAL-age tests, which must not depend on how long the machine takes.
public final class ManualClock: WallClock {
    private let nanoseconds: Atomic<Int64>

    public init(_ nanoseconds: Int64) {
        self.nanoseconds = Atomic(nanoseconds)
    }

    public func now() -> Int64 { nanoseconds.load(ordering: .relaxed) }

    public func set(_ time: Int64) { nanoseconds.store(time, ordering: .relaxed) }

    public func advance(by delta: Int64) { nanoseconds.add(delta, ordering: .relaxed) }
}
