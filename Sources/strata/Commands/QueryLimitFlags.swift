import ArgumentParser
import StrataCore
import StrataQuery

/// The query and ingest limits of docs/limits.md, with InfluxDB's names. Each defaults to
/// `QueryLimits.serverDefaults` or `EngineOptions`, where its reason is given; 0 turns one off.
struct QueryLimitFlags: ParsableArguments {
    @Option(name: .customLong("max-select-point"), help: "Rows one statement may decode (default 500000000; 0: no limit).")
    var maxSelectPoint: Int?

    @Option(name: .customLong("max-select-series"), help: "Series one statement may read (default 200000; 0: no limit).")
    var maxSelectSeries: Int?

    @Option(name: .customLong("max-select-buckets"),
            help: "GROUP BY time buckets of one statement, all groups together (default 5000000; 0: no limit).")
    var maxSelectBuckets: Int?

    @Option(name: .customLong("query-timeout"), help: "How long a query may run (default 2m; 0: no limit).")
    var queryTimeout: String?

    @Option(name: .customLong("max-concurrent-queries"), help: "Queries running at once (default 4; 0: no limit).")
    var maxConcurrentQueries: Int?

    @Option(name: .customLong("max-queued-queries"), help: "Queries waiting for a slot (default 64).")
    var maxQueuedQueries: Int?

    @Option(name: .customLong("log-queries-after"), help: "Log queries running longer than this (default 10s; 0: never).")
    var logQueriesAfter: String?

    @Option(name: .customLong("max-row-limit"),
            help: "Rows of a non-chunked /query answer; past it the answer ends, marked partial (default 0: no limit).")
    var maxRowLimit: Int?

    @Option(name: .customLong("query-memory-bytes"),
            help: "Memory one query may hold: decoded rows, buckets, collected rows (default 2147483648; 0: no limit).")
    var queryMemoryBytes: Int?

    @Option(name: .customLong("query-max-memory-bytes"),
            help: "Memory all running queries may hold together (default 6442450944; 0: no limit).")
    var queryMaxMemoryBytes: Int?

    @Option(name: .customLong("max-series-per-database"), help: "Live series per database (default 1000000; 0: no limit).")
    var maxSeriesPerDatabase: Int?

    @Option(name: .customLong("max-values-per-tag"),
            help: "Distinct values of one tag key in a measurement (default 100000; 0: no limit).")
    var maxValuesPerTag: Int?

    @Option(name: .customLong("cache-max-memory-size"),
            help: "Bytes the in-memory head may hold before writes wait for a flush, then fail (default 1G; 0: no limit).")
    var cacheMaxMemorySize: String?

    func limits() throws -> QueryLimits {
        var limits = QueryLimits.serverDefaults
        limits.maxSelectPoint = try Self.count(maxSelectPoint, "--max-select-point") ?? limits.maxSelectPoint
        limits.maxSelectSeries = try Self.count(maxSelectSeries, "--max-select-series") ?? limits.maxSelectSeries
        limits.maxSelectBuckets = try Self.count(maxSelectBuckets, "--max-select-buckets") ?? limits.maxSelectBuckets
        limits.maxConcurrentQueries = try Self.count(maxConcurrentQueries, "--max-concurrent-queries") ?? limits.maxConcurrentQueries
        limits.maxQueuedQueries = try Self.count(maxQueuedQueries, "--max-queued-queries") ?? limits.maxQueuedQueries
        limits.maxRowLimit = try Self.count(maxRowLimit, "--max-row-limit") ?? limits.maxRowLimit
        limits.queryMemoryBytes = try Self.count(queryMemoryBytes, "--query-memory-bytes") ?? limits.queryMemoryBytes
        limits.queryMaxMemoryBytes = try Self.count(queryMaxMemoryBytes, "--query-max-memory-bytes") ?? limits.queryMaxMemoryBytes
        if let text = queryTimeout { limits.timeout = try Self.duration(text, "--query-timeout") }
        if let text = logQueriesAfter { limits.logQueriesAfter = try Self.duration(text, "--log-queries-after") }
        return limits
    }

    func apply(to options: inout EngineOptions) throws {
        options.maxSeriesPerDatabase = try Self.count(maxSeriesPerDatabase, "--max-series-per-database") ?? options.maxSeriesPerDatabase
        options.maxValuesPerTag = try Self.count(maxValuesPerTag, "--max-values-per-tag") ?? options.maxValuesPerTag
        if let text = cacheMaxMemorySize {
            guard let bytes = RetentionFlags.bytes(text) else {
                throw ValidationError("--cache-max-memory-size must be a size such as 512M, 1G or 0 for none, got \"\(text)\"")
            }
            options.maxHeadBytes = bytes
        }
    }

    private static func count(_ value: Int?, _ flag: String) throws -> Int? {
        guard let value else { return nil }
        guard value >= 0 else { throw ValidationError("\(flag) must not be negative (0: no limit), got \(value)") }
        return value
    }

    /// nil for 0: no limit.
    private static func duration(_ text: String, _ flag: String) throws -> Duration? {
        guard let seconds = DurationText.flagSeconds(text), seconds >= 0 else {
            throw ValidationError("\(flag) must be a duration such as 30s, 2m or 0 for none, got \"\(text)\"")
        }
        return seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded())) : nil
    }
}
