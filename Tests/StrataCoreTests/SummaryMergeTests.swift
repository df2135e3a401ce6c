import StrataTestSupport
@testable import StrataCore
import Testing

/// Summaries folded ahead of the reducers (`SummaryRequest`): `BlockStats.merged` folds as
/// the reducers would, a run of tier buckets folded column-wise equals its buckets merged one
/// by one, and a scan that merges gives fewer summaries with the same per-bucket stats.
@Suite struct SummaryMergeTests {
    static let minute: Int64 = 60_000_000_000

    static func stats(_ count: Int, sum: FieldValue?, min: (FieldValue, Int64), max: (FieldValue, Int64),
                      first: (FieldValue, Int64), last: (FieldValue, Int64)) -> BlockStats {
        var s = BlockStats(count: count, first: first.0, firstTime: first.1, last: last.0, lastTime: last.1)
        (s.sum, s.min, s.minTime, s.max, s.maxTime) = (sum, min.0, min.1, max.0, max.1)
        return s
    }

    struct MergeCase: CustomTestStringConvertible, Sendable {
        var name: String
        var earlier: BlockStats
        var later: BlockStats
        /// nil: the two must stay apart.
        var merged: BlockStats?
        var testDescription: String { name }
    }

    static let mergeCases: [MergeCase] = {
        let i = { FieldValue.integer($0) }
        return [
            MergeCase(name: "ties of min and max keep the earlier point",
                      earlier: stats(2, sum: i(4), min: (i(1), 10), max: (i(3), 11), first: (i(1), 10), last: (i(3), 11)),
                      later: stats(2, sum: i(4), min: (i(1), 20), max: (i(3), 21), first: (i(1), 20), last: (i(3), 21)),
                      merged: stats(4, sum: i(8), min: (i(1), 10), max: (i(3), 11), first: (i(1), 10), last: (i(3), 21))),
            MergeCase(name: "a strictly smaller and greater later value replaces the extremes",
                      earlier: stats(1, sum: .float(2), min: (.float(2), 1), max: (.float(2), 1), first: (.float(2), 1), last: (.float(2), 1)),
                      later: stats(2, sum: .float(4), min: (.float(-1), 5), max: (.float(5), 6), first: (.float(-1), 5), last: (.float(5), 6)),
                      merged: stats(3, sum: .float(6), min: (.float(-1), 5), max: (.float(5), 6), first: (.float(2), 1), last: (.float(5), 6))),
            MergeCase(name: "an integer sum that would overflow keeps them apart",
                      earlier: stats(1, sum: i(.max), min: (i(.max), 1), max: (i(.max), 1), first: (i(.max), 1), last: (i(.max), 1)),
                      later: stats(1, sum: i(1), min: (i(1), 2), max: (i(1), 2), first: (i(1), 2), last: (i(1), 2)),
                      merged: nil),
            MergeCase(name: "an unsigned sum that would overflow keeps them apart",
                      earlier: stats(1, sum: .unsigned(.max), min: (.unsigned(.max), 1), max: (.unsigned(.max), 1),
                                     first: (.unsigned(.max), 1), last: (.unsigned(.max), 1)),
                      later: stats(1, sum: .unsigned(1), min: (.unsigned(1), 2), max: (.unsigned(1), 2),
                                   first: (.unsigned(1), 2), last: (.unsigned(1), 2)),
                      merged: nil),
            MergeCase(name: "a sum on one side only keeps them apart",
                      earlier: stats(1, sum: nil, min: (i(1), 1), max: (i(1), 1), first: (i(1), 1), last: (i(1), 1)),
                      later: stats(1, sum: i(1), min: (i(1), 2), max: (i(1), 2), first: (i(1), 2), last: (i(1), 2)),
                      merged: nil),
            MergeCase(name: "negative integers near the bound still add",
                      earlier: stats(1, sum: i(.min + 1), min: (i(.min + 1), 1), max: (i(.min + 1), 1), first: (i(.min + 1), 1), last: (i(.min + 1), 1)),
                      later: stats(1, sum: i(-1), min: (i(-1), 2), max: (i(-1), 2), first: (i(-1), 2), last: (i(-1), 2)),
                      merged: stats(2, sum: i(.min), min: (i(.min + 1), 1), max: (i(-1), 2), first: (i(.min + 1), 1), last: (i(-1), 2))),
        ]
    }()

