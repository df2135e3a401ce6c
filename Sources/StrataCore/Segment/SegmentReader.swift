// See docs/format/segment.md.

/// An open, immutable segment: its series table parsed at open, blocks read from the file
/// and decoded on demand (each checked against its CRC-32C before decoding). Only the header,
/// footer and series table are read at open: memory follows the blocks a query reads, not
/// the history on disk (the OS page cache keeps hot blocks).
public final class SegmentReader: Sendable {
    public let path: String
    public let series: [SegmentSeries]
    /// 1 or 2 (docs/format/segment.md, "Versions").
    public let formatVersion: Int
    private let file: any ReadableFile
    private let lookup: [String: [SeriesKey: Int]]

    public var fileSize: Int { file.size }

    public init(path: String, fileSystem: any FileSystem) throws {
        self.path = path
        file = try fileSystem.openForReading(path)
        let size = file.size
        let parsed: (version: UInt8, series: [SegmentSeries])
        do {
            guard size >= SegmentFormat.headerSize + SegmentFormat.footerSize else {
                throw BinaryReaderError(offset: 0, message: "file of \(size) bytes is too short for a segment")
            }
            let header = try file.read(at: 0, count: SegmentFormat.headerSize)
            let footer = try file.read(at: size - SegmentFormat.footerSize, count: SegmentFormat.footerSize)
            let bounds = try Self.parseBounds(header: header, footer: footer, size: size)
            let index = try file.read(at: bounds.start, count: size - SegmentFormat.footerSize - bounds.start)
            parsed = (bounds.version, try Self.parseIndex(index, start: bounds.start, crc: bounds.crc, version: bounds.version))
        } catch let error as BinaryReaderError {
            throw EngineError.corruptSegment(path: path, reason: error.description)
        }
        (formatVersion, series) = (Int(parsed.version), parsed.series)
        var lookup: [String: [SeriesKey: Int]] = [:]
        for (i, s) in series.enumerated() { lookup[s.database, default: [:]][s.key] = i }
        self.lookup = lookup
    }

    /// `count` bytes at `offset` of the file (`strata inspect` reads encoding tags).
    func bytes(at offset: Int, count: Int) throws -> [UInt8] {
        try file.read(at: offset, count: count)
    }

    public func series(database: String, key: SeriesKey) -> SegmentSeries? {
        lookup[database]?[key].map { series[$0] }
    }

    /// The series' rows in `range` for `fields` (nil: all), sorted by time. Only the row
    /// blocks overlapping `range` are read.
    /// A block that `range` holds whole is decoded straight into the result's columns (a
    /// tier read of a month decodes ~3,000 such blocks per column, and building rows per
    /// block to copy them was a fifth of its decoding).
    public func rows(of s: SegmentSeries, range: ClosedRange<Int64>, fields: Set<String>?) throws -> SeriesRows {
        var out = SeriesRows(key: s.key)
        let wanted = s.fields.indices.filter { fields?.contains(s.fields[$0].name) ?? true }
        let overlapping = s.rowBlocks.indices.filter {
            s.rowBlocks[$0].maxTime >= range.lowerBound && s.rowBlocks[$0].minTime <= range.upperBound
        }
        let most = overlapping.reduce(0) { $0 + s.rowBlocks[$1].rows }
        out.timestamps.reserveCapacity(most)
        var columns = wanted.map { i in
            var column = ColumnData(type: s.fields[i].type)
            column.reserveCapacity(most)
            return column
        }
        for b in overlapping {
            let block = s.rowBlocks[b]
            guard range.contains(block.minTime), range.contains(block.maxTime) else {
                let part = try rows(of: s, block: b, range: range, fields: fields)
                out.timestamps.append(contentsOf: part.timestamps)
                for (k, i) in wanted.enumerated() {
                    let column = part.columns[s.fields[i].name]!
                    columns[k].append(contentsOf: column, range: 0..<column.count)
                }
                continue
            }
            let before = out.timestamps.count
            try decode(block.timestamps, what: "timestamps") { raw throws(EncodingError) in
                try TimestampCodec.decode(raw, count: block.rows, into: &out.timestamps)
            }
            guard out.timestamps.count - before == block.rows else {
                throw EngineError.corruptSegment(path: path, reason: "timestamps block at offset \(block.timestamps.offset) holds \(out.timestamps.count - before) of \(block.rows) rows")
            }
            for (k, i) in wanted.enumerated() {
                if let fb = s.fields[i].blocks[b] {
                    try decodeField(fb, type: s.fields[i].type, rows: block.rows, into: &columns[k])
                } else {
                    columns[k].appendNullRows(block.rows)
                }
            }
        }
        for (k, i) in wanted.enumerated() { out.columns[s.fields[i].name] = columns[k] }
        return out
    }

