extension StorageEngine {
    /// Merges every flushed (level 0) segment into one compacted segment per database and
    /// time partition (with the partition's earlier compacted segment), dropping overwritten
    /// and deleted rows, writes the partition's rollup tier files, then applies retention
    /// (drops expired partitions and tier files). Returns when all of it is durable and
    /// published. Waits for a compaction already running. With nothing to do, returns an
    /// empty report. docs/compaction.md.
    public func compact() async throws -> CompactionReport {
        // Skeleton: implemented by the compaction work.
        CompactionReport()
    }

    /// The partitions of `database` (nil: all), oldest first per database, with their
    /// compacted segment and tier files, for `SHOW SHARDS` and `strata inspect`.
    public func partitions(database: String? = nil) -> [PartitionInfo] {
        // Skeleton: implemented by the compaction work.
        []
    }
}