    @Test(arguments: mergeCases)
    func statsMergeAsTheReducersFold(_ c: MergeCase) {
        #expect(c.earlier.merged(with: c.later) == c.merged)
    }

    @Test func summariesMergeFieldsFromEitherSide() throws {
        let a = BlockSummary(minTime: 0, maxTime: 9, rowCount: 2, fields: ["x": Self.stats(2, sum: .float(1), min: (.float(0), 1), max: (.float(1), 2), first: (.float(0), 1), last: (.float(1), 2))])
        let b = BlockSummary(minTime: 10, maxTime: 19, rowCount: 1, fields: ["y": Self.stats(1, sum: .integer(3), min: (.integer(3), 12), max: (.integer(3), 12), first: (.integer(3), 12), last: (.integer(3), 12))])
        let m = try #require(a.merged(with: b))
        #expect(m.minTime == 0 && m.maxTime == 19 && m.rowCount == 3)
        #expect(m.fields == ["x": a.fields["x"]!, "y": b.fields["y"]!])
    }

    /// Every run of consecutive buckets, folded on the columns, equals its buckets merged one
    /// by one; nil exactly where one of them cannot be merged.
    @Test(arguments: TierWriterTests.cases)
    func aRunOfTierBucketsFoldsAsItsBucketsMerge(_ c: TierWriterTests.Case) throws {
        let file = try Self.tierFile(c.rows, type: c.type)
        let reader = TierReader(file: file, resolution: Self.minute)
        let columns = try reader.columns(of: file.series[0], starts: Int64.min...Int64.max, fields: nil)
        let n = columns.starts.count
        for lo in 0..<n {
            for hi in (lo + 1)...n {
                // Only consecutive buckets are folded by a scan; the fold itself does not care.
                var expected: BlockSummary?
                var refused = false
                for r in lo..<hi {
                    guard let one = try columns.summary(r..<(r + 1)) else {
                        if columns.fields.contains(where: { $0.count?.valid[r] == true }) { refused = true }
                        continue
                    }
                    guard let e = expected else { expected = one; continue }
                    guard let m = e.merged(with: one) else { refused = true; break }
                    expected = m
                }
                let got = try columns.summary(lo..<hi)
                if refused {
                    #expect(got == nil, "\(lo)..<\(hi)")
                } else if let expected {
                    #expect(got?.fields == expected.fields, "\(lo)..<\(hi)")
                    #expect(got?.rowCount == expected.rowCount, "\(lo)..<\(hi)")
                    #expect(got?.minTime == columns.starts[lo] && got?.maxTime == columns.starts[hi - 1] + Self.minute - 1)
                } else {
                    #expect(got == nil, "\(lo)..<\(hi)")
                }
            }
        }
    }

