@testable import StrataServer
import Synchronization

/// A clock that moves only when told to: tests close windows deterministically.
final class ManualLiveClock: LiveClock {
    private struct State {
        var now: Int64
        var sleepers: [(deadline: Int64, id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    init(now: Int64) {
        state = Mutex(State(now: now))
    }

    func now() -> Int64 { state.withLock { $0.now } }

    /// Moves time to `time` (never backwards) and wakes the sleepers now due.
    func set(_ time: Int64) {
        let due = state.withLock { s in
            s.now = max(s.now, time)
            let now = s.now
            let (due, keep) = s.sleepers.partitionedByDeadline(now)
            s.sleepers = keep
            return due
        }
        for continuation in due { continuation.resume() }
    }

    func advance(by nanoseconds: Int64) { set(now() + nanoseconds) }

    func sleep(until deadline: Int64) async throws {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready = state.withLock { s -> Bool in
                    if s.now >= deadline || Task.isCancelled { return true }
                    s.sleepers.append((deadline, id, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: i).continuation
            }
            cancelled?.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }
}

extension Array {
    fileprivate func partitionedByDeadline<C>(_ now: Int64) -> ([C], Self)
    where Element == (deadline: Int64, id: UInt64, continuation: C) {
        var due: [C] = []
        var keep: Self = []
        for element in self {
            if element.deadline <= now { due.append(element.continuation) } else { keep.append(element) }
        }
        return (due, keep)
    }
}
