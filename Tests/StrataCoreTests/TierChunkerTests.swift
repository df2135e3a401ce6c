import Testing
@testable import StrataCore

/// How SeriesChunker plans a compacted partition with rollup tiers: the coarsest tier the
/// caller accepts, range edges and masked buckets decoded, fields that are not rolled up
/// decoded, tier-only partitions below the raw cut. Every case also checks that the chunks
/// fold, per caller bucket, to what the raw rows fold to.
@Suite struct TierChunkerTests {
    static let second: Int64 = 1_000_000_000
    static let minute = 60 * second
    static let hour = 3_600 * second
    /// 2024-01-01T00:00:00Z, a day boundary: the partition is [day, day + 24 h).
    static let day: Int64 = 1_704_067_200 * second
    static let partition = PartitionKey(database: "db", start: day, end: day + 24 * hour)
    static let key = SeriesKey(measurement: "m", tags: [Tag("id", "1")])

    /// 720 rows 10 s apart over two hours: sparse hours, so one row block spans both.
    static let raw: SeriesRows = {
        var rows = SeriesRows(key: key)
        var f = ColumnData(type: .float), i = ColumnData(type: .integer), s = ColumnData(type: .string)
        for k in 0..<720 {
            rows.timestamps.append(day + Int64(k) * 10 * second)
            f.append(.float(Double(k % 97) * 0.5))
            i.append(.integer(Int64(k % 7) - 3))
            if k % 2 == 0 { s.append(.string("x")) } else { s.appendNull() }
        }
        rows.columns = ["f": f, "i": i, "s": s]
        return rows
    }()

    struct Fixture {
        var segment: LiveSegment
        var tiers: [LiveTier]
    }

    static func fixture() throws -> Fixture {
        let fs = InMemoryFileSystem()
        try fs.createDirectory("/s")
        var writer = SegmentWriter()
        writer.add(database: "db", rows: raw)
        try fs.writeFileAtomically("/s/1.seg", contents: writer.finish())
        let segment = LiveSegment(reader: try SegmentReader(path: "/s/1.seg", fileSystem: fs), flushedThrough: 10, partition: partition)
        var tiers: [LiveTier] = []
        for (n, (name, res)) in [("rollup_1h", hour), ("rollup_1m", minute)].enumerated() {
            var t = TierWriter(resolution: res)
            t.add(database: "db", rows: raw)
            try fs.writeFileAtomically("/s/\(n + 2).tier", contents: t.finish())
            tiers.append(LiveTier(reader: try SegmentReader(path: "/s/\(n + 2).tier", fileSystem: fs), partition: partition,
                                  name: name, resolution: res, flushedThrough: 10))
        }
        return Fixture(segment: segment, tiers: tiers)
    }

