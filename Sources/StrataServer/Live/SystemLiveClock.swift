import Foundation

/// The wall clock: windows are aligned to epoch time, as points' timestamps are.
public struct SystemLiveClock: LiveClock {
    public init() {}

    public func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    public func sleep(until deadline: Int64) async throws {
        let wait = max(0, deadline - now())
        try await Task.sleep(nanoseconds: UInt64(wait))
    }
}
