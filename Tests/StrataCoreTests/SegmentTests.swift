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
