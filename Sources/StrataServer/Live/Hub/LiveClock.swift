import StrataCore

/// The time windowed subscriptions close on: the wall clock (windows are aligned to epoch
/// time, as points' timestamps are) and a way to wait for it. Tests pass a clock they move
/// by hand.
public protocol LiveClock: WallClock {
    /// Returns once `now() >= deadline`, or earlier (callers re-check); throws when cancelled.
    func sleep(until deadline: Int64) async throws
}

extension SystemClock: LiveClock {
    public func sleep(until deadline: Int64) async throws {
        let wait = max(0, deadline - now())
        try await Task.sleep(nanoseconds: UInt64(wait))
    }
}
