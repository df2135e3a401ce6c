/// Builds the compacted (level 1) segment and the tier files of one (database, partition):
/// the partition's complete rows, merged from its previous level-1 segment and the flushed
/// segments holding rows in it, each source masked by the tombstones that mask it on read,
/// later sources winning per field (docs/compaction.md, "Merge rules"). Pure: it reads the
/// sources' bytes and returns the new files' bytes; the engine writes and publishes them.
///
/// Memory: one series' rows at a time, plus the encoded output.
struct PartitionCompactor {
    let partition: PartitionKey
    /// Oldest first: the partition's previous level-1 segment, then flushed segments in flush order.
    let sources: [LiveSegment]
    let tombstones: TombstoneSet
    /// The tiers to build (those whose retention cut is below the partition's end).
    let tiers: [RollupTier]

    struct Output {
        var segment: [UInt8]?
        var summary: StorageEngine.SegmentSummary
        /// Highest `flushedThrough` among the sources, or sequence among the tombstones
        /// applied if higher: the new files cover the partition's rows as of it.
        var flushedThrough: UInt64
        /// One per tier, in `tiers` order (a partition without numeric fields still gets
        /// empty ones, so its tier set matches its retention).
        var tierFiles: [(tier: RollupTier, bytes: [UInt8], series: Int, rows: Int)]
        var rowsRead = 0
        var rowsDropped: Int { rowsRead - summary.rows }
    }

    func run() throws -> Output {
        var writer = SegmentWriter()
        var tierWriters = tiers.map { TierWriter(resolution: $0.resolution) }
        var rowsRead = 0
        for key in seriesKeys() {
            var parts: [SeriesRows] = []
            for source in sources {
                guard let series = source.reader.series(database: partition.database, key: key) else { continue }
                var rows = try source.reader.rows(of: series, range: partition.range, fields: nil)
                rowsRead += rows.count
                let masks = tombstones.masks(database: partition.database, key: key)
                    .ranges(maskingSegmentFlushedThrough: source.flushedThrough)
                if !masks.isEmpty { rows = rows.removingRows(timesIn: masks) }
                if rows.count > 0 { parts.append(rows) }
            }
            guard !parts.isEmpty else { continue }
            let merged = SeriesRows.merged(parts, key: key, range: partition.range, fields: nil)
            guard merged.count > 0 else { continue }
            writer.add(database: partition.database, rows: merged)
            for i in tierWriters.indices { tierWriters[i].add(database: partition.database, rows: merged) }
        }
        let summary = StorageEngine.SegmentSummary(series: writer.seriesCount, rows: writer.rows,
                                                   minTime: writer.minTime, maxTime: writer.maxTime)
        // Every tombstone up to the newest in the plan was applied above (one committed
        // before it is in the plan too), so the new files are exact as of it: no tombstone
        // already applied masks them, it can be pruned, and the partition is not picked
        // again for the same delete (docs/compaction.md, "Merge rules").
        let flushedThrough = max(sources.map(\.flushedThrough).max() ?? 0, tombstones.all.last?.sequence ?? 0)
        guard summary.series > 0 else {
            return Output(segment: nil, summary: summary, flushedThrough: flushedThrough, tierFiles: [], rowsRead: rowsRead)
        }
        var tierFiles: [(tier: RollupTier, bytes: [UInt8], series: Int, rows: Int)] = []
        for (i, tier) in tiers.enumerated() {
            let (series, rows) = (tierWriters[i].seriesCount, tierWriters[i].rows)
            tierFiles.append((tier, tierWriters[i].finish(), series, rows))
        }
        return Output(segment: writer.finish(), summary: summary, flushedThrough: flushedThrough,
                      tierFiles: tierFiles, rowsRead: rowsRead)
    }

    /// The partition's series across the sources, in key order (the order `SegmentWriter`
    /// and `TierWriter` want).
    private func seriesKeys() -> [SeriesKey] {
        var keys = Set<SeriesKey>()
        for source in sources {
            for series in source.reader.series where series.database == partition.database {
                if series.rowBlocks.contains(where: { $0.maxTime >= partition.start && $0.minTime < partition.end }) {
                    keys.insert(series.key)
                }
            }
        }
        return keys.sorted()
    }

    /// The partitions a flushed segment holds rows of, per database's partition duration
    /// (judged by row block spans, so a block straddling a boundary counts for both sides).
    static func partitions(of segment: SegmentReader, duration: (String) -> Int64) -> Set<PartitionKey> {
        var out = Set<PartitionKey>()
        for series in segment.series {
            let d = duration(series.database)
            for block in series.rowBlocks {
                let retention = DatabaseRetention(partitionDuration: d, tiers: [])
                var start = retention.partitionStart(block.minTime)
                let last = retention.partitionStart(block.maxTime)
                while true {
                    out.insert(PartitionKey(database: series.database, start: start, end: start > Int64.max - d ? Int64.max : start + d))
                    if start >= last { break }
                    start += d
                }
            }
        }
        return out
    }
}
