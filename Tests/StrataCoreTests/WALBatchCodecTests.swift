import Testing
@testable import StrataCore

@Suite struct WALBatchCodecTests {
    static func sample() -> ColumnarBatch {
        ColumnarBatch(WriteBatch(database: "db", points: [
            Point(measurement: "m", tags: [Tag("a", "1")], fields: [
                Field("f", .float(-0.0)), Field("i", .integer(.min)), Field("u", .unsigned(.max)),
                Field("b", .boolean(true)), Field("s", .string("ünï \"q\""))], timestamp: -5),
            Point(measurement: "m", tags: [Tag("a", "1")], fields: [Field("f", .float(.nan))], timestamp: 7),
            Point(measurement: "other", fields: [Field("b", .boolean(false))], timestamp: 0),
        ]))
    }

    @Test func groupsBySeriesAndRoundTripsEveryTypeWithNulls() throws {
        let batch = Self.sample()
        #expect(batch.series.map(\.key.measurement) == ["m", "other"])
        #expect(batch.series[0].count == 2)
        #expect(batch.series[0].columns["i"]?.value(at: 1) == nil)
        let back = try WALBatchCodec.decode(WALBatchCodec.encode(batch))
        #expect(back.database == "db")
        #expect(back.series.count == 2)
        for (a, b) in zip(batch.series, back.series) {
            #expect(a.key == b.key)
            #expect(a.timestamps == b.timestamps)
            #expect(a.columns.keys.sorted() == b.columns.keys.sorted())
            for (name, column) in a.columns {
                for row in 0..<a.count {
                    let x = column.value(at: row)
                    let y = b.columns[name]!.value(at: row)
                    #expect(x == y || (x.map { y.map($0.isIdentical) ?? false } ?? false), "\(name)[\(row)]")
                }
            }
        }
    }

    @Test func everyTruncationThrowsInsteadOfCrashing() {
        let bytes = WALBatchCodec.encode(Self.sample())
        for cut in 0..<bytes.count {
            #expect(throws: BinaryReaderError.self) { _ = try WALBatchCodec.decode(Array(bytes[..<cut])) }
        }
    }

    /// A flipped bit either throws or decodes to a well-formed batch (every column as long
    /// as its timestamps); it never traps. (In the WAL the record CRC catches it first.)
    @Test func seededBitFlipsThrowOrDecodeWellFormed() {
        let bytes = WALBatchCodec.encode(Self.sample())
        var rng = SplitMix64(seed: 99)
        var thrown = 0
        for _ in 0..<2_000 {
            var damaged = bytes
            damaged[Int.random(in: 0..<damaged.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            guard let batch = try? WALBatchCodec.decode(damaged) else {
                thrown += 1
                continue
            }
            for chunk in batch.series {
                #expect(chunk.columns.values.allSatisfy { $0.count == chunk.count })
            }
        }
        #expect(thrown > 0)
    }
}
