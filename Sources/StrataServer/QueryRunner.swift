import StrataCore
import StrataQuery

/// What `/query` runs its text with. `QueryExecutor` in production; a route test can give
/// canned results, so the HTTP behaviour (formats, chunking, errors) is tested apart from
/// what the parser and executor can do at the time.
public protocol QueryRunner: Sendable {
    /// A parse error fails the whole text (HTTP 400); execution errors are in the results.
    func execute(_ text: String, database: String?, now: Int64?) async throws(QueryParseError) -> [StatementResult]

    /// The same, seeing only the series `restriction` lets through (a device-limited token);
    /// nil: every series.
    func execute(_ text: String, database: String?, now: Int64?, restriction: TagPredicate?)
        async throws(QueryParseError) -> [StatementResult]

    /// The same, reading raw data only when `tiers` is false (`/query?tiers=off`).
    func execute(_ text: String, database: String?, now: Int64?, restriction: TagPredicate?, tiers: Bool)
        async throws(QueryParseError) -> [StatementResult]
}

extension QueryRunner {
    /// A runner that cannot restrict answers a restricted query with an error per
    /// statement rather than with data the token may not see.
    public func execute(_ text: String, database: String?, now: Int64?, restriction: TagPredicate?)
        async throws(QueryParseError) -> [StatementResult]
    {
        guard restriction != nil else { return try await execute(text, database: database, now: now) }
        let count = max(1, (try? QueryParser.parse(text).count) ?? 1)
        return (0..<count).map { StatementResult(statementID: $0, error: "this query runner cannot restrict devices") }
    }
}

extension QueryRunner {
    /// A runner without rollup tiers reads raw data whatever `tiers` says.
    public func execute(_ text: String, database: String?, now: Int64?, restriction: TagPredicate?, tiers: Bool)
        async throws(QueryParseError) -> [StatementResult]
    {
        try await execute(text, database: database, now: now, restriction: restriction)
    }
}

extension QueryExecutor: QueryRunner {
    public func execute(_ text: String, database: String?, now: Int64?, restriction: TagPredicate?, tiers: Bool)
        async throws(QueryParseError) -> [StatementResult]
    {
        let executor = tiers == self.tiers ? self : QueryExecutor(engine: engine, restriction: self.restriction, tiers: tiers)
        return try await executor.execute(text, database: database, now: now, restriction: restriction)
    }
}
