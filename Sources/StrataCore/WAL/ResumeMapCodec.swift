// See docs/format/wal.md, "Resume maps": the byte layout this file writes and reads.

/// Encodes a `ResumeMap` as a file and back.
enum ResumeMapCodec {
    /// "STRMAP" then format version 1.
    static let magic: [UInt8] = Array("STRMAP".utf8) + [0, 1]
    /// magic (8) + first sequence (u64) + last sequence (u64) + body length (u32) + body
    /// CRC (u32) + CRC-32C of the 32 bytes before it (u32).
    static let headerSize = 36
    static let fileExtension = ".walmap"
    /// A map describes one WAL file (at most `walSegmentBytes` plus one record); its plain
    /// body is smaller than that file's raw columns. 1 GiB bounds what a damaged length
    /// could make a reader allocate.
    static let maxBodySize = 1 << 30
    /// A series entry names at most this many rows: a write request is capped far below it.
    static let maxRowsPerSeries = 1 << 24

    static let mappedBatch: UInt8 = 1
    static let verbatimRecord: UInt8 = 2
    static let hasPresence: UInt8 = 1

    static func fileName(firstSequence: UInt64) -> String {
        let digits = String(firstSequence)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + fileExtension
    }

    static func firstSequence(fromFileName name: String) -> UInt64? {
        guard name.hasSuffix(fileExtension), name.utf8.count == 20 + fileExtension.utf8.count else { return nil }
        return UInt64(name.dropLast(fileExtension.count))
    }

    static func encode(_ map: ResumeMap) -> [UInt8] {
        var body: [UInt8] = []
        LZ4.appendMaybeCompressed(plainBody(map), into: &body)
        var w = BinaryWriter(capacity: headerSize + body.count)
        w.append(magic)
        w.u64(map.firstSequence)
        w.u64(map.lastSequence)
        w.u32(UInt32(body.count))
        w.u32(CRC32C.checksum(body))
        w.u32(CRC32C.checksum(w.bytes))
        w.append(body)
        return w.bytes
    }

    /// Series and field sets are numbered in tables at the front: a batch names ~100 series
    /// that the next batch names again, and the numbers compress to almost nothing.
    private static func plainBody(_ map: ResumeMap) -> [UInt8] {
        var seriesTable = Table<SeriesRef>()
        var fieldTable = Table<[MappedSeries.MappedField]>()
        var records = BinaryWriter(capacity: 1 << 16)
        for entry in map.entries {
            switch entry {
            case .batch(let batch):
                records.u8(mappedBatch)
                records.u32(batch.checksum)
                records.varint(UInt64(batch.series.count))
                for series in batch.series {
                    records.varint(UInt64(seriesTable.number(SeriesRef(database: batch.database, key: series.key))))
                    records.varint(UInt64(fieldTable.number(series.fields)))
                    encodeRows(series, to: &records)
                }
            case .verbatim(let record):
                records.u8(verbatimRecord)
                records.u8(record.type.rawValue)
                records.varint(UInt64(record.payload.count))
                records.append(record.payload)
            }
        }
        var w = BinaryWriter(capacity: records.count + 4_096)
        w.u8(0)  // layout
        w.varint(UInt64(seriesTable.items.count))
        for ref in seriesTable.items {
            w.string(ref.database)
            w.seriesKey(ref.key)
        }
        w.varint(UInt64(fieldTable.items.count))
        for fields in fieldTable.items {
            w.varint(UInt64(fields.count))
            for field in fields {
                w.string(field.name)
                w.u8(field.type.rawValue)
            }
        }
        w.varint(UInt64(map.entries.count))
        w.append(records.bytes)
        return w.bytes
    }

    private static func encodeRows(_ series: MappedSeries, to w: inout BinaryWriter) {
        w.varint(UInt64(series.rowCount))
        w.varint(UInt64(series.encodedTimestamps.count))
        w.append(series.encodedTimestamps)
        guard let presence = series.presence else {
            w.u8(0)
            return
        }
        w.u8(hasPresence)
        for valid in presence { w.append(packBits(valid)) }
    }

