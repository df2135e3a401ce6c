import StrataTestSupport
import Testing
@testable import StrataCore

/// count/sum/min/max/first/last of one numeric field, folded from summaries or rows.
struct FieldAggregate: Equatable, CustomStringConvertible {
    var count = 0
    var sum = 0.0
    var min = Double.infinity
    var max = -Double.infinity
    var first: (time: Int64, value: Double)?
    var last: (time: Int64, value: Double)?

    static func number(_ v: FieldValue?) -> Double? {
        switch v {
        case .float(let x): x
        case .integer(let x): Double(x)
        case .unsigned(let x): Double(x)
        case .boolean(let x): x ? 1 : 0
        default: nil
        }
    }

    /// Booleans have no sum in their stats: they fold count, min, max, first and last only.
    mutating func add(time: Int64, _ value: Double, summed: Bool = true) {
        count += 1
        if summed { sum += value }
        min = Swift.min(min, value)
        max = Swift.max(max, value)
        if first == nil || time < first!.time { first = (time, value) }
        if last == nil || time > last!.time { last = (time, value) }
    }

    mutating func add(_ stats: BlockStats) {
        count += stats.count
        sum += Self.number(stats.sum) ?? 0
        min = Swift.min(min, Self.number(stats.min)!)
        max = Swift.max(max, Self.number(stats.max)!)
        if first == nil || stats.firstTime < first!.time { first = (stats.firstTime, Self.number(stats.first)!) }
        if last == nil || stats.lastTime > last!.time { last = (stats.lastTime, Self.number(stats.last)!) }
    }

    mutating func add(_ rows: SeriesRows, field: String) {
        guard let column = rows.columns[field] else { return }
        for r in 0..<rows.count {
            if let v = Self.number(column.value(at: r)) { add(time: rows.timestamps[r], v, summed: column.type != .boolean) }
        }
    }

    static func == (a: FieldAggregate, b: FieldAggregate) -> Bool {
        // Float sums are added in a different order: compare with a relative tolerance.
        a.count == b.count && abs(a.sum - b.sum) <= 1e-9 * Swift.max(1, abs(a.sum)) && a.min == b.min && a.max == b.max
            && a.first?.time == b.first?.time && a.first?.value == b.first?.value
            && a.last?.time == b.last?.time && a.last?.value == b.last?.value
    }

    var description: String { "n=\(count) sum=\(sum) min=\(min) max=\(max) first=\(String(describing: first)) last=\(String(describing: last))" }
}

@Suite struct ScanChunksTests {
    static let fields = ["f", "i", "u", "b"]

    static func point(_ device: Int, _ time: Int64, _ rng: inout SplitMix64, sparse: Bool = false) -> Point {
        var fields: [Field] = []
        if !sparse || Bool.random(using: &rng) { fields.append(Field("f", .float(Double(Int.random(in: -1_000...1_000, using: &rng)) / 8))) }
        if !sparse || Bool.random(using: &rng) { fields.append(Field("i", .integer(Int64.random(in: -1_000_000...1_000_000, using: &rng)))) }
        if !sparse || Bool.random(using: &rng) { fields.append(Field("u", .unsigned(UInt64.random(in: 0...1_000_000, using: &rng)))) }
        if fields.isEmpty || Bool.random(using: &rng) { fields.append(Field("b", .boolean(Bool.random(using: &rng)))) }
        return Point(measurement: "m", tags: [Tag("device", "d\(device)"), Tag("fleet", device % 2 == 0 ? "north" : "south")],
                     fields: fields, timestamp: time)
    }

    /// Series spread over two segments, a rewrite of a few timestamps in a third segment, a
    /// frozen-free head overlapping the second segment, and head rows after everything.
    static func populatedEngine(seed: UInt64, devices: Int = 3) async throws -> StorageEngine {
        var rng = SplitMix64(seed: seed)
        let engine = try await StorageEngine.open(directory: "/d", options: .forTests, fileSystem: InMemoryFileSystem())
        func write(_ times: some Sequence<Int64>, sparse: Bool = false) async throws {
            var points: [Point] = []
            for t in times { for d in 0..<devices { points.append(point(d, t, &rng, sparse: sparse)) } }
            for start in stride(from: 0, to: points.count, by: 6_000) {
                _ = try await engine.write(WriteBatch(database: "db", points: Array(points[start..<min(start + 6_000, points.count)])))
            }
        }
        try await write(0..<20_000)
        try await engine.flush()
        try await write(20_000..<40_000, sparse: true)
        try await engine.flush()
        try await write(Array(9_000...9_010) + [12_345], sparse: true)  // rewrites inside segment 1's second block
        try await engine.flush()
        try await write([30_000, 30_001, 30_005])  // head rows inside segment 2's second block
        try await write(40_000..<40_100)  // head rows after every segment
        return engine
    }

