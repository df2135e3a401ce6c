import StrataCore
import Synchronization

/// Runs queries under the server's limits: at most `maxConcurrentQueries` at once on
/// threads of their own, a bounded queue behind them, a registry for `SHOW QUERIES` and
/// `KILL QUERY`, and counters for `/metrics`. One per server.
public final class QueryManager: Sendable {
    public let limits: QueryLimits
    /// Told of each query that ran past `logQueriesAfter` (the server logs it).
    let slowQuery: (@Sendable (QueryTask, Duration) -> Void)?
    /// Threads of their own, so a heavy scan never holds one of the cooperative pool's
    /// threads, which serve every connection, `/ping` and `KILL QUERY`.
    private let pool: BlockingWorkPool
    private let state = Mutex(State())
    public let counters = Counters()
    /// What running queries hold together, against `query-max-memory-bytes`.
    public let memory: QueryMemory

    struct State {
        var nextID: UInt64 = 1
        var running: [UInt64: QueryTask] = [:]
        var slotsInUse = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Totals since start, for `/metrics`.
    public final class Counters: Sendable {
        public let started = Atomic<Int>(0)
        public let finished = Atomic<Int>(0)
        public let killed = Atomic<Int>(0)
        public let timedOut = Atomic<Int>(0)
        public let aborted = Atomic<Int>(0)
        /// Refused or stopped by a limit, by InfluxDB's name of it.
        let refusals = Mutex<[String: Int]>([:])

        public var refusedByLimit: [String: Int] { refusals.withLock { $0 } }

        func refused(_ limit: String) {
            refusals.withLock { $0[limit, default: 0] += 1 }
        }
    }

    /// `threads`: queries run on that many threads of their own (the server); nil shares
    /// `sharedThreads` (tests, tools). Never the cooperative pool: a streaming answer's
    /// producer blocks while its client reads.
    public init(limits: QueryLimits, threads: Int? = nil, slowQuery: (@Sendable (QueryTask, Duration) -> Void)? = nil) {
        self.limits = limits
        self.slowQuery = slowQuery
        memory = QueryMemory(limit: limits.queryMaxMemoryBytes)
        pool = threads.map { Self.makePool(threads: $0) } ?? Self.sharedThreads
    }

    /// 8 MiB stacks: expressions and subqueries recurse (docs/influxql.md, "Limits").
    private static func makePool(threads: Int) -> BlockingWorkPool {
        BlockingWorkPool(threads: threads, name: "strata-query", stackSize: 8 << 20)
    }

    /// The threads of managers made without their own.
    static let sharedThreads = makePool(threads: 2)

    /// Runs `body` on the query threads, outside any slot: encoding a whole answer (hundreds
    /// of megabytes of JSON) must not hold a thread of the cooperative pool either.
    public func perform<T: Sendable>(_ body: @Sendable () -> T) async -> T {
        await pool.run(body)
    }

    /// Queries running now, oldest first.
    public var running: [QueryTask] {
        state.withLock { Array($0.running.values) }.sorted { $0.id < $1.id }
    }

    public var queued: Int { state.withLock { $0.waiters.count } }

    /// Stops query `id` (`KILL QUERY`); it ends at its next check with `query interrupted`.
    public func kill(_ id: UInt64) throws(QueryError) {
        guard let task = state.withLock({ $0.running[id] }) else { throw QueryError("no such query id: \(id)") }
        task.stop(QueryErrors.killed)
    }

    /// Runs `body` as query `text` once a slot is free; refuses at once with InfluxDB's
    /// `max-concurrent-queries limit exceeded` when the queue is full too.
    public func run<T: Sendable>(_ text: String, database: String?,
                                 _ body: @Sendable (QueryTask) async throws -> T) async throws -> T {
        try await acquire()
        let task = state.withLock { s -> QueryTask in
            let task = QueryTask(id: s.nextID, text: text, database: database, limits: limits, memory: memory,
                                 onLimit: { [counters] in counters.refused($0) })
            s.nextID += 1
            s.running[task.id] = task
            return task
        }
        counters.started.wrappingAdd(1, ordering: .relaxed)
        defer { finish(task) }
        // A client that goes away cancels the request's task: stop the query with it.
        do {
            return try await withTaskCancellationHandler {
                try await withTaskExecutorPreference(pool) { try await body(task) }
            } onCancel: {
                task.stop(QueryErrors.clientGone)
            }
        } catch is CancellationError {
            // Whatever awaited inside saw the cancellation first: report why it came.
            throw task.stopReason ?? QueryErrors.clientGone
        }
    }

    private func acquire() async throws(QueryError) {
        let limit = limits.maxConcurrentQueries
        guard limit > 0 else { return }
        enum Admission { case now, wait, refuse(Int) }
        let admission = state.withLock { s -> Admission in
            if s.slotsInUse < limit {
                s.slotsInUse += 1
                return .now
            }
            return s.waiters.count < limits.maxQueuedQueries ? .wait : .refuse(s.slotsInUse + s.waiters.count)
        }
        switch admission {
        case .now: return
        case .refuse(let n):
            counters.refused("max-concurrent-queries")
            throw QueryErrors.maxConcurrent(n, limit)
        case .wait:
            // The slot is handed over by `release`, already counted as in use.
            await withCheckedContinuation { continuation in
                let handedNow = state.withLock { s -> Bool in
                    if s.slotsInUse < limit {
                        s.slotsInUse += 1
                        return true
                    }
                    s.waiters.append(continuation)
                    return false
                }
                if handedNow { continuation.resume() }
            }
        }
    }

    private func finish(_ task: QueryTask) {
        task.releaseAll()
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.running[task.id] = nil
            guard limits.maxConcurrentQueries > 0 else { return nil }
            if s.waiters.isEmpty {
                s.slotsInUse -= 1
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
        counters.finished.wrappingAdd(1, ordering: .relaxed)
        switch task.stopReason {
        case QueryErrors.killed?: counters.killed.wrappingAdd(1, ordering: .relaxed)
        case QueryErrors.timeout?:
            counters.timedOut.wrappingAdd(1, ordering: .relaxed)
            counters.refused("query-timeout")
        case QueryErrors.clientGone?: counters.aborted.wrappingAdd(1, ordering: .relaxed)
        default: break
        }
        let took = ContinuousClock.now - task.started
        if let after = limits.logQueriesAfter, took > after { slowQuery?(task, took) }
    }
}
