/// A piece of one series' data in a time range, as `StorageEngine.scanChunks` returns it.
public enum ScanChunk: Sendable {
    /// A whole segment row block inside the range that no other data source overlaps: its
    /// per-field stats answer count/sum/mean/min/max/first/last without decoding.
    case summary(BlockSummary)
    /// Summaries in a row, as columns: what a scan given a `SummaryRequest` returns in
    /// place of `summary` chunks, those in one of its buckets merged.
    case summaries(SummaryColumns)
    /// Decoded, merged rows (last write wins), restricted to the range and fields. A
    /// requested field without a column here has no value in these rows.
    case rows(SeriesRows)

    /// First and last timestamp the chunk covers.
    public var minTime: Int64 {
        switch self {
        case .summary(let s): s.minTime
        case .summaries(let s): s.minTimes.first ?? 0
        case .rows(let r): r.timestamps.first ?? 0
        }
    }

    public var maxTime: Int64 {
        switch self {
        case .summary(let s): s.maxTime
        case .summaries(let s): s.maxTimes.last ?? 0
        case .rows(let r): r.timestamps.last ?? 0
        }
    }

    /// Rows (timestamps) in the chunk.
    public var rowCount: Int {
        switch self {
        case .summary(let s): s.rowCount
        case .summaries(let s): s.rowCounts.reduce(0, +)
        case .rows(let r): r.count
        }
    }

    /// The chunk's summaries one by one (a run's expanded); none for rows.
    public var blockSummaries: [BlockSummary] {
        switch self {
        case .summary(let s): [s]
        case .summaries(let run): run.summaries
        case .rows: []
        }
    }
}