    // MARK: reading

    struct Header {
        var first: UInt64
        var last: UInt64
        var bodyLength: Int
        var bodyChecksum: UInt32
    }

    /// The sequence range a map file covers, from its header alone (checked).
    static func header(_ bytes: [UInt8], path: String) throws(WALError) -> Header {
        guard bytes.count >= headerSize else {
            throw .badHeader(path: path, reason: "resume map is \(bytes.count) bytes, shorter than its \(headerSize)-byte header")
        }
        guard Array(bytes[0..<8]) == magic else {
            throw .badHeader(path: path, reason: "not a resume map (bad magic or unknown version)")
        }
        var r = BinaryReader(bytes, offset: 8, end: headerSize)
        do {
            let first = try r.u64(), last = try r.u64(), length = Int(try r.u32())
            let bodyChecksum = try r.u32()
            let crc = try r.u32()
            guard crc == CRC32C.checksum(Array(bytes[0..<32])) else {
                throw WALError.badHeader(path: path, reason: "resume map header CRC mismatch")
            }
            guard first >= 1, last >= first else {
                throw WALError.badHeader(path: path, reason: "resume map covers sequences \(first)...\(last)")
            }
            return Header(first: first, last: last, bodyLength: length, bodyChecksum: bodyChecksum)
        } catch let error as WALError {
            throw error
        } catch {
            throw .badHeader(path: path, reason: "resume map header: \(error)")
        }
    }

    static func decode(_ bytes: [UInt8], path: String) throws(WALError) -> ResumeMap {
        let h = try header(bytes, path: path)
        guard h.bodyLength == bytes.count - headerSize else {
            throw .badHeader(path: path, reason: "resume map body is \(bytes.count - headerSize) bytes, its header says \(h.bodyLength)")
        }
        let body = Array(bytes[headerSize...])
        guard CRC32C.checksum(body) == h.bodyChecksum else {
            throw .badHeader(path: path, reason: "resume map body CRC mismatch")
        }
        do {
            let map = try decodeBody(body, first: h.first)
            guard map.lastSequence == h.last else {
                throw BinaryReaderError(offset: 0, message: "holds sequences \(h.first)...\(map.lastSequence), its header says \(h.last)")
            }
            return map
        } catch let error as BinaryReaderError {
            throw .badHeader(path: path, reason: "resume map body at offset \(error.offset): \(error.message)")
        } catch {
            throw .badHeader(path: path, reason: "resume map body: \(error)")
        }
    }

    private static func decodeBody(_ wrapped: [UInt8], first: UInt64) throws -> ResumeMap {
        let plain = try wrapped.withUnsafeBytes { raw throws(EncodingError) in
            try LZ4.withPayload(raw, limit: maxBodySize) { tag, body throws(EncodingError) in
                guard tag == 0 else { throw .unknownEncoding(tag) }
                return [tag] + Array(body)
            }
        }
        var r = BinaryReader(plain, offset: 1)
        var refs: [SeriesRef] = []
        for _ in 0..<(try r.count("series count", minItemBytes: 3)) {
            refs.append(SeriesRef(database: try r.string(), key: try r.seriesKey()))
        }
        var fieldSets: [[MappedSeries.MappedField]] = []
        for _ in 0..<(try r.count("field set count", minItemBytes: 1)) {
            var fields: [MappedSeries.MappedField] = []
            for _ in 0..<(try r.count("field count", minItemBytes: 2)) {
                let name = try r.string()
                let offset = r.offset
                guard let type = FieldType(rawValue: try r.u8()) else {
                    throw BinaryReaderError(offset: offset, message: "unknown field type")
                }
                fields.append(.init(name: name, type: type))
            }
            fieldSets.append(fields)
        }
        let count = try r.count("record count", minItemBytes: 2)
        var entries: [ResumeMap.Entry] = []
        entries.reserveCapacity(count)
        for i in 0..<count {
            entries.append(try decodeEntry(&r, sequence: first + UInt64(i), refs: refs, fieldSets: fieldSets))
        }
        guard r.isAtEnd else { throw BinaryReaderError(offset: r.offset, message: "\(r.remaining) trailing bytes") }
        guard !entries.isEmpty else { throw BinaryReaderError(offset: r.offset, message: "no records") }
        return ResumeMap(firstSequence: first, entries: entries)
    }

