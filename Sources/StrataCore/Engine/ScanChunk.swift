/// A piece of one series' data in a time range, as `StorageEngine.scanChunks` returns it.
public enum ScanChunk: Sendable {
    /// A whole segment row block inside the range that no other data source overlaps: its
    /// per-field stats answer count/sum/mean/min/max/first/last without decoding.
    case summary(BlockSummary)
    /// Decoded, merged rows (last write wins), restricted to the range and fields. A
    /// requested field without a column here has no value in these rows.
    case rows(SeriesRows)

    /// First and last timestamp the chunk covers.
    public var minTime: Int64 {
        switch self {
        case .summary(let s): s.minTime
        case .rows(let r): r.timestamps.first ?? 0
        }
    }

    public var maxTime: Int64 {
        switch self {
        case .summary(let s): s.maxTime
        case .rows(let r): r.timestamps.last ?? 0
        }
    }

    /// Rows (timestamps) in the chunk.
    public var rowCount: Int {
        switch self {
        case .summary(let s): s.rowCount
        case .rows(let r): r.count
        }
    }
}
