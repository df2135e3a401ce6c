import StrataQuery

/// What `/query` runs its text with. `QueryExecutor` in production; a route test can give
/// canned results, so the HTTP behaviour (formats, chunking, errors) is tested apart from
/// what the parser and executor can do at the time.
public protocol QueryRunner: Sendable {
    /// A parse error fails the whole text (HTTP 400); execution errors are in the results.
    func execute(_ text: String, database: String?, now: Int64?) async throws(QueryParseError) -> [StatementResult]
}

extension QueryExecutor: QueryRunner {}
