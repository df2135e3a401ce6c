import StrataTestSupport
import Testing
import StrataCore
@testable import StrataQuery

/// Queries read with rollup tiers answer exactly as from raw data (docs/tiers.md), on seeded
/// random data with out-of-order and late points, overwrites and deletes before and after a
/// compaction; and the aligned queries do read tier buckets, so the comparison is not
/// vacuous.
///
/// Floats are quarters of small integers and integers are small, so every sum is exact in
/// any order: a tier adds per-bucket sums, a raw read adds row by row, and with arbitrary
/// doubles the two would differ in the last bits (rounding, not a wrong answer).
@Suite(.serialized) struct TierEquivalenceTests {
    static let second: Int64 = 1_000_000_000
    static let minute = 60 * second
    static let hour = 3_600 * second
    /// 2024-01-01T00:00:00Z.
    static let day0 = ExecutorFixture.t0

    /// Per series: a point every `step` seconds over two days (dense hours for the 5 s one,
    /// sparse for the others), times jittered, in random order.
    static func points(_ rng: inout SplitMix64, stepSeconds: [String: Int64]) -> [Point] {
        var out: [Point] = []
        for (id, step) in stepSeconds.sorted(by: { $0.key < $1.key }) {
            var t = day0 + Int64(rng.next() % UInt64(step)) * second
            while t < day0 + 48 * hour {
                out.append(point(id: id, time: t, &rng))
                t += step * second + Int64(rng.next() % 3) * 100_000_000
            }
        }
        out.shuffle(using: &rng)
        return out
    }

    static func point(id: String, time: Int64, _ rng: inout SplitMix64) -> Point {
        var fields = [Field("f", .float(Double(Int64(rng.next() % 4_001) - 2_000) / 4)),
                      Field("i", .integer(Int64(rng.next() % 201) - 100))]
        if rng.next() % 3 == 0 { fields.removeFirst() }
        if rng.next() % 10 == 0 { fields.append(Field("s", .string("n\(rng.next() % 5)"))) }
        return Point(measurement: "m", tags: [Tag("id", id)], fields: fields, timestamp: time)
    }

    static func engine() async throws -> (StorageEngine, CompactionReport) {
        var options = EngineOptions()
        options.flushThresholdBytes = 1 << 30
        options.flushMaxAgeSeconds = 1e9
        options.backgroundCompaction = false
        // The data is thin (a few rows a bucket): read tiers wherever they can answer.
        options.tierMinRowsPerBucket = 0
        let engine = try await StorageEngine.open(directory: "/d", options: options, fileSystem: InMemoryFileSystem())
        try await engine.createDatabase("db")
        var rng = SplitMix64(seed: 0x7145)
        let all = points(&rng, stepSeconds: ["a": 5, "b": 30, "c": 97])
        let executor = QueryExecutor(engine: engine, principal: .unrestricted("test"), tiers: false)
        // Three flushes of a third each; the later thirds overwrite some earlier times.
        for part in 0..<3 {
            var batch = Array(all[(part * all.count / 3)..<((part + 1) * all.count / 3)])
            for _ in 0..<200 where part > 0 {
                let old = all[Int(rng.next() % UInt64(part * all.count / 3))]
                batch.append(point(id: old.tags[0].value, time: old.timestamp, &rng))
            }
            try await write(batch, to: engine)
            if part == 1 { try await delete("a", from: 3 * hour + 61 * second, to: 3 * hour + 190 * second, executor) }
            try await engine.flush()
        }
        try await delete("b", from: 26 * hour, to: 27 * hour + 59 * minute, executor)
        let report = try await engine.compact()
        // After compaction: late points and overwrites into compacted hours, some flushed
        // (a level-0 segment), some left in the head, and deletes. They stay in a few hours
        // (2-3 h and 30 h flushed, 40 h in the head), so the other hours show tiers in use.
        var late: [Point] = []
        for k in 0..<150 {
            let id = ["a", "b", "c"][k % 3]
            let start: Int64 = k < 70 ? 2 * 3_600 : k < 100 ? 30 * 3_600 : 40 * 3_600
            let span: Int64 = k < 70 ? 7_200 : 3_600
            late.append(point(id: id, time: day0 + (start + Int64(rng.next() % UInt64(span))) * second, &rng))
        }
        try await write(Array(late[..<100]), to: engine)
        try await delete("c", from: 30 * hour + 7 * second, to: 30 * hour + 20 * minute, executor)
        try await engine.flush()
        try await write(Array(late[100...]), to: engine)
        try await delete("a", from: 40 * hour + 30 * second, to: 40 * hour + 45 * second, executor)
        return (engine, report)
    }

