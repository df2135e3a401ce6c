import Foundation
import Testing
@testable import StrataCore

@Suite struct SegmentTests {
    /// Deterministic rows of every type, with nulls, more than one row block, and values
    /// that exercise several encodings. Also the golden fixture's data: do not change it
    /// without regenerating the fixture (docs/format/segment.md).
    static func sampleRows() -> [(String, SeriesRows)] {
        var rng = SplitMix64(seed: 42)
        var out: [(String, SeriesRows)] = []
        for device in 0..<3 {
            var rows = HeadSeries(key: SeriesKey(measurement: "robot", tags: [Tag("device_id", "r\(device)"), Tag("fleet", "f")]))
            var battery = 80.0
            for i in 0..<(device == 0 ? 9_000 : 300) {
                battery = ((battery + Double(Int.random(in: -5...5, using: &rng)) / 100) * 100).rounded() / 100
                var fields = [Field("battery", .float(battery)), Field("count", .integer(Int64(i)))]
                if i % 7 != 0 { fields.append(Field("ok", .boolean(i % 3 == 0))) }
                if i % 50 == 0 { fields.append(Field("state", .string(["idle", "moving", "error"][i % 3]))) }
                fields.append(Field("raw", .unsigned(UInt64.max - UInt64(i))))
                rows.append(timestamp: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000_000, fields: fields)
            }
            out.append(("db", rows.rows))
        }
        return out
    }

    static func write(_ rows: [(String, SeriesRows)]) -> [UInt8] {
        var writer = SegmentWriter()
        for (db, r) in rows { writer.add(database: db, rows: r) }
        return writer.finish()
    }

    static func reader(_ bytes: [UInt8], fs: InMemoryFileSystem = InMemoryFileSystem()) throws -> SegmentReader {
        try fs.createDirectory("/s")
        let file = try fs.openForAppend("/s/x.seg", create: true)
        try file.append(bytes)
        return try SegmentReader(path: "/s/x.seg", fileSystem: fs)
    }

    @Test func roundTripsEveryTypeWithNullsAcrossRowBlocks() throws {
        let sample = Self.sampleRows()
        let reader = try Self.reader(Self.write(sample))
        #expect(reader.series.count == 3)
        for (db, rows) in sample {
            let s = try #require(reader.series(database: db, key: rows.key))
            // 1_700_000_000 s is 800 s past an hour: blocks end at the following hours.
            #expect(s.rowBlocks.map(\.rows) == (rows.count == 9_000 ? [2_800, 3_600, 2_600] : [300]))
            let back = try reader.rows(of: s, range: Int64.min...Int64.max, fields: nil)
            #expect(back == rows)
        }
    }

    @Test func blockStatsAnswerWithoutDecoding() throws {
        let sample = Self.sampleRows()
        let reader = try Self.reader(Self.write(sample))
        let s = try #require(reader.series(database: "db", key: sample[1].1.key))
        let count = try #require(s.fields.first { $0.name == "count" }?.blocks[0])
        #expect(count.stats.count == 300)
        #expect(count.stats.min == .integer(0))
        #expect(count.stats.max == .integer(299))
        #expect(count.stats.sum == .integer(299 * 300 / 2))
        #expect(count.stats.first == .integer(0))
        #expect(count.stats.last == .integer(299))
        #expect(count.stats.minTime == count.stats.firstTime)
        #expect(count.stats.maxTime == count.stats.lastTime)
        let ok = try #require(s.fields.first { $0.name == "ok" }?.blocks[0])
        #expect(ok.hasPresenceBitmap)
        #expect(ok.stats.firstTime == 1_700_000_000_000_000_000 + 1_000_000_000)
    }

    @Test func timeRangeAndFieldSelection() throws {
        let sample = Self.sampleRows()
        let reader = try Self.reader(Self.write(sample))
        let s = try #require(reader.series(database: "db", key: sample[0].1.key))
        let base: Int64 = 1_700_000_000_000_000_000
        let back = try reader.rows(of: s, range: (base + 8_190_000_000_000)...(base + 8_194_000_000_000), fields: ["count"])
        #expect(back.timestamps.count == 5)
        #expect(back.columns.keys.sorted() == ["count"])
        #expect(back.columns["count"]!.value(at: 0) == .integer(8_190))
    }

    /// Damage to a segment must be reported with the file, never decoded into wrong data.
    @Test(arguments: [
        ("flip in a data block", 40),
        ("flip in the series table", -60),
        ("flip in the footer magic", -2),
    ])
    func corruptionIsDetected(_ name: String, _ offset: Int) throws {
        var bytes = Self.write(Self.sampleRows())
        let at = offset >= 0 ? offset : bytes.count + offset
        bytes[at] ^= 0x10
        do {
            let reader = try Self.reader(bytes)
            for s in reader.series { _ = try reader.rows(of: s, range: Int64.min...Int64.max, fields: nil) }
            Issue.record("\(name): damage went unnoticed")
        } catch let error as EngineError {
            #expect("\(error)".contains("/s/x.seg"))
        }
    }

    @Test(arguments: [0, 10, 100, 1_000])
    func truncatedFileIsRejected(cut: Int) throws {
        let bytes = Self.write(Self.sampleRows())
        #expect(throws: EngineError.self) { _ = try Self.reader(Array(bytes.dropLast(cut + 1))) }
    }
}

