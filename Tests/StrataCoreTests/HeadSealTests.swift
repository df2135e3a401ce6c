import StrataTestSupport
@testable import StrataCore
import Testing

/// The head seals older rows into encoded chunks (`HeadChunk`); reading them back gives
/// the rows as they came, whatever the fields, types, nulls and order, and deletes and
/// range filters see sealed and open rows alike.
@Suite struct HeadSealTests {
    static let key = SeriesKey(measurement: "m", tags: [Tag("id", "a")])

    /// Random chunks of rows: out-of-order times, fields of every type appearing late and
    /// skipping rows.
    static func chunks(seed: UInt64, count: Int) -> [SeriesRows] {
        var rng = SplitMix64(seed: seed)
        var out: [SeriesRows] = []
        var t: Int64 = 1_704_067_200_000_000_000
        for k in 0..<count {
            var rows = SeriesRows(key: key)
            let n = 1 + Int(rng.next() % 700)
            let names: [(String, FieldType)] = [("f", .float), ("i", .integer), ("u", .unsigned), ("b", .boolean), ("s", .string)]
            let present = names.filter { $0.0 == "f" || k > 2 || rng.next() % 2 == 0 }
            var columns = present.map { ColumnData(type: $0.1) }
            for _ in 0..<n {
                t += Int64(rng.next() % 2_000_000_000)
                rows.timestamps.append(rng.next() % 10 == 0 ? t - Int64(rng.next() % 100_000_000_000) : t)
                for c in columns.indices {
                    guard rng.next() % 7 != 0 else { columns[c].appendNull(); continue }
                    switch columns[c].type {
                    case .float: columns[c].append(.float(Double(Int64(rng.next() % 100_000)) / 100))
                    case .integer: columns[c].append(.integer(Int64(rng.next() % 1_000) - 500))
                    case .unsigned: columns[c].append(.unsigned(rng.next()))
                    case .boolean: columns[c].append(.boolean(rng.next() % 2 == 0))
                    case .string: columns[c].append(.string("v\(rng.next() % 13)"))
                    }
                }
            }
            for (c, name) in zip(columns, present.map(\.0)) { rows.columns[name] = c }
            out.append(rows)
        }
        return out
    }

    /// The same chunks appended without sealing: the expected rows.
    static func unsealed(_ chunks: [SeriesRows]) -> SeriesRows {
        var s = HeadSeries(key: key)
        for c in chunks { s.append(c) }
        return s.rows
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func sealedRowsReadBackAsTheyCame(seed: UInt64) {
        let chunks = Self.chunks(seed: seed, count: 12)
        var head = Head()
        for (i, c) in chunks.enumerated() { head.append(seriesID: 0, chunk: c, sequence: UInt64(i + 1), now: 0) }
        let s = head.series[0]!
        #expect(s.sealed.count >= 2, "the test must seal")
        #expect(head.rows(of: 0) == Self.unsealed(chunks))
        #expect(s.count == chunks.reduce(0) { $0 + $1.count })
        let all = chunks.flatMap(\.timestamps)
        #expect(s.timeBounds == all.min()!...all.max()!)
        // Sealed bytes are what the head counts, and far fewer than the columns'.
        let columnBytes = HeadSeries.approximateBytes(all.count, Self.unsealed(chunks).columns.values)
        #expect(head.bytes == HeadSeries.overheadBytes + s.approximateBytes)
        #expect(s.approximateBytes < columnBytes / 2)
    }

    @Test func aDeleteReachesSealedAndOpenRows() {
        let chunks = Self.chunks(seed: 9, count: 8)
        var head = Head()
        for (i, c) in chunks.enumerated() { head.append(seriesID: 0, chunk: c, sequence: UInt64(i + 1), now: 0) }
        let all = Self.unsealed(chunks)
        let sorted = all.timestamps.sorted()
        let cut = sorted[sorted.count / 5]...sorted[sorted.count * 4 / 5]
        head.removeRows(of: 0, in: cut)
        let keep = all.timestamps.indices.filter { !cut.contains(all.timestamps[$0]) }
        var expected = SeriesRows(key: Self.key)
        expected.timestamps = keep.map { all.timestamps[$0] }
        for (name, c) in all.columns { expected.columns[name] = c.gathered(keep) }
        #expect(head.rows(of: 0) == expected)
        #expect(head.rows == keep.count)
        #expect(head.bytes == HeadSeries.overheadBytes + head.series[0]!.approximateBytes)
    }

    /// A range filter skips sealed chunks wholly outside it and keeps every row inside it.
    @Test func rowsOverlappingARangeKeepEveryRowInIt() {
        let chunks = Self.chunks(seed: 11, count: 10)
        var s = HeadSeries(key: Self.key)
        for c in chunks {
            s.append(c)
            _ = s.sealIfFull()
        }
        let all = s.rows
        let sorted = all.timestamps.sorted()
        let range = sorted[sorted.count - 300]...sorted[sorted.count - 100]
        let part = s.rows(overlapping: range, fields: ["i"])
        #expect(part.count < all.count, "chunks outside the range are skipped")
        #expect(Set(part.columns.keys) == ["i"])
        func inRange(_ r: SeriesRows) -> [Int64: [FieldValue?]] {
            var out: [Int64: [FieldValue?]] = [:]
            for (k, t) in r.timestamps.enumerated() where range.contains(t) { out[t, default: []].append(r.columns["i"]?.value(at: k)) }
            return out
        }
        #expect(inRange(part) == inRange(all))
    }
}
