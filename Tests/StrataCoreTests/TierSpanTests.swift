import Testing
import StrataTestSupport
@testable import StrataCore

/// Consecutive compacted blocks read from one tier as a span (`executeTieredSpan`): the
/// answer is the one the blocks give one by one, whether the span's buckets cover every
/// block or some block needs its raw rows (the span then falls back, block by block).
@Suite struct TierSpanTests {
    static let minute: Int64 = 60_000_000_000
    /// Midnight UTC: compaction cuts 1 Hz data into one block per UTC hour.
    static let t0: Int64 = 1_704_067_200_000_000_000
    static let hours = 3

    /// Whole numbers, so sums are exact in any order and only the buckets' contents matter.
    static func value(_ i: Int) -> Double { Double((i * 37) % 101) - 50 }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// Offsets from `t0`, in seconds; `until` is excluded.
        var from: Int64, until: Int64
        var intervalMinutes: Int64
        /// Minutes the range holds whole, all of which the tier answers (none where block
        /// headers answer).
        var tierBuckets: Int?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "whole hours, 7-minute buckets across blocks", from: 0, until: 3 * 3_600, intervalMinutes: 7,
             tierBuckets: 180),
        Case(name: "whole hours, 15-minute buckets", from: 0, until: 3 * 3_600, intervalMinutes: 15, tierBuckets: 180),
        Case(name: "whole hours, one bucket for all (block headers)", from: 0, until: 3 * 3_600, intervalMinutes: 180,
             tierBuckets: nil),
        Case(name: "range cuts the first and last blocks", from: 210, until: 3 * 3_600 - 210, intervalMinutes: 7,
             tierBuckets: 180 - 8),
        Case(name: "range ends a second early: the last minute from raw rows", from: 0, until: 3 * 3_600 - 1,
             intervalMinutes: 7, tierBuckets: 179),
    ]

    @Test(arguments: cases)
    func aSpanAnswersAsItsBlocksDo(_ c: Case) async throws {
        let engine = try await StorageEngine.open(directory: "/d", options: .forTests, fileSystem: InMemoryFileSystem())
        let points = (0..<(Self.hours * 3_600)).map { i in
            Point(measurement: "m", tags: [Tag("id", "a")], fields: [Field("v", .float(Self.value(i)))],
                  timestamp: Self.t0 + Int64(i) * 1_000_000_000)
        }
        _ = try await engine.write(WriteBatch(database: "db", points: points))
        try await engine.flush()
        _ = try await engine.compact()

        let second: Int64 = 1_000_000_000
        let range = (Self.t0 + c.from * second)...(Self.t0 + c.until * second - 1)
        let interval = c.intervalMinutes * Self.minute
        let request = SummaryRequest(interval: interval, offset: Self.t0 % interval)
        var statistics = ScanStatistics()
        let got = try blocking {
            try engine.scanChunks(database: "db", measurement: "m", fields: ["v"], range: range,
                                  summaries: request, statistics: &statistics)
        }
        #expect(statistics.tierBuckets["rollup_1m"] == c.tierBuckets)
        #expect(statistics.blocksConsidered == Self.hours)
        let chunks = try #require(got.first).chunks
        let bucket = { (t: Int64) in request.bucket(t) }
        #expect(Self.fold(chunks, bucket: bucket) == Self.expected(range: range, bucket: bucket))
        try await engine.close()
    }

    /// Each bucket's stats as the raw points give them.
    static func expected(range: ClosedRange<Int64>, bucket: (Int64) -> Int64) -> [Int64: BlockStats] {
        var rows = SeriesRows(key: SeriesKey(measurement: "m", tags: [Tag("id", "a")]))
        var column = ColumnData(type: .float)
        for i in 0..<(hours * 3_600) {
            let t = t0 + Int64(i) * 1_000_000_000
            guard range.contains(t) else { continue }
            rows.timestamps.append(t)
            column.append(.float(value(i)))
        }
        rows.columns["v"] = column
        return fold([.rows(rows)], bucket: bucket)
    }

    /// The chunks' summaries and rows folded per bucket; a summary that spans two buckets
    /// is recorded as a failure.
    static func fold(_ chunks: [ScanChunk], bucket: (Int64) -> Int64) -> [Int64: BlockStats] {
        var out: [Int64: BlockStats] = [:]
        func add(_ b: Int64, _ s: BlockStats) {
            // Later stats come after earlier ones: chunks are in time order.
            out[b] = out[b].map { $0.merged(with: s)! } ?? s
        }
        for chunk in chunks {
            if case .rows(let rows) = chunk, let column = rows.columns["v"] {
                var start = 0
                while start < rows.count {
                    let b = bucket(rows.timestamps[start])
                    let end = rows.timestamps[start...].firstIndex { bucket($0) != b } ?? rows.count
                    if let s = BlockStats.compute(column, timestamps: rows.timestamps[...], rows: start..<end) { add(b, s) }
                    start = end
                }
            }
            for s in chunk.blockSummaries {
                #expect(bucket(s.minTime) == bucket(s.maxTime), "a summary spans two buckets")
                if let v = s.fields["v"] { add(bucket(s.minTime), v) }
            }
        }
        return out
    }

    /// `TierRuns.cover`: runs cover a part with no gap, whatever run it starts in.
    @Test(arguments: [
        ([(0, 9), (10, 19), (20, 29)], 0, 29, true),
        ([(0, 9), (10, 19), (20, 29)], 5, 25, true),
        ([(0, 9), (11, 19)], 0, 19, false),
        ([(0, 9), (10, 19)], 0, 20, false),
        ([(5, 9)], 0, 9, false),
        ([], 3, 2, true),
        ([], 0, 0, false),
    ] as [([(Int64, Int64)], Int64, Int64, Bool)])
    func runsCoverAPartWithoutGaps(_ spans: [(Int64, Int64)], _ lo: Int64, _ hi: Int64, _ covered: Bool) {
        var runs = TierRuns(names: ["v"])
        for (a, b) in spans {
            runs.append(minTime: a, maxTime: b, rows: 1, buckets: 1,
                        stats: [PackedStats(floats: 1, first: 0, firstTime: a, last: 0, lastTime: a, min: nil, max: nil, sum: 0)])
        }
        var r = 0
        #expect(runs.cover(from: lo, through: hi, startingAt: &r) == covered)
    }
}