/// The checked-in segments (docs/format/segment.md, "Golden fixtures"): this build must write
/// the version 2 one byte for byte from the same data, so a format or encoder change cannot
/// slip by unnoticed, and must still read the version 1 one, which no build writes any more.
@Suite struct SegmentGoldenTests {
    static func fixtureURL(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name)
    }

    static func sourceFixturePath(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
    }

    /// The v1 sample plus what version 2 changed: a 10 Hz series whose blocks are cut both at
    /// 8,192 rows and at an hour, one with pre-1970 times across an hour, and min/max ties
    /// (-0.0 before 0.0, repeated integers). Do not change without regenerating the fixture.
    static func sampleRowsV2() -> [(String, SeriesRows)] {
        var out = SegmentTests.sampleRows()
        var fast = HeadSeries(key: SeriesKey(measurement: "robot", tags: [Tag("device_id", "r3"), Tag("fleet", "f")]))
        let hour: Int64 = 1_700_002_800_000_000_000  // a multiple of 1 h
        for i in 0..<20_000 {
            var fields = [Field("level", .integer(Int64((i * 37) % 101 - 50))), Field("zero", .float(i % 3 == 1 ? -0.0 : 0.0))]
            if i % 5 != 0 { fields.append(Field("on", .boolean(i % 11 < 4))) }
            fast.append(timestamp: hour - 1_000_000_000_000 + Int64(i) * 100_000_000, fields: fields)
        }
        out.append(("db", fast.rows))
        var old = HeadSeries(key: SeriesKey(measurement: "robot", tags: [Tag("device_id", "r4"), Tag("fleet", "f")]))
        for i in 0..<50 {
            old.append(timestamp: -1_800_000_000_000 + Int64(i) * 60_000_000_000, fields: [Field("level", .integer(Int64(i % 4)))])
        }
        out.append(("db", old.rows))
        return out
    }

    @Test func writerReproducesTheGoldenV2Segment() throws {
        let bytes = SegmentTests.write(Self.sampleRowsV2())
        if ProcessInfo.processInfo.environment["STRATA_REGENERATE_GOLDEN"] == "1" {
            try Data(bytes).write(to: URL(fileURLWithPath: Self.sourceFixturePath("golden-v2.seg")))
        }
        let golden = try [UInt8](Data(contentsOf: Self.fixtureURL("golden-v2.seg")))
        #expect(golden.count == bytes.count)
        #expect(golden == bytes, "segment bytes changed: see docs/format/segment.md, Golden fixtures")
    }

    @Test func goldenV2SegmentReadsBackTheSampleData() throws {
        let reader = try SegmentTests.reader(try [UInt8](Data(contentsOf: Self.fixtureURL("golden-v2.seg"))))
        #expect(reader.formatVersion == 2)
        for (db, rows) in Self.sampleRowsV2() {
            let s = try #require(reader.series(database: db, key: rows.key))
            #expect(try reader.rows(of: s, range: Int64.min...Int64.max, fields: nil) == rows)
        }
        let fast = try #require(reader.series.first { $0.key.tags[0].value == "r3" })
        #expect(fast.rowBlocks.map(\.rows) == [8_192, 1_808, 8_192, 1_808])
        let old = try #require(reader.series.first { $0.key.tags[0].value == "r4" })
        #expect(old.rowBlocks.map(\.rows) == [30, 20])
        #expect(old.rowBlocks.map(\.minTime) == [-1_800_000_000_000, 0])
        let zero = try #require(fast.fields.first { $0.name == "zero" }?.blocks[0]?.stats)
        #expect(zero.min?.isIdentical(to: .float(0.0)) == true)
        #expect(zero.minTime == zero.firstTime && zero.maxTime == zero.firstTime)
    }

    /// Version 1 segments stay readable: same rows, same stats, no min/max times.
    @Test func goldenV1SegmentStillReads() throws {
        let reader = try SegmentTests.reader(try [UInt8](Data(contentsOf: Self.fixtureURL("golden-v1.seg"))))
        #expect(reader.formatVersion == 1)
        for (db, rows) in SegmentTests.sampleRows() {
            let s = try #require(reader.series(database: db, key: rows.key))
            #expect(try reader.rows(of: s, range: Int64.min...Int64.max, fields: nil) == rows)
            // Version 1 cut row blocks at 8,192 rows only.
            #expect(s.rowBlocks.map(\.rows) == (rows.count == 9_000 ? [8_192, 808] : [300]))
            for f in s.fields {
                for (b, block) in s.rowBlocks.enumerated() {
                    let start = b * 8_192
                    var expected = BlockStats.compute(rows.columns[f.name]!, timestamps: rows.timestamps[...],
                                                      rows: start..<(start + block.rows))
                    expected?.minTime = nil
                    expected?.maxTime = nil
                    #expect(f.blocks[b]?.stats == expected, "\(rows.key) \(f.name) block \(b)")
                }
            }
        }
    }

    @Test func unknownVersionIsRejected() throws {
        var bytes = SegmentTests.write(SegmentTests.sampleRows())
        bytes[7] = 3
        #expect(throws: EngineError.self) { _ = try SegmentTests.reader(bytes) }
    }
}