    private static func decodeEntry(_ r: inout BinaryReader, sequence: UInt64, refs: [SeriesRef],
                                    fieldSets: [[MappedSeries.MappedField]]) throws -> ResumeMap.Entry {
        let offset = r.offset
        switch try r.u8() {
        case mappedBatch:
            let checksum = try r.u32()
            var database: String?
            var series: [MappedSeries] = []
            for _ in 0..<(try r.count("batch series count", minItemBytes: 4)) {
                let refOffset = r.offset
                let ref = try index(&r, refs.count, "series number")
                guard database == nil || database == refs[ref].database else {
                    throw BinaryReaderError(offset: refOffset, message: "a batch names series of two databases")
                }
                database = refs[ref].database
                let fields = fieldSets[try index(&r, fieldSets.count, "field set number")]
                series.append(try decodeRows(&r, key: refs[ref].key, fields: fields))
            }
            guard let database else { throw BinaryReaderError(offset: offset, message: "a mapped batch with no series") }
            return .batch(MappedBatch(sequence: sequence, database: database, checksum: checksum, series: series))
        case verbatimRecord:
            let typeOffset = r.offset
            guard let type = WALRecordType(rawValue: try r.u8()) else {
                throw BinaryReaderError(offset: typeOffset, message: "unknown record type")
            }
            let length = try r.count("payload length")
            return .verbatim(WALRecord(sequence: sequence, type: type, payload: Array(try r.bytes(length))))
        default:
            throw BinaryReaderError(offset: offset, message: "unknown entry kind")
        }
    }

    private static func decodeRows(_ r: inout BinaryReader, key: SeriesKey,
                                   fields: [MappedSeries.MappedField]) throws -> MappedSeries {
        let offset = r.offset
        let rows = Int(try r.varint())
        guard rows >= 1, rows <= maxRowsPerSeries else {
            throw BinaryReaderError(offset: offset, message: "row count \(rows) out of 1...\(maxRowsPerSeries)")
        }
        let length = try r.count("timestamps length")
        // Decoded when the batch is rebuilt (a bad block fails that resume, naming the map).
        let timestamps = Array(try r.bytes(length))
        let flagsOffset = r.offset
        let flags = try r.u8()
        guard flags & ~hasPresence == 0 else { throw BinaryReaderError(offset: flagsOffset, message: "unknown flags \(flags)") }
        var presence: [[Bool]]?
        if flags & hasPresence != 0 {
            presence = try fields.map { _ in unpackBits(Array(try r.bytes((rows + 7) / 8)), count: rows) }
        }
        return MappedSeries(key: key, rowCount: rows, encodedTimestamps: timestamps, fields: fields, presence: presence)
    }

    private static func index(_ r: inout BinaryReader, _ count: Int, _ what: String) throws -> Int {
        let offset = r.offset
        let value = try r.varint()
        guard value < UInt64(count) else {
            throw BinaryReaderError(offset: offset, message: "\(what) \(value) out of range (\(count) defined)")
        }
        return Int(value)
    }

    static func packBits(_ bits: [Bool]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (i, bit) in bits.enumerated() where bit { out[i >> 3] |= 1 << UInt8(i & 7) }
        return out
    }

    static func unpackBits(_ bytes: [UInt8], count: Int) -> [Bool] {
        (0..<count).map { bytes[$0 >> 3] & (1 << UInt8($0 & 7)) != 0 }
    }
}

/// A series as a map file's table names it.
struct SeriesRef: Hashable {
    var database: String
    var key: SeriesKey
}

/// Numbers distinct items in order of first use.
private struct Table<Item: Hashable> {
    var items: [Item] = []
    var numbers: [Item: Int] = [:]

    mutating func number(_ item: Item) -> Int {
        if let n = numbers[item] { return n }
        numbers[item] = items.count
        items.append(item)
        return items.count - 1
    }
}
