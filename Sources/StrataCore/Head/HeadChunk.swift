/// A run of one series' head rows, sealed with the segment codecs (docs/format/encodings.md):
/// timestamps and each field's present values, in arrival order, with a presence bitmap
/// where a field has nulls. Telemetry at 1 Hz takes ~1–2 bytes a value sealed against ~9
/// in columns, so the head holds what the WAL holds at about what a segment costs, and the
/// flush threshold and `cache-max-memory-size` count memory that is really there
/// (docs/architecture.md, "Memory").
///
/// Made and read in this process only: its bytes never reach a disk.
struct HeadChunk: Sendable {
    let rows: Int
    let minTime: Int64
    let maxTime: Int64
    /// Every column's encoding, one after another.
    private let bytes: [UInt8]
    private let timestamps: Range<Int>
    private let columns: [Column]

    struct Column: Sendable {
        var name: String
        var type: FieldType
        /// The presence bitmap (bit i: row i has a value), empty when every row has one.
        var bitmap: Range<Int>
        var values: Range<Int>
        var present: Int
    }

    /// Memory the chunk holds: its bytes and a column entry each.
    var approximateBytes: Int { bytes.count + 64 + columns.count * 48 }

    /// Seals `rows` (names and columns in the series' order). Nil for no rows.
    init?(timestamps: [Int64], names: [String], columns: [ColumnData]) {
        guard let lo = timestamps.min(), let hi = timestamps.max() else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(timestamps.count * (1 + columns.count))
        TimestampCodec.encode(timestamps, into: &out, effort: .fast)
        self.timestamps = 0..<out.count
        var sealed: [Column] = []
        sealed.reserveCapacity(columns.count)
        for (name, column) in zip(names, columns) {
            let present = column.valid.reduce(0) { $0 + ($1 ? 1 : 0) }
            guard present > 0 else { continue }
            let bitmapStart = out.count
            if present < column.count {
                var bitmap = [UInt8](repeating: 0, count: (column.count + 7) / 8)
                for (i, v) in column.valid.enumerated() where v { bitmap[i >> 3] |= 1 << UInt8(i & 7) }
                out.append(contentsOf: bitmap)
            }
            let valuesStart = out.count
            Self.encodeValues(column, present: present, into: &out)
            sealed.append(Column(name: name, type: column.type, bitmap: bitmapStart..<valuesStart,
                                 values: valuesStart..<out.count, present: present))
        }
        self.rows = timestamps.count
        self.minTime = lo
        self.maxTime = hi
        // A copy sized to the bytes: `out` has room for plain values, several times more.
        self.bytes = [UInt8](unsafeUninitializedCapacity: out.count) { buffer, count in
            count = out.withUnsafeBufferPointer { buffer.initialize(fromContentsOf: $0) }
        }
        self.columns = sealed
    }

    private static func encodeValues(_ c: ColumnData, present: Int, into out: inout [UInt8]) {
        let all = present == c.count
        func picked<T>(_ values: [T]) -> [T] {
            all ? values : zip(values, c.valid).compactMap { $1 ? $0 : nil }
        }
        switch c.type {
        case .float: FloatCodec.encode(picked(c.floats), into: &out, effort: .fast)
        case .integer: IntegerCodec.encode(picked(c.integers), into: &out, effort: .fast)
        case .unsigned: UnsignedCodec.encode(picked(c.unsigneds), into: &out)
        case .boolean: BooleanCodec.encode(picked(c.booleans), into: &out)
        case .string: StringCodec.encode(picked(c.strings), into: &out)
        }
    }

    /// The chunk's rows appended to `out` (whose columns hold `before` rows each; a column
    /// first seen here gets `before` nulls first). Columns `out` has and the chunk lacks
    /// are left short: the caller pads them (`SeriesRows.padColumns`).
    func decode(into out: inout SeriesRows, fields: Set<String>?) {
        let before = out.timestamps.count
        Self.check {
            try bytes[timestamps].withUnsafeBytes { p in
                try TimestampCodec.decode(p, count: rows, into: &out.timestamps)
            }
        }
        for c in columns where fields?.contains(c.name) ?? true {
            var column = out.columns.removeValue(forKey: c.name) ?? ColumnData(type: c.type)
            guard column.type == c.type else {
                // Validation keeps a series' field to one type; stay aligned regardless.
                column.appendNullRows(before + rows - column.count)
                out.columns[c.name] = column
                continue
            }
            column.appendNullRows(before - column.count)
            decodeColumn(c, into: &column)
            out.columns[c.name] = column
        }
    }

    private func decodeColumn(_ c: Column, into column: inout ColumnData) {
        var valid = [Bool](repeating: true, count: rows)
        if !c.bitmap.isEmpty {
            for i in 0..<rows { valid[i] = bytes[c.bitmap.lowerBound + (i >> 3)] & (1 << UInt8(i & 7)) != 0 }
        }
        func spread<T>(_ present: [T], zero: T) -> [T] {
            guard present.count != rows else { return present }
            var out = [T](repeating: zero, count: rows)
            var k = 0
            for i in 0..<rows where valid[i] {
                out[i] = present[k]
                k += 1
            }
            return out
        }
        let data = bytes[c.values]
        var decoded = ColumnData(type: c.type)
        Self.check {
            try data.withUnsafeBytes { p in
                switch c.type {
                case .float:
                    var v: [Double] = []
                    try FloatCodec.decode(p, count: c.present, into: &v)
                    decoded = ColumnData(type: .float, valid: valid, floats: spread(v, zero: 0))
                case .integer:
                    var v: [Int64] = []
                    try IntegerCodec.decode(p, count: c.present, into: &v)
                    decoded = ColumnData(type: .integer, valid: valid, integers: spread(v, zero: 0))
                case .unsigned:
                    var v: [UInt64] = []
                    try UnsignedCodec.decode(p, count: c.present, into: &v)
                    decoded = ColumnData(type: .unsigned, valid: valid, unsigneds: spread(v, zero: 0))
                case .boolean:
                    var v: [Bool] = []
                    try BooleanCodec.decode(p, count: c.present, into: &v)
                    decoded = ColumnData(type: .boolean, valid: valid, booleans: spread(v, zero: false))
                case .string:
                    var v: [String] = []
                    try StringCodec.decode(p, count: c.present, into: &v)
                    decoded = ColumnData(type: .string, valid: valid, strings: spread(v, zero: ""))
                }
            }
        }
        column.append(contentsOf: decoded, range: 0..<rows)
    }

    /// Sealed in this process by the same codecs: a failure to decode is a codec defect
    /// (the codecs' round-trip and fuzz tests guard against it), not bad input.
    private static func check(_ body: () throws -> Void) {
        do {
            try body()
        } catch {
            preconditionFailure("a head chunk sealed in this process does not decode: \(error)")
        }
    }
}

extension SeriesRows {
    /// Pads every column with nulls to the rows' count.
    mutating func padColumns() {
        for name in Array(columns.keys) where columns[name]!.count < timestamps.count {
            columns[name]!.appendNullRows(timestamps.count - columns[name]!.count)
        }
    }
}
