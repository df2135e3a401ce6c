/// One time partition of one database: [start, end) in nanoseconds.
public struct PartitionKey: Sendable, Hashable, Codable, Comparable {
    public var database: String
    public var start: Int64
    public var end: Int64

    public init(database: String, start: Int64, end: Int64) {
        self.database = database
        self.start = start
        self.end = end
    }

    /// Inclusive, as scans take ranges.
    public var range: ClosedRange<Int64> { start...(end - 1) }

    public static func < (a: PartitionKey, b: PartitionKey) -> Bool {
        (a.database, a.start) < (b.database, b.start)
    }
}

/// What `SHOW SHARDS` and `strata inspect` list: one partition, its compacted raw segment
/// (absent once raw data expired, or before its first compaction) and its tier files.
public struct PartitionInfo: Sendable, Equatable, Codable {
    public struct TierFile: Sendable, Equatable, Codable {
        public var name: String
        public var resolution: Int64
        public var file: String
        /// Buckets (tier rows) and file bytes.
        public var rows: Int
        public var bytes: Int
    }

    public var partition: PartitionKey
    public var rawFile: String?
    public var rawRows: Int
    public var rawBytes: Int
    public var tiers: [TierFile]
    /// Uncompacted (flushed, level 0) segments holding rows of this database in the partition.
    public var uncompactedSegments: Int
}

/// What one `compact()` did.
public struct CompactionReport: Sendable, Equatable, Codable {
    /// Partitions rewritten (raw segment and tiers), level-0 segments merged away.
    public var partitionsWritten = 0
    public var segmentsMerged = 0
    public var rowsWritten = 0
    public var bytesWritten = 0
    public var tierFilesWritten = 0
    /// Whole partitions (raw) and tier files removed by retention.
    public var partitionsExpired = 0
    public var tierFilesExpired = 0
    /// Rows dropped because they were deleted, overwritten, or past retention.
    public var rowsDropped = 0
    public var seconds = 0.0

    public init() {}
}
