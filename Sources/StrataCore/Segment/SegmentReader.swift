// See docs/format/segment.md.

/// An open, immutable segment: its series table parsed at open, blocks decoded on demand
/// (each checked against its CRC-32C before decoding).
public final class SegmentReader: Sendable {
    public let path: String
    public let series: [SegmentSeries]
    let bytes: [UInt8]
    private let lookup: [String: [SeriesKey: Int]]

    public var fileSize: Int { bytes.count }

    public init(path: String, fileSystem: any FileSystem) throws {
        self.path = path
        bytes = try fileSystem.readFile(path)
        do {
            series = try Self.parse(bytes)
        } catch {
            throw EngineError.corruptSegment(path: path, reason: error.description)
        }
        var lookup: [String: [SeriesKey: Int]] = [:]
        for (i, s) in series.enumerated() { lookup[s.database, default: [:]][s.key] = i }
        self.lookup = lookup
    }

    public func series(database: String, key: SeriesKey) -> SegmentSeries? {
        lookup[database]?[key].map { series[$0] }
    }

    /// The series' rows in `range` for `fields` (nil: all), sorted by time.
    public func rows(of s: SegmentSeries, range: ClosedRange<Int64>, fields: Set<String>?) throws -> SeriesRows {
        var out = SeriesRows(key: s.key)
        let wanted = s.fields.filter { fields?.contains($0.name) ?? true }
        for f in wanted { out.columns[f.name] = ColumnData(type: f.type) }
        for (b, block) in s.rowBlocks.enumerated() where block.maxTime >= range.lowerBound && block.minTime <= range.upperBound {
            var timestamps: [Int64] = []
            try decode(block.timestamps, what: "timestamps") { raw throws(EncodingError) in
                try TimestampCodec.decode(raw, count: block.rows, into: &timestamps)
            }
            let lower = timestamps.partitioningIndex { $0 >= range.lowerBound }
            let upper = timestamps.partitioningIndex { $0 > range.upperBound }
            out.timestamps.append(contentsOf: timestamps[lower..<upper])
            for f in wanted {
                var column = ColumnData(type: f.type)
                if let fb = f.blocks[b] {
                    try decodeField(fb, type: f.type, rows: block.rows, into: &column)
                } else {
                    column.appendNullRows(block.rows)
                }
                out.columns[f.name]!.append(contentsOf: column, range: lower..<upper)
            }
        }
        return out
    }

    private func decodeField(_ block: FieldBlockInfo, type: FieldType, rows: Int, into column: inout ColumnData) throws {
        let count = block.stats.count
        var presence: [Bool]?
        let bitmapBytes = block.hasPresenceBitmap ? (rows + 7) / 8 : 0
        var values: DecodedValues = .floats([])
        try decode(block.data, what: "field values") { raw throws(EncodingError) in
            guard raw.count >= bitmapBytes else { throw .truncated("presence bitmap") }
            if block.hasPresenceBitmap {
                let bits = (0..<rows).map { raw[$0 >> 3] & (1 << UInt8($0 & 7)) != 0 }
                guard bits.lazy.filter({ $0 }).count == count else { throw .corrupt("presence bitmap disagrees with count") }
                presence = bits
            }
            let data = UnsafeRawBufferPointer(rebasing: raw[bitmapBytes...])
            switch type {
            case .float:
                var v: [Double] = []
                try FloatCodec.decode(data, count: count, into: &v)
                values = .floats(v)
            case .integer:
                var v: [Int64] = []
                try IntegerCodec.decode(data, count: count, into: &v)
                values = .integers(v)
            case .unsigned:
                var v: [UInt64] = []
                try UnsignedCodec.decode(data, count: count, into: &v)
                values = .unsigneds(v)
            case .boolean:
                var v: [Bool] = []
                try BooleanCodec.decode(data, count: count, into: &v)
                values = .booleans(v)
            case .string:
                var v: [String] = []
                try StringCodec.decode(data, count: count, into: &v)
                values = .strings(v)
            }
        }
        guard presence != nil || count == rows else {
            throw EngineError.corruptSegment(path: path, reason: "block without nulls holds \(count) of \(rows) rows")
        }
        column.appendDecoded(values, presence: presence)
    }

    /// Checks a block's bounds and CRC, then hands its bytes to `body`.
    private func decode(_ ref: BlockRef, what: String,
                        _ body: (UnsafeRawBufferPointer) throws(EncodingError) -> Void) throws {
        guard ref.offset >= SegmentFormat.headerSize, ref.length >= 0, ref.offset + ref.length <= bytes.count else {
            throw EngineError.corruptSegment(path: path, reason: "\(what) block at \(ref.offset)+\(ref.length) is outside the file")
        }
        let result: Result<Void, EncodingError>? = bytes.withUnsafeBytes { all in
            let raw = UnsafeRawBufferPointer(rebasing: all[ref.offset..<(ref.offset + ref.length)])
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
