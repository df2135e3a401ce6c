import Testing
@testable import StrataCore
@testable import StrataQuery

/// What EXPLAIN says about rollup tiers, and what EXPLAIN ANALYZE reports they served.
@Suite struct ExplainTierTests {
    static func plan(_ query: String, tiers: Bool = true) async throws -> [String] {
        let engine = try await ExecutorFixture.engine(lines: ExecutorFixture.lines, flushed: true)
        let result = try await QueryExecutor(engine: engine, principal: .unrestricted("test"), tiers: tiers).execute(query, database: "test", now: ExecutorFixture.t0)[0]
        try await engine.close()
        #expect(result.error == nil)
        return result.series.first?.values.compactMap { row -> String? in if case .string(let s) = row.first { s } else { nil } } ?? []
    }

    static func tierLine(_ lines: [String]) -> String? {
        lines.first { $0.hasPrefix("rollup tiers: ") }.map { String($0.dropFirst("rollup tiers: ".count)) }
    }

    static let servable = "can serve whole buckets of compacted data, coarsest first; raw rows serve the range edges, "
        + "data not compacted yet and buckets under later deletes"

    @Test(arguments: [
        ("SELECT mean(value) FROM cpu WHERE time < now() + 1d GROUP BY time(1h)", "rollup_1h (1h), rollup_1m (1m) " + servable),
        ("SELECT count(value), max(value) FROM cpu WHERE time < now() + 1d GROUP BY time(5m)", "rollup_1m (1m) " + servable),
        ("SELECT sum(value) FROM cpu WHERE time < now() + 1d GROUP BY time(2h, 30m)", "rollup_1m (1m) " + servable),
        ("SELECT spread(value) FROM cpu", "rollup_1h (1h), rollup_1m (1m) " + servable),
        ("SELECT mean(value) FROM cpu WHERE time < now() + 1d GROUP BY time(90s)",
         "not used (no tier's resolution divides GROUP BY time(90s)); configured: rollup_1m (1m), rollup_1h (1h)"),
        ("SELECT mean(value) FROM cpu WHERE time < now() + 1d GROUP BY time(1h, 30s)",
         "not used (no tier's resolution divides GROUP BY time(1h, 30s)); configured: rollup_1m (1m), rollup_1h (1h)"),
        ("SELECT median(value) FROM cpu", "not used (median needs every value); configured: rollup_1m (1m), rollup_1h (1h)"),
        ("SELECT mean(value) FROM cpu WHERE value > 2",
         "not used (a field predicate needs every row); configured: rollup_1m (1m), rollup_1h (1h)"),
        ("SELECT count(state) FROM mem", "not used (field state is string; only numeric fields are rolled up)"),
    ])
    func explainSaysWhichTiersCanServe(_ query: String, _ expected: String) async throws {
        #expect(Self.tierLine(try await Self.plan("EXPLAIN " + query)) == expected)
    }

    @Test func rawQueriesSayNothingAboutTiers() async throws {
        #expect(Self.tierLine(try await Self.plan("EXPLAIN SELECT value FROM cpu")) == nil)
    }

    @Test func tiersOffSaysSo() async throws {
        let lines = try await Self.plan("EXPLAIN SELECT mean(value) FROM cpu", tiers: false)
        #expect(Self.tierLine(lines) == "not used (tiers=off)")
    }

    @Test func analyzeListsServedRangesRawFirstThenHeadersThenTiers() {
        var raw = ServedRanges()
        raw.insert(0...999)
        var tier = ServedRanges()
        for i in 0..<10 { tier.insert(Int64(i) * 10_000 ... Int64(i) * 10_000 + 99) }
        let lines = QueryExecutor.servedLines(["rollup_1m": tier, "raw": raw, "blocks": ServedRanges()])
        #expect(lines.count == 2)
        #expect(lines[0] == "served by raw: 1970-01-01T00:00:00Z .. 1970-01-01T00:00:00.000000999Z")
        #expect(lines[1].hasPrefix("served by rollup_1m: 1970-01-01T00:00:00Z .. 1970-01-01T00:00:00.000000099Z, "))
        #expect(lines[1].hasSuffix(", and 2 more ranges"))
        #expect(QueryExecutor.tierBucketText(["rollup_1h": 3, "rollup_1m": 0, "a": 1]) == "a=1, rollup_1h=3")
        #expect(QueryExecutor.tierBucketText([:]) == "none")
    }

    // Needs compaction and tier reads (the engine work).
    @Test(arguments: [true, false])
    func analyzeShowsTheTierThatServedTheBuckets(_ tiers: Bool) async throws {
        // One point a minute for three hours, compacted: one block spanning three hourly buckets.
        let lines = (0..<180).map { "cpu,host=a value=\($0) \($0 * 60)" }.joined(separator: "\n")
        let engine = try await ExecutorFixture.engine(lines: lines, flushed: true)
        _ = try await engine.compact()
        let query = "EXPLAIN ANALYZE SELECT mean(value) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' "
            + "AND time < '2024-01-01T03:00:00Z' GROUP BY time(1h)"
        let result = try await QueryExecutor(engine: engine, principal: .unrestricted("test"), tiers: tiers).execute(query, database: "test", now: ExecutorFixture.t0)[0]
        try await engine.close()
        let text: [String] = result.series.first?.values.compactMap { row -> String? in if case .string(let s) = row.first { s } else { nil } } ?? []
        if tiers {
            #expect(text.contains("tier buckets: rollup_1h=3"), "\(text)")
            #expect(text.contains("served by rollup_1h: 2024-01-01T00:00:00Z .. 2024-01-01T02:59:59.999999999Z"), "\(text)")
        } else {
            #expect(text.contains("tier buckets: none"), "\(text)")
            #expect(!text.contains { $0.hasPrefix("served by rollup") }, "\(text)")
            #expect(text.contains { $0.hasPrefix("served by raw: 2024-01-01T00:00:00Z") }, "\(text)")
        }
    }
}
