// See docs/format/segment.md for the layout this file names.

enum SegmentFormat {
    /// "STRSEG" then format version 1.
    static let magic: [UInt8] = Array("STRSEG".utf8) + [0, 1]
    static let headerSize = 16
    /// index offset (u64) + index length (u64) + index CRC-32C (u32) + "SEGF".
    static let footerSize = 24
    static let footerMagic: [UInt8] = Array("SEGF".utf8)
    /// Rows per row block. 8,192 as in VictoriaMetrics' blocks: large enough that per-block
    /// headers cost < 1% of the data and bit-packing amortises, small enough that a
    /// one-hour query over 1 Hz data decodes at most one block per field.
    static let maxRowsPerBlock = 8_192

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
    public var stats: BlockStats
    var hasPresenceBitmap: Bool
    var data: BlockRef
}

public struct SegmentField: Sendable, Equatable {
    public var name: String
    public var type: FieldType
    /// Parallel to the series' row blocks.
    public var blocks: [FieldBlockInfo?]
}

public struct SegmentSeries: Sendable, Equatable {
    public var database: String
    public var key: SeriesKey
    public var rowBlocks: [RowBlockInfo]
    public var fields: [SegmentField]
}
