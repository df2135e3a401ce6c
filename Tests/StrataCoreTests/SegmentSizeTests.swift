import Foundation
import Testing
@testable import StrataCore

/// Bytes per value of segments written from a line-protocol file: the measurement behind the
/// row-block cost figures in docs/format/segment.md. Off unless `STRATA_MEASURE_LP` names the
/// file (the shared robot dataset, `robots_100d_21600s_seed42.lp`, 458 MB), e.g.
///
///     STRATA_MEASURE_LP=/path/robots_100d_21600s_seed42.lp \
///       swift test --skip-build --scratch-path .build-seg --filter SegmentSizeTests
///
/// Variants: the file as is (it starts on an hour), shifted by 30 min (a start off the hour
/// adds a partial block per series), and thinned to one row in 10 and in 60 (sparse series,
/// where hour-aligned blocks cost the most).
@Suite struct SegmentSizeTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["STRATA_MEASURE_LP"] != nil))
    func bytesPerValueOfTheRobotDataset() throws {
        let path = try #require(ProcessInfo.processInfo.environment["STRATA_MEASURE_LP"])
        let series = try Self.load(path)
        let variants: [(String, (SeriesRows) -> SeriesRows)] = [
            ("as is (1 Hz, from 00:00 UTC)", { $0 }),
            ("shifted +30 min", { var r = $0; r.timestamps = r.timestamps.map { $0 + 1_800_000_000_000 }; return r }),
            ("one row in 10 (0.1 Hz)", { Self.thinned($0, every: 10) }),
            ("one row in 60 (1/min)", { Self.thinned($0, every: 60) }),
        ]
        for (name, transform) in variants {
            var writer = SegmentWriter()
            var values = 0
            for rows in series {
                let r = transform(rows)
                values += r.columns.values.reduce(0) { $0 + $1.valid.lazy.filter { $0 }.count }
                writer.add(database: "db", rows: r)
            }
            let bytes = writer.finish()
            let reader = try SegmentTests.reader(bytes)
            let blocks = reader.series.reduce(0) { $0 + $1.rowBlocks.count }
            let table = Self.seriesTableBytes(bytes)
            let line = String(format: "%@: %d values, %d row blocks, %d bytes (series table %d, of which min/max times %d) = %.4f bytes/value",
                              name, values, blocks, bytes.count, table, Self.extremeTimeBytes(reader),
                              Double(bytes.count) / Double(values))
            print("segment size, format v\(bytes[7]): \(line)")
        }
    }

    static func seriesTableBytes(_ bytes: [UInt8]) -> Int {
        var footer = BinaryReader(bytes, offset: bytes.count - SegmentFormat.footerSize)
        _ = try? footer.u64()
        return Int((try? footer.u64()) ?? 0)
    }

    /// What the version 2 min and max times cost in the series table (two varints each).
    static func extremeTimeBytes(_ reader: SegmentReader) -> Int {
        func size(_ v: UInt64) -> Int { max(1, (64 - v.leadingZeroBitCount + 6) / 7) }
        var total = 0
        for s in reader.series {
            for f in s.fields {
                for case let stats? in f.blocks.map({ $0?.stats }) {
                    guard let lo = stats.minTime, let hi = stats.maxTime else { continue }
                    total += size(UInt64(bitPattern: lo &- stats.firstTime)) + size(UInt64(bitPattern: hi &- stats.firstTime))
                }
            }
        }
        return total
    }

    static func thinned(_ rows: SeriesRows, every k: Int) -> SeriesRows {
        var out = SeriesRows(key: rows.key)
        let keep = Array(stride(from: 0, to: rows.count, by: k))
        out.timestamps = keep.map { rows.timestamps[$0] }
        for (name, column) in rows.columns {
            var c = ColumnData(type: column.type)
            for i in keep { c.append(contentsOf: column, range: i..<(i + 1)) }
            out.columns[name] = c
        }
        return out
    }

    /// The file's series, in key order; parsed 16 MiB at a time to bound memory.
    static func load(_ path: String) throws -> [SeriesRows] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        let parser = LineProtocolParser()
        var heads: [SeriesKey: HeadSeries] = [:]
        data.withUnsafeBytes { (all: UnsafeRawBufferPointer) in
            var start = 0
            while start < all.count {
                var end = min(start + (16 << 20), all.count)
                while end < all.count && all[end - 1] != UInt8(ascii: "\n") { end += 1 }
                let parsed = parser.parse(UnsafeRawBufferPointer(rebasing: all[start..<end]), defaultTimestamp: 0)
                for p in parsed.points {
                    let key = SeriesKey(measurement: p.measurement, tags: p.tags)
                    heads[key, default: HeadSeries(key: key)].append(timestamp: p.timestamp, fields: p.fields)
                }
                start = end
            }
        }
        return heads.keys.sorted().map { heads[$0]!.rows }
    }
}
