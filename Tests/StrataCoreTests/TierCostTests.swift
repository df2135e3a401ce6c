import StrataTestSupport
@testable import StrataCore
import Testing

/// A compacted block is read from a tier only where its buckets are thick enough to pay
/// (`EngineOptions.tierMinRowsPerBucket`); thinner ones are decoded, with the same rows.
@Suite struct TierCostTests {
    static let minute: Int64 = 60_000_000_000

    /// `perMinute` rows a minute for 10 minutes of one series, flushed and compacted.
    static func engine(perMinute: Int) async throws -> StorageEngine {
        var options = EngineOptions.forTests
        options.tierMinRowsPerBucket = 256
        let engine = try await StorageEngine.open(directory: "/d", options: options, fileSystem: InMemoryFileSystem())
        let step = minute / Int64(perMinute)
        let points = (0..<(10 * perMinute)).map { i in
            Point(measurement: "m", tags: [Tag("id", "a")], fields: [Field("v", .float(Double(i % 97)))],
                  timestamp: 1_704_067_200_000_000_000 + Int64(i) * step)
        }
        _ = try await engine.write(WriteBatch(database: "db", points: points))
        try await engine.flush()
        _ = try await engine.compact()
        return engine
    }

    @Test(arguments: [(perMinute: 600, tierBuckets: 10), (perMinute: 100, tierBuckets: 0)])
    func tiersAreReadOnlyWhereBucketsAreThick(perMinute: Int, tierBuckets: Int) async throws {
        let engine = try await Self.engine(perMinute: perMinute)
        var statistics = ScanStatistics()
        let oneMinute: (Int64, Int64) -> Bool = { lo, hi in lo / Self.minute == hi / Self.minute }
        let chunks = try blocking { try engine.scanChunks(database: "db", measurement: "m", fields: ["v"], range: Int64.min...Int64.max,
                                           canSummarize: oneMinute, statistics: &statistics) }
        #expect((statistics.tierBuckets["rollup_1m"] ?? 0) == tierBuckets)
        #expect(chunks.first?.chunks.reduce(0) { $0 + $1.rowCount } == 10 * perMinute)
        try await engine.close()
    }
}