    /// Buckets of `interval` aligned to the epoch plus `offset`, as the query layer asks.
    static func sameWindow(_ interval: Int64, offset: Int64 = 0) -> (Int64, Int64) -> Bool {
        { lo, hi in floorDiv(lo - offset, interval) == floorDiv(hi - offset, interval) }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    struct Run {
        var chunks: [ScanChunk]
        var statistics: ScanStatistics
    }

    static func run(_ f: Fixture, segments: Bool = true, rawCut: Int64? = nil, tierCuts: [String: Int64] = [:],
                    masks: [TombstoneSet.Mask] = [], fields: Set<String>? = ["f", "i"],
                    range: ClosedRange<Int64> = Int64.min...Int64.max, canSummarize: (Int64, Int64) -> Bool) throws -> Run {
        let context = TierContext(files: f.tiers, rawCut: rawCut, tierCuts: tierCuts,
                                  fieldTypes: ["f": .float, "i": .integer, "s": .string])
        let chunker = SeriesChunker(database: "db", key: key, fields: fields, range: range, tiers: context)
        var statistics = ScanStatistics()
        let prepared = chunker.prepare(segments: segments ? [f.segment] : [], headParts: [], masks: masks, statistics: &statistics)
        let plan = chunker.plan(prepared, canSummarize: canSummarize, statistics: &statistics)
        let chunks = try chunker.execute(plan, statistics: &statistics)
        return Run(chunks: chunks, statistics: statistics)
    }

    /// Folds chunks per window of `interval` (a summary by its start), per field.
    static func fold(_ chunks: [ScanChunk], interval: Int64, offset: Int64 = 0) -> [String: [Int64: FieldAggregate]] {
        var out: [String: [Int64: FieldAggregate]] = [:]
        for chunk in chunks {
            switch chunk {
            case .summary, .summaries:
                for s in chunk.blockSummaries {
                    let w = floorDiv(s.minTime - offset, interval)
                    for (name, stats) in s.fields { out[name, default: [:]][w, default: FieldAggregate()].add(stats) }
                }
            case .rows(let rows):
                for (name, column) in rows.columns where column.type != .string {
                    for r in 0..<rows.count {
                        guard let v = FieldAggregate.number(column.value(at: r)) else { continue }
                        let w = floorDiv(rows.timestamps[r] - offset, interval)
                        out[name, default: [:]][w, default: FieldAggregate()].add(time: rows.timestamps[r], v)
                    }
                }
            }
        }
        return out
    }

    /// The same fold over the raw rows in `range`, minus `masked`.
    static func expected(interval: Int64, offset: Int64 = 0, range: ClosedRange<Int64> = Int64.min...Int64.max,
                         masked: [ClosedRange<Int64>] = []) -> [String: [Int64: FieldAggregate]] {
        let kept = raw.sliced(range: range, fields: ["f", "i"]).removingRows(timesIn: masked)
        return fold([.rows(kept)], interval: interval, offset: offset)
    }

    static func isOrdered(_ chunks: [ScanChunk]) -> Bool {
        zip(chunks, chunks.dropFirst()).allSatisfy { $0.maxTime < $1.minTime }
    }

    @Test func coarsestAcceptedTierIsChosen() throws {
        let f = try Self.fixture()
        let r = try Self.run(f, canSummarize: Self.sameWindow(Self.hour))
        #expect(r.statistics.tierBuckets == ["rollup_1h": 2])
        #expect(r.statistics.blocksDecoded == 0)
        #expect(r.statistics.blocksRefusedByCaller == 1)
        #expect(r.chunks.map(\.minTime) == [Self.day, Self.day + Self.hour])
        #expect(r.statistics.served["rollup_1h"]?.ranges == [Self.day...(Self.day + 2 * Self.hour - 1)])
        #expect(Self.fold(r.chunks, interval: Self.hour) == Self.expected(interval: Self.hour))
    }

    @Test(arguments: [
        (Self.minute, Int64(0), "rollup_1m", 120),
        (5 * Self.minute, Int64(0), "rollup_1m", 120),
        (Self.hour, 30 * Self.minute, "rollup_1m", 120),
        (2 * Self.hour, Int64(0), "", 0),
    ])
    func finerTierWhenCoarserIsRefused(interval: Int64, offset: Int64, tier: String, buckets: Int) throws {
        let f = try Self.fixture()
        let r = try Self.run(f, canSummarize: Self.sameWindow(interval, offset: offset))
        // A 2 h bucket holds the whole block: its header answers, no tier is needed.
        #expect(r.statistics.tierBuckets == (tier.isEmpty ? [:] : [tier: buckets]))
        #expect(r.statistics.blocksSummarized == (tier.isEmpty ? 1 : 0))
        #expect(r.statistics.blocksDecoded == 0)
        #expect(Self.isOrdered(r.chunks))
        #expect(Self.fold(r.chunks, interval: interval, offset: offset) == Self.expected(interval: interval, offset: offset))
    }

    @Test func tierCutMakesTheCoarseTierUnusable() throws {
        let f = try Self.fixture()
        let r = try Self.run(f, tierCuts: ["rollup_1h": Self.day + 24 * Self.hour], canSummarize: Self.sameWindow(Self.hour))
        #expect(r.statistics.tierBuckets == ["rollup_1m": 120])
        #expect(Self.fold(r.chunks, interval: Self.hour) == Self.expected(interval: Self.hour))
    }

    @Test(arguments: [
        (Int64(95), Int64(7_000), Self.minute),
        (Int64(0), Int64(3_599), Self.hour),
        (Int64(1_801), Int64(7_199), Self.hour),
    ])
    func rangeEdgesAreDecoded(from: Int64, to: Int64, interval: Int64) throws {
        let f = try Self.fixture()
        let range = (Self.day + from * Self.second)...(Self.day + to * Self.second)
        let r = try Self.run(f, range: range, canSummarize: Self.sameWindow(interval))
        #expect(r.statistics.blocksDecoded == 1)
        #expect(!r.statistics.tierBuckets.isEmpty)
        let decoded = r.chunks.compactMap { chunk -> SeriesRows? in
            if case .rows(let rows) = chunk { rows } else { nil }
        }
        #expect(!decoded.isEmpty)
        for rows in decoded { #expect(rows.timestamps.allSatisfy(range.contains)) }
        #expect(Self.isOrdered(r.chunks))
        for case .summary(let s) in r.chunks { #expect(range.contains(s.minTime) && range.contains(s.maxTime)) }
        #expect(Self.fold(r.chunks, interval: interval) == Self.expected(interval: interval, range: range))
    }

    @Test func maskedBucketsAreDecoded() throws {
        let f = try Self.fixture()
        let deleted = (Self.day + 5 * Self.minute + 3 * Self.second)...(Self.day + 5 * Self.minute + 25 * Self.second)
        let masks = [TombstoneSet.Mask(sequence: 11, range: deleted)]
        let r = try Self.run(f, masks: masks, canSummarize: Self.sameWindow(Self.minute))
        #expect(r.statistics.tierBuckets == ["rollup_1m": 119])
        #expect(r.statistics.blocksDecoded == 1)
        #expect(r.statistics.rowsMasked == 2)
        #expect(Self.fold(r.chunks, interval: Self.minute) == Self.expected(interval: Self.minute, masked: [deleted]))
        // An older tombstone (below the files' flushedThrough) masks nothing.
        let old = try Self.run(f, masks: [TombstoneSet.Mask(sequence: 9, range: deleted)], canSummarize: Self.sameWindow(Self.minute))
        #expect(old.statistics.tierBuckets == ["rollup_1m": 120])
    }

    @Test(arguments: [
        (Set(["f", "s"]) as Set<String>?, false),
        (nil as Set<String>?, false),
        (Set(["f"]) as Set<String>?, true),
    ])
    func fieldsThatAreNotRolledUpAreDecoded(fields: Set<String>?, usesTier: Bool) throws {
        let f = try Self.fixture()
        let r = try Self.run(f, fields: fields, canSummarize: Self.sameWindow(Self.minute))
        #expect(r.statistics.tierBuckets.isEmpty == !usesTier)
        #expect(r.statistics.blocksDecoded == (usesTier ? 0 : 1))
    }

    @Test func tierOnlyPartitionBelowTheRawCut() throws {
        let f = try Self.fixture()
        let cut = Self.day + 24 * Self.hour
        // Raw data expired: the L1 is gone; only accepted buckets with data in range come back.
        let r = try Self.run(f, segments: false, rawCut: cut, canSummarize: Self.sameWindow(Self.hour))
        #expect(r.statistics.tierBuckets == ["rollup_1h": 2])
        #expect(Self.fold(r.chunks, interval: Self.hour) == Self.expected(interval: Self.hour))
        let edge = (Self.day + 30 * Self.minute)...(Self.day + 3 * Self.hour)
        let cutEdge = try Self.run(f, segments: false, rawCut: cut, range: edge, canSummarize: Self.sameWindow(Self.hour))
        #expect(cutEdge.chunks.map(\.minTime) == [Self.day + Self.hour])
        let refused = try Self.run(f, segments: false, rawCut: cut, canSummarize: { _, _ in false })
        #expect(refused.chunks.isEmpty)
        // Even with the L1 still listed, raw rows below the cut are never read.
        let clamped = try Self.run(f, rawCut: cut, canSummarize: { _, _ in false })
        #expect(clamped.chunks.isEmpty)
        #expect(clamped.statistics.blocksDecoded == 0)
    }

    @Test func withoutTierFilesNothingChanges() throws {
        var f = try Self.fixture()
        f.tiers = []
        let r = try Self.run(f, canSummarize: Self.sameWindow(Self.minute))
        #expect(r.statistics.tierBuckets.isEmpty)
        #expect(r.statistics.blocksDecoded == 1)
        #expect(r.statistics.served["raw"]?.ranges == [Self.day...(Self.day + 7_190 * Self.second)])
    }
}
