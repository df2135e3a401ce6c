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

    /// Windows are planned on what a read decodes: a block a tier answers counts its buckets
    /// (`RowSpan.tier`), only where the buckets are thick and every field asked is rolled up.
    @Test(arguments: [(perMinute: 600, tiered: true), (perMinute: 100, tiered: false)])
    func rowSpansCarryTheTierThatAnswersThem(perMinute: Int, tiered: Bool) async throws {
        let engine = try await Self.engine(perMinute: perMinute)
        let spans = engine.rowSpans(database: "db", measurement: "m", range: Int64.min...Int64.max, tierFields: ["v"])
        #expect(!spans.isEmpty && spans.allSatisfy(\.compacted))
        let buckets = spans.compactMap(\.tier).reduce(0) { $0 + $1.buckets }
        #expect(buckets == (tiered ? 10 : 0))
        #expect(spans.compactMap(\.tier).allSatisfy { $0.resolution == Self.minute })
        let untold = engine.rowSpans(database: "db", measurement: "m", range: Int64.min...Int64.max)
        #expect(untold.allSatisfy { $0.tier == nil }, "no tier estimate unless the caller names its fields")
        let unknown = engine.rowSpans(database: "db", measurement: "m", range: Int64.min...Int64.max, tierFields: ["v", "s"])
        #expect(unknown.allSatisfy { $0.tier == nil }, "a field the tier does not roll up is decoded")
        try await engine.close()
    }
}
