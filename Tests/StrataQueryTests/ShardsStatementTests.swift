import Testing
@testable import StrataCore
@testable import StrataQuery

/// SHOW SHARDS: InfluxDB's columns and Strata's, one row per partition's raw data and per
/// rollup tier file.
@Suite struct ShardsStatementTests {
    static let dayNs: Int64 = 86_400_000_000_000
    /// 2024-01-01T00:00:00Z, a day boundary.
    static let jan1 = ExecutorFixture.t0

    @Test func aPartitionGivesARawRowAndOneRowPerTierFile() {
        let info = PartitionInfo(
            partition: PartitionKey(database: "fleet", start: Self.jan1, end: Self.jan1 + Self.dayNs),
            rawFile: "0000000000000012.seg", rawRows: 86_400, rawBytes: 123_456,
            tiers: [PartitionInfo.TierFile(name: "rollup_1h", resolution: 3_600_000_000_000, file: "0000000000000014.tier",
                                           rows: 24, bytes: 900),
                    PartitionInfo.TierFile(name: "rollup_1m", resolution: 60_000_000_000, file: "0000000000000013.tier",
                                           rows: 1_440, bytes: 9_000)],
            uncompactedSegments: 2)
        var retention = DatabaseRetention.standard
        retention.rawDuration = 7 * Self.dayNs
        retention.tiers[0].duration = 90 * Self.dayNs
        let rows = QueryExecutor.shardRows(info, database: "fleet", policy: "autogen", retention)
        let group = QueryValue.integer(Self.jan1 / Self.dayNs)
        #expect(rows == [
            [.integer(12), .string("fleet"), .string("autogen"), group, .string("2024-01-01T00:00:00Z"),
             .string("2024-01-02T00:00:00Z"), .string("2024-01-09T00:00:00Z"), .string(""), .string(""), .integer(1),
             .integer(86_400), .integer(123_456), .integer(2)],
            [.integer(13), .string("fleet"), .string("rollup_1m"), group, .string("2024-01-01T00:00:00Z"),
             .string("2024-01-02T00:00:00Z"), .string("2024-04-01T00:00:00Z"), .string(""), .string("1m0s"), .null,
             .integer(1_440), .integer(9_000), .null],
            // Kept forever: InfluxDB shows an infinite policy's expiry as the shard's end.
            [.integer(14), .string("fleet"), .string("rollup_1h"), group, .string("2024-01-01T00:00:00Z"),
             .string("2024-01-02T00:00:00Z"), .string("2024-01-02T00:00:00Z"), .string(""), .string("1h0m0s"), .null,
             .integer(24), .integer(900), .null],
        ])
    }

    @Test func aPartitionNotCompactedYetIsLevelZeroWithoutAnId() {
        let info = PartitionInfo(partition: PartitionKey(database: "fleet", start: 0, end: Self.dayNs), rawFile: nil,
                                 rawRows: 0, rawBytes: 0, tiers: [], uncompactedSegments: 3)
        let rows = QueryExecutor.shardRows(info, database: "fleet", policy: "autogen", .standard)
        #expect(rows.count == 1)
        #expect(rows.first?[0] == .null)
        #expect(rows.first?[9] == .integer(0))
        #expect(rows.first?[12] == .integer(3))
    }

    @Test func aPartitionWhoseRawDataExpiredShowsOnlyItsTiers() {
        let info = PartitionInfo(
            partition: PartitionKey(database: "fleet", start: 0, end: Self.dayNs), rawFile: nil, rawRows: 0, rawBytes: 0,
            tiers: [PartitionInfo.TierFile(name: "rollup_1h", resolution: 3_600_000_000_000, file: "0000000000000009.tier",
                                           rows: 24, bytes: 900)],
            uncompactedSegments: 0)
        #expect(QueryExecutor.shardRows(info, database: "fleet", policy: "autogen", .standard).map { $0[2] } == [.string("rollup_1h")])
    }

    // Needs the engine's compaction (partitions are listed once compacted).
    @Test func showShardsListsEachDatabasesPartitionsAfterCompaction() async throws {
        let engine = try await ExecutorFixture.engine(lines: """
            cpu,host=a value=1 0
            cpu,host=a value=2 60
            cpu,host=b value=3 86400
            """, flushed: true)
        try await engine.createDatabase("empty")
        _ = try await engine.compact()
        let result = try await QueryExecutor(engine: engine, principal: .unrestricted("test")).execute("SHOW SHARDS", database: nil)[0]
        #expect(result.error == nil)
        #expect(result.series.map(\.name) == ["empty", "test"])
        #expect(result.series.allSatisfy { $0.columns == QueryExecutor.shardColumns })
        #expect(result.series[0].values.isEmpty)
        let rows = result.series[1].values
        // Two days, each with its raw data and the two standard tiers.
        #expect(rows.map { $0[2] } == ["autogen", "rollup_1m", "rollup_1h", "autogen", "rollup_1m", "rollup_1h"].map(QueryValue.string))
        #expect(rows.map { $0[4] } == Array(repeating: QueryValue.string("2024-01-01T00:00:00Z"), count: 3)
            + Array(repeating: .string("2024-01-02T00:00:00Z"), count: 3))
        #expect(rows.map { $0[10] } == [2, 2, 1, 1, 1, 1].map(QueryValue.integer), "raw rows, then non-empty buckets")
        #expect(rows.allSatisfy { if case .integer(let id) = $0[0] { id > 0 } else { false } })
        try await engine.close()
    }
}
