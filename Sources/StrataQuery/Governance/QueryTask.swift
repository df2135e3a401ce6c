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
    /// Bytes this query holds (`reserve`), and the server's total they also count in.
    private let heldBytes = Atomic<Int>(0)
    /// The most `heldBytes` ever was.
    private let peakBytes = Atomic<Int>(0)
    /// The part of `heldBytes` the running statement holds (decoded rows, buckets).
    private let statementBytes = Atomic<Int>(0)
    private let serverMemory: QueryMemory?
    /// Whether the client that asked is gone (its connection closed); asked at every check.
    /// Boxed: a function value read through `withLock`'s inout argument is written back
    /// wrapped in two more reabstraction thunks (generic storage to direct and back), so
    /// every `check` made the next call one level deeper: the month benchmark's hourly
    /// query spent 87% of its 1.9 s unwinding such chains. A class reference is not wrapped.
    private let clientGone = Mutex<ClientProbe?>(nil)

    public init(id: UInt64, text: String, database: String?, limits: QueryLimits,
                memory: QueryMemory? = nil, onLimit: (@Sendable (String) -> Void)? = nil) {
        self.onLimit = onLimit
        self.serverMemory = memory
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
        if let probe = clientGone.withLock({ $0 }), probe.gone() { stop(QueryErrors.clientGone) }
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

    /// Stops the query at its next check once `gone` says its client went away. The HTTP
    /// server asks its connection: a handler's task is not cancelled when the peer closes.
    public func watchClient(_ gone: @escaping @Sendable () -> Bool) {
        let probe = ClientProbe(gone: gone)
        clientGone.withLock { $0 = probe }
    }

    /// Bytes held now (SHOW QUERIES, tests).
    public var memoryInUse: Int { heldBytes.load(ordering: .relaxed) }

    /// The most bytes the query held at once so far.
    public var memoryPeak: Int { peakBytes.load(ordering: .relaxed) }

    /// Counts `bytes` the query is about to hold against `query-memory-bytes` and the
    /// server's `query-max-memory-bytes`; throws, holding nothing more, when either would be
    /// passed. The caller gives them back with `release` (what is left is released when
    /// the query ends).
    func reserve(_ bytes: Int) throws(QueryError) {
        guard bytes > 0 else { return }
        let total = heldBytes.wrappingAdd(bytes, ordering: .relaxed).newValue
        if limits.queryMemoryBytes > 0, total > limits.queryMemoryBytes {
            heldBytes.wrappingSubtract(bytes, ordering: .relaxed)
            onLimit?("query-memory-bytes")
            throw QueryErrors.queryMemory(total, limits.queryMemoryBytes)
        }
        if let serverMemory, !serverMemory.reserve(bytes) {
            heldBytes.wrappingSubtract(bytes, ordering: .relaxed)
            onLimit?("query-max-memory-bytes")
            throw QueryErrors.serverMemory(serverMemory.inUse, serverMemory.limit)
        }
        var peak = peakBytes.load(ordering: .relaxed)
        while total > peak {
            let (done, seen) = peakBytes.compareExchange(expected: peak, desired: total, ordering: .relaxed)
            if done { break }
            peak = seen
        }
    }

    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        heldBytes.wrappingSubtract(bytes, ordering: .relaxed)
        serverMemory?.release(bytes)
    }

    /// `reserve`, given back by `releaseStatementMemory` (at the latest when the statement
    /// ends): decoded rows and GROUP BY buckets.
    func holdForStatement(_ bytes: Int) throws(QueryError) {
        try reserve(bytes)
        statementBytes.wrappingAdd(bytes, ordering: .relaxed)
    }

    /// Gives back what `holdForStatement` reserved: a window of a streamed scan is done, or
    /// the statement ended.
    func releaseStatementMemory() {
        release(statementBytes.exchange(0, ordering: .relaxed))
    }

    /// Gives back whatever the query still holds; the manager calls it as the query ends.
    func releaseAll() {
        statementBytes.store(0, ordering: .relaxed)
        let left = heldBytes.exchange(0, ordering: .relaxed)
        if left > 0 { serverMemory?.release(left) }
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
    static func queryMemory(_ n: Int, _ limit: Int) -> QueryError {
        QueryError("query-memory-bytes limit exceeded: (\(n)/\(limit) bytes); narrow the time range, "
            + "add a LIMIT or ask with chunked=true")
    }
    static func serverMemory(_ n: Int, _ limit: Int) -> QueryError {
        QueryError("query-max-memory-bytes limit exceeded: running queries hold \(n) of \(limit) bytes; try again later")
    }
    static func maxConcurrent(_ n: Int, _ limit: Int) -> QueryError {
        QueryError("max-concurrent-queries limit exceeded(\(n), \(limit))")
    }
}

/// What `QueryTask.watchClient` asks whether the client went away.
final class ClientProbe: Sendable {
    let gone: @Sendable () -> Bool
    init(gone: @escaping @Sendable () -> Bool) { self.gone = gone }
}
