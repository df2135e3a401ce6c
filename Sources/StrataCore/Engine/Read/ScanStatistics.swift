/// What a scan did, for EXPLAIN ANALYZE and benchmarks. Counters add up across calls
/// (the caller passes the same value to several scans to total them).
public struct ScanStatistics: Sendable, Equatable {
    /// Series that matched the predicate.
    public var seriesTouched = 0
    /// Series tables of segments consulted (one per series per segment holding it).
    public var segmentSeriesRead = 0
    /// Row blocks overlapping the range, summarized or decoded.
    public var blocksConsidered = 0
    /// Row blocks answered from their stats, and the rows they stand for.
    public var blocksSummarized = 0
    public var rowsSummarized = 0
    /// Row blocks decoded, their rows (before range and tombstone filtering), and the
    /// block bytes read (timestamps and requested fields, CRC-checked).
    public var blocksDecoded = 0
    public var rowsDecoded = 0
    public var bytesDecoded = 0
    /// Decodable blocks that could have been summarized but for `canSummarize`.
    public var blocksRefusedByCaller = 0
    /// Decoded segment rows removed because a tombstone covers them.
    public var rowsMasked = 0
    /// Rows in the range from the head and frozen heads (after merging duplicates).
    public var headRows = 0
    /// Rows returned in `.rows` chunks (after merging).
    public var rowsReturned = 0
    /// Chunks returned.
    public var chunks = 0
    /// Rollup tier buckets returned as summaries, per tier name.
    public var tierBuckets: [String: Int] = [:]
    /// Which source served which times, over all series: "raw" (decoded rows, head rows),
    /// "blocks" (row block headers) or a tier's name.
    public var served: [String: ServedRanges] = [:]

    public init() {}

    /// Adds another scan's counts to these.
    public mutating func add(_ other: ScanStatistics) {
        seriesTouched += other.seriesTouched
        segmentSeriesRead += other.segmentSeriesRead
        blocksConsidered += other.blocksConsidered
        blocksSummarized += other.blocksSummarized
        rowsSummarized += other.rowsSummarized
        blocksDecoded += other.blocksDecoded
        rowsDecoded += other.rowsDecoded
        bytesDecoded += other.bytesDecoded
        blocksRefusedByCaller += other.blocksRefusedByCaller
        rowsMasked += other.rowsMasked
        headRows += other.headRows
        rowsReturned += other.rowsReturned
        chunks += other.chunks
        tierBuckets.merge(other.tierBuckets, uniquingKeysWith: +)
        for (k, v) in other.served { served[k, default: ServedRanges()].formUnion(v) }
    }
}
