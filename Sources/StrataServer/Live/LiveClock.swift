/// The time windowed subscriptions close on: a seam so tests move time by hand.
public protocol LiveClock: Sendable {
    /// Nanoseconds since the Unix epoch.
    func now() -> Int64
    /// Returns once `now() >= deadline`, or earlier (callers re-check); throws when cancelled.
    func sleep(until deadline: Int64) async throws
}
