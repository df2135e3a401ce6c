import StrataCore
import StrataQuery

/// What `/query` runs its statements with. `EngineQueryRunner` in production; a route test
/// can give canned results, so the HTTP behaviour (formats, chunking, errors) is tested
/// apart from what the executor can do at the time.
///
/// The text is parsed at the route (with `params` bound as tokens), so a runner only ever
/// sees statements; it must authorize them for `principal` and narrow what they read.
public protocol QueryRunner: Sendable {
    /// Refuses the whole list (HTTP 403) if `principal` may not run one of the statements;
    /// otherwise runs them, with execution errors in the results. `tiers` false reads raw
    /// data only (`/query?tiers=off`).
    func execute(_ statements: [Statement], text: String, database: String?, now: Int64?, principal: QueryPrincipal,
                 tiers: Bool) async throws(QueryAuthorizationError) -> [StatementResult]
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

    public func execute(_ statements: [Statement], text: String, database: String?, now: Int64?,
                        principal: QueryPrincipal, tiers: Bool) async throws(QueryAuthorizationError) -> [StatementResult]
    {
        // Authorized before queueing: a refused text takes no slot and runs nothing.
        try QueryExecutor(engine: engine, principal: principal).authorize(statements)
        let engine = engine, manager = manager
        do {
            return try await manager.run(text, database: database) { task in
                try await QueryExecutor(engine: engine, principal: principal, tiers: tiers, task: task, manager: manager)
                    .execute(statements, database: database, now: now)
            }
        } catch let error as QueryAuthorizationError {
            throw error
        } catch {
            // Not admitted (the queue is full) or stopped before it began: every statement
            // gets the reason, as InfluxDB answers it.
            let message = (error as? QueryError)?.description ?? "\(error)"
            return statements.indices.map { StatementResult(statementID: $0, error: message) }
        }
    }
}
