import Testing
@testable import StrataQuery

/// sample(x, n) where buckets hold more than n points: n of them, real points, by time.
@Suite struct SampleTests {
    @Test(arguments: [1, 2, 6])
    func sampleKeepsNRealPointsInTimeOrder(n: Int) async throws {
        let executor = try await ExecutorFixture.executor(flushed: false)
        let all = try await executor.execute("SELECT value FROM cpu", database: "test", now: ExecutorFixture.t0 + 3_600_000_000_000)
        let points = Set(all[0].series.flatMap(\.values).map { "\($0[0]) \($0[1])" })
        let sampled = try await executor.execute("SELECT sample(value, \(n)) FROM cpu", database: "test",
                                                 now: ExecutorFixture.t0 + 3_600_000_000_000)
        let rows = try #require(sampled[0].series.first).values
        #expect(rows.count == n)
        #expect(rows.allSatisfy { points.contains("\($0[0]) \($0[1])") }, "\(rows)")
        let times = rows.map { row -> Int64 in if case .time(let t) = row[0] { t } else { -1 } }
        #expect(times == times.sorted())
        try await executor.engine.close()
    }
}
