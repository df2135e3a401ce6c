import Testing
@testable import StrataCore

/// Format version 2's density-aware row-block cutting and min/max times (docs/format/segment.md).
@Suite struct SegmentBlockTests {
    static let hour: Int64 = 3_600_000_000_000

    /// The UTC hour of `t`, computed apart from the writer's `alignedPeriod`.
    static func hourOf(_ t: Int64) -> Int64 {
        t >= 0 ? t / hour : -(-(t + 1) / hour) - 1
    }

    static let day: Int64 = 24 * hour
    static let dense = 512

    /// The UTC day of an hour number, floor division apart from the writer's.
    static func dayOf(hour h: Int64) -> Int64 {
        h >= 0 ? h / 24 : -(-(h + 1) / 24) - 1
    }

    /// Strictly increasing times over several hours: runs of milliseconds to minutes (sparse
    /// hours of ~120 rows), slow stretches of minutes (a few rows an hour), dense stretches
    /// of 1–5 s (hundreds to thousands of rows an hour), jumps of up to two hours and to just
    /// before midnight (sparse runs across a day), times exactly on an hour and one
    /// nanosecond before one, and bursts of more than 8,192 rows within one hour.
    static func irregularTimes(_ rng: inout SplitMix64, start: Int64) -> [Int64] {
        var times: [Int64] = []
        var t = start
        let n = Int.random(in: 2_000...30_000, using: &rng)
        while times.count < n || t - start < 4 * hour {
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<3:  // exactly the next hour
                t = (hourOf(t) + 1) * hour
            case 3..<5:  // one nanosecond before the next hour, then the hour itself
                t = (hourOf(t) + 1) * hour - 1
                times.append(t)
                t += 1
            case 5..<7:
                t += Int64.random(in: 1...(2 * hour), using: &rng)
            case 7:  // a burst: 10,000 rows 1 µs apart
                for _ in 0..<10_000 {
                    times.append(t)
                    t += 1_000
                }
            case 8:  // shortly before the next midnight
                let midnight = (dayOf(hour: hourOf(t)) + 1) * day
                t = max(t, midnight - Int64.random(in: 1...(3 * hour), using: &rng))
            case 9:  // a dense stretch: 300 to 3,000 rows 1–5 s apart
                for _ in 0..<Int.random(in: 300...3_000, using: &rng) {
                    times.append(t)
                    t += Int64.random(in: 1_000_000_000...5_000_000_000, using: &rng)
                }
            case 10:  // a slow stretch: 20 to 200 rows 2–15 min apart
                for _ in 0..<Int.random(in: 20...200, using: &rng) {
                    times.append(t)
                    t += Int64.random(in: 120_000_000_000...900_000_000_000, using: &rng)
                }
            default:
                t += Int64.random(in: 1_000_000...60_000_000_000, using: &rng)
            }
            times.append(t)
            t += 1
        }
        return times
    }

    static func rows(_ times: [Int64], _ rng: inout SplitMix64) -> SeriesRows {
        var head = HeadSeries(key: SeriesKey(measurement: "m", tags: [Tag("d", "x")]))
        for t in times {
            var fields: [Field] = []
            if Int.random(in: 0..<10, using: &rng) > 0 { fields.append(Field("f", .float(Double(Int.random(in: -50...50, using: &rng)) / 4))) }
            if Bool.random(using: &rng) { fields.append(Field("i", .integer(Int64.random(in: -3...3, using: &rng)))) }
            if Bool.random(using: &rng) { fields.append(Field("b", .boolean(Bool.random(using: &rng)))) }
            if fields.isEmpty { fields.append(Field("u", .unsigned(UInt64.random(in: 0...9, using: &rng)))) }
            head.append(timestamp: t, fields: fields)
        }
        return head.rows
    }

    static let starts: [(seed: UInt64, start: Int64)] = [
        (1, 1_700_000_000_000_000_000),
        (2, 1_704_067_200_000_000_000),  // on an hour
        (3, -10_800_000_000_017),  // before 1970, across the epoch
        (4, -946_080_000_000_000_000),  // 1940
        (5, 0),
    ]

    /// Density-aware cutting (docs/format/segment.md, "Row blocks"): a block lies in one
    /// hour, or covers only sparse hours of one UTC day; it ends mid-hour only at 8,192
    /// rows; a new block starts only at a new day, a dense hour, after a dense hour, or
    /// where the next hour would take the block past 8,192 rows.
    @Test(arguments: starts)
    func rowBlocksFollowDensityAndRoundTrip(seed: UInt64, start: Int64) throws {
        var rng = SplitMix64(seed: seed)
        let input = Self.rows(Self.irregularTimes(&rng, start: start), &rng)
        var perHour: [Int64: Int] = [:]
        for t in input.timestamps { perHour[Self.hourOf(t), default: 0] += 1 }
        func isDense(_ h: Int64) -> Bool { perHour[h]! >= Self.dense }
        let reader = try SegmentTests.reader(SegmentTests.write([("db", input)]))
        let s = try #require(reader.series(database: "db", key: input.key))
        #expect(s.rowBlocks.count > 4)
        var previous: (last: Int64, rows: Int)?
        var parts: [SeriesRows] = []
        var multiHour = 0, denseHourBlocks = 0
        for (b, block) in s.rowBlocks.enumerated() {
            #expect(block.rows <= 8_192)
            let part = try reader.rows(of: s, block: b, range: Int64.min...Int64.max, fields: nil)
            let first = Self.hourOf(part.timestamps[0]), last = Self.hourOf(part.timestamps[part.count - 1])
            if first != last {
                multiHour += 1
                #expect(Self.dayOf(hour: first) == Self.dayOf(hour: last), "block \(b) straddles a day")
                #expect(part.timestamps.allSatisfy { !isDense(Self.hourOf($0)) }, "block \(b) spans a dense hour")
            } else if isDense(first) && block.rows < 8_192 {
                denseHourBlocks += 1
            }
            #expect(part.timestamps.first == block.minTime && part.timestamps.last == block.maxTime)
            if let previous {
                // Not mid-hour, unless the previous block is full.
                #expect(previous.last < first || previous.rows == 8_192, "block \(b - 1) ends mid-hour")
                // Cut only where needed.
                let needed = previous.rows == 8_192 || Self.dayOf(hour: previous.last) != Self.dayOf(hour: first)
                    || isDense(previous.last) || isDense(first) || previous.rows + perHour[first]! > 8_192
                #expect(needed, "block \(b) starts where \(b - 1) could have gone on")
            }
            previous = (last, block.rows)
            for f in s.fields {
                let stats = f.blocks[b]?.stats
                #expect(stats == BlockStats.compute(part.columns[f.name]!, timestamps: part.timestamps[...], rows: 0..<part.count))
            }
            parts.append(part)
        }
        #expect(s.rowBlocks.contains { $0.rows == 8_192 }, "no block was cut at 8,192 rows")
        #expect(multiHour > 0, "no block of several sparse hours")
        #expect(denseHourBlocks > 0, "no dense hour block below 8,192 rows")
        #expect(SeriesRows.concatenated(parts, key: input.key) == input)
        #expect(try reader.rows(of: s, range: Int64.min...Int64.max, fields: nil) == input)
    }

    struct Shape: Sendable, CustomTestStringConvertible {
        var name: String
        /// (first time, step, rows) runs, in order.
        var runs: [Run]
        var blockRows: [Int]
        /// Expected first times of the blocks.
        var blockStarts: [Int64]
        var testDescription: String { name }
    }

    struct Run: Sendable {
        var start: Int64
        var step: Int64
        var count: Int
        init(_ start: Int64, _ step: Int64, _ count: Int) {
            self.start = start
            self.step = step
            self.count = count
        }
    }

    static let day0: Int64 = 1_704_067_200_000_000_000  // 2024-01-01T00:00:00Z
    static let minute: Int64 = 60_000_000_000
    static let second: Int64 = 1_000_000_000

    static let shapes: [Shape] = [
        Shape(name: "1/min for 3 days: a block a day", runs: [Run(day0, minute, 3 * 1_440)],
              blockRows: [1_440, 1_440, 1_440], blockStarts: [day0, day0 + day, day0 + 2 * day]),
        Shape(name: "1 Hz for 3 h: a block an hour", runs: [Run(day0, second, 3 * 3_600)],
              blockRows: [3_600, 3_600, 3_600], blockStarts: [day0, day0 + hour, day0 + 2 * hour]),
        Shape(name: "sparse, dense at 10:00, sparse again at 12:00",
              runs: [Run(day0, minute, 600), Run(day0 + 10 * hour, second, 7_200), Run(day0 + 12 * hour, minute, 120)],
              blockRows: [600, 3_600, 3_600, 120], blockStarts: [day0, day0 + 10 * hour, day0 + 11 * hour, day0 + 12 * hour]),
        Shape(name: "1/min before 1970, across the epoch", runs: [Run(-2 * day, minute, 3 * 1_440)],
              blockRows: [1_440, 1_440, 1_440], blockStarts: [-2 * day, -day, 0]),
        Shape(name: "511 rows an hour: sparse blocks cut at whole hours under 8,192",
              runs: (0..<24).map { Run(day0 + Int64($0) * hour, hour / 511, 511) },
              blockRows: [16 * 511, 8 * 511], blockStarts: [day0, day0 + 16 * hour]),
        Shape(name: "512 rows an hour: dense", runs: [Run(day0, hour / 512, 3 * 512)],
              blockRows: [512, 512, 512], blockStarts: [day0, day0 + hour, day0 + 2 * hour]),
        Shape(name: "one hour of 10,000 rows", runs: [Run(day0, hour / 10_000, 10_000), Run(day0 + hour, minute, 120)],
              blockRows: [8_192, 1_808, 120], blockStarts: [day0, day0 + 8_192 * (hour / 10_000), day0 + hour]),
    ]

    @Test(arguments: shapes)
    func blocksOfHandMadeSeries(_ shape: Shape) throws {
        var head = HeadSeries(key: SeriesKey(measurement: "m", tags: []))
        for run in shape.runs {
            for i in 0..<run.count {
                head.append(timestamp: run.start + Int64(i) * run.step, fields: [Field("v", .float(Double(i % 7)))])
            }
        }
        let input = head.rows
        let reader = try SegmentTests.reader(SegmentTests.write([("db", input)]))
        let s = try #require(reader.series(database: "db", key: input.key))
        #expect(s.rowBlocks.map(\.rows) == shape.blockRows)
        #expect(s.rowBlocks.map(\.minTime) == shape.blockStarts)
        #expect(try reader.rows(of: s, range: Int64.min...Int64.max, fields: nil) == input)
    }

    /// The writer's floor division, against the independent one, at and around hours and days.
    @Test func alignedPeriodFloorsNegativeTimes() {
        for k: Int64 in [-1_000_000, -25, -1, 0, 1, 2_562_046] {
            for t in [k * Self.hour - 1, k * Self.hour, k * Self.hour + 1] {
                #expect(SegmentFormat.alignedPeriod(t) == Self.hourOf(t), "\(t)")
            }
        }
        #expect(SegmentFormat.alignedPeriod(Int64.min) == Self.hourOf(Int64.min))
        #expect(SegmentFormat.alignedPeriod(Int64.max) == Self.hourOf(Int64.max))
        for h: Int64 in [-49, -48, -25, -24, -23, -1, 0, 1, 23, 24, 47, 48] {
            #expect(SegmentFormat.alignedDay(hour: h) == Self.dayOf(hour: h), "\(h)")
        }
        #expect(SegmentFormat.alignedDay(hour: SegmentFormat.alignedPeriod(Int64.min)) == Self.dayOf(hour: Self.hourOf(Int64.min)))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var type: FieldType
        var values: [FieldValue?]
        /// Expected min and max and the rows (index into values) they are taken from.
        var min: FieldValue?
        var minRow: Int?
        var max: FieldValue?
        var maxRow: Int?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "float ties go to the earliest", type: .float, values: [.float(3), .float(1), .float(5), .float(1), .float(5)],
             min: .float(1), minRow: 1, max: .float(5), maxRow: 2),
        // -0.0 == 0.0 (IEEE 754, as the query layer compares): a tie, so the earlier row and its sign.
        Case(name: "0.0 before -0.0", type: .float, values: [.float(0.0), .float(-0.0)],
             min: .float(0.0), minRow: 0, max: .float(0.0), maxRow: 0),
        Case(name: "-0.0 before 0.0", type: .float, values: [nil, .float(-0.0), .float(0.0), .float(-0.0)],
             min: .float(-0.0), minRow: 1, max: .float(-0.0), maxRow: 1),
        Case(name: "-0.0 against negatives", type: .float, values: [.float(-0.0), .float(-1e-300), .float(0.0)],
             min: .float(-1e-300), minRow: 1, max: .float(-0.0), maxRow: 0),
        Case(name: "float infinities", type: .float, values: [.float(1), .float(-.infinity), .float(.infinity)],
             min: .float(-.infinity), minRow: 1, max: .float(.infinity), maxRow: 2),
        Case(name: "float NaN is skipped", type: .float, values: [.float(.nan), .float(2), .float(1), .float(.nan)],
             min: .float(1), minRow: 2, max: .float(2), maxRow: 1),
        Case(name: "single float", type: .float, values: [nil, nil, .float(7.25), nil],
             min: .float(7.25), minRow: 2, max: .float(7.25), maxRow: 2),
        Case(name: "all null", type: .float, values: [nil, nil, nil]),
        Case(name: "integers with nulls and ties", type: .integer,
             values: [nil, .integer(5), .integer(-2), nil, .integer(-2), .integer(7), .integer(7)],
             min: .integer(-2), minRow: 2, max: .integer(7), maxRow: 5),
        Case(name: "integer extremes", type: .integer, values: [.integer(0), .integer(.max), .integer(.min), .integer(.max)],
             min: .integer(.min), minRow: 2, max: .integer(.max), maxRow: 1),
        Case(name: "single integer", type: .integer, values: [.integer(-4)], min: .integer(-4), minRow: 0, max: .integer(-4), maxRow: 0),
        Case(name: "unsigned", type: .unsigned, values: [.unsigned(.max), .unsigned(0), .unsigned(.max), .unsigned(0)],
             min: .unsigned(0), minRow: 1, max: .unsigned(.max), maxRow: 0),
        Case(name: "booleans false < true", type: .boolean, values: [.boolean(true), nil, .boolean(false), .boolean(true), .boolean(false)],
             min: .boolean(false), minRow: 2, max: .boolean(true), maxRow: 0),
        Case(name: "all true", type: .boolean, values: [nil, .boolean(true), .boolean(true)],
             min: .boolean(true), minRow: 1, max: .boolean(true), maxRow: 1),
        Case(name: "all false", type: .boolean, values: [.boolean(false), .boolean(false)],
             min: .boolean(false), minRow: 0, max: .boolean(false), maxRow: 0),
        Case(name: "all null booleans", type: .boolean, values: [nil]),
        Case(name: "strings have no min or max", type: .string, values: [.string("b"), .string("a")]),
    ]

    /// Computed by the writer, then read back from a segment: the same answer both times.
    @Test(arguments: cases)
    func minAndMaxTimes(_ c: Case) throws {
        let times = c.values.indices.map { -7_200_000_000_000 + Int64($0) * 1_000_000_000 }
        var column = ColumnData(type: c.type)
        for v in c.values {
            if let v { column.append(v) } else { column.appendNull() }
        }
        let computed = BlockStats.compute(column, timestamps: times[...], rows: 0..<times.count)
        var rows = SeriesRows(key: SeriesKey(measurement: "m", tags: []))
        rows.timestamps = times
        rows.columns["v"] = column
        let reader = try SegmentTests.reader(SegmentTests.write([("db", rows)]))
        let read = reader.series.first?.fields.first?.blocks[0]?.stats
        for stats in [computed, read] {
            guard c.values.contains(where: { $0 != nil }) else {
                #expect(stats == nil)
                continue
            }
            let s = try #require(stats)
            #expect(Self.identical(s.min, c.min), "min \(String(describing: s.min))")
            #expect(Self.identical(s.max, c.max), "max \(String(describing: s.max))")
            #expect(s.minTime == c.minRow.map { times[$0] })
            #expect(s.maxTime == c.maxRow.map { times[$0] })
        }
        // Bitwise, so that a -0.0 turned 0.0 (or a NaN sum) is told apart.
        if let read, let computed {
            #expect(read.count == computed.count && read.firstTime == computed.firstTime && read.lastTime == computed.lastTime)
            #expect(Self.identical(read.first, computed.first) && Self.identical(read.last, computed.last))
            #expect(Self.identical(read.min, computed.min) && Self.identical(read.max, computed.max))
            #expect(Self.identical(read.sum, computed.sum))
            #expect(read.minTime == computed.minTime && read.maxTime == computed.maxTime)
        }
    }

    static func identical(_ a: FieldValue?, _ b: FieldValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (a?, b?): a.isIdentical(to: b)
        default: false
        }
    }
}