    static func aggregates(_ chunks: SeriesChunks) -> [String: FieldAggregate] {
        var out: [String: FieldAggregate] = [:]
        for chunk in chunks.chunks {
            for field in fields {
                switch chunk {
                case .summary, .summaries:
                    for s in chunk.blockSummaries {
                        if let stats = s.fields[field] { out[field, default: FieldAggregate()].add(stats) }
                    }
                case .rows(let r): out[field, default: FieldAggregate()].add(r, field: field)
                }
            }
        }
        return out.filter { $0.value.count > 0 }
    }

    static func aggregates(_ rows: SeriesRows) -> [String: FieldAggregate] {
        var out: [String: FieldAggregate] = [:]
        for field in fields { out[field, default: FieldAggregate()].add(rows, field: field) }
        return out.filter { $0.value.count > 0 }
    }

    /// Columns that hold no value are dropped, so that chunks and scans compare by content.
    static func normalized(_ rows: SeriesRows) -> SeriesRows {
        var out = rows
        out.columns = out.columns.filter { $0.value.valid.contains(true) }
        return out
    }

    static func checkChunksAreOrdered(_ series: SeriesChunks) {
        var previous = Int64.min
        for (i, chunk) in series.chunks.enumerated() {
            #expect(chunk.rowCount > 0)
            if i > 0 { #expect(chunk.minTime > previous, "chunks overlap or are out of order") }
            previous = chunk.maxTime
            if case .rows(let r) = chunk { #expect(r.isStrictlyAscending) }
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func summariesAndRowsFoldToTheFullScan(seed: UInt64) async throws {
        let engine = try await Self.populatedEngine(seed: seed)
        let ranges: [ClosedRange<Int64>] = [Int64.min...Int64.max, 0...39_999, 100...30_000, 8_192...16_383, 9_005...9_005]
        for range in ranges {
            var stats = ScanStatistics()
            let chunks = try blocking { try engine.scanChunks(database: "db", measurement: "m", range: range, statistics: &stats) }
            let scanned = try await engine.scan(database: "db", measurement: "m", range: range)
            #expect(chunks.map(\.key) == scanned.map(\.key))
            for (c, s) in zip(chunks, scanned) {
                Self.checkChunksAreOrdered(c)
                #expect(Self.aggregates(c) == Self.aggregates(s), "range \(range) series \(c.key)")
                let rowCount = c.chunks.reduce(0) { $0 + $1.rowCount }
                #expect(rowCount == s.count)
            }
            if range == Int64.min...Int64.max { #expect(stats.blocksSummarized > 0) }
        }
    }

    @Test func scanEqualsTheConcatenatedRowsWhenNothingIsSummarized() async throws {
        let engine = try await Self.populatedEngine(seed: 7)
        for range in [Int64.min...Int64.max, 5_000...31_000] as [ClosedRange<Int64>] {
            for fields in [nil, ["f"], ["i", "b"]] as [Set<String>?] {
                var stats = ScanStatistics()
                let chunks = try blocking { try engine.scanChunks(database: "db", measurement: "m", fields: fields, range: range,
                                                   canSummarize: { _, _ in false }, statistics: &stats) }
                #expect(stats.blocksSummarized == 0)
                let scanned = try await engine.scan(database: "db", measurement: "m", fields: fields, range: range)
                let joined = chunks.map { series in
                    SeriesRows.concatenated(series.chunks.map { chunk -> SeriesRows in
                        guard case .rows(let r) = chunk else { Issue.record("summary"); return SeriesRows(key: series.key) }
                        return r
                    }, key: series.key)
                }
                #expect(joined.map(Self.normalized) == scanned.map(Self.normalized))
                for rows in scanned { #expect(Set(rows.columns.keys).isSubset(of: fields ?? Set(Self.fields))) }
            }
        }
    }

    @Test func overlappedBlocksAreNeverSummarized() async throws {
        let engine = try await Self.populatedEngine(seed: 11)
        var stats = ScanStatistics()
        let chunks = try blocking { try engine.scanChunks(database: "db", measurement: "m", where: .equals("device", "d0"),
                                           range: Int64.min...Int64.max, statistics: &stats) }
        let series = try #require(chunks.first)
        let summaries = series.chunks.compactMap { chunk -> BlockSummary? in
            if case .summary(let s) = chunk { s } else { nil }
        }
        // Segment 1: blocks [0, 8191], [8192, 16383] (rewritten at 9000...9010, 12345), [16384, 19999].
        // Segment 2: [20000, 28191], [28192, 36383] (head rows at 30000...), [36384, 39999].
        #expect(summaries.map { $0.minTime...$0.maxTime } == [0...8_191, 16_384...19_999, 20_000...28_191, 36_384...39_999])
        for rewritten: Int64 in [9_000, 9_010, 12_345, 30_000, 30_005] {
            #expect(!summaries.contains { ($0.minTime...$0.maxTime).contains(rewritten) })
        }
        #expect(stats.blocksSummarized == 4)
        #expect(stats.blocksDecoded == 3)  // the two overlapped blocks and the rewrite's own block
        #expect(summaries[0].rowCount == 8_192)
        #expect(summaries[0].fields["f"]?.count == 8_192)
    }

    @Test func rangeBoundariesAndTheCallerDecideWhatIsSummarized() async throws {
        let engine = try await Self.populatedEngine(seed: 5, devices: 1)
        func summarized(_ range: ClosedRange<Int64>, _ canSummarize: @escaping (Int64, Int64) -> Bool = { _, _ in true }) throws -> [ClosedRange<Int64>] {
            var stats = ScanStatistics()
            let chunks = try blocking { try engine.scanChunks(database: "db", measurement: "m", range: range, canSummarize: canSummarize,
                                               statistics: &stats) }
            return chunks.flatMap(\.chunks).compactMap { if case .summary(let s) = $0 { s.minTime...s.maxTime } else { nil } }
        }
        #expect(try summarized(0...8_191) == [0...8_191])  // exactly one block
        #expect(try summarized(0...8_190) == [])  // one row short
        #expect(try summarized(1...8_191) == [])
        #expect(try summarized(-5...16_400) == [0...8_191])
        #expect(try summarized(Int64.min...Int64.max, { _, _ in false }) == [])
        // The caller is asked about each block it may summarize, with that block's bounds.
        #expect(try summarized(Int64.min...Int64.max, { lo, _ in lo != 16_384 }) == [0...8_191, 20_000...28_191, 36_384...39_999])
        var stats = ScanStatistics()
        _ = try blocking { try engine.scanChunks(database: "db", measurement: "m", range: 0...8_191, canSummarize: { _, _ in false },
                                  statistics: &stats) }
        #expect(stats.blocksRefusedByCaller == 1)
        #expect(stats.rowsDecoded == 8_192)
    }

    @Test func onlyRequestedFieldsAreDecodedAndSummarized() async throws {
        let engine = try await Self.populatedEngine(seed: 3, devices: 1)
        var all = ScanStatistics()
        _ = try blocking { try engine.scanChunks(database: "db", measurement: "m", range: Int64.min...Int64.max, canSummarize: { _, _ in false },
                                  statistics: &all) }
        var one = ScanStatistics()
        let chunks = try blocking { try engine.scanChunks(database: "db", measurement: "m", fields: ["f"], range: Int64.min...Int64.max,
                                           statistics: &one) }
        #expect(one.bytesDecoded < all.bytesDecoded)
        for chunk in chunks[0].chunks {
            switch chunk {
            case .summary, .summaries:
                for s in chunk.blockSummaries { #expect(Set(s.fields.keys).isSubset(of: ["f"])) }
            case .rows(let r): #expect(Set(r.columns.keys).isSubset(of: ["f"]))
            }
        }
    }

    @Test func integerSumsThatOverflowForceDecoding() async throws {
        let engine = try await StorageEngine.open(directory: "/d", options: .forTests, fileSystem: InMemoryFileSystem())
        let points = (0..<10).map { Point(measurement: "m", fields: [Field("i", .integer(Int64.max / 4))], timestamp: Int64($0)) }
        _ = try await engine.write(WriteBatch(database: "db", points: points))
        let small = (10..<20).map { Point(measurement: "m", fields: [Field("i", .integer(1))], timestamp: Int64($0)) }
        try await engine.flush()
        _ = try await engine.write(WriteBatch(database: "db", points: small))
        try await engine.flush()
        var stats = ScanStatistics()
        let chunks = try blocking { try engine.scanChunks(database: "db", measurement: "m", range: Int64.min...Int64.max, statistics: &stats) }
        #expect(stats.blocksSummarized == 1)
        #expect(stats.blocksDecoded == 1)
        guard case .rows(let rows) = chunks[0].chunks[0], case .summary(let s) = chunks[0].chunks[1] else {
            Issue.record("expected decoded rows then a summary"); return
        }
        #expect(rows.count == 10)
        #expect(s.fields["i"]?.sum == .integer(10))
    }
}
