@testable import StrataCore
import Testing

/// Runs of summaries as columns (`SummaryColumns`, `PackedStats`, `ChunkSink`): stats come
/// back as they went in, whatever their types; summaries in one bucket of the request fold
/// as `BlockSummary.merged` folds them; rows close a run.
@Suite struct SummaryColumnsTests {
    static func stats(_ count: Int, _ v: FieldValue, sum: FieldValue?, at t: Int64 = 0) -> BlockStats {
        var s = BlockStats(count: count, first: v, firstTime: t, last: v, lastTime: t + 1)
        (s.min, s.max, s.sum) = (v, v, sum)
        return s
    }

    struct RoundTrip: CustomTestStringConvertible, Sendable {
        var name: String
        var stats: BlockStats
        var testDescription: String { name }
    }

    static let roundTrips: [RoundTrip] = {
        var noTimes = stats(3, .integer(-7), sum: .integer(-21))
        (noTimes.minTime, noTimes.maxTime) = (nil, nil)
        var timed = stats(2, .float(-0.0), sum: .float(0))
        (timed.minTime, timed.maxTime) = (5, 6)
        // Tier summaries leave first and last at NaN placeholders whatever the field's type.
        var placeholders = stats(4, .unsigned(.max), sum: .unsigned(.max))
        (placeholders.first, placeholders.last) = (.float(.nan), .float(.nan))
        var boolean = stats(1, .boolean(true), sum: nil)
        boolean.min = .boolean(false)
        var text = stats(2, .string("a"), sum: nil)
        (text.min, text.max) = (nil, nil)
        return [
            RoundTrip(name: "integer without selected times", stats: noTimes),
            RoundTrip(name: "float with negative zero and times", stats: timed),
            RoundTrip(name: "unsigned with NaN placeholders", stats: placeholders),
            RoundTrip(name: "boolean without a sum", stats: boolean),
            RoundTrip(name: "string (held boxed)", stats: text),
            RoundTrip(name: "extreme integers", stats: stats(1, .integer(.min), sum: .integer(.min))),
        ]
    }()

    /// Equal, with NaN equal to NaN and -0.0 told from 0.0: what a reader would see.
    static func same(_ a: BlockStats?, _ b: BlockStats?) -> Bool {
        func key(_ v: FieldValue?) -> String {
            if case .float(let d)? = v { return "f\(d.bitPattern)" }
            return String(describing: v)
        }
        guard let a, let b else { return a == nil && b == nil }
        return a.count == b.count && a.firstTime == b.firstTime && a.lastTime == b.lastTime && a.minTime == b.minTime
            && a.maxTime == b.maxTime && [a.first, a.last, a.min, a.max, a.sum].map(key) == [b.first, b.last, b.min, b.max, b.sum].map(key)
    }

    @Test(arguments: roundTrips)
    func statsComeBackAsTheyWentIn(_ c: RoundTrip) {
        var column = SummaryStatsColumn(absentFor: 1)
        column.appendAbsent()
        column.appendAbsent()
        column.set(0, c.stats)
        column.set(1, c.stats)
        #expect(Self.same(column[0], c.stats))
        #expect(Self.same(column[1], c.stats))
        #expect(column[2] == nil)
    }

    @Test func aStringAfterPackedStatsKeepsTheEarlierOnes() {
        var column = SummaryStatsColumn(absentFor: 3)
        let number = Self.stats(2, .float(1.5), sum: .float(3))
        column.set(0, number)
        column.set(2, Self.stats(1, .string("x"), sum: nil))
        #expect(Self.same(column[0], number))
        #expect(column[1] == nil)
        #expect(column[2]?.first == .string("x"))
    }

    static let hour: Int64 = 3_600

    static func summary(_ start: Int64, _ fields: [String: BlockStats]) -> BlockSummary {
        BlockSummary(minTime: start, maxTime: start + 599, rowCount: fields.values.map(\.count).max() ?? 0, fields: SummaryFields(fields))
    }

    @Test func summariesInOneBucketFoldAndOthersStayApart() throws {
        var run = SummaryColumns(request: SummaryRequest(interval: Self.hour))
        let a = Self.stats(2, .integer(4), sum: .integer(8), at: 0)
        let b = Self.stats(3, .integer(1), sum: .integer(3), at: 600)
        let c = Self.stats(1, .integer(9), sum: .integer(9), at: 3_600)
        run.append(Self.summary(0, ["i": a]))
        run.append(Self.summary(600, ["i": b]))
        run.append(Self.summary(3_600, ["i": c, "j": c]))  // the next hour, with a second field
        #expect(run.count == 2)
        #expect(run.minTimes == [0, 3_600] && run.maxTimes == [1_199, 4_199])
        #expect(run.rowCounts == [5, 1])
        let i = try #require(run.fieldIndex("i")), j = try #require(run.fieldIndex("j"))
        #expect(Self.same(run.stats[i][0], a.merged(with: b)))
        #expect(Self.same(run.stats[i][1], c))
        #expect(run.stats[j][0] == nil, "a field new to the run has no value before it")
        #expect(Self.same(run.stats[j][1], c))
        #expect(run.summaries.map(\.minTime) == [0, 3_600])
    }

