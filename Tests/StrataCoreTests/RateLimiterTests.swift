import Testing
@testable import StrataCore

@Suite struct RateLimiterTests {
    /// (rate, writes as (bytes, time of the call), the wait each returns)
    @Test(arguments: [
        (100, [(50, 0.0), (50, 0.0), (100, 1.0)], [0.5, 1.0, 1.0]),
        (100, [(100, 2.0), (100, 2.5)], [0.0, 0.0]),
        (1_000, [(500, 0.1), (500, 0.2), (500, 1.6)], [0.4, 0.8, 0.0]),
        (0, [(1 << 30, 0.0)], [0.0]),
    ] as [(Int, [(Int, Double)], [Double])])
    func waitsSoTheAverageRateStaysWithinTheLimit(rate: Int, writes: [(Int, Double)], waits: [Double]) {
        var limiter = RateLimiter(bytesPerSecond: rate, start: 0)
        let got = writes.map { limiter.delay(afterWriting: $0.0, now: $0.1) }
        #expect(zip(got, waits).allSatisfy { abs($0 - $1) < 1e-9 }, "\(got)")
        #expect(limiter.bytesWritten == writes.reduce(0) { $0 + $1.0 })
    }
}
