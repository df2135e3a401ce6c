import StrataCore
import Synchronization

/// One running query: what `SHOW QUERIES` lists and `KILL QUERY` stops. The executor asks
/// `check()` between series, groups and buckets, and counts what the limits bound; once a
/// query is stopped (killed, timed out, client gone) every later check throws its reason.
public final class QueryTask: Sendable {
    public let id: UInt64
    public let text: String
    public let database: String?
    public let started: ContinuousClock.Instant
    let limits: QueryLimits
    private let deadline: ContinuousClock.Instant?
    private let stopped = Atomic<Bool>(false)
    private let reason = Mutex<QueryError?>(nil)
    private let points = Atomic<Int>(0)
    private let series = Atomic<Int>(0)
    private let buckets = Atomic<Int>(0)
    /// Told the name of each limit a statement of this query hits (the manager counts them).
    private let onLimit: (@Sendable (String) -> Void)?

    public init(id: UInt64, text: String, database: String?, limits: QueryLimits,
                onLimit: (@Sendable (String) -> Void)? = nil) {
        self.onLimit = onLimit
        self.id = id
        self.text = text
        self.database = database
        self.limits = limits
        let now = ContinuousClock.now
        started = now
        deadline = limits.timeout.map { now + $0 }
    }

    /// A task for a query that nothing governs (tests, the local CLI).
    public static func ungoverned() -> QueryTask {
        QueryTask(id: 0, text: "", database: nil, limits: .unlimited)
    }

    /// Stops the query with `error`; the first reason given wins.
    public func stop(_ error: QueryError) {
        reason.withLock { if $0 == nil { $0 = error } }
        stopped.store(true, ordering: .releasing)
    }

    /// Why the query was stopped, nil while it runs.
    public var stopReason: QueryError? {
        reason.withLock { $0 }
    }

    /// Throws the reason the query was stopped, or `query-timeout limit exceeded` past its
    /// deadline.
    public func check() throws(QueryError) {
        if let deadline, ContinuousClock.now > deadline { stop(QueryErrors.timeout) }
        if stopped.load(ordering: .acquiring), let error = stopReason { throw error }
    }

    /// For a scan: nil while the query may go on.
    var scanStop: ScanStop {
        ScanStop { [self] in
            do { try check() } catch { return error }
            return nil
        }
    }

    /// Counts rows decoded from storage against `max-select-point`.
    func count(points n: Int) throws(QueryError) {
        try count(n, in: points, limit: limits.maxSelectPoint, "max-select-point", QueryErrors.maxSelectPoint)
    }

    /// Counts series read against `max-select-series`.
    func count(series n: Int) throws(QueryError) {
        try count(n, in: series, limit: limits.maxSelectSeries, "max-select-series", QueryErrors.maxSelectSeries)
    }

    /// Counts GROUP BY time buckets against `max-select-buckets`.
    func count(buckets n: Int) throws(QueryError) {
        try count(n, in: buckets, limit: limits.maxSelectBuckets, "max-select-buckets", QueryErrors.maxSelectBuckets)
    }

    private func count(_ n: Int, in counter: borrowing Atomic<Int>, limit: Int, _ name: String,
                       _ error: (Int, Int) -> QueryError) throws(QueryError)
    {
        try check()
        guard limit > 0, n > 0 else { return }
        let total = counter.wrappingAdd(n, ordering: .relaxed).newValue
        // Ends this statement only; the query's next statement counts from zero.
        if total > limit {
            // Parallel group workers may each pass it: tell the manager once per statement.
            if total - n <= limit { onLimit?(name) }
            throw error(total, limit)
        }
    }

    /// Limits count per statement, as InfluxDB's do.
    func startStatement() {
        points.store(0, ordering: .relaxed)
        series.store(0, ordering: .relaxed)
        buckets.store(0, ordering: .relaxed)
    }
}

/// InfluxDB's wording for each limit and stop (its query package), kept word for word (the
/// typo in `exceeed` included) because clients and people search for them.
public enum QueryErrors {
    public static let timeout = QueryError("query-timeout limit exceeded")
    public static let killed = QueryError("query interrupted")
    public static let clientGone = QueryError("query aborted")
    static func maxSelectPoint(_ n: Int, _ limit: Int) -> QueryError {
        QueryError("max-select-point limit exceeed: (\(n)/\(limit))")
    }
    static func maxSelectSeries(_ n: Int, _ limit: Int) -> QueryError {
        QueryError("max-select-series limit exceeded: (\(n)/\(limit))")
    }
    static func maxSelectBuckets(_ n: Int, _ limit: Int) -> QueryError {
        QueryError("max-select-buckets limit exceeded: (\(n)/\(limit))")
    }
    static func maxConcurrent(_ n: Int, _ limit: Int) -> QueryError {
        QueryError("max-concurrent-queries limit exceeded(\(n), \(limit))")
    }
}
