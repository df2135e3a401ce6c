// See docs/format/wal.md, "Write batch payload".

/// Encodes a `WriteBatch` as a WAL payload and back.
enum WALBatchCodec {
    static func encode(_ batch: WriteBatch) -> [UInt8] {
        var w = BinaryWriter(capacity: batch.points.count * 64)
        w.string(batch.database)
        w.varint(UInt64(batch.points.count))
        for point in batch.points {
            w.string(point.measurement)
            w.varint(UInt64(point.tags.count))
            for tag in point.tags {
                w.string(tag.key)
                w.string(tag.value)
            }
            w.i64(point.timestamp)
            w.varint(UInt64(point.fields.count))
            for field in point.fields {
                w.string(field.key)
                encode(field.value, to: &w)
            }
        }
        return w.bytes
    }

    private static func encode(_ value: FieldValue, to w: inout BinaryWriter) {
        w.u8(value.type.rawValue)
        switch value {
        case .float(let v): w.f64(v)
        case .integer(let v): w.signedVarint(v)
        case .unsigned(let v): w.varint(v)
        case .boolean(let v): w.u8(v ? 1 : 0)
        case .string(let v): w.string(v)
        }
    }

    static func decode(_ payload: [UInt8]) throws(BinaryReaderError) -> WriteBatch {
        var r = BinaryReader(payload)
        let database = try r.string()
        // Smallest point: measurement, 0 tags, timestamp, 1 field of a boolean.
        let count = try r.count("point count", minItemBytes: 13)
        var points: [Point] = []
        points.reserveCapacity(count)
        for _ in 0..<count {
            let measurement = try r.string()
            let tagCount = try r.count("tag count", minItemBytes: 2)
            var tags: [Tag] = []
            tags.reserveCapacity(tagCount)
            for _ in 0..<tagCount { tags.append(Tag(try r.string(), try r.string())) }
            let timestamp = try r.i64()
            let fieldCount = try r.count("field count", minItemBytes: 3)
            var fields: [Field] = []
            fields.reserveCapacity(fieldCount)
            for _ in 0..<fieldCount { fields.append(Field(try r.string(), try decodeValue(&r))) }
            points.append(Point(measurement: measurement, tags: tags, fields: fields, timestamp: timestamp))
        }
        guard r.isAtEnd else { throw BinaryReaderError(offset: r.offset, message: "\(r.remaining) trailing bytes after batch") }
        return WriteBatch(database: database, points: points)
    }

    private static func decodeValue(_ r: inout BinaryReader) throws(BinaryReaderError) -> FieldValue {
        let offset = r.offset
        guard let type = FieldType(rawValue: try r.u8()) else {
            throw BinaryReaderError(offset: offset, message: "unknown field type")
        }
        switch type {
        case .float: return .float(try r.f64())
        case .integer: return .integer(try r.signedVarint())
        case .unsigned: return .unsigned(try r.varint())
        case .boolean: return .boolean(try r.u8() != 0)
        case .string: return .string(try r.string())
        }
    }
}
