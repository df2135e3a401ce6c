import StrataCore
import StrataQuery

/// What `/query` runs its statements with. `EngineQueryRunner` in production; a route test
/// can give canned results, so the HTTP behaviour (formats, chunking, errors) is tested
/// apart from what the executor can do at the time.
///
/// The text is parsed at the route (with `params` bound as tokens), so a runner only ever
/// sees statements; it must authorize them for `principal` and narrow what they read.
/// Call order: `authorize` (so a refusal is a 403 before any byte of the answer), then one
/// `execute`.
public protocol QueryRunner: Sendable {
    /// `max-row-limit` for a non-chunked answer (0: none).
    var maxRowLimit: Int { get }

    /// Throws (HTTP 403) if `principal` may not run one of the statements.
    func authorize(_ statements: [Statement], principal: QueryPrincipal) throws(QueryAuthorizationError)

    /// Runs the statements, with execution errors in the results. `tiers` false reads raw
    /// data only (`/query?tiers=off`).
    func execute(_ statements: [Statement], text: String, database: String?, now: Int64?, principal: QueryPrincipal,
                 tiers: Bool) async throws(QueryAuthorizationError) -> [StatementResult]

    /// Runs `body` (encoding an answer) off the cooperative pool.
    func offload<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T

    /// The same, handing results to `sink` as they are produced; `clientGone` says whether
    /// the client went away, which stops the query.
    func execute(_ statements: [Statement], text: String, database: String?, now: Int64?, principal: QueryPrincipal,
                 tiers: Bool, into sink: any ResultSink, clientGone: (@Sendable () -> Bool)?)
        async throws(QueryAuthorizationError)

    /// The same, statements that name no retention policy reading `retentionPolicy` of the
    /// request's database (`/query?rp=`; nil: the database's default policy).
    func execute(_ statements: [Statement], text: String, database: String?, retentionPolicy: String?, now: Int64?,
                 principal: QueryPrincipal, tiers: Bool, into sink: any ResultSink,
                 clientGone: (@Sendable () -> Bool)?) async throws(QueryAuthorizationError)
}

extension QueryRunner {
    public var maxRowLimit: Int { 0 }

    public func authorize(_ statements: [Statement], principal: QueryPrincipal) throws(QueryAuthorizationError) {}

    public func offload<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T { body() }

    /// For runners without retention policies: `retentionPolicy` is not used.
    public func execute(_ statements: [Statement], text: String, database: String?, retentionPolicy: String?,
                        now: Int64?, principal: QueryPrincipal, tiers: Bool, into sink: any ResultSink,
                        clientGone: (@Sendable () -> Bool)?) async throws(QueryAuthorizationError)
    {
        try await execute(statements, text: text, database: database, now: now, principal: principal, tiers: tiers,
                          into: sink, clientGone: clientGone)
    }

    /// For runners that build results whole: each statement's result goes to `sink` at once.
    public func execute(_ statements: [Statement], text: String, database: String?, now: Int64?,
                        principal: QueryPrincipal, tiers: Bool, into sink: any ResultSink,
                        clientGone: (@Sendable () -> Bool)?) async throws(QueryAuthorizationError)
    {
        let results = try await execute(statements, text: text, database: database, now: now, principal: principal,
                                        tiers: tiers)
        for result in results {
            do { try sink.end(result) } catch { return }
        }
    }
}

/// Runs statements with a `QueryExecutor` made for each request's principal, under the
/// manager's limits, queue and threads (`text` is what SHOW QUERIES lists).
public struct EngineQueryRunner: QueryRunner {
    public let engine: StorageEngine
    public let manager: QueryManager

    public init(engine: StorageEngine, manager: QueryManager = QueryManager(limits: .unlimited)) {
        self.engine = engine
        self.manager = manager
    }

    public var maxRowLimit: Int { manager.limits.maxRowLimit }

    public func offload<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await manager.perform(body)
    }

    public func authorize(_ statements: [Statement], principal: QueryPrincipal) throws(QueryAuthorizationError) {
        try QueryExecutor(engine: engine, principal: principal).authorize(statements)
    }

    public func execute(_ statements: [Statement], text: String, database: String?, now: Int64?,
                        principal: QueryPrincipal, tiers: Bool) async throws(QueryAuthorizationError) -> [StatementResult]
    {
        let collector = ResultCollector()
        try await execute(statements, text: text, database: database, now: now, principal: principal, tiers: tiers,
                          into: collector, clientGone: nil)
        return collector.results
    }

    public func execute(_ statements: [Statement], text: String, database: String?, now: Int64?,
                        principal: QueryPrincipal, tiers: Bool, into sink: any ResultSink,
                        clientGone: (@Sendable () -> Bool)?) async throws(QueryAuthorizationError)
    {
        try await execute(statements, text: text, database: database, retentionPolicy: nil, now: now,
                          principal: principal, tiers: tiers, into: sink, clientGone: clientGone)
    }

    public func execute(_ statements: [Statement], text: String, database: String?, retentionPolicy: String?,
                        now: Int64?, principal: QueryPrincipal, tiers: Bool, into sink: any ResultSink,
                        clientGone: (@Sendable () -> Bool)?) async throws(QueryAuthorizationError)
    {
        // Authorized before queueing: a refused text takes no slot and runs nothing.
        try authorize(statements, principal: principal)
        let engine = engine, manager = manager
        do {
            try await manager.run(text, database: database) { task in
                if let clientGone { task.watchClient(clientGone) }
                try await QueryExecutor(engine: engine, principal: principal, tiers: tiers, task: task, manager: manager,
                                        retentionPolicy: retentionPolicy)
                    .execute(statements, database: database, now: now, into: sink)
            }
        } catch let error as QueryAuthorizationError {
            throw error
        } catch {
            // Not admitted (the queue is full) or stopped before it began: every statement
            // gets the reason, as InfluxDB answers it.
            let message = (error as? QueryError)?.description ?? "\(error)"
            for id in statements.indices {
                do { try sink.end(StatementResult(statementID: id, error: message)) } catch { return }
            }
        }
    }
}
