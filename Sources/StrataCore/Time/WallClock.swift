#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall clock, in nanoseconds since the Unix epoch: what retention counts from, how old
/// the head and the WAL's files are, the time a point without a timestamp gets and what
/// `now()` means in a query. One seam (`EngineOptions.clock`, the server's and the live
/// hub's) so that a test sets and steps time for all of them at once.
///
/// Elapsed times (how long a compaction took, rate limits, timeouts) are not wall-clock
/// time and use `ContinuousClock`, which neither jumps with NTP nor stops in a test.
public protocol WallClock: Sendable {
    func now() -> Int64
}

extension WallClock {
    /// `now()` in seconds, for the engine's ages and retry times.
    public func seconds() -> Double {
        Double(now()) / 1e9
    }
}

/// CLOCK_REALTIME.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
