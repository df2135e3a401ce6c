import Foundation
import Testing
@testable import StrataCore

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
