// See docs/format/wal.md, "Write batch payload".

/// Encodes a `ColumnarBatch` as a WAL payload and back. Columns are stored raw (8-byte
/// little-endian numbers copied whole) because this runs on every write, and the whole
/// payload is then LZ4-compressed when that saves an eighth: telemetry columns shrink ~3×
/// (measured on the benchmark's WAL) for ~4% of ingest CPU, which makes the retained WAL
/// and every fsync that much smaller.
enum WALBatchCodec {
    static let hasNulls: UInt8 = 1
    /// The payload's first byte: the columnar layout, possibly with `BlockEncoding.lz4Flag`.
    static let columnarLayout: UInt8 = 0

    static func encode(_ batch: ColumnarBatch) -> [UInt8] {
        let plain = plainPayload(batch)
        var out: [UInt8] = []
        out.reserveCapacity(plain.count / 2)
        LZ4.appendMaybeCompressed(plain, into: &out)
        return out
    }

    /// The payload before LZ4 wrapping: what a resume map's checksum covers.
    static func plainPayload(_ batch: ColumnarBatch) -> [UInt8] {
        var w = BinaryWriter(capacity: batch.series.reduce(64) { $0 + 64 + $1.count * (8 + 9 * $1.columns.count) })
        w.u8(columnarLayout)
        w.string(batch.database)
        w.varint(UInt64(batch.series.count))
        for chunk in batch.series {
            w.seriesKey(chunk.key)
            w.varint(UInt64(chunk.count))
            w.raw(chunk.timestamps)
            w.varint(UInt64(chunk.columns.count))
            for name in chunk.columns.keys.sorted() { encode(name, chunk.columns[name]!, to: &w) }
        }
        return w.bytes
    }

    private static func encode(_ name: String, _ column: ColumnData, to w: inout BinaryWriter) {
        w.string(name)
        w.u8(column.type.rawValue)
        let nulls = column.valid.contains(false)
        w.u8(nulls ? hasNulls : 0)
        if nulls { w.raw(column.valid) }
        switch column.type {
        case .float: w.raw(column.floats)
        case .integer: w.raw(column.integers)
        case .unsigned: w.raw(column.unsigneds)
        case .boolean: w.raw(column.booleans)
        case .string: for s in column.strings { w.string(s) }
        }
    }

    static func decode(_ payload: [UInt8]) throws(BinaryReaderError) -> ColumnarBatch {
        let plain: [UInt8]
        do {
            plain = try payload.withUnsafeBytes { raw throws(EncodingError) in
                try LZ4.withPayload(raw, limit: WALFormat.maxPayloadSize) { tag, body throws(EncodingError) in
                    guard tag == columnarLayout else { throw .unknownEncoding(tag) }
                    return [tag] + Array(body)
                }
            }
        } catch {
            throw BinaryReaderError(offset: 0, message: "write batch payload: \(error)")
        }
        var r = BinaryReader(plain, offset: 1)
        let database = try r.string()
        let count = try r.count("series count", minItemBytes: 4)
        var series: [SeriesRows] = []
        series.reserveCapacity(count)
        for _ in 0..<count {
            var chunk = SeriesRows(key: try r.seriesKey())
            let rows = try r.count("row count", minItemBytes: 8)
            chunk.timestamps = try r.raw(Int64.self, count: rows)
            let fields = try r.count("field count", minItemBytes: 3)
            for _ in 0..<fields {
                let name = try r.string()
                chunk.columns[name] = try decodeColumn(&r, rows: rows)
            }
            series.append(chunk)
        }
        guard r.isAtEnd else { throw BinaryReaderError(offset: r.offset, message: "\(r.remaining) trailing bytes after batch") }
        return ColumnarBatch(database: database, series: series)
    }

    private static func decodeColumn(_ r: inout BinaryReader, rows: Int) throws(BinaryReaderError) -> ColumnData {
        let offset = r.offset
        guard let type = FieldType(rawValue: try r.u8()) else {
            throw BinaryReaderError(offset: offset, message: "unknown field type")
        }
        let flags = try r.u8()
        let valid = flags & hasNulls != 0 ? try r.raw(Bool.self, count: rows) : [Bool](repeating: true, count: rows)
        switch type {
        case .float: return ColumnData(type: type, valid: valid, floats: try r.raw(Double.self, count: rows))
        case .integer: return ColumnData(type: type, valid: valid, integers: try r.raw(Int64.self, count: rows))
        case .unsigned: return ColumnData(type: type, valid: valid, unsigneds: try r.raw(UInt64.self, count: rows))
        case .boolean: return ColumnData(type: type, valid: valid, booleans: try r.raw(Bool.self, count: rows).map { $0 })
        case .string:
            var strings: [String] = []
            strings.reserveCapacity(rows)
            for _ in 0..<rows { strings.append(try r.string()) }
            return ColumnData(type: type, valid: valid, strings: strings)
        }
    }
}