    /// With `parts`, only those stats are read: the others are absent, or NaN for first and
    /// last (a misuse shows); the first and last times come with `.valueTimes` (or the
    /// values), else the buckets' bounds stand in for them. The count always comes.
    @Test func partsLeaveOtherStatsOut() throws {
        let rows: [(Int64, FieldValue?)] = [(1, .float(3)), (2, .float(-2)), (Self.minute + 5, .float(7))]
        let file = try Self.tierFile(rows, type: .float)
        let reader = TierReader(file: file, resolution: Self.minute)
        let columns = try reader.columns(of: file.series[0], starts: Int64.min...Int64.max, fields: nil, parts: [.sum])
        let s = try #require(try columns.summary(0..<2)?.fields["f"])
        #expect(s.count == 3 && s.sum == .float(8))
        #expect(s.firstTime == 0 && s.lastTime == 2 * Self.minute - 1)
        #expect(s.min == nil && s.max == nil)
        if case .float(let x) = s.first { #expect(x.isNaN) } else { Issue.record("first is \(s.first)") }
        let timed = try reader.columns(of: file.series[0], starts: Int64.min...Int64.max, fields: nil,
                                       parts: [.sum, .valueTimes])
        let t = try #require(try timed.summary(0..<2)?.fields["f"])
        #expect(t.firstTime == 1 && t.lastTime == Self.minute + 5 && t.sum == .float(8))
        let all = try reader.columns(of: file.series[0], starts: Int64.min...Int64.max, fields: nil)
        let full = try #require(try all.summary(0..<2)?.fields["f"])
        #expect(full.min == .float(-2) && full.minTime == 2 && full.max == .float(7) && full.first == .float(3) && full.last == .float(7))
    }

    /// A compacted hour of thick minutes read with a `SummaryRequest` of 15 minutes: one
    /// summary per 15 minutes, each the fold of the summaries the scan gives without one.
    @Test func aScanMergesSummariesWithinTheCallersBuckets() async throws {
        var options = EngineOptions.forTests
        options.tierMinRowsPerBucket = 0
        let engine = try await StorageEngine.open(directory: "/d", options: options, fileSystem: InMemoryFileSystem())
        let t0: Int64 = 1_704_067_200_000_000_000
        let points = (0..<3_600).map { i in
            Point(measurement: "m", tags: [Tag("id", "a")], fields: [Field("v", .float(Double(i % 97) / 4))],
                  timestamp: t0 + Int64(i) * 1_000_000_000)
        }
        _ = try await engine.write(WriteBatch(database: "db", points: points))
        try await engine.flush()
        _ = try await engine.compact()

        let quarter = 15 * Self.minute
        let range = (t0 + 3 * Self.minute)...(t0 + 57 * Self.minute - 1)
        let inQuarter: (Int64, Int64) -> Bool = { lo, hi in (lo - t0) / quarter == (hi - t0) / quarter }
        let request = SummaryRequest(interval: quarter, offset: t0 % quarter)
        var plain = ScanStatistics(), merged = ScanStatistics()
        let one = try blocking { try engine.scanChunks(database: "db", measurement: "m", fields: ["v"], range: range,
                                                      canSummarize: inQuarter, statistics: &plain) }
        let folded = try blocking { try engine.scanChunks(database: "db", measurement: "m", fields: ["v"], range: range,
                                                         canSummarize: inQuarter, summaries: request, statistics: &merged) }
        #expect((merged.tierBuckets["rollup_1m"] ?? 0) == 54, "every whole minute of the range from the tier")
        let before = Self.perQuarter(one[0].chunks, t0: t0, quarter: quarter)
        let after = Self.perQuarter(folded[0].chunks, t0: t0, quarter: quarter)
        #expect(after.summaries == 4, "one summary per quarter hour")
        #expect(before.summaries > 40)
        #expect(after.stats == before.stats)
        #expect(folded[0].chunks.reduce(0) { $0 + $1.rowCount } == 54 * 60)
        try await engine.close()
    }

    /// Summaries of `chunks` folded per quarter hour, and how many there were.
    static func perQuarter(_ chunks: [ScanChunk], t0: Int64, quarter: Int64) -> (summaries: Int, stats: [Int64: BlockStats]) {
        var out: [Int64: BlockStats] = [:]
        var n = 0
        for s in chunks.flatMap(\.blockSummaries) {
            n += 1
            let q = (s.minTime - t0) / quarter
            guard let v = s.fields["v"] else { continue }
            out[q] = out[q].map { $0.merged(with: v)! } ?? v
        }
        return (n, out)
    }

    static func tierFile(_ values: [(Int64, FieldValue?)], type: FieldType) throws -> SegmentReader {
        var rows = SeriesRows(key: TierWriterTests.key)
        var column = ColumnData(type: type)
        for (t, v) in values {
            rows.timestamps.append(t)
            if let v { column.append(v) } else { column.appendNull() }
        }
        rows.columns["f"] = column
        var writer = TierWriter(resolution: minute)
        writer.add(database: "db", rows: rows)
        return try TierWriterTests.open(writer.finish())
    }
}
