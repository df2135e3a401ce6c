import StrataCore
import Foundation

/// Runs InfluxQL statements against a storage engine. Stateless apart from the engine, so
/// one instance serves every request.
public final class QueryExecutor: Sendable {
    public let engine: StorageEngine
    /// Series outside this predicate do not exist for this executor: not read, listed nor
    /// deleted (a device-limited token; docs/auth.md). nil: every series.
    public let restriction: TagPredicate?
    /// Whether aggregates may read rollup tiers (docs/tiers.md); false reads raw data only,
    /// which must give the same answers (`/query?tiers=off`, a diagnostic).
    public let tiers: Bool

    public init(engine: StorageEngine, restriction: TagPredicate? = nil, tiers: Bool = true) {
        self.engine = engine
        self.restriction = restriction
        self.tiers = tiers
    }

    /// Parses and runs `text`. A parse error fails the whole text (the caller answers 400);
    /// an execution error is reported in that statement's result and the others still run.
    /// `database` is the default for statements that do not name one; `now` is the
    /// instant `now()` means, in nanoseconds (defaults to the wall clock).
    public func execute(_ text: String, database: String?, now: Int64? = nil) async throws(QueryParseError) -> [StatementResult] {
        let statements = try QueryParser.parse(text)
        return await execute(statements, database: database, now: now ?? WallClockNow.nanoseconds())
    }

    /// The same, seeing only the series `restriction` lets through (nil: every series).
    public func execute(_ text: String, database: String?, now: Int64? = nil, restriction: TagPredicate?)
        async throws(QueryParseError) -> [StatementResult]
    {
        guard let restriction else { return try await execute(text, database: database, now: now) }
        let narrowed = self.restriction.map { TagPredicate.and([$0, restriction]) } ?? restriction
        return try await QueryExecutor(engine: engine, restriction: narrowed, tiers: tiers).execute(text, database: database, now: now)
    }

    public func execute(_ statements: [Statement], database: String?, now: Int64) async -> [StatementResult] {
        var results: [StatementResult] = []
        for (id, statement) in statements.enumerated() {
            do {
                var result = try await execute(statement, database: database, now: now)
                result.statementID = id
                results.append(result)
            } catch {
                results.append(StatementResult(statementID: id, error: error.description))
            }
        }
        return results
    }

    func execute(_ statement: Statement, database: String?, now: Int64) async throws(QueryError) -> StatementResult {
        switch statement {
        case .createDatabase(let name):
            do { try engine.createDatabase(name) } catch { throw QueryError("\(error)") }
            return StatementResult(statementID: 0)
        case .showDatabases:
            let names = engine.databaseNames().sorted()
            return StatementResult(statementID: 0, series: [
                ResultSeries(name: "databases", columns: ["name"], values: names.map { [.string($0)] }),
            ])
        case .select(let stmt):
            var report = ExplainReport()
            return StatementResult(statementID: 0, series: try select(stmt, database: database, now: now, report: &report))
        case .delete(let s):
            return try await delete(s, database: database, now: now)
        case .dropSeries(let s):
            return try await dropSeries(s, database: database)
        case let .explain(stmt, analyze):
            return try explain(stmt, analyze: analyze, database: database, now: now)
        default:
            return try executeOther(statement, database: database, now: now)
        }
    }
}

/// An execution error, reported in the statement's `error` member.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) {
        self.description = description
    }
}

enum WallClockNow {
    static func nanoseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1e9).rounded())
    }
}
