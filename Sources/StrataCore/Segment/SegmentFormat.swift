// See docs/format/segment.md for the layout this file names.

enum SegmentFormat {
    /// "STRSEG", a zero byte, then the format version: 2 is written; 1 (no min/max times,
    /// row blocks not cut at hours) is still read.
    static let magicPrefix: [UInt8] = Array("STRSEG".utf8) + [0]
    static let version: UInt8 = 2
    static let readableVersions: ClosedRange<UInt8> = 1...2
    static var magic: [UInt8] { magicPrefix + [version] }
    static let headerSize = 16
    /// index offset (u64) + index length (u64) + index CRC-32C (u32) + "SEGF".
    static let footerSize = 24
    static let footerMagic: [UInt8] = Array("SEGF".utf8)
    /// Rows per row block. 8,192 as in VictoriaMetrics' blocks: large enough that per-block
    /// headers cost < 1% of the data and bit-packing amortises, small enough to bound what
    /// one block decodes when a query needs a few of its rows.
    static let maxRowsPerBlock = 8_192
    /// Row blocks of a dense hour (`denseHourRows`) never straddle a multiple of this
    /// (nanoseconds: one hour, UTC), and other blocks are whole sparse hours of one UTC
    /// day, so that a GROUP BY time bucket of 1 h over dense data, or of 1 d over any,
    /// holds whole blocks and is answered from their stats. One hour because it is the
    /// most common dashboard bucket; Prometheus cuts its chunks at aligned 2 h boundaries
    /// for the same reason. docs/format/segment.md, "Row blocks", has the costs.
    /// A writer's choice, not a format rule: readers accept any block span.
    static let blockAlignment: Int64 = 3_600_000_000_000

    /// The aligned period `t` falls in: floor division, so pre-1970 times (negative) cut
    /// at the same UTC hours as later ones.
    static func alignedPeriod(_ t: Int64) -> Int64 {
        let q = t / blockAlignment
        return t % blockAlignment < 0 ? q - 1 : q
    }

    /// The UTC day (of 24 aligned periods) an aligned period falls in: floor division too.
    static func alignedDay(hour: Int64) -> Int64 {
        let q = hour / 24
        return hour % 24 < 0 ? q - 1 : q
    }

    /// An hour with at least this many rows of a series is dense: its rows get a block of
    /// their own (or several, past 8,192), so a 1 h bucket is answered from block headers.
    /// A sparse hour instead shares a block with the following sparse hours of its UTC day.
    /// 512 because below it a block's fixed cost (a timestamp block, and per field an entry
    /// of ~50 bytes: stats, block reference, count) is a sizeable share of its bytes (at
    /// 512 floats of ~0.5 byte each, an entry is already ~20% of its data; at 60 rows it
    /// more than doubles them), and decoding a few hundred rows to answer a 1 h bucket
    /// costs little. Densities of 1 Hz (3,600 rows an hour) and above keep hour blocks;
    /// 0.1 Hz (360) and once a minute (60) get blocks of whole hours within a day.
    /// A writer's choice: readers do not depend on it.
    static let denseHourRows = 512

    static func fileName(number: UInt64) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits + ".seg"
    }

    /// Stats flags.
    static let hasMinMax: UInt8 = 1
    static let hasSum: UInt8 = 2
    /// The first and last values sit at the row block's min and max time (no nulls at the
    /// ends), so their times are not stored: 16 bytes saved on almost every block.
    static let timesAreBlockBounds: UInt8 = 4
    // No flag for the version 2 min and max times: they are there exactly when bit 0 is,
    // since every block with a min and max has their times.
    /// Field block flag: a presence bitmap (1 bit per row, LSB first) precedes the values.
    static let hasPresenceBitmap: UInt8 = 1
}

/// Where a block's bytes are in the file, and their checksum.
struct BlockRef: Sendable, Equatable {
    var offset: Int
    var length: Int
    var crc: UInt32
}

/// One row block of a series: its time range, row count and timestamp column.
public struct RowBlockInfo: Sendable, Equatable {
    public var minTime: Int64
    public var maxTime: Int64
    public var rows: Int
    var timestamps: BlockRef
}

