// See docs/format/wal.md, "Resume maps".

/// A retained WAL file whose write batches are kept as a map: which series, timestamps and
/// fields each batch wrote, and a checksum of the batch as logged. The values themselves
/// are read back from the segments that hold them, and a rebuilt batch is served only if
/// its checksum matches, so a resume is exact or refused, never approximate. Records a map
/// cannot describe (tombstones, batches the segments do not reproduce) are kept verbatim.
public struct ResumeMap: Sendable, Equatable {
    public var firstSequence: UInt64
    /// One entry per sequence number, `firstSequence` first, with no gap.
    public var entries: [Entry]

    public var lastSequence: UInt64 { firstSequence + UInt64(entries.count) - 1 }

    public enum Entry: Sendable, Equatable {
        case batch(MappedBatch)
        case verbatim(WALRecord)

        public var sequence: UInt64 {
            switch self {
            case .batch(let b): b.sequence
            case .verbatim(let r): r.sequence
            }
        }

        /// About what the entry takes once decoded into columns: a row's timestamp and a
        /// value with its presence flag per field; a logged payload's raw columns (LZ4
        /// shrinks telemetry ~3×, docs/format/wal.md).
        public var decodedBytes: Int {
            switch self {
            case .batch(let b): b.series.reduce(0) { $0 + $1.rowCount * (8 + 9 * $1.fields.count) }
            case .verbatim(let r): r.payload.count * 4
            }
        }
    }

    public init(firstSequence: UInt64, entries: [Entry]) {
        self.firstSequence = firstSequence
        self.entries = entries
    }
}

/// A write batch without its values.
public struct MappedBatch: Sendable, Equatable {
    public var sequence: UInt64
    public var database: String
    /// CRC-32C of the batch's plain payload (`WALBatchCodec.plainPayload`).
    public var checksum: UInt32
    public var series: [MappedSeries]

    /// The map of `batch`, logged as `sequence`.
    init(sequence: UInt64, batch: ColumnarBatch) {
        self.sequence = sequence
        self.database = batch.database
        self.checksum = CRC32C.checksum(WALBatchCodec.plainPayload(batch))
        self.series = batch.series.map(MappedSeries.init)
    }

    init(sequence: UInt64, database: String, checksum: UInt32, series: [MappedSeries]) {
        self.sequence = sequence
        self.database = database
        self.checksum = checksum
        self.series = series
    }
}

/// One series of a mapped batch: its rows' timestamps in arrival order (kept encoded, as
/// the file holds them: decoded only when the batch is rebuilt, so reading a map costs
/// its bytes, not 8 bytes a row), its fields sorted by name, and which rows lack a value
/// for which field (nil: every row has every field).
public struct MappedSeries: Sendable, Equatable {
    public var key: SeriesKey
    public var rowCount: Int
    /// An integer block (docs/format/encodings.md, "Integer blocks").
    public var encodedTimestamps: [UInt8]
    public var fields: [MappedField]
    /// Per field (in `fields` order), per row: false where the row has no value.
    public var presence: [[Bool]]?

    public struct MappedField: Sendable, Hashable {
        public var name: String
        public var type: FieldType
    }

    init(_ rows: SeriesRows) {
        key = rows.key
        rowCount = rows.count
        var stamps: [UInt8] = []
        TimestampCodec.encode(rows.timestamps, into: &stamps)
        encodedTimestamps = stamps
        let names = rows.columns.keys.sorted()
        fields = names.map { MappedField(name: $0, type: rows.columns[$0]!.type) }
        let valid = names.map { rows.columns[$0]!.valid }
        presence = valid.allSatisfy { !$0.contains(false) } ? nil : valid
    }

    init(key: SeriesKey, rowCount: Int, encodedTimestamps: [UInt8], fields: [MappedField], presence: [[Bool]]?) {
        self.key = key
        self.rowCount = rowCount
        self.encodedTimestamps = encodedTimestamps
        self.fields = fields
        self.presence = presence
    }

    /// The timestamps, decoded.
    public func timestamps() throws(EncodingError) -> [Int64] {
        var out: [Int64] = []
        try TimestampCodec.decode(encodedTimestamps, count: rowCount, into: &out)
        return out
    }
}