    static func write(_ points: [Point], to engine: StorageEngine) async throws {
        let result = try await engine.write(WriteBatch(database: "db", points: points))
        precondition(result.rejected.isEmpty, "\(result.rejected.prefix(3))")
    }

    static func delete(_ id: String, from: Int64, to: Int64, _ executor: QueryExecutor) async throws {
        let q = "DELETE FROM m WHERE id = '\(id)' AND time >= \(day0 + from) AND time <= \(day0 + to)"
        let results = try await executor.execute(q, database: "db")
        precondition(results.allSatisfy { $0.error == nil }, "\(results)")
    }

    static let unalignedFrom = day0 + hour + 7 * minute + 13 * second
    static let unalignedTo = day0 + 44 * hour + 31 * minute + 7 * second
    static let calls = "count(f), sum(f), mean(f), min(f), max(f), first(f), last(f), spread(f), "
        + "count(i), sum(i), mean(i), min(i), max(i), first(i), last(i), spread(i)"

    /// (query, whether tier buckets must be read).
    static let queries: [(String, Bool)] = {
        let unaligned = "time >= \(unalignedFrom) AND time < \(unalignedTo)"
        let days = "time >= \(day0) AND time < \(day0 + 48 * hour)"
        var out: [(String, Bool)] = []
        for (group, aligned) in [("1m", true), ("5m", true), ("1h", true), ("2h", true), ("1d", true),
                                 ("1h, 15m", true), ("1d, 6h", true), ("10m, 30s", false), ("90s", false)] {
            for fill in ["fill(none)", "fill(0)"] {
                out.append(("SELECT \(calls) FROM m WHERE \(unaligned) GROUP BY time(\(group)), id \(fill)", aligned))
            }
        }
        out += [
            // Whole hour blocks answer from headers; the day blocks meet late points: no tier.
            ("SELECT mean(f), count(i) FROM m WHERE \(days) GROUP BY time(1h)", false),
            ("SELECT max(f) FROM m WHERE \(unaligned) GROUP BY time(1h), id", true),
            ("SELECT min(i) FROM m WHERE \(unaligned) GROUP BY time(5m), id fill(none)", true),
            ("SELECT \(calls) FROM m WHERE \(unaligned) GROUP BY id", true),
            ("SELECT sum(f), count(s) FROM m WHERE \(days) GROUP BY time(1h), id", false),
            ("SELECT mean(f) FROM m WHERE \(unaligned) AND f > 0 GROUP BY time(1h), id", false),
        ]
        return out
    }()

    @Test func tiersAnswerAsRawData() async throws {
        let (engine, report) = try await Self.engine()
        #expect(report.tierFilesWritten > 0, "compaction wrote no tier file: nothing below is tested")
        let withTiers = QueryExecutor(engine: engine, principal: .unrestricted("test"), tiers: true)
        let rawOnly = QueryExecutor(engine: engine, principal: .unrestricted("test"), tiers: false)
        for (query, aligned) in Self.queries {
            let got = try await withTiers.execute(query, database: "db")
            let want = try await rawOnly.execute(query, database: "db")
            #expect(want.allSatisfy { $0.error == nil && !$0.series.isEmpty }, "\(query): \(want.first?.error ?? "no series")")
            if got != want {
                Issue.record("\(query)\nwith tiers:\n\(Self.firstDifference(got, want))")
            }
            let plan = try await withTiers.execute("EXPLAIN ANALYZE " + query, database: "db")
            let lines = plan.first?.series.first?.values.compactMap { row -> String? in
                if case .string(let s)? = row.first { s } else { nil }
            } ?? []
            let tierLine = lines.first { $0.hasPrefix("tier buckets: ") } ?? "(missing)"
            if aligned {
                #expect(tierLine != "tier buckets: none" && tierLine != "(missing)", "\(query): \(tierLine)")
                #expect(lines.contains { $0.hasPrefix("served by rollup_") }, "\(query)")
            }
        }
    }

    /// The first row where two answers differ, rendered, so a failure says where.
    static func firstDifference(_ a: [StatementResult], _ b: [StatementResult]) -> String {
        let left = a.map(ExecutorFixture.render).joined(separator: "\n").split(separator: "\n")
        let right = b.map(ExecutorFixture.render).joined(separator: "\n").split(separator: "\n")
        for (k, (x, y)) in zip(left, right).enumerated() where x != y {
            return "line \(k): \(x)\nraw:         \(y)"
        }
        return "lengths differ: \(left.count) against \(right.count) lines"
    }
}