    @Test func aSumThatWouldOverflowStartsASummaryOfItsOwn() throws {
        var run = SummaryColumns(request: SummaryRequest(interval: Self.hour))
        let big = Self.stats(1, .integer(.max), sum: .integer(.max), at: 0)
        let one = Self.stats(1, .integer(1), sum: .integer(1), at: 600)
        let fine = Self.stats(1, .float(1), sum: .float(1), at: 600)
        run.append(Self.summary(0, ["i": big, "f": fine]))
        run.append(Self.summary(600, ["f": fine, "i": one]))
        #expect(run.count == 2, "all fields merge or none")
        let f = try #require(run.fieldIndex("f"))
        #expect(run.stats[f][0]?.count == 1 && run.stats[f][1]?.count == 1)
    }

    @Test func rowsCloseARunAndWithoutARequestEachSummaryStandsAlone() {
        let s = Self.summary(0, ["f": Self.stats(1, .float(1), sum: .float(1))])
        let later = Self.summary(7_200, ["f": Self.stats(1, .float(2), sum: .float(2), at: 7_200)])
        var rows = SeriesRows(key: SeriesKey(measurement: "m", tags: []))
        rows.timestamps = [3_600]
        var sink = ChunkSink(request: SummaryRequest(interval: Self.hour), capacity: 4)
        sink.summary(s)
        sink.rows(rows)
        sink.summary(later)
        sink.summary(Self.summary(7_800, ["f": Self.stats(1, .float(3), sum: .float(3), at: 7_800)]))
        let chunks = sink.finish()
        #expect(chunks.count == 3)
        guard case .summaries(let first) = chunks[0], case .rows = chunks[1], case .summaries(let last) = chunks[2] else {
            Issue.record("expected a run, rows, a run: \(chunks)")
            return
        }
        #expect(first.count == 1 && last.count == 1 && last.rowCounts == [2])

        var plain = ChunkSink(request: nil, capacity: 2)
        plain.summary(s)
        plain.summary(later)
        let alone = plain.finish()
        #expect(alone.count == 2)
        #expect(alone.allSatisfy { if case .summary = $0 { true } else { false } })
    }

    /// Packed stats merge exactly as `BlockStats.merged` merges them: the merge table of
    /// `SummaryMergeTests`, plus a side without min and max or without their times.
    @Test(arguments: SummaryMergeTests.mergeCases + packedOnlyCases)
    func packedStatsMergeAsBlockStatsMerge(_ c: SummaryMergeTests.MergeCase) throws {
        let earlier = try #require(PackedStats(c.earlier)), later = try #require(PackedStats(c.later))
        let merged = earlier.merged(with: later)
        #expect((merged == nil) == (c.earlier.merged(with: c.later) == nil))
        #expect(Self.same(merged?.stats, c.earlier.merged(with: c.later)))
        if let expected = c.merged { #expect(Self.same(merged?.stats, expected)) }
    }

    static let packedOnlyCases: [SummaryMergeTests.MergeCase] = {
        var noExtremes = stats(2, .boolean(true), sum: nil, at: 0)
        (noExtremes.min, noExtremes.max, noExtremes.minTime, noExtremes.maxTime) = (nil, nil, nil, nil)
        var lowWithoutTime = stats(1, .boolean(false), sum: nil, at: 10)
        (lowWithoutTime.minTime, lowWithoutTime.maxTime) = (nil, nil)
        var timed = stats(1, .float(3), sum: .float(3), at: 0)
        (timed.minTime, timed.maxTime) = (0, 0)
        var lower = stats(1, .float(-1), sum: .float(-1), at: 10)
        (lower.minTime, lower.maxTime) = (nil, nil)
        var first = BlockStats(count: 3, first: .boolean(true), firstTime: 0, last: .boolean(false), lastTime: 11)
        (first.min, first.max) = (.boolean(false), .boolean(false))
        var second = BlockStats(count: 2, first: .float(3), firstTime: 0, last: .float(-1), lastTime: 11)
        (second.min, second.max, second.maxTime, second.sum) = (.float(-1), .float(3), 0, .float(2))
        return [
            SummaryMergeTests.MergeCase(name: "no extremes before: the later ones stand", earlier: noExtremes,
                                        later: lowWithoutTime, merged: first),
            SummaryMergeTests.MergeCase(name: "a lower later min without a time clears the time", earlier: timed,
                                        later: lower, merged: second),
        ]
    }()
}

