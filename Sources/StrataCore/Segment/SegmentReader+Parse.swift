// See docs/format/segment.md, "Header", "Series table", "Min and max times", "Versions" and "Footer".

extension SegmentReader {
    /// Where the series table is: from the header (16 bytes) and footer (24 bytes) of a file
    /// of `size` bytes. Versions 1 and 2 differ only in the stats (version 2 adds the min and
    /// max times).
    static func parseBounds(header: [UInt8], footer: [UInt8], size: Int) throws(BinaryReaderError)
        -> (version: UInt8, start: Int, crc: UInt32)
    {
        guard size >= SegmentFormat.headerSize + SegmentFormat.footerSize else {
            throw BinaryReaderError(offset: 0, message: "file of \(size) bytes is too short for a segment")
        }
        guard Array(header[0..<7]) == SegmentFormat.magicPrefix else {
            throw BinaryReaderError(offset: 0, message: "not a Strata segment (bad magic)")
        }
        let version = header[7]
        guard SegmentFormat.readableVersions.contains(version) else {
            throw BinaryReaderError(offset: 7, message: "segment format version \(version) is not supported (this build reads \(SegmentFormat.readableVersions))")
        }
        let footerStart = size - SegmentFormat.footerSize
        var r = BinaryReader(footer)
        let indexOffset = try r.u64()
        let indexLength = try r.u64()
        let indexCRC = try r.u32()
        guard Array(footer[(footer.count - 4)...]) == SegmentFormat.footerMagic else {
            throw BinaryReaderError(offset: size - 4, message: "bad footer magic (truncated file?)")
        }
        guard indexOffset >= UInt64(SegmentFormat.headerSize), indexLength <= UInt64(footerStart),
              indexOffset + indexLength == UInt64(footerStart) else {
            throw BinaryReaderError(offset: footerStart, message: "series table bounds \(indexOffset)+\(indexLength) do not fit")
        }
        return (version, Int(indexOffset), indexCRC)
    }

    /// The series table, `index` being its bytes read from file offset `start`.
    static func parseIndex(_ index: [UInt8], start: Int, crc: UInt32, version: UInt8) throws(BinaryReaderError)
        -> [SegmentSeries]
    {
        guard CRC32C.checksum(index) == crc else {
            throw BinaryReaderError(offset: start, message: "series table checksum mismatch")
        }
        var r = BinaryReader(index)
        do throws(BinaryReaderError) {
            let count = try r.count("series count", minItemBytes: 4)
            var series: [SegmentSeries] = []
            series.reserveCapacity(count)
            for _ in 0..<count { series.append(try parseSeries(&r, version: version)) }
            guard r.isAtEnd else { throw BinaryReaderError(offset: r.offset, message: "trailing bytes in series table") }
            return series
        } catch {
            // Offsets in the file, not in the table's bytes.
            throw BinaryReaderError(offset: start + error.offset, message: error.message)
        }
    }

    private static func parseSeries(_ r: inout BinaryReader, version: UInt8) throws(BinaryReaderError) -> SegmentSeries {
        let database = try r.string()
        let measurement = try r.string()
        let tagCount = try r.count("tag count", minItemBytes: 2)
        var tags: [Tag] = []
        for _ in 0..<tagCount { tags.append(Tag(try r.string(), try r.string())) }
        let blockCount = try r.count("row block count", minItemBytes: 23)
        var blocks: [RowBlockInfo] = []
        for _ in 0..<blockCount {
            let minTime = try r.i64()
            let maxTime = try r.i64()
            let rowsOffset = r.offset
            let rows = Int(truncatingIfNeeded: try r.varint())
            guard rows > 0 && rows <= SegmentFormat.maxRowsPerBlock else {
                throw BinaryReaderError(offset: rowsOffset, message: "row block of \(rows) rows")
            }
            blocks.append(RowBlockInfo(minTime: minTime, maxTime: maxTime, rows: rows, timestamps: try parseRef(&r)))
        }
        let fieldCount = try r.count("field count", minItemBytes: 2)
        var fields: [SegmentField] = []
        for _ in 0..<fieldCount {
            let name = try r.string()
            let offset = r.offset
            guard let type = FieldType(rawValue: try r.u8()) else {
                throw BinaryReaderError(offset: offset, message: "unknown field type")
            }
            var fieldBlocks: [FieldBlockInfo?] = []
            for block in blocks {
                fieldBlocks.append(try parseFieldBlock(&r, type: type, rowBlock: block, version: version))
            }
            fields.append(SegmentField(name: name, type: type, blocks: fieldBlocks))
        }
        return SegmentSeries(database: database, key: SeriesKey(measurement: measurement, tags: tags),
                             rowBlocks: blocks, fields: fields)
    }

    private static func parseFieldBlock(_ r: inout BinaryReader, type: FieldType, rowBlock: RowBlockInfo,
                                        version: UInt8) throws(BinaryReaderError) -> FieldBlockInfo? {
        let count = Int(try r.varint())
        guard count > 0 else { return nil }
        let flags = try r.u8()
        let ref = try parseRef(&r)
        let statFlags = try r.u8()
        let boundsTimes = statFlags & SegmentFormat.timesAreBlockBounds != 0
        let firstTime = boundsTimes ? rowBlock.minTime : try r.i64()
        let lastTime = boundsTimes ? rowBlock.maxTime : try r.i64()
        var stats = BlockStats(count: count, first: try parseValue(&r, type), firstTime: firstTime,
                               last: try parseValue(&r, type), lastTime: lastTime)
        if statFlags & SegmentFormat.hasMinMax != 0 {
            stats.min = try parseValue(&r, type)
            stats.max = try parseValue(&r, type)
            if version >= 2 {
                stats.minTime = try parseTime(&r, after: firstTime, upTo: lastTime, "min time")
                stats.maxTime = try parseTime(&r, after: firstTime, upTo: lastTime, "max time")
            }
        }
        if statFlags & SegmentFormat.hasSum != 0 { stats.sum = try parseValue(&r, type) }
        return FieldBlockInfo(stats: stats, hasPresenceBitmap: flags & SegmentFormat.hasPresenceBitmap != 0, data: ref)
    }

    /// A time stored as its distance from `start` (the field's first time): it must fall in
    /// start...end, where the field's values are.
    private static func parseTime(_ r: inout BinaryReader, after start: Int64, upTo end: Int64,
                                  _ what: String) throws(BinaryReaderError) -> Int64 {
        let offset = r.offset
        let delta = try r.varint()
        guard start <= end, delta <= UInt64(bitPattern: end &- start) else {
            throw BinaryReaderError(offset: offset, message: "\(what) outside the field's first...last time")
        }
        return start &+ Int64(bitPattern: delta)
    }

    private static func parseRef(_ r: inout BinaryReader) throws(BinaryReaderError) -> BlockRef {
        let offset = try r.varint()
        let length = try r.varint()
        let crc = try r.u32()
        guard offset < UInt64(Int32.max) * 1024, length < UInt64(Int32.max) else {
            throw BinaryReaderError(offset: r.offset, message: "block reference out of range")
        }
        return BlockRef(offset: Int(offset), length: Int(length), crc: crc)
    }

    private static func parseValue(_ r: inout BinaryReader, _ type: FieldType) throws(BinaryReaderError) -> FieldValue {
        switch type {
        case .float: .float(try r.f64())
        case .integer: .integer(try r.signedVarint())
        case .unsigned: .unsigned(try r.varint())
        case .boolean: .boolean(try r.u8() != 0)
        case .string: .string(try r.string())
        }
    }
}
