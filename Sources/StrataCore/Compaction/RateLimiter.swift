/// Paces a writer to at most `bytesPerSecond` on average since it started: after each write
/// it says how long to wait so that bytes written / elapsed time stays within the rate.
/// Pure arithmetic over the times it is given, so tests drive it with an invented clock.
struct RateLimiter: Sendable {
    let bytesPerSecond: Int
    /// Seconds (any epoch, as long as `delay` gets times on the same clock).
    let start: Double
    private(set) var bytesWritten = 0

    init(bytesPerSecond: Int, start: Double) {
        self.bytesPerSecond = bytesPerSecond
        self.start = start
    }

    /// Records `bytes` written and returns the seconds to wait (0 when within the rate) at
    /// time `now`. A non-positive rate means no limit.
    mutating func delay(afterWriting bytes: Int, now: Double) -> Double {
        bytesWritten += bytes
        guard bytesPerSecond > 0 else { return 0 }
        let due = start + Double(bytesWritten) / Double(bytesPerSecond)
        return max(0, due - now)
    }
}
