import CoreMetrics

/// Tuning of a `StorageEngine`. Every default says where its number came from.
public struct EngineOptions: Sendable {
    /// Flush the head to a segment once it holds about this many bytes (`Head.bytes`: sealed
    /// chunks plus open columns). 64 MiB: sealed 1 Hz telemetry takes ~1.5 B a value, so
    /// this is ~40 M values, more than the 28 M that the former 256 MiB of plain columns
    /// held, so flushes are no more frequent; and a flush holds the head, a frozen head and
    /// the segment it builds (about the frozen head's size), ~200 MiB at most, where plain
    /// columns held ~700 MiB.
    public var flushThresholdBytes: Int = 64 << 20
    /// Flush the head when its oldest unflushed write is this old (seconds), so a quiet
    /// server does not keep hours of data only in the WAL. 10 minutes, as Prometheus'
    /// head compaction keeps a similar window in memory.
    public var flushMaxAgeSeconds: Double = 600
    /// Start a new WAL file past this size. 64 MiB: large enough that a file per several
    /// seconds of peak ingest, small enough to delete at fine grain (Prometheus uses 128 MiB).
    public var walSegmentBytes: Int = 64 << 20
    /// Keep flushed WAL files this long so live subscribers can resume by sequence number.
    /// One hour, as a typical stream retention for reconnecting clients.
    public var walRetentionSeconds: Double = 3600
    /// ... and at most this many bytes of flushed WAL files (1 GiB).
    public var walRetentionBytes: Int = 1 << 30
    /// Replace flushed WAL files kept for resumes with resume maps, which name what each
    /// batch wrote and read the values back from the segments (docs/format/wal.md, "Resume
    /// maps"): the retained window then costs ~0.05 B/value instead of ~2.5. Off only in
    /// tests of the log files themselves.
    public var resumeMaps = true
    /// Where the engine's metrics (the WAL's fsync timer) go; nil: the process-wide
    /// `MetricsSystem.factory` (a no-op one unless bootstrapped).
    public var metricsFactory: (any MetricsFactory)?
    /// Retention, partitioning and tiers of a database no statement configured (the serve
    /// flags set it). Raw data forever, day partitions, 1 m and 1 h tiers forever.
    public var defaultRetention = DatabaseRetention.standard
    /// Compact in the background once this many flushed (level 0) segments exist. 4: an
    /// import or a busy hour yields a few segments; merging them by partition keeps a query
    /// reading one file per partition, while waiting for four bounds how often today's
    /// partition is rewritten (at the default 10-minute flushes, every 40 minutes).
    public var compactionTriggerSegments = 4
    /// Compaction writes at most this many bytes a second, so it cannot starve ingest of CPU
    /// or disk. 32 MiB/s: Cassandra's default compaction throughput is 64 MB/s on servers
    /// with many cores; on our 2-core reference machine half of it is roughly a fifth of
    /// one core of merging and encoding (docs/compaction.md has the measurement).
    public var compactionBytesPerSecond = 32 << 20
    /// Run compaction and retention in the background (tests that drive them by hand
    /// turn this off).
    public var backgroundCompaction = true
    /// A compacted row block is answered from a rollup tier only where it holds at least
    /// this many rows per tier bucket; thinner buckets are decoded from the raw block, which
    /// is cheaper. 48: over the month benchmark (100 robots at 1 Hz) a 1-minute tier bucket
    /// costs ~0.4 µs to read and fold once buckets are folded column-wise and merged per
    /// GROUP BY bucket (it was ~2.2 µs), a decoded row ~8 ns, so a bucket pays off above ~50
    /// rows, and a 1 Hz minute (60 rows) is read from its tier (docs/tiers.md, "Cost").
    /// Where raw data expired, tiers are read regardless.
    public var tierMinRowsPerBucket = 48
    /// `max-series-per-database`: a write that would create more live series in one
    /// database drops the points of its new series (a partial write). 1,000,000: InfluxDB's
    /// default, and ~3 GB of index and head at today's ~2.8 KB per new series. 0: no limit.
    public var maxSeriesPerDatabase = 1_000_000
    /// `max-values-per-tag`: distinct values one tag key may take in a measurement; a new
    /// series bringing one more is dropped. 100,000: InfluxDB's default. 0: no limit.
    public var maxValuesPerTag = 100_000
    /// `cache-max-memory-size` (InfluxDB's name and default, 1 GiB): the head, frozen heads
    /// being flushed included, may hold this many bytes (as `strata_head_bytes` counts
    /// them). A write arriving above it starts a flush and waits up to `headFullWaitSeconds`
    /// for the head to drop below, then fails with InfluxDB's `cache-max-memory-size
    /// exceeded: (N/LIMIT)`. Sixteen flush thresholds: a flush that falls behind ingest
    /// for fifteen more thresholds' worth of data is a disk that cannot keep up. 0: no limit.
    public var maxHeadBytes = 1 << 30
    /// How long a write waits for room in the head. 10 s: several flushes of a full head on
    /// this machine (a head of 28 M values encodes and syncs in ~2 s), and well inside clients'
    /// write timeouts (Telegraf's is 5 s by default, then it retries).
    public var headFullWaitSeconds = 10.0
    /// The wall clock retention counts from and the head's and WAL files' ages are read
    /// on; the server stamps points without a timestamp and queries' `now()` with it too.
    public var clock: any WallClock = SystemClock()
    /// The threads flushes, compactions and blocking I/O run on, off Swift's cooperative
    /// pool: one each, shared by every engine of the process (`EngineThreads` says why).
    public var threads: EngineThreads = .shared

    public init() {}
}
