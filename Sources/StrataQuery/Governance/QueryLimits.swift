/// What one query may cost, with InfluxDB's names and meanings (`[coordinator]` section of
/// influxdb.conf; docs/limits.md). 0 or nil means no limit, as in InfluxDB.
public struct QueryLimits: Sendable, Equatable {
    /// `max-select-point`: rows one statement may decode from storage (block headers that
    /// answer an aggregate count as no row).
    public var maxSelectPoint: Int
    /// `max-select-series`: series one statement may read.
    public var maxSelectSeries: Int
    /// `max-select-buckets`: GROUP BY time buckets one statement may produce, over all its
    /// series together (InfluxDB counts them per statement before running; a bucket costs
    /// a row of output per group here, so they are counted per group).
    public var maxSelectBuckets: Int
    /// `query-timeout`: how long a query may run.
    public var timeout: Duration?
    /// `max-concurrent-queries`: queries running at once; more wait in a queue.
    public var maxConcurrentQueries: Int
    /// Queries that may wait for a slot; one more is refused at once.
    public var maxQueuedQueries: Int
    /// `log-queries-after`: a query running longer is logged once, at warning.
    public var logQueriesAfter: Duration?
    /// `max-row-limit`: rows a non-chunked answer holds; past it the answer ends there,
    /// marked `"partial": true`, as InfluxDB's. Chunked answers are not limited.
    public var maxRowLimit: Int
    /// `query-memory-bytes` (InfluxDB 2's name): what one query may hold at once in decoded
    /// rows, GROUP BY buckets and collected result rows (`QueryMemory` says how they are
    /// counted).
    public var queryMemoryBytes: Int
    /// `query-max-memory-bytes` (InfluxDB 2's name): what all running queries may hold
    /// together.
    public var queryMaxMemoryBytes: Int

    public init(maxSelectPoint: Int = 0, maxSelectSeries: Int = 0, maxSelectBuckets: Int = 0, timeout: Duration? = nil,
                maxConcurrentQueries: Int = 0, maxQueuedQueries: Int = 0, logQueriesAfter: Duration? = nil,
                maxRowLimit: Int = 0, queryMemoryBytes: Int = 0, queryMaxMemoryBytes: Int = 0) {
        self.maxSelectPoint = maxSelectPoint
        self.maxSelectSeries = maxSelectSeries
        self.maxSelectBuckets = maxSelectBuckets
        self.timeout = timeout
        self.maxConcurrentQueries = maxConcurrentQueries
        self.maxQueuedQueries = maxQueuedQueries
        self.logQueriesAfter = logQueriesAfter
        self.maxRowLimit = maxRowLimit
        self.queryMemoryBytes = queryMemoryBytes
        self.queryMaxMemoryBytes = queryMaxMemoryBytes
    }

    /// Nothing bounded: tests, the local CLI.
    public static let unlimited = QueryLimits()

    /// `strata serve`'s defaults, sized for the 2-core / 24 GiB machine (docs/limits.md says
    /// where each number comes from).
    public static let serverDefaults = QueryLimits(
        // Decoding costs ~8 ns a row; 500 M rows is about a minute of one core and more than
        // the month benchmark's 259 M rows, so whole-history aggregates still run.
        maxSelectPoint: 500_000_000,
        // 200,000: twice the series of the 100,000-series ingest test; a statement over more
        // is a mistake (no WHERE) on this machine's memory.
        maxSelectSeries: 200_000,
        // A filled bucket row costs ~150 B with two columns before encoding: 5 M is ~750 MB,
        // the old per-series cap now counted for the whole statement.
        maxSelectBuckets: 5_000_000,
        // The month benchmark's slowest query takes 2.3 s; 2 minutes is far past any
        // dashboard's patience and ends runaway scans.
        timeout: .seconds(120),
        // Every query already uses both cores (series decode in parallel): 4 running keeps
        // the cores busy while one waits on I/O; 64 queued absorbs a dashboard's burst.
        maxConcurrentQueries: 4,
        maxQueuedQueries: 64,
        logQueriesAfter: .seconds(10),
        // InfluxDB's default: a non-chunked answer is whole, bounded by the memory budget.
        maxRowLimit: 0,
        // 2 GiB: the 2.16 M-row SELECT * of the shared benchmark (~700 MB collected) fits
        // with room; four such queries (max-concurrent-queries) stay under the server-wide 6 GiB.
        queryMemoryBytes: 2 << 30,
        // 6 GiB: a quarter of the 24 GiB machine, leaving the head, caches and the OS the rest.
        queryMaxMemoryBytes: 6 << 30)
}
