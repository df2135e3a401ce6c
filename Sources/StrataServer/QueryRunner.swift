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
    func execute(_ statements: [Statement], database: String?, now: Int64?, principal: QueryPrincipal, tiers: Bool)
        async throws(QueryAuthorizationError) -> [StatementResult]
}

/// Runs statements with a `QueryExecutor` made for each request's principal.
public struct EngineQueryRunner: QueryRunner {
    public let engine: StorageEngine

    public init(engine: StorageEngine) {
        self.engine = engine
    }

    public func execute(_ statements: [Statement], database: String?, now: Int64?, principal: QueryPrincipal, tiers: Bool)
        async throws(QueryAuthorizationError) -> [StatementResult]
    {
        try await QueryExecutor(engine: engine, principal: principal, tiers: tiers)
            .execute(statements, database: database, now: now)
    }
}