    /// The rows of row block `b` of `s` that fall in `range`, for `fields` (nil: all). Every
    /// wanted field of the series gets a column, all null where the block has none for it.
    /// Only the wanted fields' blocks are read; values are decoded straight into the columns.
    public func rows(of s: SegmentSeries, block b: Int, range: ClosedRange<Int64>, fields: Set<String>?) throws -> SeriesRows {
        let block = s.rowBlocks[b]
        var timestamps: [Int64] = []
        timestamps.reserveCapacity(block.rows)
        try decode(block.timestamps, what: "timestamps") { raw throws(EncodingError) in
            try TimestampCodec.decode(raw, count: block.rows, into: &timestamps)
        }
        let lower = timestamps.partitioningIndex { $0 >= range.lowerBound }
        let upper = timestamps.partitioningIndex { $0 > range.upperBound }
        let whole = lower == 0 && upper == timestamps.count
        var out = SeriesRows(key: s.key)
        out.timestamps = whole ? timestamps : Array(timestamps[lower..<upper])
        for f in s.fields where fields?.contains(f.name) ?? true {
            var column = ColumnData(type: f.type)
            if lower == upper {
                // Nothing in range: an empty column, nothing decoded.
            } else if let fb = f.blocks[b] {
                column.reserveCapacity(block.rows)
                try decodeField(fb, type: f.type, rows: block.rows, into: &column)
            } else {
                column.appendNullRows(block.rows)
            }
            if whole || lower == upper {
                out.columns[f.name] = column
            } else {
                var slice = ColumnData(type: f.type)
                slice.append(contentsOf: column, range: lower..<upper)
                out.columns[f.name] = slice
            }
        }
        return out
    }

    /// Appends the block's `rows` rows to `column`. Without nulls the codec appends to the
    /// column's own array; with nulls the values are decoded once and spread by the bitmap.
    private func decodeField(_ block: FieldBlockInfo, type: FieldType, rows: Int, into column: inout ColumnData) throws {
        let count = block.stats.count
        let bitmapBytes = block.hasPresenceBitmap ? (rows + 7) / 8 : 0
        try decode(block.data, what: "field values") { raw throws(EncodingError) in
            guard raw.count >= bitmapBytes else { throw .truncated("presence bitmap") }
            let data = UnsafeRawBufferPointer(rebasing: raw[bitmapBytes...])
            guard block.hasPresenceBitmap else {
                guard count == rows else { throw .corrupt("block without nulls holds \(count) of \(rows) rows") }
                column.valid.append(contentsOf: repeatElement(true, count: rows))
                switch type {
                case .float: try FloatCodec.decode(data, count: count, into: &column.floats)
                case .integer: try IntegerCodec.decode(data, count: count, into: &column.integers)
                case .unsigned: try UnsignedCodec.decode(data, count: count, into: &column.unsigneds)
                case .boolean: try BooleanCodec.decode(data, count: count, into: &column.booleans)
                case .string: try StringCodec.decode(data, count: count, into: &column.strings)
                }
                return
            }
            var presence = [Bool](repeating: false, count: rows)
            var present = 0
            for i in 0..<rows where raw[i >> 3] & (1 << UInt8(i & 7)) != 0 {
                presence[i] = true
                present += 1
            }
            guard present == count else { throw .corrupt("presence bitmap disagrees with count") }
            column.valid.append(contentsOf: presence)
            switch type {
            case .float:
                var v: [Double] = []
                try FloatCodec.decode(data, count: count, into: &v)
                Self.scatter(v, presence, into: &column.floats, zero: 0)
            case .integer:
                var v: [Int64] = []
                try IntegerCodec.decode(data, count: count, into: &v)
                Self.scatter(v, presence, into: &column.integers, zero: 0)
            case .unsigned:
                var v: [UInt64] = []
                try UnsignedCodec.decode(data, count: count, into: &v)
                Self.scatter(v, presence, into: &column.unsigneds, zero: 0)
            case .boolean:
                var v: [Bool] = []
                try BooleanCodec.decode(data, count: count, into: &v)
                Self.scatter(v, presence, into: &column.booleans, zero: false)
            case .string:
                var v: [String] = []
                try StringCodec.decode(data, count: count, into: &v)
                Self.scatter(v, presence, into: &column.strings, zero: "")
            }
        }
    }

    /// One slot per row: the next value where the row is present, `zero` elsewhere.
    private static func scatter<T>(_ values: [T], _ presence: [Bool], into out: inout [T], zero: T) {
        out.reserveCapacity(out.count + presence.count)
        var next = 0
        for present in presence {
            if present {
                out.append(values[next])
                next += 1
            } else {
                out.append(zero)
            }
        }
    }

    /// Reads a block, checks its bounds and CRC, then hands its bytes to `body`.
    private func decode(_ ref: BlockRef, what: String,
                        _ body: (UnsafeRawBufferPointer) throws(EncodingError) -> Void) throws {
        guard ref.offset >= SegmentFormat.headerSize, ref.length >= 0, ref.offset + ref.length <= file.size else {
            throw EngineError.corruptSegment(path: path, reason: "\(what) block at \(ref.offset)+\(ref.length) is outside the file")
        }
        let block = try file.read(at: ref.offset, count: ref.length)
        let result: Result<Void, EncodingError>? = block.withUnsafeBytes { raw in
            guard CRC32C.checksum(raw) == ref.crc else { return nil }
            return Result { () throws(EncodingError) in try body(raw) }
        }
        switch result {
        case .none:
            throw EngineError.corruptSegment(path: path, reason: "\(what) block at offset \(ref.offset): checksum mismatch")
        case .failure(let error):
            throw EngineError.corruptSegment(path: path, reason: "\(what) block at offset \(ref.offset): \(error)")
        case .success:
            return
        }
    }
}