/// One field's block within a row block; absent when every row of the block is null.
public struct FieldBlockInfo: Sendable, Equatable {
    /// The stats, packed unless they hold a string (`PackedStats`): a scan answering blocks
    /// from their headers copies a block's stats for each, and a `BlockStats` copy went
    /// through its value witnesses; packed is also half the size in a series table.
    private var packed: PackedStats?
    /// A string field's stats (`packed` is nil), boxed so the common entry stays small.
    private var boxed: Box?

    private final class Box: Sendable {
        let stats: BlockStats
        init(_ stats: BlockStats) { self.stats = stats }
    }
    var hasPresenceBitmap: Bool
    var data: BlockRef

    init(stats: BlockStats, hasPresenceBitmap: Bool, data: BlockRef) {
        self.hasPresenceBitmap = hasPresenceBitmap
        self.data = data
        self.stats = stats
    }

    public var stats: BlockStats {
        get { packed?.stats ?? boxed!.stats }
        set {
            packed = PackedStats(newValue)
            boxed = packed == nil ? Box(newValue) : nil
        }
    }

    /// The stats as plain memory; nil for a string field's.
    var packedStats: PackedStats? { packed }

    public static func == (a: FieldBlockInfo, b: FieldBlockInfo) -> Bool {
        a.stats == b.stats && a.hasPresenceBitmap == b.hasPresenceBitmap && a.data == b.data
    }
}

public struct SegmentField: Sendable, Equatable {
    public var name: String
    public var type: FieldType
    /// Parallel to the series' row blocks.
    public var blocks: [FieldBlockInfo?]
}

extension SegmentField {
    /// Block `b`'s stats as a run of summaries takes them, read in place: an element
    /// copied out of `blocks` went through `FieldBlockInfo`'s value witnesses, and a scan
    /// answering blocks from their headers reads one per block (72,000 for the month's
    /// hourly mean). Nil where the field has no value in the block.
    func incomingStats(block b: Int) -> SummaryColumns.Incoming? {
        blocks.withUnsafeBufferPointer { buffer in
            let info = buffer.baseAddress! + b
            guard info.pointee != nil else { return nil }
            if let packed = info.pointee!.packedStats { return .packed(packed) }
            return .full(info.pointee!.stats)
        }
    }

    /// Whether block `b` holds values without their sum (an integer sum that overflowed
    /// is not stored), read in place as `incomingStats` reads.
    func lacksSum(block b: Int) -> Bool {
        blocks.withUnsafeBufferPointer { buffer in
            let info = buffer.baseAddress! + b
            guard info.pointee != nil else { return false }
            return !(info.pointee!.packedStats?.hasSum ?? (info.pointee!.stats.sum != nil))
        }
    }
}

public struct SegmentSeries: Sendable, Equatable {
    public var database: String
    public var key: SeriesKey
    public var rowBlocks: [RowBlockInfo]
    public var fields: [SegmentField]
    /// In a tier file, the fields that have every tier column (`TierReader.rolledUpFields`),
    /// found once when the file is opened: a scan asks per series and partition, and
    /// parsing the column names each time cost a quarter of an hourly query's time.
    public let rolledUpFields: Set<String>
    /// In a tier file whose columns all fit the tier layout, each rolled-up field's type,
    /// checked once when the file is opened (a scan reading a month of 15-minute buckets
    /// checked them per series and day, ~3% of its time). Nil otherwise: a read then checks
    /// again and names the column at fault (`TierReader.columns`).
    let tierFieldTypes: [String: FieldType]?

    public init(database: String, key: SeriesKey, rowBlocks: [RowBlockInfo], fields: [SegmentField]) {
        self.database = database
        self.key = key
        self.rowBlocks = rowBlocks
        self.fields = fields
        self.rolledUpFields = TierReader.rolledUpFields(fields)
        self.tierFieldTypes = rolledUpFields.isEmpty ? nil : try? TierReader.fieldTypes(of: fields)
    }
}
