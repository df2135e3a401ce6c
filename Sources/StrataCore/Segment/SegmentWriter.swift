// See docs/format/segment.md.

/// Builds a segment file's bytes from sorted, de-duplicated series rows.
struct SegmentWriter {
    private var out = BinaryWriter(capacity: 1 << 20)
    private var series: [SegmentSeries] = []
    private(set) var rows = 0
    private(set) var minTime = Int64.max
    private(set) var maxTime = Int64.min

    init() {
        out.append(SegmentFormat.magic)
        out.u64(0)  // reserved
    }

    var seriesCount: Int { series.count }

    /// Adds one series. Series must come in (database, key) order; rows sorted, one per time.
    mutating func add(database: String, rows data: SeriesRows) {
        guard data.count > 0 else { return }
        var rowBlocks: [RowBlockInfo] = []
        let names = data.columns.keys.sorted()
        var fieldBlocks: [[FieldBlockInfo?]] = Array(repeating: [], count: names.count)
        var start = 0
        while start < data.count {
            let end = Self.blockEnd(data.timestamps, from: start)
            rowBlocks.append(writeTimestamps(data.timestamps[start..<end]))
            for (i, name) in names.enumerated() {
                fieldBlocks[i].append(writeField(data.columns[name]!, timestamps: data.timestamps[...], rows: start..<end))
            }
            start = end
        }
        let fields = names.enumerated().map { i, name in
            SegmentField(name: name, type: data.columns[name]!.type, blocks: fieldBlocks[i])
        }
        series.append(SegmentSeries(database: database, key: data.key, rowBlocks: rowBlocks, fields: fields))
        rows += data.count
        minTime = min(minTime, data.timestamps[0])
        maxTime = max(maxTime, data.timestamps[data.count - 1])
    }

    /// Where the row block starting at `start` ends (docs/format/segment.md, "Row blocks"):
    /// at most `maxRowsPerBlock` rows. If the first row's UTC hour is dense (at least
    /// `denseHourRows` rows of the series), at the end of that hour; otherwise after as many
    /// following whole hours of the same UTC day as are sparse too and fit in the block.
    /// Binary searches over the sorted times only: O(log n) per hour taken, no allocation.
    static func blockEnd(_ timestamps: [Int64], from start: Int) -> Int {
        let limit = min(start + SegmentFormat.maxRowsPerBlock, timestamps.count)
        let hour = SegmentFormat.alignedPeriod(timestamps[start])
        // Sorted times have non-decreasing periods: the first row of a later one ends the hour.
        let hourEnd = timestamps[start...].partitioningIndex { SegmentFormat.alignedPeriod($0) > hour }
        // A block starts mid-hour only after an 8,192-row cut (such an hour is dense), but
        // count the whole hour anyway, so that the rule does not depend on where it started.
        let hourStart = timestamps[..<start].partitioningIndex { SegmentFormat.alignedPeriod($0) >= hour }
        if hourEnd - hourStart >= SegmentFormat.denseHourRows || hourEnd >= limit {
            return min(hourEnd, limit)
        }
        // A sparse hour: take the next hours while they are sparse, in the same day, and fit.
        let day = SegmentFormat.alignedDay(hour: hour)
        var end = hourEnd
        while end < timestamps.count {
            let next = SegmentFormat.alignedPeriod(timestamps[end])
            guard SegmentFormat.alignedDay(hour: next) == day else { break }
            let nextEnd = timestamps[end...].partitioningIndex { SegmentFormat.alignedPeriod($0) > next }
            guard nextEnd - end < SegmentFormat.denseHourRows, nextEnd <= limit else { break }
            end = nextEnd
        }
        return end
    }

    private mutating func writeTimestamps(_ timestamps: ArraySlice<Int64>) -> RowBlockInfo {
        var encoded: [UInt8] = []
        timestamps.withUnsafeBufferPointer { TimestampCodec.encode($0, into: &encoded) }
        return RowBlockInfo(minTime: timestamps.first!, maxTime: timestamps.last!, rows: timestamps.count,
                            timestamps: writeBlock(encoded))
    }

    private mutating func writeField(_ column: ColumnData, timestamps: ArraySlice<Int64>, rows: Range<Int>) -> FieldBlockInfo? {
        guard let stats = BlockStats.compute(column, timestamps: timestamps, rows: rows) else { return nil }
        var encoded: [UInt8] = []
        let hasNulls = stats.count < rows.count
        if hasNulls {
            var bitmap = [UInt8](repeating: 0, count: (rows.count + 7) / 8)
            for (i, row) in rows.enumerated() where column.valid[row] { bitmap[i >> 3] |= 1 << UInt8(i & 7) }
            encoded.append(contentsOf: bitmap)
        }
        let present = rows.filter { column.valid[$0] }
        switch column.type {
        case .float: FloatCodec.encode(present.map { column.floats[$0] }, into: &encoded)
        case .integer: IntegerCodec.encode(present.map { column.integers[$0] }, into: &encoded)
        case .unsigned: UnsignedCodec.encode(present.map { column.unsigneds[$0] }, into: &encoded)
        case .boolean: BooleanCodec.encode(present.map { column.booleans[$0] }, into: &encoded)
        case .string: StringCodec.encode(present.map { column.strings[$0] }, into: &encoded)
        }
        return FieldBlockInfo(stats: stats, hasPresenceBitmap: hasNulls, data: writeBlock(encoded))
    }

