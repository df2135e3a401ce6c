import StrataCore
import StrataQuery
import StrataTestSupport
@testable import StrataServer
import Testing

/// An hourly `every` subscription starting a year back reads the compacted year through the
/// 1 h rollup tier (its windows are computed by the query engine) and pushes what raw data
/// gives.
@Suite("Live windows over rollup tiers")
struct LiveWindowTierTests {
    static let minute: Int64 = 60_000_000_000
    static let hour = 60 * minute
    static let days = 366

    /// One point every 10 minutes for `days` days (sparse hours: row blocks span whole
    /// days, so only the tier answers an hour without decoding).
    static func writeYear(_ f: LiveFixture) async throws {
        var rng = SplitMix64(seed: 5)
        var points: [Point] = []
        for i in 0..<(days * 24 * 6) {
            let t = LiveFixture.t0 + Int64(i) * 10 * minute + Int64(rng.next() % 1_000_000)
            points.append(Point(measurement: "robot", tags: [Tag("device_id", "robot-0001")],
                                fields: [Field("battery", .float(Double(rng.next() % 10_000) / 100))], timestamp: t))
            if points.count == 5_000 {
                _ = try await f.engine.write(WriteBatch(database: "robots", points: points))
                points.removeAll(keepingCapacity: true)
            }
        }
        _ = try await f.engine.write(WriteBatch(database: "robots", points: points))
    }

    @Test func anHourlySubscriptionAYearBackEqualsRawAnswers() async throws {
        var options = EngineOptions()
        options.backgroundCompaction = false
        options.tierMinRowsPerBucket = 0  // six rows an hour: read the tier all the same
        let end = LiveFixture.t0 + Int64(Self.days) * 24 * Self.hour
        let f = try LiveFixture(options: options, now: end + Self.hour)
        try await Self.writeYear(f)
        try await f.engine.flush()
        let report = try await f.engine.compact()
        #expect(report.partitionsWritten == Self.days)
        // Late points after the compaction: their days are merged from raw rows and the head.
        for (day, value) in [(100, 1_000.0), (200, -5.0)] {
            let late = Point(measurement: "robot", tags: [Tag("device_id", "robot-0001")], fields: [Field("battery", .float(value))],
                             timestamp: LiveFixture.t0 + Int64(day) * 24 * Self.hour + 7 * Self.minute)
            _ = try await f.engine.write(WriteBatch(database: "robots", points: [late]))
        }

        let c = f.client()
        let aggregates = ["count", "sum", "mean", "min", "max", "first", "last", "spread"]
        let list = aggregates.map { "\"\($0)\"" }.joined(separator: ",")
        await c.send(#"{"action":"subscribe","id":"y","db":"robots","measurement":"robot","fields":["battery"],"every":"1h","aggregates":[\#(list)],"start":{"time":\#(LiveFixture.t0)}}"#)
        let messages = try await c.messages(until: { $0.type == "live" }, limit: 10_000)
        let rows = messages.filter { $0["history"] == .bool(true) }.map(LiveWindowTests.row)
        #expect(rows.count == Self.days * 24)

        let select = aggregates.map { "\($0)(battery)" }.joined(separator: ", ")
        let text = "SELECT \(select) FROM robot WHERE time >= \(LiveFixture.t0) AND time < \(end) GROUP BY time(1h) fill(none)"
        let raw = try await QueryExecutor(engine: f.engine, principal: .unrestricted("test"), tiers: false).execute(text, database: "robots")
        let expected = try #require(raw.first?.series.first?.values)
        #expect(rows == expected.map(LiveWindowTests.json))

        var statistics = ScanStatistics()
        _ = try blocking { try f.engine.scanChunks(database: "robots", measurement: "robot", fields: ["battery"],
                                    range: LiveFixture.t0...(end - 1), canSummarize: { lo, hi in
                                        lo / Self.hour == hi / Self.hour
                                    }, statistics: &statistics) }
        let fromTier = statistics.tierBuckets["rollup_1h"] ?? 0
        #expect(fromTier >= (Self.days - 2) * 24 && fromTier < Self.days * 24,
                "the year is read from the 1 h tier, the two days with late points from raw rows")
        try await f.shutdown()
    }
}
