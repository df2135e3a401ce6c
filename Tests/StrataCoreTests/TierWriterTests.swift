import Testing
@testable import StrataCore

/// TierWriter → tier file → TierReader gives, per bucket and numeric field, what a naive
/// fold over the raw rows of that bucket gives (docs/format/tier.md).
@Suite struct TierWriterTests {
    static let minute: Int64 = 60_000_000_000
    static let key = SeriesKey(measurement: "m", tags: [Tag("id", "1")])

    /// One test case: rows (time, value or nil) of one field of a type.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var type: FieldType
        var rows: [(Int64, FieldValue?)]
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let m = minute
        var rng = SplitMix64(seed: 5)
        let randomFloats: [(Int64, FieldValue?)] = (0..<400).map { i in
            (Int64(i) * 7_000_000_000 + Int64(rng.next() % 1_000), rng.next() % 5 == 0 ? nil : .float(Double(Int64(rng.next() % 2_000)) / 4 - 250))
        }
        return [
            Case(name: "floats, nulls and gaps", type: .float, rows: randomFloats),
            Case(name: "integers with ties of min and max", type: .integer,
                 rows: [(0, .integer(5)), (1, .integer(-3)), (2, .integer(-3)), (3, .integer(9)), (4, .integer(9)), (m, .integer(1))]),
            Case(name: "integer sum overflows in one bucket", type: .integer,
                 rows: [(0, .integer(.max)), (1, .integer(1)), (m, .integer(.max)), (2 * m, .integer(.min)), (2 * m + 1, .integer(-1))]),
            Case(name: "unsigned sum overflows", type: .unsigned,
                 rows: [(0, .unsigned(.max)), (5, .unsigned(1)), (m + 1, .unsigned(7))]),
            Case(name: "negative times across zero", type: .float,
                 rows: [(-m - 1, .float(1)), (-m, .float(2)), (-1, .float(-0.0)), (0, .float(0)), (m - 1, .float(3))]),
            Case(name: "partition edges: last and first nanosecond of a day", type: .integer,
                 rows: [(86_400_000_000_000 - 1, .integer(4)), (86_400_000_000_000, .integer(6))]),
            Case(name: "one bucket all null, next has a value", type: .float,
                 rows: [(0, nil), (1, nil), (m + 3, .float(2.5))]),
        ]
    }()

    @Test(arguments: cases)
    func roundTrip(_ c: Case) throws {
        var rows = SeriesRows(key: Self.key)
        var column = ColumnData(type: c.type)
        for (t, v) in c.rows {
            rows.timestamps.append(t)
            if let v { column.append(v) } else { column.appendNull() }
        }
        rows.columns["f"] = column
        var writer = TierWriter(resolution: Self.minute)
        writer.add(database: "db", rows: rows)
        let read = try Self.readBack(writer.finish())
        let expected = Self.naive(c.rows, resolution: Self.minute)
        #expect(read.map(\.start) == expected.map(\.start))
        for (got, want) in zip(read, expected) {
            #expect(got.summary?.fields["f"] == want.stats, "bucket \(got.start)")
            if let s = got.summary {
                #expect(s.minTime == got.start && s.maxTime == got.start + Self.minute - 1)
                #expect(s.rowCount == want.stats?.count ?? 0)
            } else {
                #expect(want.overflowed, "bucket \(got.start) refused without an overflow")
            }
        }
    }

    @Test func stringAndBooleanFieldsAreNotRolledUp() throws {
        var rows = SeriesRows(key: Self.key)
        rows.timestamps = [0, 1]
        var s = ColumnData(type: .string)
        s.append(.string("a"))
        s.append(.string("b"))
        var b = ColumnData(type: .boolean)
        b.append(.boolean(true))
        b.appendNull()
        var f = ColumnData(type: .float)
        f.appendNull()
        f.append(.float(2))
        rows.columns = ["s": s, "b": b, "f": f]
        var writer = TierWriter(resolution: Self.minute)
        writer.add(database: "db", rows: rows)
        var onlyStrings = SeriesRows(key: SeriesKey(measurement: "n", tags: []))
        onlyStrings.timestamps = [0]
        onlyStrings.columns = ["s": { var c = ColumnData(type: .string); c.append(.string("x")); return c }()]
        writer.add(database: "db", rows: onlyStrings)
        #expect(writer.seriesCount == 1)
        let file = try Self.open(writer.finish())
        #expect(file.series.count == 1)
        #expect(Set(file.series[0].fields.map(\.name)) == Set(TierColumns.Part.allCases.map { TierColumns.name("f", $0) }))
        let buckets = try Self.readBack(file)
        #expect(buckets.count == 1)
        #expect(buckets[0].summary?.fields["f"]?.count == 1)
        #expect(buckets[0].summary?.fields["f"]?.firstTime == 1)
    }

    @Test func anEmptyWriterGivesAValidFile() throws {
        var writer = TierWriter(resolution: Self.minute)
        #expect(try Self.open(writer.finish()).series.isEmpty)
    }

    /// A column that does not fit the tier layout (one this build does not know, one of the
    /// wrong type) is refused when read, naming it, not skipped or guessed at.
    @Test(arguments: [
        ("f\u{1F}median", FieldType.integer, "median"),
        (TierColumns.name("f", .count), FieldType.float, "is not integer"),
        (TierColumns.name("f", .sum), FieldType.boolean, "has type"),
    ])
    func aColumnOutsideTheLayoutIsRefused(_ name: String, _ type: FieldType, _ named: String) throws {
        var rows = SeriesRows(key: Self.key)
        rows.timestamps = [0]
        for part in TierColumns.Part.allCases {
            var c = ColumnData(type: TierBuckets.columnType(part, field: .integer))
            c.append(.integer(0))
            rows.columns[TierColumns.name("f", part)] = c
        }
        var odd = ColumnData(type: type)
        odd.append(type == .float ? .float(1) : type == .boolean ? .boolean(true) : .integer(1))
        rows.columns[name] = odd
        var segment = SegmentWriter()
        segment.add(database: "db", rows: rows)
        let file = try Self.open(segment.finish())
        #expect(file.series[0].tierFieldTypes == nil)
        let reader = TierReader(file: file, resolution: Self.minute)
        let error = #expect(throws: EngineError.self) { try reader.buckets(of: file.series[0], starts: 0...0, fields: nil) }
        #expect(error.map { "\($0)".contains(named) } == true, "\(String(describing: error))")
    }

    // MARK: - helpers

    static func open(_ bytes: [UInt8]) throws -> SegmentReader {
        let fs = InMemoryFileSystem()
        try fs.createDirectory("/t")
        try fs.writeFileAtomically("/t/1.tier", contents: bytes)
        return try SegmentReader(path: "/t/1.tier", fileSystem: fs)
    }

    static func readBack(_ bytes: [UInt8]) throws -> [TierReader.Bucket] {
        try readBack(open(bytes))
    }

    static func readBack(_ file: SegmentReader) throws -> [TierReader.Bucket] {
        guard let series = file.series.first else { return [] }
        return try TierReader(file: file, resolution: minute).buckets(of: series, starts: Int64.min...Int64.max, fields: nil)
    }

    /// Per bucket with a value, the stats by plain loops: ties of min and max keep the earliest.
    static func naive(_ rows: [(Int64, FieldValue?)], resolution: Int64) -> [(start: Int64, stats: BlockStats?, overflowed: Bool)] {
        var byBucket: [Int64: [(Int64, FieldValue)]] = [:]
        for (t, v) in rows {
            guard let v else { continue }
            let start = Int64((Double(t) / Double(resolution)).rounded(.down)) * resolution
            byBucket[start, default: []].append((t, v))
        }
        return byBucket.keys.sorted().map { start in
            let values = byBucket[start]!
            var s = BlockStats(count: values.count, first: values[0].1, firstTime: values[0].0,
                               last: values.last!.1, lastTime: values.last!.0)
            var lo = values[0], hi = values[0]
            for v in values.dropFirst() {
                if less(v.1, lo.1) { lo = v }
                if less(hi.1, v.1) { hi = v }
            }
            (s.min, s.minTime, s.max, s.maxTime) = (lo.1, lo.0, hi.1, hi.0)
            var overflowed = false
            switch values[0].1 {
            case .float: s.sum = .float(values.reduce(0.0) { if case .float(let x) = $1.1 { $0 + x } else { $0 } })
            case .integer:
                let total = values.reduce(Double(0)) { if case .integer(let x) = $1.1 { $0 + Double(x) } else { $0 } }
                let exact = values.reduce(Int64(0)) { if case .integer(let x) = $1.1 { $0 &+ x } else { $0 } }
                overflowed = abs(total - Double(exact)) > 1e6
                s.sum = overflowed ? nil : .integer(exact)
            case .unsigned:
                let total = values.reduce(Double(0)) { if case .unsigned(let x) = $1.1 { $0 + Double(x) } else { $0 } }
                let exact = values.reduce(UInt64(0)) { if case .unsigned(let x) = $1.1 { $0 &+ x } else { $0 } }
                overflowed = abs(total - Double(exact)) > 1e6
                s.sum = overflowed ? nil : .unsigned(exact)
            default: break
            }
            return (start, overflowed ? nil : s, overflowed)
        }
    }

    static func less(_ a: FieldValue, _ b: FieldValue) -> Bool {
        switch (a, b) {
        case let (.float(x), .float(y)): x < y
        case let (.integer(x), .integer(y)): x < y
        case let (.unsigned(x), .unsigned(y)): x < y
        default: false
        }
    }
}