    private mutating func writeBlock(_ bytes: [UInt8]) -> BlockRef {
        let ref = BlockRef(offset: out.count, length: bytes.count, crc: CRC32C.checksum(bytes))
        out.append(bytes)
        return ref
    }

    /// Appends the series table and the footer; returns the whole file.
    consuming func finish() -> [UInt8] {
        let indexOffset = out.count
        var index = BinaryWriter(capacity: series.count * 256)
        index.varint(UInt64(series.count))
        for s in series { Self.writeSeries(s, to: &index) }
        out.append(index.bytes)
        out.u64(UInt64(indexOffset))
        out.u64(UInt64(index.count))
        out.u32(CRC32C.checksum(index.bytes))
        out.append(SegmentFormat.footerMagic)
        return out.bytes
    }

    private static func writeSeries(_ s: SegmentSeries, to w: inout BinaryWriter) {
        w.string(s.database)
        w.string(s.key.measurement)
        w.varint(UInt64(s.key.tags.count))
        for tag in s.key.tags {
            w.string(tag.key)
            w.string(tag.value)
        }
        w.varint(UInt64(s.rowBlocks.count))
        for block in s.rowBlocks {
            w.i64(block.minTime)
            w.i64(block.maxTime)
            w.varint(UInt64(block.rows))
            writeRef(block.timestamps, to: &w)
        }
        w.varint(UInt64(s.fields.count))
        for field in s.fields {
            w.string(field.name)
            w.u8(field.type.rawValue)
            for (b, block) in field.blocks.enumerated() {
                guard let block else {
                    w.varint(0)
                    continue
                }
                w.varint(UInt64(block.stats.count))
                w.u8(block.hasPresenceBitmap ? SegmentFormat.hasPresenceBitmap : 0)
                writeRef(block.data, to: &w)
                writeStats(block.stats, rowBlock: s.rowBlocks[b], to: &w)
            }
        }
    }

    private static func writeRef(_ ref: BlockRef, to w: inout BinaryWriter) {
        w.varint(UInt64(ref.offset))
        w.varint(UInt64(ref.length))
        w.u32(ref.crc)
    }

    private static func writeStats(_ stats: BlockStats, rowBlock: RowBlockInfo, to w: inout BinaryWriter) {
        var flags: UInt8 = 0
        // Flag bit 0 promises min, max and (version 2) their times: all four or none.
        var extremes: (min: FieldValue, max: FieldValue, minTime: Int64, maxTime: Int64)?
        if let min = stats.min, let max = stats.max, let lo = stats.minTime, let hi = stats.maxTime {
            extremes = (min, max, lo, hi)
        }
        if extremes != nil { flags |= SegmentFormat.hasMinMax }
        if stats.sum != nil { flags |= SegmentFormat.hasSum }
        let boundsTimes = stats.firstTime == rowBlock.minTime && stats.lastTime == rowBlock.maxTime
        if boundsTimes { flags |= SegmentFormat.timesAreBlockBounds }
        w.u8(flags)
        if !boundsTimes {
            w.i64(stats.firstTime)
            w.i64(stats.lastTime)
        }
        writeValue(stats.first, to: &w)
        writeValue(stats.last, to: &w)
        if let e = extremes {
            writeValue(e.min, to: &w)
            writeValue(e.max, to: &w)
            // Distances from the first time: 1 byte when the extreme is the first value
            // (constant and monotonic stretches), at most 6 within an hour of nanoseconds.
            w.varint(UInt64(bitPattern: e.minTime &- stats.firstTime))
            w.varint(UInt64(bitPattern: e.maxTime &- stats.firstTime))
        }
        if let sum = stats.sum { writeValue(sum, to: &w) }
    }

    /// A value whose type the field's entry already gives.
    static func writeValue(_ value: FieldValue, to w: inout BinaryWriter) {
        switch value {
        case .float(let v): w.f64(v)
        case .integer(let v): w.signedVarint(v)
        case .unsigned(let v): w.varint(v)
        case .boolean(let v): w.u8(v ? 1 : 0)
        case .string(let v): w.string(v)
        }
    }
}
