import StrataCore
import Foundation

/// Runs InfluxQL statements against a storage engine for one principal, which it checks
/// every statement against and narrows every read and delete to (docs/auth.md). Cheap to
/// make: callers make one per request or subscription, since the principal is part of it.
public final class QueryExecutor: Sendable {
    public let engine: StorageEngine
    public let principal: QueryPrincipal
    /// Series outside this predicate do not exist for this executor: not read, listed nor
    /// deleted. nil: every series. Always the principal's: there is no other way to set it.
    let restriction: TagPredicate?
    /// Whether aggregates may read rollup tiers (docs/tiers.md); false reads raw data only,
    /// which must give the same answers (`/query?tiers=off`, a diagnostic).
    public let tiers: Bool
    /// Told of each statement as it starts, after authorization (a test and audit seam).
    let observer: Observer?
    public typealias Observer = @Sendable (Statement, QueryPrincipal) -> Void
    /// The running query this executor works for: its limits, and whether it was stopped
    /// (checked between series, groups and buckets).
    public let task: QueryTask

    public init(engine: StorageEngine, principal: QueryPrincipal, tiers: Bool = true, observer: Observer? = nil,
                task: QueryTask = .ungoverned(), manager: QueryManager? = nil, retentionPolicy: String? = nil) {
        self.engine = engine
        self.defaultPolicy = retentionPolicy
        self.principal = principal
        self.restriction = principal.restriction
        self.tiers = tiers
        self.observer = observer
        self.task = task
        self.manager = manager
        testWindowRows = nil
    }

    /// The same executor, with streamed scans and aggregates cut into windows of about
    /// `rows` rows (tests make many windows out of little data).
    init(_ other: QueryExecutor, streamWindowRows rows: Int) {
        engine = other.engine
        defaultPolicy = other.defaultPolicy
        principal = other.principal
        restriction = other.restriction
        tiers = other.tiers
        observer = other.observer
        task = other.task
        manager = other.manager
        testWindowRows = rows
    }

    /// The request's `rp`: the retention policy statements read when they name none and
    /// read the request's database. nil: each database's default policy.
    let defaultPolicy: String?

    /// A test's window size for streamed reads; nil: the defaults (`SelectExecutor`).
    let testWindowRows: Int?

    /// The server's queries, for SHOW QUERIES and KILL QUERY; nil: neither is available.
    let manager: QueryManager?

    /// Parses `text` (binding `parameters` as tokens, never as text), authorizes every
    /// statement, then runs them. A parse error or a refused statement fails the whole text
    /// and runs nothing; an execution error is reported in that statement's result and the
    /// others still run. `database` is the default for statements that do not name one;
    /// `now` is the instant `now()` means, in nanoseconds (defaults to the engine's clock).
    public func execute(_ text: String, database: String?, now: Int64? = nil,
                        parameters: [String: BoundParameter] = [:]) async throws(QueryRejection) -> [StatementResult] {
        let statements: [Statement]
        do { statements = try QueryParser.parse(text, parameters: parameters) } catch { throw .parse(error) }
        do { return try await execute(statements, database: database, now: now) } catch { throw .forbidden(error) }
    }

    /// Authorizes every statement, then runs them in order.
    public func execute(_ statements: [Statement], database: String?, now: Int64? = nil)
        async throws(QueryAuthorizationError) -> [StatementResult]
    {
        let collector = ResultCollector()
        try await execute(statements, database: database, now: now, into: collector)
        return collector.results
    }

    /// Authorizes every statement, then runs them in order, handing each result to `sink`
    /// as it is produced: a raw SELECT streams its rows window by window
    /// (`QueryExecutor+Stream.swift`), so what it holds does not grow with its answer.
    /// Once `sink` throws, nothing more runs.
    public func execute(_ statements: [Statement], database: String?, now: Int64? = nil, into sink: some ResultSink)
        async throws(QueryAuthorizationError)
    {
        try authorize(statements)
        let now = now ?? engine.options.clock.now()
        sink.begin(task)
        let output = StatementOutput(sink)
        for (id, statement) in statements.enumerated() {
            var result: StatementResult
            do {
                task.startStatement()
                try task.check()
                result = try await execute(statement, database: database, now: now, statementID: id, output: output)
            } catch {
                if output.closed { return }
                result = StatementResult(statementID: id, error: error.description)
            }
            task.releaseStatementMemory()
            result.statementID = id
            guard output.end(result) else { return }
        }
    }

    func execute(_ statement: Statement, database: String?, now: Int64, statementID: Int, output: StatementOutput)
        async throws(QueryError) -> StatementResult
    {
        if case .select(let stmt) = statement, refusal(statement) == nil {
            observer?(statement, principal)
            try stream(stmt, database: database, now: now, statementID: statementID, output: output)
            return StatementResult(statementID: statementID)
        }
        return try await execute(statement, database: database, now: now)
    }

    func execute(_ statement: Statement, database: String?, now: Int64) async throws(QueryError) -> StatementResult {
        // Checked again per statement, so no path into a statement skips it.
        if let refusal = refusal(statement) { throw QueryError(refusal.description) }
        observer?(statement, principal)
        switch statement {
        case let .createDatabase(name, spec):
            return try await createDatabase(name, with: spec)
        case .dropDatabase(let name):
            return try await dropDatabase(name)
        case let .dropRetentionPolicy(name, db):
            return try await dropRetentionPolicy(name: name, database: db)
        case .dropMeasurement(let name):
            return try await dropMeasurement(name, database: database)
        case .showDatabases:
            let names = engine.databaseNames().filter(isVisible).sorted()
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

/// Why a query text ran nothing: it does not parse (HTTP 400) or the principal may not run
/// one of its statements (HTTP 403).
public enum QueryRejection: Error, Sendable, Equatable, CustomStringConvertible {
    case parse(QueryParseError)
    case forbidden(QueryAuthorizationError)

    public var description: String {
        switch self {
        case .parse(let e): e.description
        case .forbidden(let e): e.description
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

extension Unicode.GeneralCategory {
    /// Not printable, as Go's unicode.IsPrint sees it closely enough for names: control,
    /// format, surrogate, private-use and unassigned scalars.
    var isControlOrUnassigned: Bool {
        switch self {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
